package clonezilla

import (
	"errors"
	"github.com/backdeck/backdeck/backends/lvm"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// pveLsblk is a Proxmox host in lsblk's shape: nvme0n1 with a BIOS boot
// partition, the ESP and the LVM PV of VG pve (swap, root, thin pool data
// with its thin LVs, shown under both _tmeta and _tdata as lsblk does); sda,
// an HDD with one ext4 filesystem; sdb, the image drive (USB, ext4
// "BDIMAGES"); sdc, the USB drive of the vzdump backups.
const pveLsblk = `{"blockdevices": [
 {"name":"nvme0n1","path":"/dev/nvme0n1","type":"disk","size":1000204886016,"fstype":null,"label":null,"uuid":null,"serial":"S5GXNX0T","model":"Samsung SSD 980 PRO 1TB","tran":"nvme","mountpoint":null,"fsused":null,"fsavail":null,
  "children":[
   {"name":"nvme0n1p1","path":"/dev/nvme0n1p1","type":"part","size":1031168,"fstype":null,"label":null,"uuid":null,"serial":null,"model":null,"tran":"nvme","mountpoint":null,"fsused":null,"fsavail":null},
   {"name":"nvme0n1p2","path":"/dev/nvme0n1p2","type":"part","size":1073741824,"fstype":"vfat","label":null,"uuid":"8A1B-2C3D","serial":null,"model":null,"tran":"nvme","mountpoint":"/boot/efi","fsused":360448,"fsavail":1073381376},
   {"name":"nvme0n1p3","path":"/dev/nvme0n1p3","type":"part","size":999129760256,"fstype":"LVM2_member","label":null,"uuid":"Xy1a2B-3c4D-5e6F-7g8H-9i0J-1k2L-3m4N5o","serial":null,"model":null,"tran":"nvme","mountpoint":null,"fsused":null,"fsavail":null,
    "children":[
     {"name":"pve-swap","path":"/dev/mapper/pve-swap","type":"lvm","size":8589934592,"fstype":"swap","label":null,"uuid":"5e0b4c1a-0000-4000-8000-000000000001","serial":null,"model":null,"tran":null,"mountpoint":"[SWAP]","fsused":null,"fsavail":null},
     {"name":"pve-root","path":"/dev/mapper/pve-root","type":"lvm","size":103079215104,"fstype":"ext4","label":null,"uuid":"5e0b4c1a-0000-4000-8000-000000000002","serial":null,"model":null,"tran":null,"mountpoint":"/","fsused":12884901888,"fsavail":85899345920},
     {"name":"pve-data_tmeta","path":"/dev/mapper/pve-data_tmeta","type":"lvm","size":9126805504,"fstype":null,"label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null,
      "children":[
       {"name":"pve-data-tpool","path":"/dev/mapper/pve-data-tpool","type":"lvm","size":794568949760,"fstype":null,"label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null,
        "children":[
         {"name":"pve-data","path":"/dev/mapper/pve-data","type":"lvm","size":794568949760,"fstype":null,"label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null},
         {"name":"pve-vm--411--disk--0","path":"/dev/mapper/pve-vm--411--disk--0","type":"lvm","size":34359738368,"fstype":null,"label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null},
         {"name":"pve-vm--421--disk--0","path":"/dev/mapper/pve-vm--421--disk--0","type":"lvm","size":68719476736,"fstype":"ext4","label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null}
        ]}
      ]},
     {"name":"pve-data_tdata","path":"/dev/mapper/pve-data_tdata","type":"lvm","size":794568949760,"fstype":null,"label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null,
      "children":[
       {"name":"pve-data-tpool","path":"/dev/mapper/pve-data-tpool","type":"lvm","size":794568949760,"fstype":null,"label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null,
        "children":[
         {"name":"pve-data","path":"/dev/mapper/pve-data","type":"lvm","size":794568949760,"fstype":null,"label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null},
         {"name":"pve-vm--411--disk--0","path":"/dev/mapper/pve-vm--411--disk--0","type":"lvm","size":34359738368,"fstype":null,"label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null},
         {"name":"pve-vm--421--disk--0","path":"/dev/mapper/pve-vm--421--disk--0","type":"lvm","size":68719476736,"fstype":"ext4","label":null,"uuid":null,"serial":null,"model":null,"tran":null,"mountpoint":null,"fsused":null,"fsavail":null}
        ]}
      ]}
    ]}
  ]},
 {"name":"sda","path":"/dev/sda","type":"disk","size":4000787030016,"fstype":null,"label":null,"uuid":null,"serial":"ZFL1ABCD","model":"ST4000VN008-2DR166","tran":"sata","mountpoint":null,"fsused":null,"fsavail":null,
  "children":[
   {"name":"sda1","path":"/dev/sda1","type":"part","size":4000785104896,"fstype":"ext4","label":"hdd","uuid":"0b51ce79-7bc0-4111-8a40-839461a9b12f","serial":null,"model":null,"tran":"sata","mountpoint":"/mnt/pve/hdd","fsused":1319413953331,"fsavail":2480000000000}
  ]},
 {"name":"sdb","path":"/dev/sdb","type":"disk","size":5000947302400,"fstype":null,"label":null,"uuid":null,"serial":"57584E314131","model":"Elements 25A3","tran":"usb","mountpoint":null,"fsused":null,"fsavail":null,
  "children":[
   {"name":"sdb1","path":"/dev/sdb1","type":"part","size":5000945205248,"fstype":"ext4","label":"BDIMAGES","uuid":"3f2a9c1e-5d4b-4e8a-9b7c-1d2e3f4a5b6c","serial":null,"model":null,"tran":"usb","mountpoint":"/mnt/bdimages","fsused":1000000000000,"fsavail":3700000000000}
  ]},
 {"name":"sdc","path":"/dev/sdc","type":"disk","size":2000398934016,"fstype":null,"label":null,"uuid":null,"serial":"WD-WX12A3456789","model":"WDC WD20SDRW-11VUUS0","tran":"usb","mountpoint":null,"fsused":null,"fsavail":null,
  "children":[
   {"name":"sdc1","path":"/dev/sdc1","type":"part","size":2000396836864,"fstype":"ext4","label":"vzdump","uuid":"aa11bb22-0000-4000-8000-000000000003","serial":null,"model":null,"tran":"usb","mountpoint":"/mnt/hddusb_bkpvzdumps","fsused":800000000000,"fsavail":1100000000000}
  ]}
]}`

// pveLvs is the host's lvs report, in lvs's own shape (numbers as strings).
const pveLvs = `{"report":[{"lv":[
 {"vg_name":"pve", "lv_name":"data", "lv_attr":"twi-aotz--", "lv_size":"794568949760", "data_percent":"23.50", "metadata_percent":"1.20", "pool_lv":"", "origin":""},
 {"vg_name":"pve", "lv_name":"root", "lv_attr":"-wi-ao----", "lv_size":"103079215104", "data_percent":"", "metadata_percent":"", "pool_lv":"", "origin":""},
 {"vg_name":"pve", "lv_name":"snap_vm-421-disk-0_preupgrade", "lv_attr":"Vri---tz-k", "lv_size":"68719476736", "data_percent":"", "metadata_percent":"", "pool_lv":"data", "origin":"vm-421-disk-0"},
 {"vg_name":"pve", "lv_name":"swap", "lv_attr":"-wi-ao----", "lv_size":"8589934592", "data_percent":"", "metadata_percent":"", "pool_lv":"", "origin":""},
 {"vg_name":"pve", "lv_name":"vm-411-disk-0", "lv_attr":"Vwi-aotz--", "lv_size":"34359738368", "data_percent":"61.03", "metadata_percent":"", "pool_lv":"data", "origin":""},
 {"vg_name":"pve", "lv_name":"vm-421-disk-0", "lv_attr":"Vwi-aotz--", "lv_size":"68719476736", "data_percent":"40.00", "metadata_percent":"", "pool_lv":"data", "origin":""}
]}]}`

// pveUsed is what the seed host's two disks hold, counted by hand:
// nvme0n1p1 (not mounted, whole) + ESP used + root used + thin LVs by their
// data percent (the pool, swap and the inactive snapshot count nothing) +
// sda1 used.
func pveUsed() int64 {
	return int64(1031168) + 360448 + 12884901888 +
		int64(math.Round(34359738368*61.03/100)) + int64(math.Round(68719476736*40.00/100)) +
		1319413953331
}

func pveHost(t *testing.T) Host {
	t.Helper()
	disks, err := ParseLsblk([]byte(pveLsblk))
	if err != nil {
		t.Fatal(err)
	}
	lvs, err := lvm.Parse([]byte(pveLvs))
	if err != nil {
		t.Fatal(err)
	}
	return Host{Disks: disks, LVs: lvs}
}

// withoutDisk removes a top-level device: a drive unplugged.
func withoutDisk(h Host, name string) Host {
	var out []BlockDev
	for _, d := range h.Disks {
		if d.Name != name {
			out = append(out, d)
		}
	}
	h.Disks = out
	return h
}

// editFS changes the filesystem named name wherever it is in the tree.
func editFS(h Host, name string, edit func(*BlockDev)) Host {
	h.Disks = cloneDevs(h.Disks)
	walk(h.Disks, func(d, _ *BlockDev) {
		if d.Name == name {
			edit(d)
		}
	})
	return h
}

func cloneDevs(in []BlockDev) []BlockDev {
	out := make([]BlockDev, len(in))
	for i, d := range in {
		d.Children = cloneDevs(d.Children)
		out[i] = d
	}
	return out
}

func passed() *model.Drive {
	return &model.Drive{Name: "image drive", Serial: "57584E314131", Health: model.HealthPassed, Present: true}
}

// pveInput is the seed host ready for imaging: the vzdump drive unplugged,
// the image drive found by label, healthy and roomy, Clonezilla 5.15.26.
func pveInput(t *testing.T) PreflightInput {
	return PreflightInput{
		Host:        withoutDisk(pveHost(t), "sdc"),
		Disks:       []PlanDisk{{Name: "pve-ssd", Serial: "S5GXNX0T"}, {Name: "pve-hdd", Serial: "zfl1abcd "}},
		DriveLabel:  "BDIMAGES",
		DriveHealth: passed(),
		VzdumpDrive: &model.Drive{Name: "hddusb", Serial: "WD-WX12A3456789"},
		LiveVersion: "5.15.26",
	}
}

func checkNamed(t *testing.T, p Preflight, name string) Check {
	t.Helper()
	for _, c := range p.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, p.Checks)
	return Check{}
}

