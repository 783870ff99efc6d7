package clonezilla

import (
	"bufio"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// partTable is a disk's partition table as Clonezilla saved it (<disk>-pt.sf,
// the output of sfdisk -d).
type partTable struct {
	Label      string // "gpt" or "dos"
	Device     string // "/dev/sda"
	SectorSize int64
	Parts      []ptEntry
}

// ptEntry is one partition of a partTable.
type ptEntry struct {
	Name    string // file-name form: "sda1"
	Start   int64  // sectors
	Sectors int64
	Type    string // GPT type GUID (upper case) or MBR id ("83")
}

// Bytes is the partition's size, 0 when the dump's numbers cannot be a
// size.
func (p ptEntry) Bytes(sectorSize int64) int64 { return sizeOf(p.Sectors, sectorSize) }

// sizeOf is n units of unit bytes, 0 when that is negative or overflows:
// numbers read from an image's files are only trusted as far as they can be.
func sizeOf(n, unit int64) int64 {
	if n <= 0 || unit <= 0 || n > math.MaxInt64/unit {
		return 0
	}
	return n * unit
}

// number reads a non-negative decimal count; ok is false for anything else.
func number(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil && n >= 0
}

// Swap reports whether the partition type says swap (GPT Linux swap, MBR 82).
func (p ptEntry) Swap() bool {
	return strings.EqualFold(p.Type, "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F") || p.Type == "82"
}

// LVM reports whether the partition type says LVM physical volume.
func (p ptEntry) LVM() bool {
	return strings.EqualFold(p.Type, "E6D6D379-F507-44C2-A23C-238F2A3DF928") || p.Type == "8e"
}

// Extended reports an MBR extended partition (it holds no file system).
func (p ptEntry) Extended() bool { return p.Type == "5" || p.Type == "f" || p.Type == "85" }

// parseSfdisk reads an sfdisk -d dump.
func parseSfdisk(text string) (partTable, error) {
	t := partTable{SectorSize: 512}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if dev, rest, ok := strings.Cut(line, " : "); ok && strings.HasPrefix(dev, "/dev/") {
			e := ptEntry{Name: toFilename(strings.TrimSpace(dev))}
			for _, f := range splitFields(rest) {
				k, v, _ := strings.Cut(f, "=")
				v = strings.TrimSpace(v)
				switch strings.TrimSpace(k) {
				case "start":
					if n, ok := number(v); ok {
						e.Start = n
					}
				case "size":
					if n, ok := number(v); ok {
						e.Sectors = n
					}
				case "type", "Id":
					e.Type = strings.ToUpper(v)
					if len(v) <= 2 {
						e.Type = strings.ToLower(v)
					}
				}
			}
			t.Parts = append(t.Parts, e)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "label":
			t.Label = v
		case "device":
			t.Device = v
		case "sector-size":
			if n, ok := number(v); ok && n > 0 {
				t.SectorSize = n
			}
		}
	}
	if t.Label == "" && len(t.Parts) == 0 {
		return t, fmt.Errorf("no label and no partition in the sfdisk dump")
	}
	return t, nil
}

// splitFields splits "start= 34, size= 2014, name=\"a, b\"" at the commas
// outside quotes.
func splitFields(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}

// partedInfo is what <disk>-pt.parted (parted -s DISK unit s print) tells.
type partedInfo struct {
	Model      string
	Bytes      int64
	SectorSize int64
	Table      string // "gpt", "msdos", "loop" …
}

func parseParted(text string) partedInfo {
	var p partedInfo
	var sectors int64
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "Model:"):
			p.Model = strings.TrimSpace(strings.TrimPrefix(line, "Model:"))
		case strings.HasPrefix(line, "Disk /dev/"):
			if _, v, ok := strings.Cut(line, ": "); ok {
				if n, ok := number(strings.TrimSuffix(strings.TrimSpace(v), "s")); ok {
					sectors = n
				}
			}
		case strings.HasPrefix(line, "Sector size (logical/physical):"):
			v := strings.TrimSpace(strings.TrimPrefix(line, "Sector size (logical/physical):"))
			logical, _, _ := strings.Cut(v, "/")
			if n, ok := number(strings.TrimSuffix(logical, "B")); ok && n > 0 {
				p.SectorSize = n
			}
		case strings.HasPrefix(line, "Partition Table:"):
			p.Table = strings.TrimSpace(strings.TrimPrefix(line, "Partition Table:"))
		}
	}
	if p.SectorSize == 0 {
		p.SectorSize = 512
	}
	p.Bytes = sizeOf(sectors, p.SectorSize)
	return p
}

// partedModel drops parted's transport suffix: "ATA PVE-SSD (scsi)" → "ATA PVE-SSD".
func partedModel(m string) string {
	if i := strings.LastIndex(m, " ("); i > 0 && strings.HasSuffix(m, ")") {
		m = m[:i]
	}
	return strings.TrimSpace(m)
}

// parseHumanSize reads lsblk's and dev-fs.list's sizes ("447M", "1007K",
// "1.7G"): binary units, rounded by the tool, so only an estimate.
func parseHumanSize(s string) int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	mult := 1.0
	switch s[len(s)-1] {
	case 'B':
		s = s[:len(s)-1]
	case 'K':
		mult, s = 1<<10, s[:len(s)-1]
	case 'M':
		mult, s = 1<<20, s[:len(s)-1]
	case 'G':
		mult, s = 1<<30, s[:len(s)-1]
	case 'T':
		mult, s = 1<<40, s[:len(s)-1]
	case 'P':
		mult, s = 1<<50, s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	// NaN, infinities, negative sizes and sizes past int64 are not sizes.
	if err != nil || !(f >= 0) || f*mult >= math.MaxInt64 {
		return 0
	}
	return int64(f * mult)
}
