package host

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// LV is a logical volume of the seed host as lvs reports it. Sizes are
// bytes; percentages are lvs's own strings ("" when they do not apply or the
// LV is not active, as for PVE's templates and snapshots, which carry the
// activation-skip flag).
type LV struct {
	VG, LV, Attr   string
	Size           int64
	Data, Metadata string
	Pool, Origin   string
}

// seedLVs are the LVs of the seed host (VG pve on the NVMe SSD, VG hddusb on
// the USB backup drive), sorted as lvs sorts them (vg_name, lv_name).
//
// Where they overlap with the lab's PVE API they agree with it: the thin
// pool data is local-lvm (794 GiB 300 MiB, its data_percent the storage's
// used share, 29.09 %), bkpdata is hddusb_bkpdata (1536 GiB, 26.86 %)
// holding bkpserver's data disk (its volid there is vm-431-disk-0), the
// guests' disks are 32 GiB, and VM 421's snapshot is the API's
// "pre-upgrade" (PVE names the thin LV snap_<volume>_<snapshot>); swap,
// root and bkpvzdumps have the sizes of the fake lsblk. Invented: the thin
// LVs' data_percent (each guest's data size over its 32 GiB; they do not add
// up to the pool's usage, whose remainder stands for what the seed does not
// list), the metadata percentages, and the templates' disks named base-*
// (PVE renames a disk so when it makes a template; the lab's API keeps
// vm-*). bkpvzdumps and bkpdata fit on sdb1 side by side (sizes.go).
var seedLVs = []LV{
	{VG: "hddusb", LV: "bkpdata", Attr: "twi-aotz--", Size: BkpDataSize, Data: "26.86", Metadata: "1.07"},
	{VG: "hddusb", LV: "bkpvzdumps", Attr: "-wi-ao----", Size: BkpVzdumpsSize},
	{VG: "hddusb", LV: "vm-431-disk-0", Attr: "Vwi-aotz--", Size: BkpDataSize, Data: "26.86", Pool: "bkpdata"},
	{VG: "pve", LV: "base-100-disk-0", Attr: "Vri---tz-k", Size: 32 * GiB, Pool: "data"},
	{VG: "pve", LV: "base-101-disk-0", Attr: "Vri---tz-k", Size: 32 * GiB, Pool: "data"},
	{VG: "pve", LV: "data", Attr: "twi-aotz--", Size: 794*GiB + 300*MiB, Data: "29.09", Metadata: "1.52"},
	{VG: "pve", LV: "root", Attr: "-wi-ao----", Size: 96 * GiB},
	{VG: "pve", LV: "snap_vm-421-disk-0_pre-upgrade", Attr: "Vri---tz-k", Size: 32 * GiB, Pool: "data", Origin: "vm-421-disk-0"},
	{VG: "pve", LV: "swap", Attr: "-wi-ao----", Size: 8 * GiB},
	{VG: "pve", LV: "vm-411-disk-0", Attr: "Vwi-aotz--", Size: 32 * GiB, Data: "10.67", Pool: "data"},
	{VG: "pve", LV: "vm-421-disk-0", Attr: "Vwi-aotz--", Size: 32 * GiB, Data: "23.83", Pool: "data"},
	{VG: "pve", LV: "vm-422-disk-0", Attr: "Vwi-aotz--", Size: 32 * GiB, Data: "31.56", Pool: "data"},
	{VG: "pve", LV: "vm-431-disk-0", Attr: "Vwi-aotz--", Size: 32 * GiB, Data: "19.65", Pool: "data"},
}

// PVETmetaSize is the metadata LV of the pool data (PVE's installer makes
// it about a hundredth of the pool; lvs shows it only with -a).
const PVETmetaSize = 8132 * MiB

// lvsColumns are the report fields the fake knows, in lvs's default order.
var lvsColumns = []string{"lv_name", "vg_name", "lv_attr", "lv_size", "pool_lv", "origin", "data_percent", "metadata_percent"}

func (r LV) field(col string) string {
	switch col {
	case "vg_name":
		return r.VG
	case "lv_name":
		return r.LV
	case "lv_attr":
		return r.Attr
	case "lv_size":
		return strconv.FormatInt(r.Size, 10)
	case "data_percent":
		return r.Data
	case "metadata_percent":
		return r.Metadata
	case "pool_lv":
		return r.Pool
	case "origin":
		return r.Origin
	}
	return ""
}

// fakeLvs answers `lvs --reportformat json --units b --nosuffix [-o
// FIELDS] [VG…]` as LVM 2.03.16 prints it: every value a string ("" when it
// does not apply), the fields in the order -o names them, rows sorted by VG
// and LV, hidden LVs (the pools' _tdata and _tmeta) left out as without -a.
// The layout is lvs's own (two-space margin, one row per line; captured from
// lvs 2.03.16 on a metadata-only VG). Other report formats and units are
// refused; an unknown VG is reported with exit status 5, as lvs does, after
// the rows of the others.
func fakeLvs(args []string) ([]byte, int, error) {
	var isJSON, inBytes, nosuffix bool
	cols := lvsColumns
	var vgs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("lab lvs: %s needs a value", a)
			}
			i++
			return args[i], nil
		}
		switch {
		case a == "--reportformat":
			v, err := next()
			if err != nil {
				return nil, -1, err
			}
			isJSON = v == "json"
		case a == "--units":
			v, err := next()
			if err != nil {
				return nil, -1, err
			}
			inBytes = v == "b" || v == "B"
		case a == "--nosuffix":
			nosuffix = true
		case a == "-o" || a == "--options":
			v, err := next()
			if err != nil {
				return nil, -1, err
			}
			cols = strings.Split(v, ",")
			for _, c := range cols {
				if !slices.Contains(lvsColumns, c) {
					return nil, -1, fmt.Errorf("lab lvs: Unrecognised field: %s", c)
				}
			}
		case strings.HasPrefix(a, "-"):
			return nil, -1, fmt.Errorf("lab lvs: option %s is not simulated", a)
		default:
			vgs = append(vgs, a)
		}
	}
	if !isJSON || !inBytes || !nosuffix {
		return nil, -1, fmt.Errorf("lab lvs: only --reportformat json --units b --nosuffix is simulated: %q", args)
	}
	code := 0
	for _, vg := range vgs {
		if !slices.ContainsFunc(seedLVs, func(r LV) bool { return r.VG == vg }) {
			code = 5 // lvs: Volume group "vg" not found (on stderr)
		}
	}
	rows := make([]LV, 0, len(seedLVs))
	for _, r := range seedLVs {
		if len(vgs) == 0 || slices.Contains(vgs, r.VG) {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].VG != rows[j].VG {
			return rows[i].VG < rows[j].VG
		}
		return rows[i].LV < rows[j].LV
	})
	var b strings.Builder
	b.WriteString("  {\n      \"report\": [\n          {\n              \"lv\": [\n")
	for i, r := range rows {
		b.WriteString("                  {")
		for j, c := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s:%s", jsonString(c), jsonString(r.field(c)))
		}
		b.WriteString("}")
		if i < len(rows)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("              ]\n          }\n      ]\n  }\n")
	return []byte(b.String()), code, nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// LVs are the seed host's LVs in lvs's order.
func LVs() []LV { return slices.Clone(seedLVs) }

// LVNamed is an LV of the seed host; the seed's own tables name only those
// it has.
func LVNamed(vg, lv string) LV {
	for _, r := range seedLVs {
		if r.VG == vg && r.LV == lv {
			return r
		}
	}
	panic("lab: no LV " + vg + "/" + lv) // the seed tables name them
}
