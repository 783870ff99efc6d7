package clonezilla

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lvm"
	"github.com/backdeck/backdeck/backends/needs"
	"github.com/backdeck/backdeck/backends/toolrun"
)

// lsblkCaptured is `lsblk -J -b -o NAME,PATH,TYPE,SIZE,FSTYPE,LABEL,UUID,
// SERIAL,MODEL,TRAN,MOUNTPOINT,FSUSED,FSAVAIL` (util-linux 2.38.1) on the
// development VM: numbers as JSON numbers, null for what does not apply, and
// a disk mounted whole without a known fstype (no udev there).
const lsblkCaptured = `{
   "blockdevices": [
      {
         "name": "zram0",
         "path": "/dev/zram0",
         "type": "disk",
         "size": 0,
         "fstype": null,
         "label": null,
         "uuid": null,
         "serial": null,
         "model": null,
         "tran": null,
         "mountpoint": null,
         "fsused": null,
         "fsavail": null
      },{
         "name": "vda",
         "path": "/dev/vda",
         "type": "disk",
         "size": 274877906944,
         "fstype": null,
         "label": null,
         "uuid": null,
         "serial": null,
         "model": null,
         "tran": null,
         "mountpoint": "/",
         "fsused": 15147773952,
         "fsavail": 82645520384
      }
   ]
}
`

// lsblkOld is the shape of older util-linux (2.33, Debian 10 / PVE 6):
// every value a string, serial and model padded, extra columns, and no
// fsused/fsavail at all on the disk (a fake that prints other columns).
const lsblkOld = `{
   "blockdevices": [
      {"name": "sda", "maj:min": "8:0", "rm": "0", "size": "500107862016", "ro": "0", "type": "disk", "serial": "S3Z9NB0K123456A     ", "model": "Samsung SSD 860  ", "tran": "sata",
         "children": [
            {"name": "sda1", "path": "/dev/sda1", "size": "536870912", "type": "part", "fstype": "vfat", "label": null, "uuid": "1A2B-3C4D", "mountpoint": "/boot/efi", "fsused": "5242880", "fsavail": "531628032"},
            {"name": "sda2", "path": "/dev/sda2", "size": "499570991104", "type": "part", "fstype": "ext4", "label": "data", "mountpoint": null, "fsused": null, "fsavail": null}
         ]
      }
   ]
}`

// lvsCaptured is `lvs --reportformat json --units b --nosuffix -o
// vg_name,lv_name,lv_attr,lv_size,data_percent,metadata_percent,pool_lv,origin`
// (LVM 2.03.16) on the development VM, of a volume group restored from
// metadata with a thin pool, thin LVs and a Proxmox-named thin snapshot.
// The kernel there has no device-mapper, so nothing is active and lvs gives
// no data_percent ("").
const lvsCaptured = `  {
      "report": [
          {
              "lv": [
                  {"vg_name":"bdlvtest", "lv_name":"data", "lv_attr":"twi---tz--", "lv_size":"100663296", "data_percent":"", "metadata_percent":"", "pool_lv":"", "origin":""},
                  {"vg_name":"bdlvtest", "lv_name":"root", "lv_attr":"-wi-XX----", "lv_size":"67108864", "data_percent":"", "metadata_percent":"", "pool_lv":"", "origin":""},
                  {"vg_name":"bdlvtest", "lv_name":"snap_vm-421-disk-0_preupgrade", "lv_attr":"Vri-XXtz-k", "lv_size":"67108864", "data_percent":"", "metadata_percent":"", "pool_lv":"data", "origin":"vm-421-disk-0"},
                  {"vg_name":"bdlvtest", "lv_name":"swap", "lv_attr":"-wi-XX----", "lv_size":"33554432", "data_percent":"", "metadata_percent":"", "pool_lv":"", "origin":""},
                  {"vg_name":"bdlvtest", "lv_name":"vm-411-disk-0", "lv_attr":"Vwi-XXtz--", "lv_size":"134217728", "data_percent":"", "metadata_percent":"", "pool_lv":"data", "origin":""},
                  {"vg_name":"bdlvtest", "lv_name":"vm-421-disk-0", "lv_attr":"Vwi-XXtz--", "lv_size":"67108864", "data_percent":"", "metadata_percent":"", "pool_lv":"data", "origin":""}
              ]
          }
      ]
  }
`