func hasCheck(p Preflight, name string) bool {
	for _, c := range p.Checks {
		if c.Name == name {
			return true
		}
	}
	return false
}

func TestPreflightSeedHostPasses(t *testing.T) {
	p := RunPreflight(pveInput(t))
	for _, c := range p.Checks {
		want := CheckPass
		if c.Name == "VM snapshots" {
			want = CheckWarn
		}
		if c.State != want {
			t.Errorf("%s: %s (%s), want %s", c.Name, c.State, c.Reason, want)
		}
	}
	if !p.Ready() {
		t.Error("OK() false with only a warning")
	}
	if c := checkNamed(t, p, "disk pve-ssd"); c.Reason != "nvme0n1 · Samsung SSD 980 PRO 1TB · 931.5 GiB" {
		t.Errorf("disk line: %q", c.Reason)
	}
	if len(p.Disks) != 2 || p.Disks[0].Dev != "/dev/nvme0n1" || p.Disks[1].Dev != "/dev/sda" {
		t.Errorf("disks: %+v", p.Disks)
	}
	if p.ImageDrive == nil || p.ImageDrive.Name != "sdb1" || p.ImageDrive.UUID != "3f2a9c1e-5d4b-4e8a-9b7c-1d2e3f4a5b6c" {
		t.Errorf("image drive: %+v", p.ImageDrive)
	}
	if c := checkNamed(t, p, "image drive"); !strings.Contains(c.Reason, "sdb1 (ext4, label BDIMAGES) on sdb · Elements 25A3 · usb") {
		t.Errorf("image drive line: %q", c.Reason)
	}
	if p.Used != pveUsed() {
		t.Errorf("used %d, want %d (off by %d)", p.Used, pveUsed(), p.Used-pveUsed())
	}
	if p.Ratio != 1 || p.RatioFrom != "no earlier image: counted uncompressed" {
		t.Errorf("ratio %v %q", p.Ratio, p.RatioFrom)
	}
	if want := int64(math.Ceil(float64(pveUsed()) * 1.05)); p.Expected != want {
		t.Errorf("expected %d, want %d", p.Expected, want)
	}
	if c := checkNamed(t, p, "expected size"); !strings.Contains(c.Reason, "nvme0n1p1") || strings.Contains(c.Reason, "nvme0n1p2") {
		t.Errorf("the upper bound names only the unmounted partition: %q", c.Reason)
	}
	snap := checkNamed(t, p, "VM snapshots")
	if !strings.Contains(snap.Reason, "snap_vm-421-disk-0_preupgrade (snapshot of vm-421-disk-0): thin volumes carrying snapshots restore badly; delete the snapshots first") ||
		strings.Contains(snap.Reason, "vm-411") {
		t.Errorf("snapshots: %q", snap.Reason)
	}
	if c := checkNamed(t, p, "Clonezilla Live LVM-thin"); !strings.Contains(c.Reason, "skips the thin-pool container") {
		t.Errorf("thin line: %q", c.Reason)
	}
	if hasCheck(p, "image drive filesystem") || hasCheck(p, "LVM volumes") {
		t.Errorf("no vfat and lvs answered: %+v", p.Checks)
	}
}

