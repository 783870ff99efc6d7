package host

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/backends/lvm"
)

// The arguments backdeck gives lvs, and a subset of its columns.
var (
	subsetLvsArgs = []string{"--reportformat", "json", "--units", "b", "--nosuffix", "-o", "vg_name,lv_name,lv_attr,lv_size,data_percent,metadata_percent"}
	fullLvsArgs   = lvm.Args
)

func runLvs(t *testing.T, args ...string) ([]byte, int) {
	t.Helper()
	out, code, err := Runner()(context.Background(), "lvs", args...)
	if err != nil {
		t.Fatalf("lvs %q: %v", args, err)
	}
	return out, code
}

// The host's LVs with a subset of the columns (the fake honours -o), row
// for row in lvs's order.
func TestFakeLvsRows(t *testing.T) {
	t.Parallel()
	out, code := runLvs(t, subsetLvsArgs...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lvs, err := lvm.Parse(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := []lvm.LV{
		{VG: "hddusb", Name: "bkpdata", Attr: "twi-aotz--", Size: 1649267441664, DataPercent: 26.86, MetadataPercent: 1.07},
		{VG: "hddusb", Name: "bkpvzdumps", Attr: "-wi-ao----", Size: 2336462209024},
		{VG: "hddusb", Name: "vm-431-disk-0", Attr: "Vwi-aotz--", Size: 1649267441664, DataPercent: 26.86},
		{VG: "pve", Name: "base-100-disk-0", Attr: "Vri---tz-k", Size: 34359738368},
		{VG: "pve", Name: "base-101-disk-0", Attr: "Vri---tz-k", Size: 34359738368},
		{VG: "pve", Name: "data", Attr: "twi-aotz--", Size: 852865581056, DataPercent: 29.09, MetadataPercent: 1.52},
		{VG: "pve", Name: "root", Attr: "-wi-ao----", Size: 103079215104},
		{VG: "pve", Name: "snap_vm-421-disk-0_pre-upgrade", Attr: "Vri---tz-k", Size: 34359738368},
		{VG: "pve", Name: "swap", Attr: "-wi-ao----", Size: 8589934592},
		{VG: "pve", Name: "vm-411-disk-0", Attr: "Vwi-aotz--", Size: 34359738368, DataPercent: 10.67},
		{VG: "pve", Name: "vm-421-disk-0", Attr: "Vwi-aotz--", Size: 34359738368, DataPercent: 23.83},
		{VG: "pve", Name: "vm-422-disk-0", Attr: "Vwi-aotz--", Size: 34359738368, DataPercent: 31.56},
		{VG: "pve", Name: "vm-431-disk-0", Attr: "Vwi-aotz--", Size: 34359738368, DataPercent: 19.65},
	}
	if !reflect.DeepEqual(lvs, want) {
		t.Errorf("rows\n got %+v\nwant %+v", lvs, want)
	}
	// The layout is lvs's: a two-space margin, one row per line, the fields
	// in -o's order, every value a string.
	lines := strings.Split(string(out), "\n")
	if lines[0] != "  {" || lines[1] != `      "report": [` || lines[3] != `              "lv": [` ||
		lines[4] != `                  {"vg_name":"hddusb", "lv_name":"bkpdata", "lv_attr":"twi-aotz--", "lv_size":"1649267441664", "data_percent":"26.86", "metadata_percent":"1.07"},` ||
		!strings.HasSuffix(string(out), "      ]\n  }\n") {
		t.Errorf("layout:\n%s", out)
	}
}

// What the Clonezilla preflight asks (pool_lv and origin too): the thin
// LVs' pools and the Proxmox snapshot's origin.
func TestFakeLvsPoolsAndSnapshot(t *testing.T) {
	t.Parallel()
	out, code := runLvs(t, fullLvsArgs...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lvs, err := lvm.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	pools := map[string]string{}
	var origins []string
	for _, lv := range lvs {
		if lv.PoolLV != "" {
			pools[lv.VG+"/"+lv.Name] = lv.PoolLV
		}
		if lv.Origin != "" {
			origins = append(origins, lv.Name+"<"+lv.Origin)
		}
	}
	wantPools := map[string]string{
		"hddusb/vm-431-disk-0": "bkpdata", "pve/base-100-disk-0": "data", "pve/base-101-disk-0": "data",
		"pve/snap_vm-421-disk-0_pre-upgrade": "data", "pve/vm-411-disk-0": "data", "pve/vm-421-disk-0": "data",
		"pve/vm-422-disk-0": "data", "pve/vm-431-disk-0": "data",
	}
	if !reflect.DeepEqual(pools, wantPools) {
		t.Errorf("pools %v", pools)
	}
	if want := []string{"snap_vm-421-disk-0_pre-upgrade<vm-421-disk-0"}; !reflect.DeepEqual(origins, want) {
		t.Errorf("origins %q", origins)
	}
	if !strings.Contains(string(out), `{"vg_name":"pve", "lv_name":"base-100-disk-0", "lv_attr":"Vri---tz-k", "lv_size":"34359738368", "data_percent":"", "metadata_percent":"", "pool_lv":"data", "origin":""}`) {
		t.Errorf("an inactive template's row:\n%s", out)
	}
}

// A VG on the command line limits the report; an unknown one is lvs's exit
// status 5 after the others' rows; what the fake does not simulate fails.
func TestFakeLvsArguments(t *testing.T) {
	t.Parallel()
	out, code := runLvs(t, append(subsetLvsArgs, "hddusb")...)
	lvs, err := lvm.Parse(out)
	if err != nil || code != 0 || len(lvs) != 3 {
		t.Errorf("hddusb only: exit %d, %v, %+v", code, err, lvs)
	}
	out, code = runLvs(t, append(subsetLvsArgs, "pve", "nosuchvg")...)
	lvs, err = lvm.Parse(out)
	if err != nil || code != 5 || len(lvs) != 10 {
		t.Errorf("unknown VG: exit %d, %v, %d rows", code, err, len(lvs))
	}
	for _, args := range []string{
		"--units b --nosuffix -o vg_name",                      // the text report
		"--reportformat json -o vg_name",                       // human sizes
		"--reportformat json --units b --nosuffix -o seg_pe",   // a field the fake does not know
		"--reportformat json --units b --nosuffix -a",          // hidden LVs
		"--reportformat json --units b --nosuffix -o vg_name,", // an empty field
	} {
		if _, _, err := Runner()(context.Background(), "lvs", strings.Fields(args)...); err == nil {
			t.Errorf("%s: no error", args)
		}
	}
}
