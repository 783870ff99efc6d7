package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
)

// What a new operator tripped over at first use (issue 11), on the demo.

// selectByName filters the tree to a name (the cursor goes to the first
// match) and waits for its pane.
func (s *session) selectByName(name, pane string) {
	s.t.Helper()
	// A filter typed before a source answers lands on what is there (an
	// UrBackup client of the same name before PVE's guest): filter again.
	for try := 0; ; try++ {
		// esc alone: an esc the next key follows at once reads as alt+key
		s.keys("Escape")
		time.Sleep(150 * time.Millisecond)
		s.keys("Escape")
		time.Sleep(150 * time.Millisecond)
		s.keys("/")
		s.waitText("/ ", 5*time.Second)
		s.typeText(name)
		s.keys("Enter")
		if try == 2 {
			s.waitText(pane, 10*time.Second)
			return
		}
		if s.seen(pane, 5*time.Second) {
			return
		}
	}
}

// seen polls the screen for text like waitText, but says no instead of
// failing when the time is up.
func (s *session) seen(text string, timeout time.Duration) bool {
	s.t.Helper()
	for end := time.Now().Add(timeout); ; time.Sleep(pollEvery) {
		if strings.Contains(s.screen(), text) {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}

// Five backups at 80×24, where the jobs panel has four lines: the newest
// job is in view and the hidden one is announced; x on the hidden one, from
// the tree, shows its end without g.
func TestJobsPanelShowsNewJobsAndStoppedOnesEnd(t *testing.T) {
	t.Parallel()
	s := start(t, 80, 24)
	s.waitText("no jobs running", deadline)
	guests := []string{"k3sserver01", "k3sagent01", "k3sagent02", "bkpserver", "k3snodetpl"}
	for i, g := range guests {
		kind := " · VM"
		if g == "k3snodetpl" {
			kind = " · template"
		}
		s.selectByName(g, g+kind)
		s.keys("b")
		s.waitFor(g+"'s job in the jobs panel", 20*time.Second, func(sc string) bool {
			return jobRowOf(sc, "vzdump", g) != "" && (i < 4 || strings.Contains(sc, " older"))
		})
	}
	s.selectByName("k3sserver01", "k3sserver01 · VM")
	s.keys("x")
	s.waitText("Stop vzdump of k3sserver01", 5*time.Second)
	s.keys("Tab", "Enter")
	row := ""
	s.waitFor("k3sserver01's job ended in view", 30*time.Second, func(sc string) bool {
		row = jobRowOf(sc, "vzdump", "k3sserver01")
		return row != "" && !strings.Contains(row, "⟳")
	})
	t.Logf("after x: %s", strings.TrimSpace(row))
}

var verifyRowRe = regexp.MustCompile(`verify\s+pve-hdd (\d{4}-)?\d\d-\d\d\s`)

// A failed verification at 80×24: its row keeps the disk and the date;
// enter on it shows the damaged image's every problem; L lists it.
func TestFailedVerificationOpensItsImage(t *testing.T) {
	t.Parallel()
	s := start(t, 80, 24)
	s.waitText("pve-hdd", deadline)
	s.keys("j", "j", "Tab", "G", "v")
	row := ""
	s.waitFor("the verification to fail", 30*time.Second, func(sc string) bool {
		row = jobRowOf(sc, "verify", "pve-hdd")
		return strings.Contains(row, "failed")
	})
	if !verifyRowRe.MatchString(row) {
		t.Fatalf("the row does not name the disk and the date: %q", row)
	}
	s.keys("Tab", "Enter")
	sc := s.waitText("is damaged", 5*time.Second)
	if !strings.Contains(sc, "sda1.ext4-ptcl-img.zst.aa") {
		t.Errorf("the notice does not name the damaged file:\n%s", sc)
	}
	s.keys("Escape")
	time.Sleep(150 * time.Millisecond)
	s.keys("L")
	s.waitText("failed: level", 5*time.Second)
}

// The snapshot keys at first use: s on a template and R with no snapshots
// say why not; the proposed name is replaced by what is typed; in the
// delete dialog, Enter deletes once the name is typed.
func TestSnapshotDialogsAtFirstUse(t *testing.T) {
	t.Parallel()
	s := start(t, 80, 24)
	s.waitText("no jobs running", deadline)
	s.selectByName("debiantpl", "debiantpl · template")
	s.keys("s")
	s.waitText("PVE cannot snapshot templates", 5*time.Second)

	s.selectByName("k3sserver01", "k3sserver01 · VM")
	s.waitText("Snapshots (0)", 10*time.Second)
	s.keys("Tab", "R")
	s.waitText("k3sserver01 has no snapshots", 5*time.Second)

	s.keys("s")
	s.waitText("typing replaces it", 5*time.Second)
	s.typeText("pre-upgrade")
	s.keys("Enter")
	s.waitText("started snapshot pre-upgrade of k3sserver01", 10*time.Second)
	s.waitFor("the snapshot pre-upgrade listed", deadline, func(sc string) bool {
		return strings.Contains(sc, "Snapshots (1)") && strings.Contains(sc, "pre-upgrade")
	})

	s.keys("D")
	s.waitText("Type pre-upgrade to enable Confirm", 5*time.Second)
	s.typeText("pre-upgrade")
	s.waitText("enter confirms", 5*time.Second)
	s.keys("Enter")
	s.waitText("started deletion of snapshot pre-upgrade", 10*time.Second)
	s.waitText("Snapshots (0)", deadline)
}

// A wrong PVE token on a laptop: PVE answers 401, and SMART, read through
// PVE, fails of the same cause. One line says it, naming both sources, in
// the status bar and in the log.
func TestAWrongTokenIsOneError(t *testing.T) {
	t.Parallel()
	p, err := labpve.Start(labpve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	dir := t.TempDir()
	cfg, err := lab.WriteConfig(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pve-token"), []byte("not-the-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startWith(t, 120, 40, nil, "--config", cfg)
	both := regexp.MustCompile(`(proxmox, smart|smart, proxmox): PVE rejected the API token`)
	s.waitFor("one line for both sources", deadline, func(sc string) bool { return both.MatchString(sc) })
	s.keys("L")
	sc := s.waitText("Errors and failed jobs", 5*time.Second)
	logLine := regexp.MustCompile(`\d\d:\d\d:\d\d  .*PVE rejected the API token`)
	if n := len(logLine.FindAllString(sc, -1)); n != 1 || !both.MatchString(sc) {
		t.Fatalf("the log says the cause %d times:\n%s", n, sc)
	}
	s.keys("Escape")
	time.Sleep(150 * time.Millisecond)
	s.keys("q")
	s.waitExit("q")
}

// cutFigureRe is a figure cut short that reads as a number: "610.|".
var cutFigureRe = regexp.MustCompile(`\d\.\|`)

// On the PVE host's own console (TERM=linux) the dashboard is ASCII by
// itself, as with --ascii, and keeps its colours; a cut shows as "~", and
// the verdicts read as words ("ok", "!!", "XX").
func TestLinuxConsoleIsASCII(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"TERM=linux", []string{"TERM=linux"}, []string{"--demo"}},
		{"--ascii", nil, []string{"--demo", "--ascii"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startWith(t, 80, 24, c.env, c.args...)
			s.waitText("no jobs running", deadline)
			sc := s.waitText("full in", deadline)
			for i, r := range sc {
				if r > 126 {
					s.shown = true
					t.Fatalf("non-ASCII %q at %d:\n%s", r, i, sc)
				}
			}
			for _, want := range []string{"+ backdeck", "XX critical", "    ok ", "~"} {
				if !strings.Contains(sc, want) {
					s.shown = true
					t.Fatalf("%q not on screen:\n%s", want, sc)
				}
			}
			if m := cutFigureRe.FindString(sc); m != "" {
				s.shown = true
				t.Fatalf("a cut figure reads as a number, %q:\n%s", m, sc)
			}
			if raw := s.tmux("capture-pane", "-e", "-p", "-t", "s"); !strings.Contains(raw, "\x1b[3") && !strings.Contains(raw, "\x1b[9") {
				t.Fatalf("no colour left:\n%q", raw)
			}
		})
	}
}

// treeText is the tree pane's text.
func treeText(screen string) string {
	var b strings.Builder
	for _, l := range strings.Split(screen, "\n") {
		if tree, _, ok := panes(l); ok {
			b.WriteString(tree + "\n")
		}
	}
	return b.String()
}

// The filter finds every store the stores panel counts (bkpdata, the thin
// pool of UrBackup's data on the backup drive), and takes states as
// operators triage.
func TestFilterFindsStoresAndStates(t *testing.T) {
	t.Parallel()
	s := start(t, 80, 24)
	s.waitText("more: the Backups concern in the tree lists every store and drive", deadline)
	filter := func(text, what string, ok func(tree string) bool) {
		t.Helper()
		s.keys("Escape")
		time.Sleep(150 * time.Millisecond)
		s.keys("/")
		s.waitText("/ ", 5*time.Second)
		s.typeText(text)
		s.waitFor(what, 10*time.Second, func(sc string) bool { return ok(treeText(sc)) })
	}
	filter("bkpdata", "hddusb_bkpdata in the tree", func(tree string) bool {
		return strings.Contains(tree, "hddusb_bkpdata") && strings.Contains(tree, "1 shown")
	})
	filter("!critical", "bkpserver and the failed drive, nothing else", func(tree string) bool {
		return strings.Contains(tree, "bkpserver") && strings.Contains(tree, "usb-images") && strings.Contains(tree, "2 shown")
	})
	filter("!failed", "the failed drive", func(tree string) bool {
		return strings.Contains(tree, "usb-images") && strings.Contains(tree, "1 shown")
	})
	filter("k3s !ok", "the k3s guests and clients", func(tree string) bool {
		return strings.Contains(tree, "k3sagent01") && !strings.Contains(tree, "bkpserver") && !strings.Contains(tree, "debiantpl")
	})
}
