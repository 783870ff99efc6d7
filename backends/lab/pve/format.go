package pve

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// These mirror PVE's Perl formatting helpers, so the logs read like real ones.

// renderBytes is PVE::Tools::render_bytes: "6.4 GiB" (precision 1), "20.10 GiB" (2).
func renderBytes(v float64, precision int) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	u := 0
	for v > 1023 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return fmt.Sprintf("%.*f %s", precision, v, units[u])
}

// renderRate is vzdump's $get_mbps: bytes over whole seconds (at least one),
// "0 B/s" for nothing.
func renderRate(bytes float64, seconds float64) string {
	if bytes <= 0 {
		return "0 B/s"
	}
	if seconds < 1 {
		seconds = 1
	}
	return renderBytes(float64(int64(bytes/seconds)), 1) + "/s"
}

// renderDuration is PVE::Tools::render_duration: "30s", "1m 5s", "2h 3m 4s".
func renderDuration(seconds int64) string {
	if seconds <= 0 {
		return "0s"
	}
	var parts []string
	for _, u := range []struct {
		name string
		size int64
	}{{"w", 7 * 86400}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}} {
		if n := seconds / u.size; n > 0 {
			parts = append(parts, strconv.FormatInt(n, 10)+u.name)
			seconds -= n * u.size
		}
	}
	return strings.Join(parts, " ")
}

// formatArchiveSize is PVE::VZDump::format_size: "835MB", "5.12GB".
func formatArchiveSize(size int64) string {
	kb := float64(size) / 1024
	if kb < 1024 {
		return fmt.Sprintf("%dKB", int64(kb))
	}
	mb := kb / 1024
	if mb < 1024 {
		return fmt.Sprintf("%dMB", int64(mb))
	}
	gb := mb / 1024
	if gb < 1024 {
		return fmt.Sprintf("%.2fGB", gb)
	}
	return fmt.Sprintf("%.2fTB", gb/1024)
}

// formatHMS is PVE::VZDump::format_time: "00:01:10".
func formatHMS(seconds int64) string {
	return fmt.Sprintf("%02d:%02d:%02d", seconds/3600, seconds%3600/60, seconds%60)
}

// formatDiskSize is PVE::JSONSchema::format_size: "32G", "512M".
func formatDiskSize(size int64) string {
	units := []string{"K", "M", "G", "T"}
	if size%1024 != 0 {
		return strconv.FormatInt(size, 10)
	}
	n := size / 1024
	for i, u := range units {
		if n%1024 != 0 || i == len(units)-1 {
			return strconv.FormatInt(n, 10) + u
		}
		n /= 1024
	}
	return strconv.FormatInt(size, 10)
}

// logTime is how vzdump writes a local time: "2026-01-15 03:00:02".
func logTime(t time.Time) string { return t.Format("2006-01-02 15:04:05") }

// archiveStamp is the time in a vzdump archive name: "2026_01_15-03_00_02".
func archiveStamp(t time.Time) string { return t.Format("2006_01_02-15_04_05") }

// upid is PVE's unique task id.
type upid struct {
	node      string
	pid       uint32
	pstart    uint32
	starttime int64
	typ       string
	id        string
	user      string
}

func (u upid) String() string {
	return fmt.Sprintf("UPID:%s:%08X:%08X:%08X:%s:%s:%s:", u.node, u.pid, u.pstart, u.starttime, u.typ, u.id, u.user)
}

// parseUPID accepts what PVE::Tools::upid_decode accepts.
func parseUPID(s string) (upid, bool) {
	f := strings.Split(s, ":")
	if len(f) != 9 || f[0] != "UPID" || f[8] != "" || f[1] == "" || f[5] == "" || f[7] == "" {
		return upid{}, false
	}
	pid, err1 := strconv.ParseUint(f[2], 16, 32)
	pstart, err2 := strconv.ParseUint(f[3], 16, 32)
	start, err3 := strconv.ParseInt(f[4], 16, 64)
	if err1 != nil || err2 != nil || err3 != nil || len(f[2]) != 8 || len(f[3]) != 8 || len(f[4]) != 8 {
		return upid{}, false
	}
	return upid{node: f[1], pid: uint32(pid), pstart: uint32(pstart), starttime: start, typ: f[5], id: f[6], user: f[7]}, true
}

// splitTokenUser is PVE's $convert_token_task: the task lists show
// "user@realm" and the token's id apart.
func splitTokenUser(user string) (string, string) {
	if u, tok, ok := strings.Cut(user, "!"); ok {
		return u, tok
	}
	return user, ""
}

// The host's sizes, short for the seed's tables.
const (
	kib = host.KiB
	mib = host.MiB
	gib = host.GiB
	tib = host.TiB
)

func itoa(n int) string { return strconv.Itoa(n) }
