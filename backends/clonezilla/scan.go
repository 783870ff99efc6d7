package clonezilla

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Scan finds the Clonezilla images in dirs: each dir may be an image itself
// or a repository (what ocs-sr's -or points at) whose sub-directories are
// images. Images are recognised by their files, never by their names. The
// images come newest first; errors name the directory that could not be read.
func Scan(dirs []string) ([]Image, []error) {
	var images []Image
	var errs []error
	seen := map[string]bool{}
	add := func(dir string) (bool, error) {
		l, ok, err := readListing(dir)
		if err != nil || !ok {
			return false, err
		}
		if abs, err := filepath.Abs(dir); err == nil {
			if seen[abs] {
				return true, nil
			}
			seen[abs] = true
		}
		images = append(images, l.image())
		return true, nil
	}
	for _, dir := range dirs {
		isImage, err := add(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if isImage {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			if _, err := add(filepath.Join(dir, e.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	sortNewestFirst(images)
	return images, errs
}

// sortNewestFirst orders images by the time they were saved, newest first,
// then by path so the order never depends on the directory listing.
func sortNewestFirst(images []Image) {
	sort.SliceStable(images, func(i, j int) bool {
		if !images[i].Saved.Equal(images[j].Saved) {
			return images[i].Saved.After(images[j].Saved)
		}
		return images[i].Path < images[j].Path
	})
}

// ReadImage reads one image directory; it fails when the directory cannot be
// read or is no Clonezilla image.
func ReadImage(dir string) (Image, error) {
	l, ok, err := readListing(dir)
	if err != nil {
		return Image{}, err
	}
	if !ok {
		return Image{}, fmt.Errorf("%s is no Clonezilla image (none of its files is)", dir)
	}
	return l.image(), nil
}

// image builds the inventory entry of a listing.
func (l *listing) image() Image {
	img := Image{Path: l.dir, Name: filepath.Base(l.dir), Command: l.command, Stamp: l.stamp}
	switch {
	case l.hasDisk:
		img.Mode = ModeSaveDisk
	case l.hasParts:
		img.Mode = ModeSaveParts
	default:
		img.Mode = ModeUnknown
	}
	img.Saved, img.SavedFrom = l.savedTime()
	for _, size := range l.files {
		img.SizeBytes += size
	}
	for _, name := range checksumFiles() {
		if l.has(name) {
			img.Checksums = append(img.Checksums, name)
		}
	}
	img.Disks = l.disks()
	img.Parts, img.PVs = l.partitions()
	img.LVs, img.Unimaged = l.logicalVolumes()
	img.Swaps = l.swaps(img.Parts, img.LVs)
	img.Parts = append(img.Parts, l.orphans(img.Parts, img.LVs)...)
	img.Compression = compressionOf(img.Parts, img.LVs)
	img.SMARTAtSave = l.smartLine()
	return img
}

var reSavedAt = regexp.MustCompile(`saved by Clonezilla at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?: ([A-Za-z+\-0-9]+))?`)

// savedTime: the save log's own words first, then the time the command file
// was written (the end of the save), then the directory's.
func (l *listing) savedTime() (time.Time, string) {
	if m := reSavedAt.FindStringSubmatch(l.savedLine); m != nil {
		loc := time.Local
		if m[2] == "UTC" || m[2] == "GMT" {
			loc = time.UTC
		}
		if t, err := time.ParseInLocation("2006-01-02 15:04:05", m[1], loc); err == nil {
			return t, SavedFromLog
		}
	}
	if fi, err := os.Stat(filepath.Join(l.dir, "Info-saved-by-cmd.txt")); err == nil {
		return fi.ModTime(), SavedFromCommand
	}
	if fi, err := os.Stat(l.dir); err == nil {
		return fi.ModTime(), SavedFromDir
	}
	return time.Time{}, SavedFromDir
}

func (l *listing) disks() []Disk {
	var out []Disk
	for _, name := range l.sourceDisks() {
		d := Disk{Name: name}
		if p, ok := l.parted[name]; ok {
			d.Model = partedModel(p.Model)
			d.Table = p.Table
			if p.Bytes > 0 {
				d.Size, d.SizeFrom = p.Bytes, name+"-pt.parted"
			}
		}
		if t, ok := l.tables[name]; ok && d.Table == "" {
			d.Table = t.Label
			if d.Table == "dos" {
				d.Table = "msdos"
			}
		}
		for _, s := range l.smart {
			if s.Drive != name {
				continue
			}
			if s.Model != "" {
				d.Model = s.Model
			}
			d.Serial = s.Serial
			if d.Size == 0 && s.Bytes > 0 {
				d.Size, d.SizeFrom = s.Bytes, "Info-smart.txt"
			}
			d.SMART = s.Summary()
		}
		if size, model := l.blkdev(name); size > 0 || model != "" {
			if d.Size == 0 && size > 0 {
				d.Size, d.SizeFrom = size, "blkdev.list"
			}
			if d.Model == "" {
				d.Model = model
			}
		}
		out = append(out, d)
	}
	return out
}

// partitions lists the partitions of "parts" (PVs apart) with their images,
// then swap partitions, in partition-table order where it is known.
func (l *listing) partitions() ([]Volume, []PV) {
	var vols []Volume
	var pvs []PV
	seen := map[string]bool{}
	for _, name := range l.parts {
		if seen[name] {
			continue
		}
		seen[name] = true
		if l.isPV(name) {
			for _, p := range l.pvs {
				if p.Dev == name {
					pvs = append(pvs, PV{Dev: name, VG: p.VG, UUID: p.UUID})
				}
			}
			continue
		}
		vols = append(vols, l.volume(name, "/dev/"+name))
	}
	// Swap partitions are not in "parts": the partition tables and the
	// swappt-*.info files name them.
	lvNames := map[string]bool{}
	for _, e := range l.lvs() {
		lvNames[e.Name()] = true
	}
	for _, disk := range l.sourceDisks() {
		for _, p := range l.tables[disk].Parts {
			if p.Swap() && !seen[p.Name] && l.hasDisk {
				seen[p.Name] = true
				vols = append(vols, l.swapVolume(p.Name, "/dev/"+p.Name))
			}
		}
	}
	for _, n := range l.names {
		name, isSwap := strings.CutPrefix(n, "swappt-")
		name = strings.TrimSuffix(name, ".info")
		if isSwap && strings.HasSuffix(n, ".info") && !seen[name] && !lvNames[name] {
			seen[name] = true
			vols = append(vols, l.swapVolume(name, "/dev/"+name))
		}
	}
	sort.SliceStable(vols, func(i, j int) bool { return l.partOrder(vols[i].Name) < l.partOrder(vols[j].Name) })
	return vols, pvs
}

// partOrder sorts partitions by disk and start sector, unknown ones last.
func (l *listing) partOrder(name string) string {
	if disk, p, _, ok := l.partition(name); ok {
		return fmt.Sprintf("%s\x00%020d", disk, p.Start)
	}
	return "\xff" + name
}

// volume describes a partition or LV and its image stream.
func (l *listing) volume(name, dev string) Volume {
	v := Volume{Name: name, Dev: dev}
	if e, ok := l.devfsFor(name); ok {
		v.Dev, v.FS = e.Path, e.FS
	}
	if disk, p, ss, ok := l.partition(name); ok {
		v.Disk, v.Size = disk, p.Bytes(ss)
	}
	if ss := l.streamsFor(name); len(ss) > 0 {
		s := ss[0]
		v.FS = s.FS
		v.Comp, _ = compressionName(s.Comp)
		v.Files = s.Files()
		v.Bytes = s.Bytes()
	}
	return v
}

func (l *listing) swapVolume(name, dev string) Volume {
	v := l.volume(name, dev)
	v.FS = "swap"
	return v
}

// logicalVolumes lists the LVs with their images; thin pools and other LVs
// Clonezilla could not open come apart.
func (l *listing) logicalVolumes() ([]Volume, []string) {
	var vols []Volume
	var unimaged []string
	for _, e := range l.lvs() {
		if e.Unreadable() {
			unimaged = append(unimaged, e.Path)
			continue
		}
		v := l.volume(e.Name(), e.Path)
		v.VG = e.VG
		if c, ok := l.vgconfs[e.VG]; ok {
			v.Size = c.Bytes(e.LV)
		}
		if e.Swap() {
			v.FS = "swap"
		}
		vols = append(vols, v)
	}
	return vols, unimaged
}

// swaps reads the swap info files of the swap partitions and LVs.
func (l *listing) swaps(parts, lvs []Volume) []Swap {
	var out []Swap
	for _, v := range append(append([]Volume{}, parts...), lvs...) {
		if v.FS != "swap" {
			continue
		}
		if s, ok := l.swapInfo(v.Name); ok {
			out = append(out, s)
		}
	}
	return out
}

// orphans are image streams of devices neither "parts" nor the LV lists
// name (an image whose lists were lost): they still belong in the inventory.
func (l *listing) orphans(parts, lvs []Volume) []Volume {
	known := map[string]bool{}
	for _, v := range append(append([]Volume{}, parts...), lvs...) {
		known[v.Name] = true
	}
	var out []Volume
	for _, s := range l.streams {
		if !known[s.Dev] {
			known[s.Dev] = true
			out = append(out, l.volume(s.Dev, "/dev/"+s.Dev))
		}
	}
	return out
}

func compressionOf(parts, lvs []Volume) string {
	var names []string
	seen := map[string]bool{}
	for _, v := range append(append([]Volume{}, parts...), lvs...) {
		if v.Comp != "" && !seen[v.Comp] {
			seen[v.Comp] = true
			names = append(names, v.Comp)
		}
	}
	return strings.Join(names, ", ")
}

// smartLine is the health line of Info-smart.txt, one per disk when there
// are several.
func (l *listing) smartLine() string {
	switch len(l.smart) {
	case 0:
		return ""
	case 1:
		return l.smart[0].Line()
	}
	var lines []string
	for _, s := range l.smart {
		lines = append(lines, s.Drive+": "+s.Line())
	}
	return strings.Join(lines, "; ")
}
