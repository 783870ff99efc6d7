package clonezilla

import (
	"fmt"
	"strconv"
	"strings"
)

// pveSnapOrigin is the volume of a Proxmox LVM-thin snapshot, named
// snap_<volume>_<snapshot> ("snap_vm-421-disk-0_preupgrade"); "" for other
// names.
func pveSnapOrigin(name string) string {
	rest, ok := strings.CutPrefix(name, "snap_")
	if !ok {
		return ""
	}
	vol, snap, ok := strings.Cut(rest, "_")
	if !ok || snap == "" || !(strings.HasPrefix(vol, "vm-") || strings.HasPrefix(vol, "base-")) {
		return ""
	}
	return vol
}

// checkSnapshots warns about thin volumes that carry VM snapshots.
func checkSnapshots(h Host, u usage) Check {
	const name = "VM snapshots"
	if h.LVsErr != nil {
		return Check{Name: name, State: CheckUnknown, Reason: "not checked: " + h.LVsErr.Error()}
	}
	var snaps []string
	for _, lv := range h.LVs {
		if lv.PoolLV == "" || !u.vgs[lv.VG] {
			continue
		}
		origin := lv.Origin
		if origin == "" {
			origin = pveSnapOrigin(lv.Name)
		}
		if origin != "" {
			snaps = append(snaps, fmt.Sprintf("%s (snapshot of %s)", lv.Name, origin))
		}
	}
	if len(snaps) == 0 {
		return Check{Name: name, State: CheckPass, Reason: "no snapshots on the LVM-thin volumes of the disks to image"}
	}
	return Check{Name: name, State: CheckWarn,
		Reason: strings.Join(snaps, ", ") + ": thin volumes carrying snapshots restore badly; delete the snapshots first"}
}

// checkLiveThin checks that the Live USB's Clonezilla can image LVM-thin;
// false when the disks hold no thin pool and the line is not needed.
func checkLiveThin(version string, thin bool) (Check, bool) {
	const name = "Clonezilla Live LVM-thin"
	if !thin {
		return Check{}, false
	}
	if strings.TrimSpace(version) == "" {
		return Check{Name: name, State: CheckUnknown,
			Reason: "set [clonezilla] live_version (the clonezilla package version of your Live USB): LVM-thin needs ≥ " + thinSupported}, true
	}
	cmp, ok := compareVersions(version, thinSupported)
	if !ok {
		return Check{Name: name, State: CheckUnknown,
			Reason: fmt.Sprintf("cannot read live_version %q: give the clonezilla package version, like 5.15.26", version)}, true
	}
	if cmp < 0 {
		return Check{Name: name, State: CheckFail,
			Reason: fmt.Sprintf("clonezilla %s cannot image LVM-thin volumes (needs ≥ %s): use a newer Clonezilla Live (live_version is the clonezilla package version, as in an image's Info-packages.txt, not the ISO's)", version, thinSupported)}, true
	}
	if c, _ := compareVersions(version, thinSkipsPool); c >= 0 {
		return Check{Name: name, State: CheckPass,
			Reason: fmt.Sprintf("clonezilla %s images LVM-thin volumes and skips the thin-pool container itself", version)}, true
	}
	return Check{Name: name, State: CheckPass,
		Reason: fmt.Sprintf("clonezilla %s images LVM-thin volumes (%s and later also skip the thin-pool container itself)", version, thinSkipsPool)}, true
}

// compareVersions compares dotted versions number by number ("5.15.9" <
// "5.15.11"); a Debian revision or suffix ("5.15.26-1") is ignored. false
// when a is not a version.
func compareVersions(a, b string) (int, bool) {
	pa, ok := versionParts(a)
	if !ok {
		return 0, false
	}
	pb, ok := versionParts(b)
	if !ok {
		return 0, false
	}
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if x != y {
			if x < y {
				return -1, true
			}
			return 1, true
		}
	}
	return 0, true
}

func versionParts(v string) ([]int, bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	if i := strings.IndexAny(v, "-+~ "); i >= 0 {
		v = v[:i]
	}
	var parts []int
	for _, s := range strings.Split(v, ".") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, false
		}
		parts = append(parts, n)
	}
	return parts, len(parts) > 0
}
