package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/backends/clonezilla"
)

// The filesystem columns the Clonezilla preflight asks for: lsblk's JSON
// keys (null when they do not apply, FSUSED and FSAVAIL numbers only for a
// mounted filesystem), the LVM trees with the thin pools as lsblk shows
// them, and the images drive found by its label.
func TestFakeLsblkFilesystems(t *testing.T) {
	t.Parallel()
	out, code, err := Runner()(context.Background(), "lsblk", clonezilla.LsblkArgs...)
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
		"nvme0n1p3":            {Type: "part", FSType: "LVM2_member", UUID: NVMePVUUID, Children: []string{"pve-swap", "pve-root", "pve-data_tmeta", "pve-data_tdata"}},
		"pve-swap":             {Type: "lvm", FSType: "swap", UUID: PVESwapUUID},
		"pve-root":             {Type: "lvm", FSType: "ext4", UUID: PVERootUUID, Mount: "/", Used: 18568183808, Avail: 77316964352, Known: true},
		"pve-data_tmeta":       {Type: "lvm", Children: []string{"pve-data-tpool"}},
		"pve-data_tdata":       {Type: "lvm", Children: []string{"pve-data-tpool"}},
		"pve-data-tpool":       {Type: "lvm", Children: tpool},
		"pve-vm--421--disk--0": {Type: "lvm"},
		"sda1":                 {Type: "part", FSType: "ext4", UUID: HDDFSUUID, Mount: "/mnt/pve-hdd", Used: 640 << 30, Avail: 1181985603584, Known: true},
		"sdb1":                 {Type: "part", FSType: "LVM2_member", UUID: "Vd2kQm-8Hn4-pL0s-Zt7R-c3Wx-Jy6F-a1Bq9e", Children: []string{"hddusb-bkpvzdumps", "hddusb-bkpdata_tmeta", "hddusb-bkpdata_tdata"}},
		"hddusb-bkpvzdumps":    {Type: "lvm", FSType: "ext4", UUID: "0b8e4d2a-6c1f-4f3e-9d57-b2a8c61e0f94", Mount: "/mnt/hddusb_bkpvzdumps", Used: 751619276800, Avail: 1547119362048, Known: true},
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
	run := Runner()
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