func TestPreflightLines(t *testing.T) {
	for _, c := range []struct {
		name   string
		edit   func(*PreflightInput)
		check  string
		state  CheckState
		reason string // a part of the reason
	}{
		{"disk missing", func(in *PreflightInput) { in.Disks[1].Serial = "ZZZ999" },
			"disk pve-hdd", CheckFail, "no disk with serial ZZZ999 on this host: check [[clonezilla.disk]] serial (lsblk -o NAME,SERIAL lists them)"},
		{"disk without serial", func(in *PreflightInput) { in.Disks[0].Serial = " " },
			"disk pve-ssd", CheckFail, "no serial configured"},
		{"no disk configured", func(in *PreflightInput) { in.Disks = nil },
			"disks", CheckFail, "add a [[clonezilla.disk]]"},
		{"disk configured twice", func(in *PreflightInput) { in.Disks = append(in.Disks, PlanDisk{Name: "again", Serial: "S5GXNX0T"}) },
			"disk again", CheckFail, "the same disk as pve-ssd (nvme0n1)"},
		{"image drive by serial", func(in *PreflightInput) { in.DriveLabel, in.DriveSerial = "", "57584e314131" },
			"image drive", CheckPass, "sdb1 (ext4, label BDIMAGES) on sdb"},
		{"image drive by serial and label", func(in *PreflightInput) { in.DriveSerial = "57584E314131" },
			"image drive", CheckPass, "sdb1 (ext4, label BDIMAGES)"},
		{"label not on the drive of that serial", func(in *PreflightInput) { in.DriveSerial, in.DriveLabel = "57584E314131", "OTHER" },
			"image drive", CheckFail, "has no filesystem labelled OTHER"},
		{"image drive missing (label)", func(in *PreflightInput) { in.Host = withoutDisk(in.Host, "sdb") },
			"image drive", CheckFail, "plug in the image drive (label BDIMAGES)"},
		{"image drive missing (serial)", func(in *PreflightInput) { in.Host = withoutDisk(in.Host, "sdb"); in.DriveSerial = "57584E314131" },
			"image drive", CheckFail, "plug in the image drive (serial 57584E314131, label BDIMAGES)"},
		{"image drive not configured", func(in *PreflightInput) { in.DriveLabel = "" },
			"image drive", CheckFail, "set [clonezilla] drive_label (its filesystem's label) or drive_serial"},
		{"image drive label twice", func(in *PreflightInput) {
			in.Host = editFS(in.Host, "sda1", func(d *BlockDev) { d.Label = "BDIMAGES" })
		}, "image drive", CheckFail, "2 filesystems are labelled BDIMAGES (sda1, sdb1)"},
		{"image drive is a disk to image", func(in *PreflightInput) { in.DriveLabel = "hdd" },
			"image drive", CheckFail, "is pve-hdd, one of the disks to image"},
		{"SMART failed", func(in *PreflightInput) {
			in.DriveHealth = &model.Drive{Health: model.HealthFailed, Reasons: []string{"Reallocated sectors: 24"}}
		}, "image drive SMART", CheckFail, "SMART failed: Reallocated sectors: 24: do not trust new images to it: replace it"},
		{"SMART warning", func(in *PreflightInput) {
			in.DriveHealth = &model.Drive{Health: model.HealthWarning, Reasons: []string{"Current pending sectors: 1"}}
		}, "image drive SMART", CheckWarn, "Current pending sectors: 1"},
		{"SMART asleep", func(in *PreflightInput) { in.DriveHealth = &model.Drive{Health: model.HealthPassed, Asleep: true} },
			"image drive SMART", CheckUnknown, "asleep"},
		{"SMART unknown", func(in *PreflightInput) {
			in.DriveHealth = &model.Drive{Health: model.HealthUnknown, Reasons: []string{"no SMART data: Unknown USB bridge"}}
		}, "image drive SMART", CheckUnknown, "Unknown USB bridge"},
		{"SMART not known", func(in *PreflightInput) { in.DriveHealth = nil },
			"image drive SMART", CheckUnknown, "smartctl -a /dev/sdb"},
		{"not mounted", func(in *PreflightInput) {
			in.Host = editFS(in.Host, "sdb1", func(d *BlockDev) { d.Mountpoint, d.FSKnown, d.FSAvail, d.FSUsed = "", false, 0, 0 })
		}, "free space", CheckUnknown, "sdb1 is not mounted: mount it to check (images need about 1.3 TiB)"},
		{"too little space", func(in *PreflightInput) {
			in.Host = editFS(in.Host, "sdb1", func(d *BlockDev) { d.FSAvail = 500 << 30 })
		}, "free space", CheckFail, "needs about 1.3 TiB, 500.0 GiB free: remove old images (backdeck clonezilla prune) or use a bigger drive"},
		{"enough space", func(in *PreflightInput) {},
			"free space", CheckPass, "3.4 TiB free, images need about 1.3 TiB"},
		{"vfat image drive", func(in *PreflightInput) {
			in.Host = editFS(in.Host, "sdb1", func(d *BlockDev) { d.FSType = "vfat" })
		}, "image drive filesystem", CheckWarn, "4000 MB volumes (-i 4000)"},
		{"vzdump drive unknown", func(in *PreflightInput) { in.VzdumpDrive = nil },
			"vzdump drive", CheckWarn, "unplug the USB drive that holds the vzdump backups before booting Clonezilla (the guide requires it)"},
		{"vzdump drive plugged in", func(in *PreflightInput) { in.Host = pveHost(t) },
			"vzdump drive", CheckWarn, "the vzdump drive hddusb (serial WD-WX12A3456789) is plugged in now (sdc): unplug it before you boot Clonezilla"},
		{"vzdump drive unplugged", func(in *PreflightInput) {},
			"vzdump drive", CheckPass, "is not plugged in"},
		{"vzdump drive is the image drive", func(in *PreflightInput) { in.VzdumpDrive.Serial = "57584E314131" },
			"vzdump drive", CheckFail, "is the image drive"},
		{"live version unknown", func(in *PreflightInput) { in.LiveVersion = "" },
			"Clonezilla Live LVM-thin", CheckUnknown, "set [clonezilla] live_version (the clonezilla package version of your Live USB): LVM-thin needs ≥ 5.15.11"},
		{"live version too old", func(in *PreflightInput) { in.LiveVersion = "5.15.9" },
			"Clonezilla Live LVM-thin", CheckFail, "cannot image LVM-thin"},
		{"live version 5.15.11", func(in *PreflightInput) { in.LiveVersion = "5.15.11" },
			"Clonezilla Live LVM-thin", CheckPass, "5.15.26 and later also skip the thin-pool container"},
		{"live version with revision", func(in *PreflightInput) { in.LiveVersion = "5.15.26-1" },
			"Clonezilla Live LVM-thin", CheckPass, "skips the thin-pool container itself"},
		{"live version garbage", func(in *PreflightInput) { in.LiveVersion = "latest" },
			"Clonezilla Live LVM-thin", CheckUnknown, "cannot read live_version"},
		{"lvs failed", func(in *PreflightInput) {
			in.Host.LVsErr = errors.New("lvs is not installed (package lvm2): LVM volumes not counted")
		},
			"LVM volumes", CheckWarn, "LVM volumes not counted; counted at full size instead: nvme0n1p3"},
		{"lvs failed: snapshots not known", func(in *PreflightInput) { in.Host.LVsErr = errors.New("lvs exited with status 5") },
			"VM snapshots", CheckUnknown, "not checked: lvs exited with status 5"},
		{"snapshot known by its Proxmox name only", func(in *PreflightInput) {
			in.Host.LVs = slices.Clone(in.Host.LVs)
			in.Host.LVs[2].Origin = ""
		}, "VM snapshots", CheckWarn, "snap_vm-421-disk-0_preupgrade (snapshot of vm-421-disk-0)"},
		{"snapshot known by its origin only", func(in *PreflightInput) {
			in.Host.LVs = slices.Clone(in.Host.LVs)
			in.Host.LVs[2].Name = "before-upgrade"
		}, "VM snapshots", CheckWarn, "before-upgrade (snapshot of vm-421-disk-0)"},
		{"no snapshot", func(in *PreflightInput) { in.Host.LVs = in.Host.LVs[:2] },
			"VM snapshots", CheckPass, "no snapshots"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := pveInput(t)
			c.edit(&in)
			p := RunPreflight(in)
			got := checkNamed(t, p, c.check)
			if got.State != c.state || !strings.Contains(got.Reason, c.reason) {
				t.Errorf("%s: %s %q\nwant %s containing %q", c.check, got.State, got.Reason, c.state, c.reason)
			}
			if c.state == CheckFail && p.Ready() {
				t.Error("OK() with a failed line")
			}
		})
	}
}

