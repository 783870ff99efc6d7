package pve

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/backends/lab/host"
	"github.com/backdeck/backdeck/backends/lvm"
)

// The host's lsblk lists the disks the lab's PVE lists, with the same
// serials, sizes and models (PVE writes udev's underscores), and a USB
// drive asleep that only the host path sees.
func TestFakeLsblkMatchesThePVEDisks(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	out, code, err := host.Runner()(context.Background(), "lsblk", "-J", "-b", "-o", "NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR,ROTA")
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

// PVE's disks/smart of a USB drive is the fake smartctl's reading in PVE's
// shape, row for row.
func TestPVESmartIsTheSmartctlReading(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	for dev, file := range map[string]string{"/dev/sdb": "usb-backups-NA8F1234.json", "/dev/sdc": "usb-images-NB2K5678.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "host", "smartdata", file))
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

// The LVs agree with the lab's PVE where both show them: the thin pools are
// local-lvm and hddusb_bkpdata (size, and used = size × data_percent to
// lvs's two decimals), and the snapshot is the API's snapshot of VM 421;
// and with the fake lsblk: every active LV is there with the same size.
func TestFakeLvsMatchesPVEAndLsblk(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	out, _, err := host.Runner()(context.Background(), "lvs", lvm.Args...)
	if err != nil {
		t.Fatal(err)
	}
	lvs, err := lvm.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]lvm.LV{}
	for _, lv := range lvs {
		byName[lv.VG+"/"+lv.Name] = lv
	}
	var storages []struct {
		Storage string `json:"storage"`
		Total   int64  `json:"total"`
		Used    int64  `json:"used"`
	}
	c.get("/nodes/pve/storage", &storages)
	checked := 0
	for _, s := range storages {
		lv, ok := map[string]lvm.LV{"local-lvm": byName["pve/data"], "hddusb_bkpdata": byName["hddusb/bkpdata"]}[s.Storage]
		if !ok {
			continue
		}
		checked++
		share := float64(s.Used) / float64(s.Total) * 100
		if lv.Size != s.Total || math.Abs(share-lv.DataPercent) > 0.005 {
			t.Errorf("%s: total %d used %.4f %%, lvs %s/%s %d bytes %.2f %%", s.Storage, s.Total, share, lv.VG, lv.Name, lv.Size, lv.DataPercent)
		}
	}
	if checked != 2 {
		t.Errorf("%d thin-pool storages in %+v", checked, storages)
	}
	var snaps []struct {
		Name string `json:"name"`
	}
	c.get("/nodes/pve/qemu/421/snapshot", &snaps)
	if len(snaps) == 0 {
		t.Fatal("VM 421 has no snapshot")
	}
	if _, ok := byName["pve/snap_vm-421-disk-0_"+snaps[0].Name]; !ok {
		t.Errorf("no thin LV for VM 421's snapshot %s", snaps[0].Name)
	}

	host, err := clonezilla.ReadHost(context.Background(), host.Runner())
	if err != nil || host.LVsErr != nil {
		t.Fatalf("ReadHost: %v, %v", err, host.LVsErr)
	}
	dm := map[string]int64{}
	var walk func([]clonezilla.BlockDev)
	walk = func(ds []clonezilla.BlockDev) {
		for _, d := range ds {
			if d.Type == "lvm" {
				dm[d.Name] = d.Size
			}
			walk(d.Children)
		}
	}
	walk(host.Disks)
	esc := func(s string) string { return strings.ReplaceAll(s, "-", "--") }
	for _, lv := range lvs {
		size, shown := dm[esc(lv.VG)+"-"+esc(lv.Name)]
		active := lv.Attr[4] == 'a'
		if shown != active || (shown && size != lv.Size) {
			t.Errorf("%s/%s (%s, %d bytes): in lsblk %v with %d bytes", lv.VG, lv.Name, lv.Attr, lv.Size, shown, size)
		}
	}
}

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
