package proxmox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

func TestParseProgress(t *testing.T) {
	cases := []struct {
		line        string
		ok          bool
		pct         float64
		done, total int64
		elapsed     time.Duration
		read, write float64
		eta         time.Duration
		etaKnown    bool
	}{
		{"INFO:  45% (4.5 GiB of 10.0 GiB) in 30s, read: 152.3 MiB/s, write: 140.1 MiB/s", true, 45, giB(4.5), 10 * gib, 30 * time.Second, 152.3 * mib, 140.1 * mib, 37 * time.Second, true},
		{"INFO: 100% (32.0 GiB of 32.0 GiB) in 1m 5s, read: 1.7 GiB/s, write: 0 B/s", true, 100, 32 * gib, 32 * gib, 65 * time.Second, 1.7 * gib, 0, 0, true},
		{"INFO:  20% (6.4 GiB of 32.0 GiB) in 3s, read: 2.1 GiB/s", true, 20, giB(6.4), 32 * gib, 3 * time.Second, 2.1 * gib, -1, 12 * time.Second, true},
		{"INFO:   3% (300.0 MiB of 10.0 GiB) in 2h 3m 4s", true, 3, 300 * mib, 10 * gib, 2*time.Hour + 3*time.Minute + 4*time.Second, -1, -1, 66*time.Hour + 19*time.Minute + 9*time.Second, true},
		{"INFO:  10% (512.0 KiB of 5.0 MiB) in 0s, read: 0 B/s, write: 0 B/s", true, 10, 512 * kib, 5 * mib, 0, 0, 0, 0, false},
		{"INFO:  1% (1.0 GiB of 1.0 TiB) in 1m, read: 100.0 MiB/s, write: 90.0 MiB/s", true, 1, gib, 1 << 40, time.Minute, 100 * mib, 90 * mib, 10476 * time.Second, true},
		{"INFO: transferred 32.00 GiB in 65 seconds (504.1 MiB/s)", false, 0, 0, 0, 0, 0, 0, 0, false},
		{"INFO: backup is sparse: 20.10 GiB (62%) total zero data", false, 0, 0, 0, 0, 0, 0, 0, false},
		{"INFO: prune older backups with retention: keep-daily=7, keep-last=3", false, 0, 0, 0, 0, 0, 0, 0, false},
		{"TASK OK", false, 0, 0, 0, 0, 0, 0, 0, false},
	}
	for _, tc := range cases {
		p, ok := parseProgress(tc.line)
		if ok != tc.ok {
			t.Errorf("%q: ok=%v", tc.line, ok)
			continue
		}
		if !ok {
			continue
		}
		if p.Percent != tc.pct || p.Done != tc.done || p.Total != tc.total || p.Elapsed != tc.elapsed || p.Read != tc.read || p.Write != tc.write {
			t.Errorf("%q:\n got %+v\nwant pct %v done %d total %d elapsed %v read %v write %v", tc.line, p, tc.pct, tc.done, tc.total, tc.elapsed, tc.read, tc.write)
		}
		pr := model.UnknownProgress()
		p.apply(&pr)
		if pr.ETAKnown != tc.etaKnown || pr.ETA != tc.eta {
			t.Errorf("%q: ETA %v known %v, want %v %v", tc.line, pr.ETA, pr.ETAKnown, tc.eta, tc.etaKnown)
		}
	}
}

// The full task log of a real vzdump run: progress ends at 100 %, the last
// line is kept, and ERROR-free lines give no error context.
func TestVzdumpFixtureLog(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(fixtureDir, "vzdump-qemu-task-log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	job := model.Job{Method: model.MethodVzdump, Progress: model.UnknownProgress()}
	tail := &taskLog{}
	var percents []float64
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		before := job.Progress.Percent
		tail.take(line, &job)
		if job.Progress.Percent != before {
			percents = append(percents, job.Progress.Percent)
		}
	}
	if len(percents) != 2 || percents[0] != 20 || percents[1] != 100 {
		t.Errorf("percents %v, want [20 100]", percents)
	}
	p := job.Progress
	if p.DoneBytes != 32*gib || p.TotalBytes != 32*gib || p.WriteBytesPerS != 0 || !p.ETAKnown || p.ETA != 0 {
		t.Errorf("final progress %+v", p)
	}
	if p.LastLine != "TASK OK" {
		t.Errorf("last line %q", p.LastLine)
	}
	if job.Storage != "usb1" {
		t.Errorf("storage from the first line: %q", job.Storage)
	}
	if tail.firstError != "" || tail.firstWarn != "" {
		t.Errorf("no error or warning in this log: %q %q", tail.firstError, tail.firstWarn)
	}
}

// LXC backups print no percentages: the percent stays unknown while the
// last line moves on.
func TestLXCLogHasNoPercent(t *testing.T) {
	job := model.Job{Method: model.MethodVzdump, Progress: model.UnknownProgress()}
	tail := &taskLog{}
	for _, l := range []string{
		"INFO: Starting Backup of VM 200 (lxc)",
		"INFO: creating vzdump archive '/mnt/usb1/dump/vzdump-lxc-200-2026_01_15-03_00_02.tar.zst'",
		"INFO: Total bytes written: 1048576000 (1000MiB, 50MiB/s)",
	} {
		tail.take(l, &job)
	}
	if job.Progress.Percent != -1 || job.Progress.ETAKnown {
		t.Errorf("progress %+v", job.Progress)
	}
	if !strings.HasPrefix(job.Progress.LastLine, "INFO: Total bytes written") {
		t.Errorf("last line %q", job.Progress.LastLine)
	}
}

// giB converts at run time, as the parser does (6.4 GiB is no whole constant).
func giB(f float64) int64 { return int64(f * gib) }

// Numbers no real vzdump prints are no progress: they used to overflow
// into negative sizes and durations.
func TestProgressOutOfRange(t *testing.T) {
	for _, line := range []string{
		"INFO: 100% (99999999999999999999 PiB of 1 B) in 1s",
		"INFO:  50% (1 GiB of 2 GiB) in 99999999999999999999h",
		"INFO:  50% (1 GiB of 2 GiB) in 3000000000h",
		"INFO:  50% (1 GiB of 99999999 EiB) in 1s",
	} {
		if p, ok := parseProgress(line); ok {
			t.Errorf("%q read as %+v", line, p)
		}
	}
	if p, ok := parseProgress("INFO:  50% (1 GiB of 2 GiB) in 2h 3m 4s, read: 99999999999999999999 PiB/s"); !ok || p.ReadOK || p.Elapsed != 2*time.Hour+3*time.Minute+4*time.Second {
		t.Errorf("an impossible rate: %+v %v", p, ok)
	}
}

// Found by FuzzTaskLog: 100 GB left at 10 B/s overflowed the ETA into a
// negative duration; a forecast beyond ten years is none.
func TestETABeyondRange(t *testing.T) {
	p, ok := parseProgress("0% (0B of 100GB) in 0s, read: 10B/s")
	if !ok {
		t.Fatal("not read as progress")
	}
	pr := model.UnknownProgress()
	p.apply(&pr)
	if pr.ETAKnown || pr.ETA != 0 {
		t.Errorf("ETA %v known %v", pr.ETA, pr.ETAKnown)
	}
	p, _ = parseProgress("INFO:  50% (1 GiB of 2 GiB) in 10s, read: 1 MiB/s")
	p.apply(&pr)
	if !pr.ETAKnown || pr.ETA != 1024*time.Second {
		t.Errorf("ETA %v known %v", pr.ETA, pr.ETAKnown)
	}
}
