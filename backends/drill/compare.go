package drill

import (
	"fmt"
	"sort"
	"strings"
)

// ignoredKeys change on every restore or are the drill's own marks.
var ignoredKeys = map[string]bool{
	"digest": true, "lock": true, "vmgenid": true, "smbios1": true, "name": true, "hostname": true,
	"description": true, "meta": true, "parent": true, "snaptime": true, "runningcpu": true, "runningmachine": true,
}

// isDiskKey is PVE's drive names (qemu) and mount points (lxc).
func isDiskKey(k string) bool {
	if k == "rootfs" {
		return true
	}
	for _, bus := range []string{"scsi", "virtio", "sata", "ide", "efidisk", "tpmstate", "mp", "unused"} {
		if rest, ok := strings.CutPrefix(k, bus); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}

func isNetKey(k string) bool {
	rest, ok := strings.CutPrefix(k, "net")
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

// options splits "a,b=c,d" and drops what a restore changes: the volume of
// a disk (another storage, another name) and a NIC's MAC and link state.
func options(key, v string) string {
	parts := strings.Split(v, ",")
	var kept []string
	for i, p := range parts {
		name, val, hasVal := strings.Cut(p, "=")
		switch {
		case isDiskKey(key) && i == 0 && !hasVal:
			continue // the volume
		case isDiskKey(key) && name == "volume":
			continue
		case isNetKey(key) && i == 0 && hasVal && isMAC(val):
			kept = append(kept, name) // model=MAC: the model stays
			continue
		case isNetKey(key) && (name == "hwaddr" || name == "macaddr" || name == "link_down"):
			continue
		}
		kept = append(kept, p)
	}
	sort.Strings(kept)
	return strings.Join(kept, ",")
}

func isMAC(s string) bool {
	return len(s) == 17 && strings.Count(s, ":") == 5
}

// excluded reports a disk the backup left out (backup=0): a restore
// does not bring it back.
func excluded(v string) bool {
	for _, p := range strings.Split(v, ",") {
		if p == "backup=0" {
			return true
		}
	}
	return false
}

// Differences lists how a restored config differs from the archive's, in
// words, sorted by key; none means the restore brought back what the
// archive holds.
func Differences(archive, restored map[string]string) []string {
	keys := map[string]bool{}
	for k := range archive {
		keys[k] = true
	}
	for k := range restored {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if ignoredKeys[k] || strings.HasPrefix(k, "unused") {
			continue
		}
		a, inA := archive[k]
		r, inR := restored[k]
		switch {
		case inA && isDiskKey(k) && excluded(a):
			// left out of the backup: not restored, nothing to compare
		case !inR:
			out = append(out, fmt.Sprintf("%s: in the archive (%s), missing after the restore", k, a))
		case !inA:
			out = append(out, fmt.Sprintf("%s: not in the archive, %s after the restore", k, r))
		case isDiskKey(k) || isNetKey(k):
			if options(k, a) != options(k, r) {
				out = append(out, fmt.Sprintf("%s: archive %s, restored %s", k, a, r))
			}
		case a != r:
			out = append(out, fmt.Sprintf("%s: archive %s, restored %s", k, a, r))
		}
	}
	sort.Strings(out)
	return out
}