// Only the disks to image count, and the thin line only appears with a thin
// pool on them.
func TestPreflightThinLineOnlyWithThinPool(t *testing.T) {
	in := pveInput(t)
	in.Disks = []PlanDisk{{Name: "pve-hdd", Serial: "ZFL1ABCD"}}
	in.LiveVersion = ""
	p := RunPreflight(in)
	if hasCheck(p, "Clonezilla Live LVM-thin") {
		t.Errorf("a thin line without thin pool: %+v", p.Checks)
	}
	if p.Used != 1319413953331 {
		t.Errorf("used %d: only sda1's used space", p.Used)
	}
	if c := checkNamed(t, p, "VM snapshots"); c.State != CheckPass {
		t.Errorf("snapshots of a VG not imaged: %+v", c)
	}
}

// Without lvs the LVM partition counts whole, and the estimate says so.
func TestPreflightExpectedWithoutLvs(t *testing.T) {
	in := pveInput(t)
	in.Host.LVs, in.Host.LVsErr = nil, errors.New("lvs is not installed (package lvm2): LVM volumes not counted")
	p := RunPreflight(in)
	want := int64(1031168) + 360448 + 999129760256 + 1319413953331
	if p.Used != want {
		t.Errorf("used %d, want %d", p.Used, want)
	}
}

