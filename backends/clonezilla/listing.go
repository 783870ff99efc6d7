package clonezilla

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// listing is an image directory as read from disk: its files and the
// Clonezilla lists parsed. Scan turns it into an Image; Verify checks it.
type listing struct {
	dir   string
	files map[string]int64 // regular files: name → size
	names []string         // sorted
	dirs  []string         // sub-directories (an encrypted image keeps its files in one)

	streams []*stream // partition and LV images, sorted by base name

	disk, parts       []string // contents of "disk" and "parts"
	hasDisk, hasParts bool
	tables            map[string]partTable  // disk → <disk>-pt.sf
	tableErrs         map[string]error      // disk → why its .sf could not be read
	parted            map[string]partedInfo // disk → <disk>-pt.parted
	pvs               []pvEntry
	logv              []logvEntry
	hasLogv, hasVGDev bool
	vgconfs           map[string]vgConf // vg → lvm_<vg>.conf
	devfs             []devfsEntry
	smart             []smartAtSave
	command           string
	splitBytes        int64  // ocs-sr's -i N, in bytes; 0 when unsplit or unknown
	savedLine         string // the first line of clonezilla-img
	stamp             string // Image.Stamp (stamp.go)
}

// stream is the image of one partition or LV: one or more volume files that,
// concatenated, form one compressed stream.
type stream struct {
	streamName
	Volumes []volume
}

type volume struct {
	Name   string
	Suffix string
	Size   int64
}

// Bytes is the size of all the stream's volumes.
func (s *stream) Bytes() int64 {
	var n int64
	for _, v := range s.Volumes {
		n += v.Size
	}
	return n
}

// Files lists the stream's volumes in order.
func (s *stream) Files() []string {
	out := make([]string, len(s.Volumes))
	for i, v := range s.Volumes {
		out[i] = v.Name
	}
	return out
}

// devfsEntry is a line of dev-fs.list.
type devfsEntry struct {
	Path string // "/dev/sda1", "/dev/pve/root"
	FS   string // may be empty (an LV holding a partition table)
	Size int64  // rounded
}

// The checksum files Clonezilla writes with -gb, -gs and -gm, strongest first.
func checksumFiles() []string { return []string{"B2SUMS", "SHA1SUMS", "MD5SUMS"} }

// maxListFile bounds what is read of a text file of the image: they are a
// few KiB; a huge one is not Clonezilla's.
const maxListFile = 4 << 20

// readListing reads an image directory. It fails only when the directory
// cannot be read; ok is false when it is no Clonezilla image.
func readListing(dir string) (l *listing, ok bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	l = &listing{dir: dir, files: map[string]int64{}, tables: map[string]partTable{},
		tableErrs: map[string]error{}, parted: map[string]partedInfo{}, vgconfs: map[string]vgConf{}}
	byBase := map[string]*stream{}
	stamp := newStamper()
	for _, e := range entries {
		info, err := e.Info()
		if err == nil {
			stamp.add(info)
		}
		if e.IsDir() {
			l.dirs = append(l.dirs, e.Name())
			continue
		}
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		l.files[e.Name()] = info.Size()
		l.names = append(l.names, e.Name())
		if sn, isStream := parseStreamName(e.Name()); isStream {
			s := byBase[sn.Base]
			if s == nil {
				s = &stream{streamName: sn}
				s.Suffix = ""
				byBase[sn.Base] = s
				l.streams = append(l.streams, s)
			}
			s.Volumes = append(s.Volumes, volume{Name: e.Name(), Suffix: sn.Suffix, Size: info.Size()})
		}
	}
	l.stamp = stamp.sum()
	sort.Strings(l.names)
	sort.Slice(l.streams, func(i, j int) bool { return l.streams[i].Base < l.streams[j].Base })
	for _, s := range l.streams {
		sort.Slice(s.Volumes, func(i, j int) bool { return s.Volumes[i].Suffix < s.Volumes[j].Suffix })
	}
	if !l.looksLikeImage() {
		return l, false, nil
	}
	l.parse()
	return l, true, nil
}

