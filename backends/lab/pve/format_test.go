package pve

import (
	"testing"
	"time"
)

func TestPVEFormatting(t *testing.T) {
	for secs, want := range map[int64]string{0: "0s", 3: "3s", 30: "30s", 60: "1m", 65: "1m 5s", 7384: "2h 3m 4s", 90061: "1d 1h 1m 1s"} {
		if got := renderDuration(secs); got != want {
			t.Errorf("renderDuration(%d) = %q, want %q", secs, got, want)
		}
	}
	for _, tc := range []struct {
		v    float64
		prec int
		want string
	}{{6.4 * float64(gib), 1, "6.4 GiB"}, {20.1 * float64(gib), 2, "20.10 GiB"}, {512, 1, "512.0 B"}, {32 * float64(gib), 1, "32.0 GiB"}, {1.5 * float64(tib), 2, "1.50 TiB"}} {
		if got := renderBytes(tc.v, tc.prec); got != tc.want {
			t.Errorf("renderBytes(%v, %d) = %q, want %q", tc.v, tc.prec, got, tc.want)
		}
	}
	if got := renderRate(0, 3); got != "0 B/s" {
		t.Errorf("zero rate %q", got)
	}
	if got := renderRate(float64(32*gib), 65); got != "504.1 MiB/s" {
		t.Errorf("rate %q", got)
	}
	for size, want := range map[int64]string{5497558138: "5.12GB", 835 * mib: "835MB", 512 * kib: "512KB", 2 * tib: "2.00TB"} {
		if got := formatArchiveSize(size); got != want {
			t.Errorf("formatArchiveSize(%d) = %q, want %q", size, got, want)
		}
	}
	for size, want := range map[int64]string{32 * gib: "32G", 512 * mib: "512M", 1536 * gib: "1536G", 4 * tib: "4T", 1000: "1000", 3 * kib: "3K"} {
		if got := formatDiskSize(size); got != want {
			t.Errorf("formatDiskSize(%d) = %q, want %q", size, got, want)
		}
	}
	if got := formatHMS(70); got != "00:01:10" {
		t.Errorf("formatHMS %q", got)
	}
}

func TestUPID(t *testing.T) {
	u := upid{node: "pve", pid: 0x000A1B2C, pstart: 0x0123ABCD, starttime: 0x6968A742, typ: "vzdump", id: "100", user: "root@pam!backupconsole"}
	s := u.String()
	if s != "UPID:pve:000A1B2C:0123ABCD:6968A742:vzdump:100:root@pam!backupconsole:" {
		t.Errorf("upid %q", s)
	}
	if back, ok := parseUPID(s); !ok || back != u {
		t.Errorf("round trip %+v %v", back, ok)
	}
	for _, bad := range []string{"", "UPID:pve", "UPID:pve:XYZ:0123ABCD:6968A742:vzdump:100:root@pam:", "PID:pve:000A1B2C:0123ABCD:6968A742:vzdump:100:root@pam:"} {
		if _, ok := parseUPID(bad); ok {
			t.Errorf("parsed %q", bad)
		}
	}
	if u, tok := splitTokenUser("backdeck@pve!console"); u != "backdeck@pve" || tok != "console" {
		t.Errorf("split %q %q", u, tok)
	}
}

func TestMarkBackupsLikePVE(t *testing.T) {
	loc := time.UTC
	at := func(day, hour int) *archive {
		ts := time.Date(2026, 1, day, hour, 0, 0, 0, loc)
		return &archive{volid: ts.Format(time.RFC3339), ctime: ts.Unix()}
	}
	d1a, d1b, d2a, d2b, d3a, d3b, d4 := at(14, 12), at(14, 8), at(13, 12), at(13, 8), at(12, 12), at(12, 8), at(11, 12)
	all := []*archive{d4, d3b, d3a, d2b, d2a, d1b, d1a}
	check := func(name string, marks map[*archive]string, want map[*archive]string) {
		t.Helper()
		for a, m := range want {
			if marks[a] != m {
				t.Errorf("%s: %s marked %q, want %q", name, a.volid, marks[a], m)
			}
		}
	}
	check("last+daily", markBackups(all, map[string]int{"keep-last": 2, "keep-daily": 2}, loc), map[*archive]string{
		d1a: "keep", d1b: "keep", d2a: "keep", d2b: "remove", d3a: "keep", d3b: "remove", d4: "remove"})
	check("daily", markBackups(all, map[string]int{"keep-daily": 3}, loc), map[*archive]string{
		d1a: "keep", d1b: "remove", d2a: "keep", d2b: "remove", d3a: "keep", d3b: "remove", d4: "remove"})

	d1a.protected = true
	check("protected", markBackups(all, map[string]int{"keep-last": 1}, loc), map[*archive]string{
		d1a: "protected", d1b: "keep", d2a: "remove", d4: "remove"})
	check("keep-all", markBackups(all, map[string]int{"keep-all": 1}, loc), map[*archive]string{
		d1a: "protected", d1b: "keep", d4: "keep"})
	check("nothing", markBackups(all, map[string]int{}, loc), map[*archive]string{d1a: "protected", d4: "keep"})

	// 2026-01-11 is a Sunday: it ends ISO week 2, the others are in week 3.
	check("weekly", markBackups([]*archive{d4, d3a, d2a}, map[string]int{"keep-weekly": 2}, loc), map[*archive]string{
		d2a: "keep", d3a: "remove", d4: "keep"})
}
