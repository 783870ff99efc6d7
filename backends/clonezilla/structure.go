package clonezilla

import (
	"fmt"
	"sort"
	"strings"
)

// checkStructure checks, without reading the image volumes, that the image
// has what a restore needs: "disk"/"parts", the partition tables, an image
// (or swap info, or LVM lists) for every partition and LV it lists, and
// complete, well-formed volume sequences. Level 2.
func (v *verification) checkStructure() {
	v.checkLists()
	v.checkTables()
	v.checkPartitions()
	v.checkLVM()
	v.checkSwap()
	v.checkStreams()
	for _, d := range v.l.dirs {
		v.notice(d, "a sub-directory: an encrypted image (-enc) keeps its files there, and they are not checked")
	}
}

func (v *verification) structural(file, format string, args ...any) {
	v.problem(Problem{File: file, Level: 2, Message: fmt.Sprintf(format, args...)})
}

// savedAs is the mode Info-saved-by-cmd.txt names, "" when unknown.
func (v *verification) savedAs() Mode {
	f := strings.Fields(v.l.command)
	for _, w := range f {
		switch w {
		case "savedisk":
			return ModeSaveDisk
		case "saveparts":
			return ModeSaveParts
		}
	}
	return ""
}

func (v *verification) checkLists() {
	l := v.l
	if !l.hasDisk && !l.hasParts {
		v.structural("parts", "missing, and \"disk\" too: Clonezilla cannot restore an image without them")
		if v.savedAs() == ModeSaveDisk {
			v.structural("disk", "missing: Info-saved-by-cmd.txt says the image was made by savedisk")
		}
		return
	}
	if !l.hasDisk && v.savedAs() == ModeSaveDisk {
		v.structural("disk", "missing: Info-saved-by-cmd.txt says the image was made by savedisk")
	}
	if !l.hasParts {
		v.structural("parts", "missing: it lists the partitions that were saved")
	} else if len(l.parts) == 0 {
		v.structural("parts", "empty: it lists no partition")
	}
	if l.hasDisk && len(l.disk) == 0 {
		v.structural("disk", "empty: it lists no disk")
	}
}

// checkTables wants each source disk's partition table in the forms a
// restore uses: the sfdisk dump, parted's listing (GPT or MBR is decided
// from it), the MBR, and for GPT the primary and backup tables.
func (v *verification) checkTables() {
	l := v.l
	for _, disk := range l.sourceDisks() {
		sf := disk + "-pt.sf"
		switch err := l.tableErrs[disk]; {
		case !l.has(sf):
			v.structural(sf, "missing: the partition table of %s (sfdisk dump) is not in the image", disk)
		case err != nil:
			v.structural(sf, "unreadable partition table: %v", err)
		}
		if l.hasDisk {
			if !l.has(disk + "-pt.parted") {
				v.structural(disk+"-pt.parted", "missing: Clonezilla decides GPT or MBR from it")
			}
			mbr := disk + "-mbr"
			if size, ok := l.files[mbr]; !ok {
				v.structural(mbr, "missing: the first sector of %s", disk)
			} else if size != 512 {
				v.structural(mbr, "is %d bytes, a saved MBR is 512", size)
			}
		}
		gpt := l.parted[disk].Table == "gpt" || l.tables[disk].Label == "gpt"
		if gpt && l.hasDisk {
			for _, f := range []string{disk + "-gpt-1st", disk + "-gpt-2nd"} {
				if size, ok := l.files[f]; !ok {
					v.structural(f, "missing: a GPT disk's partition table copy")
				} else if size < 512 {
					v.structural(f, "is %d bytes: truncated", size)
				}
			}
		}
	}
}

// expectedImage is the image file name a device should have, from what the
// image tells of its file system and compression.
func (v *verification) expectedImage(name, fs string) string {
	switch fs {
	case "", "bios_grub":
		fs = "dd"
	}
	comp := ""
	counts := map[string]int{}
	for _, s := range v.l.streams {
		counts[s.Comp]++
	}
	best := 0
	for c, n := range counts {
		if n > best && c != "" {
			comp, best = c, n
		}
	}
	if comp == "" {
		return name + "." + fs + "-ptcl-img.*"
	}
	return name + "." + fs + "-ptcl-img." + comp
}

// checkPartitions wants an image for every partition in "parts" but the LVM
// PVs (their LVs are imaged) and extended partitions.
func (v *verification) checkPartitions() {
	l := v.l
	for _, name := range l.parts {
		if len(l.streamsFor(name)) > 0 || l.isPV(name) || l.has("swappt-"+name+".info") {
			continue
		}
		_, p, _, known := l.partition(name)
		if known && p.Extended() {
			continue
		}
		if known && p.LVM() && !l.hasVGDev {
			v.structural("lvm_vg_dev.list", "missing: partition %s is an LVM physical volume, but the image has no list of its volume groups", name)
			continue
		}
		fs := ""
		if e, ok := l.devfsFor(name); ok {
			fs = e.FS
		}
		v.structural(v.expectedImage(name, fs), "missing: no image of partition %s (listed in \"parts\")", name)
	}
}