func TestHostDisksParseLsblk(t *testing.T) {
	devs, err := ParseLsblk([]byte(lsblkCaptured))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 2 {
		t.Fatalf("%d devices, want 2: %+v", len(devs), devs)
	}
	zram, vda := devs[0], devs[1]
	if zram.Name != "zram0" || zram.Path != "/dev/zram0" || zram.FSKnown || zram.Serial != "" || zram.Mountpoint != "" {
		t.Errorf("zram0: %+v", zram)
	}
	if vda.Size != 274877906944 || vda.Type != "disk" || vda.Mountpoint != "/" || !vda.FSKnown ||
		vda.FSUsed != 15147773952 || vda.FSAvail != 82645520384 {
		t.Errorf("vda: %+v", vda)
	}

	old, err := ParseLsblk([]byte(lsblkOld))
	if err != nil {
		t.Fatal(err)
	}
	sda := old[0]
	if sda.Size != 500107862016 || sda.Serial != "S3Z9NB0K123456A" || sda.Model != "Samsung SSD 860" || sda.Path != "" || sda.FSKnown {
		t.Errorf("old sda: %+v", sda)
	}
	if len(sda.Children) != 2 {
		t.Fatalf("old sda children: %+v", sda.Children)
	}
	if p := sda.Children[0]; p.FSType != "vfat" || p.UUID != "1A2B-3C4D" || !p.FSKnown || p.FSUsed != 5242880 || p.FSAvail != 531628032 {
		t.Errorf("old sda1: %+v", p)
	}
	if p := sda.Children[1]; p.Label != "data" || p.FSKnown || p.Size != 499570991104 {
		t.Errorf("old sda2 (not mounted): %+v", p)
	}

	tree := pveHost(t)
	nvme := tree.Disks[0]
	if nvme.Serial != "S5GXNX0T" || len(nvme.Children) != 3 || nvme.Children[2].FSType != "LVM2_member" {
		t.Fatalf("pve tree: %+v", nvme)
	}
	if root := dmNode(tree.Disks, "pve", "root"); root == nil || root.Mountpoint != "/" || root.FSUsed != 12884901888 {
		t.Errorf("pve-root in the tree: %+v", root)
	}
	if vm := dmNode(tree.Disks, "pve", "vm-411-disk-0"); vm == nil || vm.Path != "/dev/mapper/pve-vm--411--disk--0" {
		t.Errorf("the dm name of vm-411-disk-0: %+v", vm)
	}

	for _, bad := range []string{
		``,
		`[]`,
		`{"devices": []}`,
		`{"blockdevices": [{"name": "sda", "size": "1.8T"}]}`, // lsblk without -b
		`{"blockdevices": [{"name": {"x": 1}}]}`,
	} {
		if _, err := ParseLsblk([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHostDisksParseLvs(t *testing.T) {
	lvs, err := lvm.Parse([]byte(lvsCaptured))
	if err != nil {
		t.Fatal(err)
	}
	if len(lvs) != 6 {
		t.Fatalf("%d LVs, want 6", len(lvs))
	}
	want := map[string]lvm.LV{
		"data":                          {VG: "bdlvtest", Name: "data", Attr: "twi---tz--", Size: 100663296},
		"snap_vm-421-disk-0_preupgrade": {VG: "bdlvtest", Name: "snap_vm-421-disk-0_preupgrade", Attr: "Vri-XXtz-k", PoolLV: "data", Origin: "vm-421-disk-0", Size: 67108864},
		"vm-411-disk-0":                 {VG: "bdlvtest", Name: "vm-411-disk-0", Attr: "Vwi-XXtz--", PoolLV: "data", Size: 134217728},
	}
	for _, lv := range lvs {
		if w, ok := want[lv.Name]; ok && lv != w {
			t.Errorf("%s: %+v, want %+v", lv.Name, lv, w)
		}
	}
	if !lvs[0].ThinPool() || lvs[4].ThinPool() {
		t.Error("ThinPool: only attr t… is a pool")
	}

	// json_std: numbers as numbers; a missing column is zero.
	std := `{"report":[{"lv":[{"vg_name":"pve","lv_name":"data","lv_attr":"twi-aotz--","lv_size":1793452163072,"data_percent":42.17,"metadata_percent":2.35},
		{"vg_name":"pve","lv_name":"root","lv_attr":"-wi-ao----","lv_size":103079215104,"data_percent":null}]}]}`
	lvs, err = lvm.Parse([]byte(std))
	if err != nil {
		t.Fatal(err)
	}
	if len(lvs) != 2 || lvs[0].Size != 1793452163072 || lvs[0].DataPercent != 42.17 || lvs[1].DataPercent != 0 || lvs[1].PoolLV != "" {
		t.Errorf("json_std: %+v", lvs)
	}

	for _, bad := range []string{
		`not json`,
		`{"lv": []}`,
		`{"report":[{"lv":[{"lv_name":"x","lv_size":"12g"}]}]}`,
		`{"report":[{"lv":[{"lv_name":"x","data_percent":"lots"}]}]}`,
	} {
		if _, err := lvm.Parse([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHostDisksReadHost(t *testing.T) {
	notFound := func(name string) error { return &exec.Error{Name: name, Err: exec.ErrNotFound} }
	for _, c := range []struct {
		name        string
		lsblk, lvs  func() ([]byte, int, error)
		err, lvsErr string // "" = none
		disks, lvN  int
	}{
		{name: "both answer",
			lsblk: func() ([]byte, int, error) { return []byte(lsblkCaptured), 0, nil },
			lvs:   func() ([]byte, int, error) { return []byte(lvsCaptured), 0, nil },
			disks: 2, lvN: 6},
		{name: "lsblk missing",
			lsblk: func() ([]byte, int, error) { return nil, -1, notFound("lsblk") },
			lvs:   func() ([]byte, int, error) { return []byte(lvsCaptured), 0, nil },
			err:   "lsblk is not installed (package util-linux)"},
		{name: "lsblk fails",
			lsblk: func() ([]byte, int, error) { return nil, 1, nil },
			lvs:   func() ([]byte, int, error) { return []byte(lvsCaptured), 0, nil },
			err:   "lsblk exited with status 1"},
		{name: "lsblk garbage",
			lsblk: func() ([]byte, int, error) { return []byte("NAME SIZE\nsda 1T\n"), 0, nil },
			lvs:   func() ([]byte, int, error) { return []byte(lvsCaptured), 0, nil },
			err:   "not lsblk's JSON"},
		{name: "lvs missing: no LVM is fine",
			lsblk:  func() ([]byte, int, error) { return []byte(lsblkCaptured), 0, nil },
			lvs:    func() ([]byte, int, error) { return nil, -1, notFound("lvs") },
			lvsErr: "lvs is not installed (package lvm2): LVM volumes not counted", disks: 2},
		{name: "lvs fails silently",
			lsblk:  func() ([]byte, int, error) { return []byte(lsblkCaptured), 0, nil },
			lvs:    func() ([]byte, int, error) { return nil, 5, nil },
			lvsErr: "lvs exited with status 5: LVM volumes not counted", disks: 2},
		{name: "lvs reports despite a failing VG",
			lsblk: func() ([]byte, int, error) { return []byte(lsblkCaptured), 0, nil },
			lvs:   func() ([]byte, int, error) { return []byte(lvsCaptured), 5, nil },
			disks: 2, lvN: 6},
		{name: "lvs garbage",
			lsblk:  func() ([]byte, int, error) { return []byte(lsblkCaptured), 0, nil },
			lvs:    func() ([]byte, int, error) { return []byte("  LV VG\n"), 0, nil },
			lvsErr: "not lvs's JSON report", disks: 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
				switch {
				case name == "lsblk" && slices.Equal(args, LsblkArgs):
					return c.lsblk()
				case name == "lvs" && slices.Equal(args, lvm.Args):
					return c.lvs()
				}
				t.Fatalf("unexpected command %s %v", name, args)
				return nil, 0, nil
			}
			h, err := ReadHost(context.Background(), run)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Disks) != c.disks || len(h.LVs) != c.lvN {
				t.Errorf("%d disks, %d LVs; want %d, %d", len(h.Disks), len(h.LVs), c.disks, c.lvN)
			}
			switch {
			case c.lvsErr == "" && h.LVsErr != nil:
				t.Errorf("LVsErr %v", h.LVsErr)
			case c.lvsErr != "" && (h.LVsErr == nil || !strings.Contains(h.LVsErr.Error(), c.lvsErr)):
				t.Errorf("LVsErr %v, want %q", h.LVsErr, c.lvsErr)
			}
		})
	}
}

func TestHostDisksReadHostGivesUpOnAHang(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	hang := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		<-release // like lsblk stuck on a dying drive
		return nil, 0, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := ReadHost(ctx, hang); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

// The real tools on this machine: lsblk must answer in the shape parsed.
func TestHostDisksReadHostReal(t *testing.T) {
	needs.Command(t, "util-linux", "lsblk")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := ReadHost(ctx, toolrun.Exec("LVM_SUPPRESS_FD_WARNINGS=1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Disks) == 0 {
		t.Error("lsblk listed no block device")
	}
	for _, d := range h.Disks {
		if d.Name == "" || d.Type == "" {
			t.Errorf("a device without name or type: %+v", d)
		}
	}
}
