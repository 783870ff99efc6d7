package clonezilla

import (
	"math"
	"sort"
	"strings"
)

// usage is what the configured disks hold, as Clonezilla will image it.
type usage struct {
	used      int64
	upper     []string        // volumes counted at their full size
	vgs       map[string]bool // the volume groups on the configured disks
	unreadPVs []string        // LVM partitions counted whole because lvs failed
	thin      bool            // a thin pool is on the configured disks
}

// countUsage adds up the bytes Clonezilla will read from the disks: used
// space of mounted filesystems, LVs from lvs, the full size of the rest.
func countUsage(h Host, disks []BlockDev) usage {
	u := usage{vgs: map[string]bool{}}
	for _, d := range disks {
		vols := d.Children
		hasParts := false
		for _, c := range vols {
			if c.Type == "part" {
				hasParts = true
			}
		}
		if !hasParts {
			vols = []BlockDev{d} // a filesystem or PV on the whole disk
		}
		for _, v := range vols {
			if v.Type == "part" || !hasParts {
				u.volume(h, v)
			}
		}
	}
	return u
}

func (u *usage) volume(h Host, v BlockDev) {
	switch {
	case v.FSType == "LVM2_member":
		vgs := lvmOn(v, u)
		if h.LVsErr != nil {
			u.used += v.Size
			u.unreadPVs = append(u.unreadPVs, v.Name)
			return
		}
		if len(vgs) == 0 {
			// No active LV shows which volume group the PV holds.
			u.used += v.Size
			u.upper = append(u.upper, v.Name+" (LVM, no active volume)")
			return
		}
		for _, vg := range vgs {
			u.group(h, vg)
		}
	case v.FSType == "swap":
	case v.FSKnown:
		u.used += v.FSUsed
	default:
		u.used += v.Size
		u.upper = append(u.upper, v.Name)
	}
}

// lvmOn lists the volume groups whose LVs lsblk shows on a PV, and notes
// them and any thin pool (its "-tpool" device) in u.
func lvmOn(pv BlockDev, u *usage) []string {
	var out []string
	walk(pv.Children, func(d, _ *BlockDev) {
		if d.Type != "lvm" {
			return
		}
		if strings.HasSuffix(d.Name, "-tpool") {
			u.thin = true
		}
		if vg, _, ok := splitDMName(d.Name); ok && !u.vgs[vg] {
			u.vgs[vg] = true
			out = append(out, vg)
		}
	})
	sort.Strings(out)
	return out
}

// group adds a volume group's LVs: a thin pool counts nothing itself, its
// thin LVs what they hold; other LVs their used space when mounted, else
// their size.
func (u *usage) group(h Host, vg string) {
	for _, lv := range h.LVs {
		if lv.VG != vg || strings.HasPrefix(lv.Name, "[") {
			continue // hidden LVs (pool data and metadata) are inside their pool
		}
		switch {
		case lv.ThinPool():
			u.thin = true
		case lv.PoolLV != "":
			u.used += int64(math.Round(float64(lv.Size) * lv.DataPercent / 100))
		default:
			node := dmNode(h.Disks, vg, lv.Name)
			switch {
			case node != nil && node.FSType == "swap":
			case node != nil && node.FSKnown:
				u.used += node.FSUsed
			default:
				u.used += lv.Size
				u.upper = append(u.upper, vg+"/"+lv.Name)
			}
		}
	}
}

// splitDMName splits a device-mapper name ("pve-vm--411--disk--0") into
// its volume group and LV: LVM doubles the dashes inside each.
func splitDMName(name string) (vg, lv string, ok bool) {
	for i := 0; i < len(name); i++ {
		if name[i] != '-' {
			continue
		}
		if i+1 < len(name) && name[i+1] == '-' {
			i++
			continue
		}
		if i == 0 || i == len(name)-1 {
			return "", "", false
		}
		un := func(s string) string { return strings.ReplaceAll(s, "--", "-") }
		return un(name[:i]), un(name[i+1:]), true
	}
	return "", "", false
}

// dmNode finds an LV's device in the lsblk tree.
func dmNode(devs []BlockDev, vg, lv string) *BlockDev {
	esc := func(s string) string { return strings.ReplaceAll(s, "-", "--") }
	want := esc(vg) + "-" + esc(lv)
	var found *BlockDev
	walk(devs, func(d, _ *BlockDev) {
		if found == nil && d.Type == "lvm" && (d.Name == want || d.Path == "/dev/mapper/"+want) {
			found = d
		}
	})
	return found
}

// checkVzdumpDrive: the guide wants the vzdump drive unplugged while
