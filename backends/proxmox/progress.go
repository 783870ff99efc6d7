package proxmox

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// progressRE matches vzdump's QEMU progress lines:
//
//	INFO:  45% (4.5 GiB of 10.0 GiB) in 30s, read: 152.3 MiB/s, write: 140.1 MiB/s
//
// The duration may read "1m 5s" or "2h 3m 4s"; "write:" is missing in some
// versions; LXC backups print no such line at all.
var progressRE = regexp.MustCompile(`^(?:INFO:)?\s*(\d+(?:\.\d+)?)%\s+\(([\d.]+)\s*([KMGTPE]?i?B)\s+of\s+([\d.]+)\s*([KMGTPE]?i?B)\)\s+in\s+((?:\d+[hms]\s*)+)(?:,\s*read:\s*([\d.]+)\s*([KMGTPE]?i?B)/s)?(?:,\s*write:\s*([\d.]+)\s*([KMGTPE]?i?B)/s)?`)

var durationPartRE = regexp.MustCompile(`(\d+)([hms])`)

// vzdumpProgress is what one progress line says.
type vzdumpProgress struct {
	Percent         float64
	Done, Total     int64
	Elapsed         time.Duration
	Read, Write     float64 // bytes/s, -1 when absent
	ReadOK, WriteOK bool
}

// parseProgress reads a vzdump progress line; ok is false for other lines.
func parseProgress(line string) (p vzdumpProgress, ok bool) {
	m := progressRE.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return p, false
	}
	pct, err := strconv.ParseFloat(m[1], 64)
	if err != nil || pct < 0 || pct > 100 {
		return p, false
	}
	done, ok1 := bytesOf(m[2], m[3])
	total, ok2 := bytesOf(m[4], m[5])
	if !ok1 || !ok2 {
		return p, false
	}
	elapsed, ok := parseElapsed(m[6])
	if !ok {
		return p, false
	}
	p = vzdumpProgress{Percent: pct, Done: int64(done), Total: int64(total), Elapsed: elapsed, Read: -1, Write: -1}
	if m[7] != "" {
		if v, ok := bytesOf(m[7], m[8]); ok {
			p.Read, p.ReadOK = v, true
		}
	}
	if m[9] != "" {
		if v, ok := bytesOf(m[9], m[10]); ok {
			p.Write, p.WriteOK = v, true
		}
	}
	return p, true
}

// maxBytes bounds a size or a rate: 4 EiB, far beyond any disk, and within
// int64 whatever is added to it.
const maxBytes = 1 << 62

// bytesOf reads "4.5" "GiB" (binary units, as vzdump prints them); a value
// beyond maxBytes is no real one.
func bytesOf(num, unit string) (float64, bool) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]float64{
		"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50,
		"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15,
	}[unit]
	if mult == 0 || f*mult > maxBytes {
		return 0, false
	}
	return f * mult, true
}

// maxElapsed bounds a backup's duration: ten years, within time.Duration.
const maxElapsed = 10 * 365 * 24 * time.Hour

// parseElapsed reads "30s", "1m 5s", "2h 3m 4s"; ok is false beyond
// maxElapsed.
func parseElapsed(s string) (d time.Duration, ok bool) {
	for _, m := range durationPartRE.FindAllStringSubmatch(s, -1) {
		unit := map[string]time.Duration{"h": time.Hour, "m": time.Minute, "s": time.Second}[m[2]]
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > int64(maxElapsed/unit) {
			return 0, false
		}
		if d += time.Duration(n) * unit; d > maxElapsed {
			return 0, false
		}
	}
	return d, true
}

// apply puts a progress line into a job's progress, with an ETA from the
// remaining bytes at the read speed, else from elapsed time and percent.
func (p vzdumpProgress) apply(pr *model.Progress) {
	pr.Percent = p.Percent
	pr.DoneBytes, pr.TotalBytes = p.Done, p.Total
	pr.ReadBytesPerS, pr.WriteBytesPerS = p.Read, p.Write
	pr.ETA, pr.ETAKnown = 0, false
	switch {
	case p.Percent >= 100:
		pr.ETA, pr.ETAKnown = 0, true
	case p.ReadOK && p.Read > 0 && p.Total >= p.Done:
		pr.ETA, pr.ETAKnown = eta(float64(p.Total-p.Done) / p.Read * float64(time.Second))
	case p.Percent > 0 && p.Elapsed > 0:
		pr.ETA, pr.ETAKnown = eta(float64(p.Elapsed) * (100 - p.Percent) / p.Percent)
	}
}

// eta rounds a time left in nanoseconds; beyond maxElapsed (100 GB at
// 10 B/s) it is no forecast, and would overflow a Duration.
func eta(ns float64) (time.Duration, bool) {
	if ns < 0 || ns > float64(maxElapsed) {
		return 0, false
	}
	return time.Duration(ns).Round(time.Second), true
}