// looksLikeImage: Clonezilla itself needs "disk" or "parts"; a directory
// that lost both but keeps Clonezilla's other files is still an image, a
// broken one, so that Verify can say so.
func (l *listing) looksLikeImage() bool {
	for _, n := range []string{"disk", "parts", "clonezilla-img", "Info-saved-by-cmd.txt", "dev-fs.list"} {
		if l.has(n) {
			return true
		}
	}
	if len(l.streams) > 0 {
		return true
	}
	for _, n := range l.names {
		if strings.HasSuffix(n, "-pt.sf") {
			return true
		}
	}
	return false
}

func (l *listing) has(name string) bool {
	_, ok := l.files[name]
	return ok
}

// read returns a small text file of the image ("" when absent or unreadable).
func (l *listing) read(name string) (string, error) {
	if !l.has(name) {
		return "", os.ErrNotExist
	}
	f, err := os.Open(filepath.Join(l.dir, name))
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxListFile))
	return string(b), err
}

func (l *listing) parse() {
	if text, err := l.read("disk"); err == nil {
		l.hasDisk, l.disk = true, strings.Fields(text)
	}
	if text, err := l.read("parts"); err == nil {
		l.hasParts, l.parts = true, strings.Fields(text)
	}
	for _, n := range l.names {
		switch {
		case strings.HasSuffix(n, "-pt.sf"):
			disk := strings.TrimSuffix(n, "-pt.sf")
			text, err := l.read(n)
			if err == nil {
				var t partTable
				if t, err = parseSfdisk(text); err == nil {
					l.tables[disk] = t
				}
			}
			if err != nil {
				l.tableErrs[disk] = err
			}
		case strings.HasSuffix(n, "-pt.parted"):
			if text, err := l.read(n); err == nil {
				l.parted[strings.TrimSuffix(n, "-pt.parted")] = parseParted(text)
			}
		case strings.HasPrefix(n, "lvm_") && strings.HasSuffix(n, ".conf"):
			if text, err := l.read(n); err == nil {
				l.vgconfs[strings.TrimSuffix(strings.TrimPrefix(n, "lvm_"), ".conf")] = parseVGConf(text)
			}
		}
	}
	if text, err := l.read("lvm_vg_dev.list"); err == nil {
		l.hasVGDev, l.pvs = true, parseVGDev(text)
	}
	if text, err := l.read("lvm_logv.list"); err == nil {
		l.hasLogv, l.logv = true, parseLogv(text)
	}
	if text, err := l.read("dev-fs.list"); err == nil {
		l.devfs = parseDevFS(text)
	}
	if text, err := l.read("Info-smart.txt"); err == nil {
		l.smart = parseInfoSMART(text)
	}
	if text, err := l.read("Info-saved-by-cmd.txt"); err == nil {
		l.command = strings.TrimSpace(strings.SplitN(text, "\n", 2)[0])
		l.splitBytes = splitOption(l.command)
	}
	if text, err := l.read("clonezilla-img"); err == nil {
		l.savedLine = strings.TrimSpace(strings.SplitN(text, "\n", 2)[0])
	}
}

func parseDevFS(text string) []devfsEntry {
	var out []devfsEntry
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], "/dev/") {
			continue
		}
		e := devfsEntry{Path: f[0]}
		switch len(f) {
		case 1: // a line cut short: the device alone
		case 2: // the file system is empty: "/dev/pve/vm-100-disk-0  512M"
			e.Size = parseHumanSize(f[1])
		default:
			e.FS = f[1]
			e.Size = parseHumanSize(f[len(f)-1])
		}
		out = append(out, e)
	}
	return out
}

var reSplitOption = regexp.MustCompile(`(?:^|\s)-i\s+(\d+)(?:\s|$)`)

// splitOption reads ocs-sr's "-i N" (split into volumes of N MB, decimal).
func splitOption(cmd string) int64 {
	m := reSplitOption.FindStringSubmatch(cmd)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n * 1000 * 1000
}

// devfsFor finds the dev-fs.list line of a device by its file-name form.
func (l *listing) devfsFor(name string) (devfsEntry, bool) {
	for _, e := range l.devfs {
		if toFilename(e.Path) == name {
			return e, true
		}
	}
	return devfsEntry{}, false
}