// checkLVM wants the LVM lists and configuration, and an image (or swap
// info) for every LV.
func (v *verification) checkLVM() {
	l := v.l
	if !l.hasVGDev && !l.hasLogv {
		return
	}
	if !l.hasVGDev {
		v.structural("lvm_vg_dev.list", "missing: lvm_logv.list lists LVs, but which PVs hold their volume groups is lost")
	}
	if !l.hasLogv {
		v.structural("lvm_logv.list", "missing: the list of logical volumes to restore")
	}
	vgs := map[string]bool{}
	for _, p := range l.pvs {
		vgs[p.VG] = true
	}
	for _, e := range l.lvs() {
		vgs[e.VG] = true
	}
	names := make([]string, 0, len(vgs))
	for vg := range vgs {
		names = append(names, vg)
	}
	sort.Strings(names)
	for _, vg := range names {
		if !l.has("lvm_" + vg + ".conf") {
			v.structural("lvm_"+vg+".conf", "missing: the LVM metadata of volume group %s", vg)
		}
	}
	for _, e := range l.lvs() {
		switch {
		case e.Unreadable():
			v.notice("lvm_logv.list", fmt.Sprintf("%s has no image: Clonezilla could not open it (a thin pool: its thin LVs are imaged one by one)", e.Path))
		case e.Swap():
			// checkSwap wants its info file.
		case len(l.streamsFor(e.Name())) == 0:
			fs := ""
			if d, ok := l.devfsFor(e.Name()); ok {
				fs = d.FS
			}
			v.structural(v.expectedImage(e.Name(), fs), "missing: no image of LV %s", e.Path)
		}
	}
}

// checkSwap wants swappt-<name>.info for every swap partition and LV the
// image knows of: Clonezilla recreates swap from it.
func (v *verification) checkSwap() {
	l := v.l
	want := map[string]string{}
	for _, e := range l.devfs {
		if e.FS == "swap" {
			want[toFilename(e.Path)] = e.Path
		}
	}
	for _, e := range l.lvs() {
		if e.Swap() {
			want[e.Name()] = e.Path
		}
	}
	if l.hasDisk {
		for _, disk := range l.disk {
			for _, p := range l.tables[disk].Parts {
				if p.Swap() {
					want[p.Name] = "/dev/" + p.Name
				}
			}
		}
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if f := "swappt-" + n + ".info"; !l.has(f) {
			v.structural(f, "missing: the UUID and label of swap %s, needed to recreate it", want[n])
		}
	}
}

// checkStreams checks each stream's volumes: a sequence .aa, .ab … without
// gap, every volume but the last of the split size, none empty. A stream
// whose volumes break these rules is not decoded: its decoding could only
// fail, further on, for the same reason.
func (v *verification) checkStreams() {
	l := v.l
	byDev := map[string][]*stream{}
	for _, s := range l.streams {
		byDev[s.Dev] = append(byDev[s.Dev], s)
	}
	for dev, ss := range byDev {
		if len(ss) > 1 {
			var bases []string
			for _, s := range ss {
				bases = append(bases, s.Base)
			}
			sort.Strings(bases)
			v.structural(bases[1], "a second image of %s (%s): Clonezilla would restore only one", dev, strings.Join(bases, ", "))
		}
	}
	known := map[string]bool{}
	for _, p := range l.parts {
		known[p] = true
	}
	for _, e := range l.lvs() {
		known[e.Name()] = true
	}
	for _, s := range l.streams {
		if (l.hasParts || l.hasLogv) && !known[s.Dev] {
			v.notice(s.Volumes[0].Name, fmt.Sprintf("an image of %s, which neither \"parts\" nor lvm_logv.list names: a restore ignores it", s.Dev))
		}
		if _, ok := compressionName(s.Comp); !ok && s.Comp != "" {
			v.notice(s.Volumes[0].Name, "unknown compression "+s.Comp)
		}
		v.checkVolumes(s)
	}
}

func (v *verification) checkVolumes(s *stream) {
	split, unsplit := 0, 0
	for _, vol := range s.Volumes {
		if vol.Suffix == "" {
			unsplit++
		} else {
			split++
		}
	}
	if split > 0 && unsplit > 0 {
		v.structural(s.Base, "both an unsplit file and split volumes (%s.aa …): which one is the image?", s.Base)
		v.skipDecode[s] = true
		return
	}
	for _, vol := range s.Volumes {
		if vol.Size == 0 {
			v.structural(vol.Name, "empty volume (0 bytes)")
			v.skipDecode[s] = true
		}
	}
	if split == 0 {
		return
	}
	// Gaps: every suffix from .aa to the last one must be there.
	have := map[int]bool{}
	last := 0
	for _, vol := range s.Volumes {
		i := suffixIndex(vol.Suffix)
		have[i] = true
		last = max(last, i)
	}
	for i := 0; i <= last; i++ {
		if !have[i] {
			v.structural(s.Base+"."+suffixAt(i), "missing volume: the stream has %d volumes up to .%s, this one is not there", len(s.Volumes), suffixAt(last))
			v.skipDecode[s] = true
		}
	}
	full := v.volumeSize(s)
	if full == 0 {
		return
	}
	for i, vol := range s.Volumes {
		switch {
		case i < len(s.Volumes)-1 && vol.Size != full && vol.Size != 0:
			v.structural(vol.Name, "volume of %d bytes where every volume but the last has %d: truncated or extended", vol.Size, full)
			v.skipDecode[s] = true
		case i == len(s.Volumes)-1 && vol.Size > full:
			v.structural(vol.Name, "last volume of %d bytes, more than the volume size %d", vol.Size, full)
			v.skipDecode[s] = true
		}
	}
}
