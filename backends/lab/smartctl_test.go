package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/model"
)

type lsblkDoc struct {
	BlockDevices []lsblkDisk `json:"blockdevices"`
}

type lsblkDisk struct {
	Name     string  `json:"name"`
	Path     string  `json:"path"`
	Tran     *string `json:"tran"`
	Serial   *string `json:"serial"`
	Model    *string `json:"model"`
	Size     int64   `json:"size"`
	Type     string  `json:"type"`
	Vendor   *string `json:"vendor"`
	Rota     bool    `json:"rota"`
	Children []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"children"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The host's lsblk lists the disks the lab's PVE lists, with the same
// serials, sizes and models (PVE writes udev's underscores), and a USB
// drive asleep that only the host path sees.
func TestFakeLsblkMatchesThePVEDisks(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	out, code, err := SmartctlRunner()(context.Background(), "lsblk", "-J", "-b", "-o", "NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR,ROTA")
	if err != nil || code != 0 {
		t.Fatalf("lsblk: %v, exit %d", err, code)
	}
	var doc lsblkDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("lsblk's JSON: %v\n%s", err, out)
	}
	var trans []string
	for _, d := range doc.BlockDevices {
		trans = append(trans, d.Name+":"+deref(d.Tran))
		if d.Type != "disk" || d.Path != "/dev/"+d.Name || len(d.Children) == 0 || d.Children[0].Type != "part" {
			t.Errorf("disk %+v", d)
		}
	}
	if want := []string{"nvme0n1:nvme", "sda:sata", "sdb:usb", "sdc:usb", "sdd:usb"}; !slices.Equal(trans, want) {
		t.Errorf("disks %q, want %q", trans, want)
	}
	var pve []struct {
		DevPath string `json:"devpath"`
		Serial  string `json:"serial"`
		Model   string `json:"model"`
		Vendor  string `json:"vendor"`
		Size    int64  `json:"size"`
		Type    string `json:"type"`
	}
	c.get("/nodes/pve/disks/list", &pve)
	if len(pve) != 4 {
		t.Fatalf("PVE lists %+v", pve)
	}
	for _, p := range pve {
		i := slices.IndexFunc(doc.BlockDevices, func(b lsblkDisk) bool {
			return b.Path == p.DevPath
		})
		if i < 0 {
			t.Errorf("%s is not in lsblk", p.DevPath)
			continue
		}
		b := doc.BlockDevices[i]
		if deref(b.Serial) != p.Serial || b.Size != p.Size || deref(b.Model) != strings.ReplaceAll(p.Model, "_", " ") ||
			(p.Type == "usb") != (deref(b.Tran) == "usb") || (p.Type == "hdd") != (b.Rota && deref(b.Tran) == "sata") {
			t.Errorf("lsblk %+v\nPVE %+v", b, p)
		}
		if p.Type == "usb" && strings.TrimSpace(deref(b.Vendor)) != p.Vendor {
			t.Errorf("vendor: lsblk %q, PVE %q", deref(b.Vendor), p.Vendor)
		}
	}
}