// streamsFor lists the image streams of a device (normally one).
func (l *listing) streamsFor(name string) []*stream {
	var out []*stream
	for _, s := range l.streams {
		if s.Dev == name {
			out = append(out, s)
		}
	}
	return out
}

// partition finds a partition in the saved partition tables.
func (l *listing) partition(name string) (disk string, e ptEntry, sectorSize int64, ok bool) {
	for d, t := range l.tables {
		for _, p := range t.Parts {
			if p.Name == name {
				return d, p, t.SectorSize, true
			}
		}
	}
	return "", ptEntry{}, 0, false
}

// isPV reports whether a partition is an LVM physical volume of the image.
func (l *listing) isPV(name string) bool {
	for _, p := range l.pvs {
		if p.Dev == name {
			return true
		}
	}
	return false
}

// lvs lists the image's LVs: from lvm_logv.list, or when it is missing from
// dev-fs.list's /dev/<vg>/<lv> lines for the VGs of lvm_vg_dev.list.
func (l *listing) lvs() []logvEntry {
	if l.hasLogv {
		return l.logv
	}
	vgs := map[string]bool{}
	for _, p := range l.pvs {
		vgs[p.VG] = true
	}
	for vg := range l.vgconfs {
		vgs[vg] = true
	}
	var out []logvEntry
	for _, e := range l.devfs {
		parts := strings.Split(strings.TrimPrefix(e.Path, "/dev/"), "/")
		if len(parts) == 2 && vgs[parts[0]] {
			desc := ""
			if e.FS == "swap" {
				desc = "swap file (from dev-fs.list)"
			}
			out = append(out, logvEntry{Path: e.Path, VG: parts[0], LV: parts[1], Desc: desc})
		}
	}
	return out
}

// swapInfo reads swappt-<name>.info.
func (l *listing) swapInfo(name string) (Swap, bool) {
	file := "swappt-" + name + ".info"
	text, err := l.read(file)
	if err != nil {
		return Swap{}, false
	}
	s := parseSwapInfo(text)
	s.Name, s.File = name, file
	return s, true
}

// parseSwapInfo reads swappt-<name>.info: blkid's UUID="…" and LABEL="…".
func parseSwapInfo(text string) Swap {
	var s Swap
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		switch k {
		case "UUID":
			s.UUID = v
		case "LABEL":
			s.Label = v
		}
	}
	return s
}

// sourceDisks are the image's disks: "disk" for savedisk, else the disks of
// the partitions in "parts".
func (l *listing) sourceDisks() []string {
	if l.hasDisk {
		return l.disk
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range l.parts {
		d, _, _, ok := l.partition(p)
		if !ok {
			d = parentDisk(p)
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		// Both lists lost: the per-disk files still name the disks.
		for _, n := range l.names {
			for _, suffix := range []string{"-pt.sf", "-pt.parted", "-mbr", "-chs.sf", "-gpt-1st"} {
				if d, ok := strings.CutSuffix(n, suffix); ok && !seen[d] {
					seen[d] = true
					out = append(out, d)
				}
			}
		}
		sort.Strings(out)
	}
	return out
}

// blkdev reads lsblk's line for a device from blkdev.list: its size and model.
func (l *listing) blkdev(name string) (size int64, model string) {
	text, err := l.read("blkdev.list")
	if err != nil {
		return 0, ""
	}
	return parseBlkdev(text, name)
}

// parseBlkdev finds a device's line in lsblk's table and reads its size and
// model by the columns of the header.
func parseBlkdev(text, name string) (size int64, model string) {
	lines := strings.Split(text, "\n")
	if len(lines) < 2 {
		return 0, ""
	}
	head := lines[0]
	typeAt, modelAt := strings.Index(head, " TYPE"), strings.Index(head, " MODEL")
	if typeAt < 0 {
		return 0, ""
	}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != name || len(line) <= typeAt {
			continue
		}
		before := strings.Fields(line[:typeAt])
		if len(before) > 0 {
			size = parseHumanSize(before[len(before)-1])
		}
		if modelAt >= 0 && len(line) > modelAt {
			model = strings.TrimSpace(line[modelAt:])
		}
		return size, model
	}
	return 0, ""
}