func TestPreflightVersionCompare(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
		ok   bool
	}{
		{"5.15.9", "5.15.11", -1, true},
		{"5.15.11", "5.15.26", -1, true},
		{"5.15.11", "5.15.11", 0, true},
		{"5.15.26", "5.15.11", 1, true},
		{"5.16", "5.15.26", 1, true},
		{"5.15", "5.15.0", 0, true},
		{"5.15.26-1", "5.15.26", 0, true},
		{"v5.15.30", "5.15.26", 1, true},
		{"10.1.1", "5.15.26", 1, true},
		{"", "5.15.11", 0, false},
		{"five", "5.15.11", 0, false},
		{"5..1", "5.15.11", 0, false},
	} {
		got, ok := compareVersions(c.a, c.b)
		if got != c.want || ok != c.ok {
			t.Errorf("compareVersions(%q, %q) = %d, %v; want %d, %v", c.a, c.b, got, ok, c.want, c.ok)
		}
	}
}

func TestPreflightSplitDMName(t *testing.T) {
	for _, c := range []struct{ in, vg, lv string }{
		{"pve-root", "pve", "root"},
		{"pve-vm--411--disk--0", "pve", "vm-411-disk-0"},
		{"my--vg-data_tmeta", "my-vg", "data_tmeta"},
		{"pve-data-tpool", "pve", "data-tpool"},
		{"nodash", "", ""},
	} {
		vg, lv, _ := splitDMName(c.in)
		if vg != c.vg || lv != c.lv {
			t.Errorf("%s: %q %q", c.in, vg, lv)
		}
	}
}