// The filesystem columns the Clonezilla preflight asks for: lsblk's JSON
// keys (null when they do not apply, FSUSED and FSAVAIL numbers only for a
// mounted filesystem), the LVM trees with the thin pools as lsblk shows
// them, and the images drive found by its label.
func TestFakeLsblkFilesystems(t *testing.T) {
	t.Parallel()
	out, code, err := SmartctlRunner()(context.Background(), "lsblk", clonezilla.LsblkArgs...)
	if err != nil || code != 0 {
		t.Fatalf("lsblk: %v, exit %d", err, code)
	}
	var raw struct {
		BlockDevices []map[string]json.RawMessage `json:"blockdevices"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"fstype", "label", "uuid", "mountpoint", "fsused", "fsavail"} {
		if v, ok := raw.BlockDevices[0][key]; !ok || string(v) != "null" {
			t.Errorf("the NVMe disk's %q: %s (present %v)", key, v, ok)
		}
	}
	devs, err := clonezilla.ParseLsblk(out)
	if err != nil {
		t.Fatal(err)
	}
	type fs struct {
		Type, FSType, Label, UUID, Mount string
		Used, Avail                      int64
		Known                            bool
		Children                         []string
	}
	got := map[string][]fs{}
	var walk func([]clonezilla.BlockDev)
	walk = func(ds []clonezilla.BlockDev) {
		for _, d := range ds {
			var kids []string
			for _, c := range d.Children {
				kids = append(kids, c.Name)
			}
			got[d.Name] = append(got[d.Name], fs{d.Type, d.FSType, d.Label, d.UUID, d.Mountpoint, d.FSUsed, d.FSAvail, d.FSKnown, kids})
			walk(d.Children)
		}
	}
	walk(devs)
	tpool := []string{"pve-data", "pve-vm--411--disk--0", "pve-vm--421--disk--0", "pve-vm--422--disk--0", "pve-vm--431--disk--0"}
	for name, want := range map[string]fs{
		"nvme0n1p1":            {Type: "part"},
		"nvme0n1p2":            {Type: "part", FSType: "vfat", UUID: "7A2C-91E4", Mount: "/boot/efi", Used: 356352, Avail: 1071271936, Known: true},
		"nvme0n1p3":            {Type: "part", FSType: "LVM2_member", UUID: nvmePVUUID, Children: []string{"pve-swap", "pve-root", "pve-data_tmeta", "pve-data_tdata"}},
		"pve-swap":             {Type: "lvm", FSType: "swap", UUID: pveSwapUUID},
		"pve-root":             {Type: "lvm", FSType: "ext4", UUID: pveRootUUID, Mount: "/", Used: 18568183808, Avail: 77316964352, Known: true},
		"pve-data_tmeta":       {Type: "lvm", Children: []string{"pve-data-tpool"}},
		"pve-data_tdata":       {Type: "lvm", Children: []string{"pve-data-tpool"}},
		"pve-data-tpool":       {Type: "lvm", Children: tpool},
		"pve-vm--421--disk--0": {Type: "lvm"},
		"sda1":                 {Type: "part", FSType: "ext4", UUID: hddFSUUID, Mount: "/mnt/pve-hdd", Used: 640 << 30, Avail: 1181985603584, Known: true},
		"sdb1":                 {Type: "part", FSType: "LVM2_member", UUID: "Vd2kQm-8Hn4-pL0s-Zt7R-c3Wx-Jy6F-a1Bq9e", Children: []string{"hddusb-bkpvzdumps", "hddusb-bkpdata_tmeta", "hddusb-bkpdata_tdata"}},
		"hddusb-bkpvzdumps":    {Type: "lvm", FSType: "ext4", UUID: "0b8e4d2a-6c1f-4f3e-9d57-b2a8c61e0f94", Mount: "/mnt/hddusb_bkpvzdumps", Used: 2302102470656, Avail: 1634718392320, Known: true},
		"hddusb-bkpdata-tpool": {Type: "lvm", Children: []string{"hddusb-bkpdata", "hddusb-vm--431--disk--0"}},
		"sdc1":                 {Type: "part", FSType: "ext4", Label: "cz-images", UUID: "5f0c2a1e-8b3d-4c7e-9a61-2d4f8e0b7c35", Mount: "/mnt/cz-images", Used: 180 << 30, Avail: 298830004224, Known: true},
		"sdd1":                 {Type: "part", FSType: "ntfs", Label: "WD Elements", UUID: "6A2C4B1F2C4AEA8F"},
	} {
		rows := got[name]
		if len(rows) == 0 {
			t.Errorf("%s is not in lsblk", name)
			continue
		}
		for _, r := range rows {
			if !reflect.DeepEqual(r, want) {
				t.Errorf("%s\n got %+v\nwant %+v", name, r, want)
			}
		}
	}
	// The pool device and what it holds show under both the metadata and the
	// data LV, as lsblk prints an LVM thin pool.
	if n := len(got["pve-data-tpool"]); n != 2 || len(got["pve-vm--411--disk--0"]) != 2 {
		t.Errorf("pve-data-tpool shown %d times", n)
	}
	// Every filesystem fits its device: used and available within its size.
	for name, rows := range got {
		r := rows[0]
		var size int64
		for _, d := range devs {
			walkSize(d, name, &size)
		}
		if r.Known && r.Used+r.Avail > size {
			t.Errorf("%s: %d used + %d available > %d bytes", name, r.Used, r.Avail, size)
		}
	}
}

func walkSize(d clonezilla.BlockDev, name string, size *int64) {
	if d.Name == name {
		*size = d.Size
	}
	for _, c := range d.Children {
		walkSize(c, name, size)
	}
}

type smartctlDoc struct {
	Smartctl struct {
		Argv     []string `json:"argv"`
		Output   []string `json:"output"`
		Messages []struct {
			String   string `json:"string"`
			Severity string `json:"severity"`
		} `json:"messages"`
		ExitStatus int `json:"exit_status"`
	} `json:"smartctl"`
	Device *struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"device"`
	SerialNumber string `json:"serial_number"`
	SmartStatus  *struct {
		Passed bool `json:"passed"`
	} `json:"smart_status"`
}

func TestFakeSmartctlAnswers(t *testing.T) {
	t.Parallel()
	run := SmartctlRunner()
	for _, tc := range []struct {
		args   string
		exit   int
		serial string
		device string // device.name and device.type; "" none
		line   string // a line of smartctl's output
		passed string // "true", "false", "" none
	}{
		{args: "--json=o -a -n standby -d sat /dev/sdb", serial: "NA8F1234", device: "/dev/sdb sat", passed: "true"},
		{args: "--json=o -a -n standby /dev/sdb", serial: "NA8F1234", device: "/dev/sdb sat", passed: "true"},
		{args: "--json=o -a -n standby -d sat /dev/sdc", exit: 2, device: "/dev/sdc sat", line: "Device is in SLEEP mode, exit(2)"},
		{args: "--json=o -a -d sat /dev/sdc", exit: 2, device: "/dev/sdc sat", line: "Read Device Identity failed: Invalid argument"},
		{args: "--json=o -a -n standby /dev/sdc", exit: 216, serial: "NB2K5678", device: "/dev/sdc usbjmicron", passed: "false"},
		{args: "--json=o -a -n standby -d usbjmicron /dev/sdc", exit: 216, serial: "NB2K5678", device: "/dev/sdc usbjmicron", passed: "false"},
		{args: "--json=o -a -n standby -d sat /dev/sdd", exit: 2, device: "/dev/sdd sat", line: "Device is in STANDBY mode, exit(2)"},
		{args: "--json=o -a -n standby /dev/sda", serial: "ZFL1ABCD", device: "/dev/sda sat", passed: "true"},
		{args: "--json=o -a -n standby -d sat /dev/sdz", exit: 2, line: "Smartctl open device: /dev/sdz failed: No such device"},
	} {
		args := strings.Fields(tc.args)
		out, code, err := run(context.Background(), "smartctl", args...)
		if err != nil {
			t.Errorf("%s: %v", tc.args, err)
			continue
		}
		var doc smartctlDoc
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Errorf("%s: %v\n%s", tc.args, err, out)
			continue
		}
		device := ""
		if doc.Device != nil {
			device = doc.Device.Name + " " + doc.Device.Type
		}
		passed := ""
		if doc.SmartStatus != nil {
			passed = fmt.Sprint(doc.SmartStatus.Passed)
		}
		if code != tc.exit || doc.Smartctl.ExitStatus != tc.exit || doc.SerialNumber != tc.serial || device != tc.device || passed != tc.passed ||
			!slices.Equal(doc.Smartctl.Argv, append([]string{"smartctl"}, args...)) ||
			(tc.line != "" && !slices.Contains(doc.Smartctl.Output, tc.line)) {
			t.Errorf("%s: exit %d (JSON %d), serial %q, device %q, passed %q, argv %q, output %q", tc.args, code,
				doc.Smartctl.ExitStatus, doc.SerialNumber, device, passed, doc.Smartctl.Argv, doc.Smartctl.Output)
		}
	}
	// The open failure is in smartctl's messages too, as an error.
	out, _, _ := run(context.Background(), "smartctl", "--json=o", "-a", "/dev/sdz")
	var doc smartctlDoc
	_ = json.Unmarshal(out, &doc)
	if len(doc.Smartctl.Messages) != 1 || doc.Smartctl.Messages[0].Severity != "error" {
		t.Errorf("messages %+v", doc.Smartctl.Messages)
	}

	// What the lab cannot answer fails plainly.
	for _, args := range []string{
		"--json=o -a /dev/sdd",                // would wake the sleeping drive
		"--json=o -a -n never /dev/sdd",       // the same
		"--json=o -a -n standby /dev/nvme0n1", // no reading of the SSD
		"-a -n standby /dev/sdb",              // text output
	} {
		if _, _, err := run(context.Background(), "smartctl", strings.Fields(args)...); err == nil {
			t.Errorf("%s: no error", args)
		}
	}
	if _, _, err := run(context.Background(), "hdparm", "-C", "/dev/sdd"); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("another tool: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := run(ctx, "lsblk", "-J"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// PVE's disks/smart of a USB drive is the fake smartctl's reading in PVE's
// shape, row for row.
func TestPVESmartIsTheSmartctlReading(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	for dev, file := range map[string]string{"/dev/sdb": "usb-backups-NA8F1234.json", "/dev/sdc": "usb-images-NB2K5678.json"} {
		raw, err := os.ReadFile(filepath.Join("smartdata", file))
		if err != nil {
			t.Fatal(err)
		}
		var sc struct {
			SmartStatus struct {
				Passed bool `json:"passed"`
			} `json:"smart_status"`
			Attributes struct {
				Table []struct {
					ID         int    `json:"id"`
					Name       string `json:"name"`
					Value      int    `json:"value"`
					Worst      int    `json:"worst"`
					Thresh     int    `json:"thresh"`
					WhenFailed string `json:"when_failed"`
					Raw        struct {
						String string `json:"string"`
					} `json:"raw"`
				} `json:"table"`
			} `json:"ata_smart_attributes"`
		}
		if err := json.Unmarshal(raw, &sc); err != nil {
			t.Fatal(err)
		}
		type row struct {
			ID, Name, Fail, Raw  string
			Value, Worst, Thresh int
		}
		var want []row
		for _, a := range sc.Attributes.Table {
			fail := map[string]string{"": "-", "now": "FAILING_NOW", "past": "In_the_past"}[a.WhenFailed]
			want = append(want, row{fmt.Sprintf("%3d", a.ID), a.Name, fail, a.Raw.String, a.Value, a.Worst, a.Thresh})
		}
		var pve struct {
			Health     string `json:"health"`
			Type       string `json:"type"`
			Attributes []struct {
				ID        string `json:"id"`
				Name      string `json:"name"`
				Value     int    `json:"value"`
				Worst     int    `json:"worst"`
				Threshold int    `json:"threshold"`
				Fail      string `json:"fail"`
				Raw       string `json:"raw"`
			} `json:"attributes"`
		}
		c.get("/nodes/pve/disks/smart?disk="+dev, &pve)
		var got []row
		for _, a := range pve.Attributes {
			got = append(got, row{a.ID, a.Name, a.Fail, a.Raw, a.Value, a.Worst, a.Threshold})
		}
		health := map[bool]string{true: "PASSED", false: "FAILED!"}[sc.SmartStatus.Passed]
		if pve.Health != health || pve.Type != "ata" || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: health %q type %q\ngot  %+v\nwant %+v", dev, pve.Health, pve.Type, got, want)
		}
	}
}

// The lab's config names both USB drives of the seed homelab.
func TestConfigDrives(t *testing.T) {
	t.Parallel()
	p, _ := startLab(t, Options{})
	dir := t.TempDir()
	path, err := WriteConfig(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := model.LoadConfig(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.DriveConfig{
		{Name: "usb-backups", Serial: "NA8F1234", Holds: []string{"pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata"}},
		{Name: "usb-images", Serial: "NB2K5678", Holds: []string{}},
	}
	if !reflect.DeepEqual(cfg.Drives, want) {
		t.Errorf("drives %+v", cfg.Drives)
	}
}
