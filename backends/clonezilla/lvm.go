package clonezilla

import (
	"bufio"
	"math"
	"strings"
)

// pvEntry is a line of lvm_vg_dev.list: a VG and one of its PVs.
type pvEntry struct {
	VG   string
	Dev  string // file-name form: "sda3"
	UUID string
}

func parseVGDev(text string) []pvEntry {
	var out []pvEntry
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		e := pvEntry{VG: f[0], Dev: toFilename(f[1])}
		if len(f) > 2 {
			e.UUID = f[2]
		}
		out = append(out, e)
	}
	return out
}

// logvEntry is a line of lvm_logv.list: an LV and what file -Ls saw in it.
type logvEntry struct {
	Path string // "/dev/pve/root"
	VG   string
	LV   string
	Desc string
}

// Name is the file-name form Clonezilla gives the LV's image: "pve-root".
func (e logvEntry) Name() string { return toFilename(e.Path) }

// Unreadable is how a thin pool (Proxmox's local-lvm "data") shows: Clonezilla
// could not open it and saves no image of it.
func (e logvEntry) Unreadable() bool { return strings.HasPrefix(e.Desc, "cannot open") }

// Swap reports a swap LV: Clonezilla keeps only swappt-<vg>-<lv>.info for it.
func (e logvEntry) Swap() bool { return strings.Contains(e.Desc, "swap file") }

func parseLogv(text string) []logvEntry {
	var out []logvEntry
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "/dev/") {
			continue
		}
		path, desc, _ := strings.Cut(line, " ")
		e := logvEntry{Path: path, Desc: strings.TrimSpace(desc)}
		if parts := strings.Split(strings.TrimPrefix(path, "/dev/"), "/"); len(parts) == 2 {
			e.VG, e.LV = parts[0], parts[1]
		}
		out = append(out, e)
	}
	return out
}

// vgConf is what backdeck needs from lvm_<vg>.conf (vgcfgbackup's text): the
// size of each LV, to check raw (dd) LV images against.
type vgConf struct {
	ExtentSectors int64
	LVs           map[string]lvConf
}

type lvConf struct {
	Extents int64
	Type    string // the first segment's type: "striped", "thin", "thin-pool" …
	Visible bool
}

// Bytes is the LV's size, 0 when unknown.
func (c vgConf) Bytes(lv string) int64 {
	l, ok := c.LVs[lv]
	if !ok {
		return 0
	}
	return sizeOf(sizeOf(l.Extents, c.ExtentSectors), 512)
}

// parseVGConf reads LVM's text metadata format far enough for sizes: nested
// "name {" sections, "key = value" lines, "#" comments.
func parseVGConf(text string) vgConf {
	c := vgConf{LVs: map[string]lvConf{}}
	var path []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := stripComment(sc.Text())
		switch {
		case line == "":
		case strings.HasSuffix(line, "{"):
			path = append(path, strings.TrimSpace(strings.TrimSuffix(line, "{")))
		case line == "}":
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case len(path) == 1 && k == "extent_size":
				c.ExtentSectors, _ = number(v)
			case len(path) == 3 && path[1] == "logical_volumes" && k == "status":
				l := c.LVs[path[2]]
				l.Visible = strings.Contains(v, `"VISIBLE"`)
				c.LVs[path[2]] = l
			case len(path) == 4 && path[1] == "logical_volumes" && strings.HasPrefix(path[3], "segment"):
				l := c.LVs[path[2]]
				switch k {
				case "extent_count":
					// A count that is no count, or a sum past int64,
					// leaves the size unknown.
					if n, ok := number(v); ok && l.Extents >= 0 && n <= math.MaxInt64-l.Extents {
						l.Extents += n
					} else {
						l.Extents = -1
					}
				case "type":
					if l.Type == "" {
						l.Type = strings.Trim(v, `"`)
					}
				}
				c.LVs[path[2]] = l
			}
		}
	}
	return c
}

// stripComment drops a "#" comment outside quotes and trims the line.
func stripComment(line string) string {
	quoted := false
	for i, r := range line {
		switch r {
		case '"':
			quoted = !quoted
		case '#':
			if !quoted {
				return strings.TrimSpace(line[:i])
			}
		}
	}
	return strings.TrimSpace(line)
}
