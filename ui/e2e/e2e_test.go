package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/needs"
)

const (
	pollEvery = 200 * time.Millisecond
	deadline  = 60 * time.Second
)

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
	sockSeq   atomic.Int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// binary builds backdeck once for every test of the package.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			buildErr = fmt.Errorf("go env GOMOD: %v", err)
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == os.DevNull {
			buildErr = fmt.Errorf("go env GOMOD found no module from %s", mustGetwd())
			return
		}
		buildDir, buildErr = os.MkdirTemp("", "backdeck-e2e-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "backdeck")
		cmd := exec.Command("go", "build", "-o", binPath, filepath.Dir(gomod))
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("cannot build backdeck: %v", buildErr)
	}
	return binPath
}

func mustGetwd() string {
	wd, _ := os.Getwd()
	return wd
}

// session is backdeck running in a tmux server of the test's own.
type session struct {
	t          *testing.T
	tmuxBin    string
	sock       string // the -L socket name: a server of the test's own
	socketPath string // where tmux put it, removed at the end
	last       string // the last screen read
	shown      bool   // a failure printed the screen already
	statusFile string // where the shell writes backdeck's exit status
}

// start runs "backdeck --demo" in a new tmux server at w×h.
func start(t *testing.T, w, h int) *session {
	t.Helper()
	return startWith(t, w, h, nil, "--demo")
}

// startWith runs "backdeck ARGS…" with env (NAME=value, after the
// defaults: TERM=linux replaces xterm-256color) in a new tmux server.
func startWith(t *testing.T, w, h int, env []string, args ...string) *session {
	t.Helper()
	needs.Command(t, "tmux", "tmux")
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatal(err)
	}
	bin := binary(t)
	s := &session{t: t, tmuxBin: tmux, sock: fmt.Sprintf("bd-e2e-%d-%d", os.Getpid(), sockSeq.Add(1))}
	t.Cleanup(func() {
		if t.Failed() && !s.shown {
			t.Logf("last screen of %s:\n%s", s.sock, s.last)
		}
		_ = exec.Command(s.tmuxBin, "-L", s.sock, "kill-server").Run()
		// tmux 3.3 leaves its socket file behind: remove ours.
		if s.socketPath != "" && filepath.Base(s.socketPath) == s.sock {
			_ = os.Remove(s.socketPath)
		}
	})
	state := t.TempDir()
	s.statusFile = filepath.Join(state, "exit-status")
	// Nothing of the operator's: no tmux.conf, own state and config
	// directories, colours on, and escape passed on at once.
	words := []string{
		"env", "-u", "NO_COLOR", "-u", "BACKDECK_CONFIG", "TERM=xterm-256color", "BACKDECK_CLOCK=" + clock(),
		"XDG_STATE_HOME=" + shellQuote(filepath.Join(state, "state")),
		"XDG_CONFIG_HOME=" + shellQuote(filepath.Join(state, "config")),
	}
	for _, e := range env {
		words = append(words, shellQuote(e))
	}
	script := `"$0"`
	for i := range args {
		script += fmt.Sprintf(` "$%d"`, i+2)
	}
	words = append(words, "sh", "-c", shellQuote(script+`; echo $? >"$1"`), shellQuote(bin), shellQuote(s.statusFile))
	for _, a := range args {
		words = append(words, shellQuote(a))
	}
	cmdline := strings.Join(words, " ")
	s.tmux("-f", os.DevNull, "new-session", "-d", "-s", "s", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), cmdline,
		";", "set-option", "-g", "remain-on-exit", "on",
		";", "set-option", "-s", "escape-time", "0")
	s.socketPath = strings.TrimSpace(s.tmux("display-message", "-p", "#{socket_path}"))
	return s
}

// defaultClock is the instant every run of the binary starts its clock at,
// so that no test depends on today's date; BACKDECK_CLOCK in the tests'
// environment runs the whole suite on another day.
const defaultClock = "2026-11-28T08:06:00Z"

func clock() string {
	if c := os.Getenv("BACKDECK_CLOCK"); c != "" {
		return c
	}
	return defaultClock
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// tmux runs a tmux command on the test's server and returns its output.
func (s *session) tmux(args ...string) string {
	s.t.Helper()
	out, err := s.tryTmux(args...)
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (s *session) tryTmux(args ...string) (string, error) {
	cmd := exec.Command(s.tmuxBin, append([]string{"-L", s.sock}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// screen reads the pane as text.
func (s *session) screen() string {
	s.t.Helper()
	out, err := s.tryTmux("capture-pane", "-p", "-t", "s")
	if err == nil {
		s.last = out
	}
	return out
}

// keys sends tmux key names (Enter, Escape, q …), one at a time.
func (s *session) keys(names ...string) {
	s.t.Helper()
	for _, k := range names {
		s.tmux("send-keys", "-t", "s", k)
	}
}

// typeText types text literally.
func (s *session) typeText(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "s", "-l", text)
}

// waitFor polls the screen every 200 ms until ok says yes or the deadline
// passes; then it fails with the last screen.
func (s *session) waitFor(what string, timeout time.Duration, ok func(screen string) bool) string {
	s.t.Helper()
	end := time.Now().Add(timeout)
	for {
		sc := s.screen()
		if ok(sc) {
			return sc
		}
		if time.Now().After(end) {
			s.shown = true
			s.t.Fatalf("after %s, still waiting for %s; the screen:\n%s", timeout, what, sc)
		}
		time.Sleep(pollEvery)
	}
}

func (s *session) waitText(text string, timeout time.Duration) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q on screen", text), timeout, func(sc string) bool { return strings.Contains(sc, text) })
}

// exited reports whether backdeck has ended: the pane is dead (it stays,
// remain-on-exit) or the session is gone.
func (s *session) exited() bool {
	out, err := s.tryTmux("display-message", "-p", "-t", "s", "#{pane_dead}")
	if err != nil {
		return true // no session, or no server: gone
	}
	return strings.TrimSpace(out) == "1"
}

// waitExit waits for backdeck to end, and to end well (exit status 0).
func (s *session) waitExit(what string) {
	s.t.Helper()
	end := time.Now().Add(10 * time.Second)
	for !s.exited() {
		if time.Now().After(end) {
			s.shown = true
			s.t.Fatalf("backdeck did not exit after %s; the screen:\n%s", what, s.screen())
		}
		time.Sleep(pollEvery)
	}
	// The shell around backdeck writes its exit status to a file (tmux
	// 3.3's #{pane_dead_status} is not always set for a pane whose
	// terminal closed first).
	end = time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(s.statusFile)
		if st := strings.TrimSpace(string(b)); err == nil && st != "" {
			if st != "0" {
				s.shown = true
				s.t.Fatalf("backdeck exited with status %s after %s; the screen:\n%s", st, what, s.last)
			}
			return
		}
		if time.Now().After(end) {
			s.t.Fatalf("backdeck's exit status was not written after %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// panes splits a dashboard line "│ tree │ detail │" into the tree's and the
// detail's text.
func panes(line string) (tree, detail string, ok bool) {
	parts := strings.Split(line, "│")
	if len(parts) < 4 {
		return "", "", false
	}
	return parts[1], parts[2], true
}

var (
	ageRe     = regexp.MustCompile(`(\d+ (?:s|min|h|d))\s*$`)
	rpTitleRe = regexp.MustCompile(`Restore points \((\d+)`)
	rpRowRe   = regexp.MustCompile(`^\s+(\d+ (?:s|min|h|d))\s+\d\d-\d\d \d\d:\d\d\s`)
	pctRe     = regexp.MustCompile(`\s(\d{1,3})%`)
)

// treeAge is the age the tree shows for a target, "" when not shown.
func treeAge(screen, name string) string {
	for _, l := range strings.Split(screen, "\n") {
		tree, _, ok := panes(l)
		if ok && strings.Contains(tree, " "+name+" ") && !strings.Contains(tree, "filter:") {
			if m := ageRe.FindStringSubmatch(tree); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// restorePoints reads the detail pane: the count in the restore points'
// title and the age of the first (newest) row.
func restorePoints(screen string) (count int, newest string) {
	count = -1
	seenTitle := false
	for _, l := range strings.Split(screen, "\n") {
		_, d, ok := panes(l)
		if !ok {
			continue
		}
		if m := rpTitleRe.FindStringSubmatch(d); m != nil {
			count, _ = strconv.Atoi(m[1])
			seenTitle = true
			continue
		}
		if seenTitle {
			if m := rpRowRe.FindStringSubmatch(d); m != nil {
				return count, m[1]
			}
		}
	}
	return count, ""
}

// jobRow is the jobs panel's line for a target, "" when none.
func jobRow(screen, name string) string {
	inJobs := false
	for _, l := range strings.Split(screen, "\n") {
		switch {
		case strings.HasPrefix(l, "├ Jobs"):
			inJobs = true
		case strings.HasPrefix(l, "├ "), strings.HasPrefix(l, "└"):
			inJobs = false
		case inJobs && strings.Contains(l, "vzdump") && strings.Contains(l, name):
			return l
		}
	}
	return ""
}

var secondsRe = regexp.MustCompile(`^\d+ s$`)

// TestBackupOfAGuest: the operator filters to k3sagent01, presses b, sees
// the job's progress bar run to its end, and then the new restore point.
func TestBackupOfAGuest(t *testing.T) {
	t.Parallel()
	s := start(t, 80, 24)
	s.waitText("k3sagent01", deadline)
	s.waitText("no jobs running", deadline)

	s.keys("/")
	s.waitText("/ ", 5*time.Second)
	s.typeText("k3sagent01")
	s.keys("Enter")
	sc := s.waitFor("the filter kept and k3sagent01 in the detail pane", 10*time.Second, func(sc string) bool {
		return strings.Contains(sc, "filter: k3sagent01") && strings.Contains(sc, "k3sagent01 · VM 421")
	})
	before, _ := restorePoints(sc)
	if before < 0 {
		t.Fatalf("no restore points in the detail pane:\n%s", sc)
	}
	ageBefore := treeAge(sc, "k3sagent01")
	t.Logf("before the backup: %d restore points, the last %s old", before, ageBefore)

	s.keys("b")
	maxPct := -1
	seePct := func(row string) {
		if m := pctRe.FindStringSubmatch(row); m != nil && strings.ContainsAny(row, "█░") {
			p, _ := strconv.Atoi(m[1])
			maxPct = max(maxPct, p)
		}
	}
	s.waitFor("a progress bar row for k3sagent01 in the jobs panel", 20*time.Second, func(sc string) bool {
		row := jobRow(sc, "k3sagent01")
		seePct(row)
		return strings.Contains(row, "⟳") && strings.ContainsAny(row, "█░") && pctRe.MatchString(row)
	})
	var ended string
	s.waitFor("the job row to show 100% or succeeded", deadline, func(sc string) bool {
		row := jobRow(sc, "k3sagent01")
		seePct(row)
		for _, word := range []string{"failed", "cancelled", "WARNINGS", "nothing to do"} {
			if strings.Contains(row, word) {
				t.Fatalf("the backup ended %q:\n%s", word, sc)
			}
		}
		if strings.Contains(row, "succeeded") || strings.Contains(row, "100%") {
			ended = row
			return true
		}
		return false
	})
	if !strings.Contains(ended, "100%") {
		// 100 % may show for a split second only: the row ends in its word,
		// and a percentage above 0 was seen on the way.
		if maxPct <= 0 {
			t.Fatalf("the job row never showed a percentage above 0 before %q", strings.TrimSpace(ended))
		}
		t.Logf("saw up to %d%% before: %s", maxPct, strings.TrimSpace(ended))
	}
	s.waitText("succeeded", deadline)

	sc = s.waitFor("the new restore point: the tree's age in seconds (or 1 min) and the newest point seconds old", deadline, func(sc string) bool {
		age := treeAge(sc, "k3sagent01")
		count, newest := restorePoints(sc)
		return (secondsRe.MatchString(age) || age == "1 min") && count == before+1 && secondsRe.MatchString(newest)
	})
	count, newest := restorePoints(sc)
	t.Logf("after the backup: %d restore points, the newest %s old; the tree says %s", count, newest, treeAge(sc, "k3sagent01"))
	for _, want := range []string{"last backup", "max age", "b backup"} {
		if !strings.Contains(sc, want) {
			t.Fatalf("the detail pane lost %q:\n%s", want, sc)
		}
	}

	s.keys("q")
	s.waitExit("q with the job ended")
}

// TestQuitAndEsc: esc never quits; q with no job running quits at once.
func TestQuitAndEsc(t *testing.T) {
	t.Parallel()
	s := start(t, 80, 24)
	s.waitText("k3sagent01", deadline)
	s.waitText("no jobs running", deadline)
	for range 3 {
		s.keys("Escape")
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if s.exited() {
		t.Fatalf("esc quit backdeck; the screen:\n%s", s.screen())
	}
	s.waitText("Concerns & targets", 5*time.Second)
	s.keys("q")
	s.waitExit("q with no job running")
}

// TestTooSmall: below 80×24 the dashboard says so, and q still quits.
func TestTooSmall(t *testing.T) {
	t.Parallel()
	s := start(t, 80, 24)
	s.waitText("k3sagent01", deadline)
	s.waitText("no jobs running", deadline)
	s.tmux("resize-window", "-t", "s", "-x", "60", "-y", "20")
	s.waitText("terminal too small: 60×20, needs 80×24", 10*time.Second)
	s.keys("Escape")
	time.Sleep(500 * time.Millisecond)
	if s.exited() {
		t.Fatal("esc quit the small screen")
	}
	s.keys("q")
	s.waitExit("q on the small screen")
}

// jobRowOf is the jobs panel's line for a method on a target, "" when none.
func jobRowOf(screen, method, name string) string {
	inJobs := false
	for _, l := range strings.Split(screen, "\n") {
		switch {
		case strings.HasPrefix(l, "├ Jobs"):
			inJobs = true
		case strings.HasPrefix(l, "├ "), strings.HasPrefix(l, "└"):
			inJobs = false
		case inJobs && strings.Contains(l, method+" ") && strings.Contains(l, " "+name+" "):
			return l
		}
	}
	return ""
}

// detailLine is the detail pane's line that starts with label, "" when none.
func detailLine(screen, label string) string {
	for _, l := range strings.Split(screen, "\n") {
		if _, d, ok := panes(l); ok && strings.HasPrefix(strings.TrimSpace(d), label) {
			return strings.TrimSpace(d)
		}
	}
	return ""
}

var lastBackupSecondsRe = regexp.MustCompile(`^last backup\s+\d+ s ago`)

// TestIncrementalBackupOfAnUrBackupClient: the operator filters to the
// UrBackup client k3sagent01 by its id (the VM of the same name is left
// out), presses i, sees the job in the jobs panel (a spinner while UrBackup
// indexes, then its progress), waits for its end (the demo's UrBackup
// backups take about 20 s), and sees the client's last backup a few
// seconds old in the tree and in the detail pane.
func TestIncrementalBackupOfAnUrBackupClient(t *testing.T) {
	t.Parallel()
	s := start(t, 80, 24)
	s.waitText("Application data", deadline)
	s.waitText("no jobs running", deadline)

	s.keys("/")
	s.waitText("/ ", 5*time.Second)
	s.typeText("urbackup/k3sagent01")
	s.keys("Enter")
	sc := s.waitFor("the filter kept and the UrBackup client k3sagent01 in the detail pane", 10*time.Second, func(sc string) bool {
		return strings.Contains(sc, "filter: urbackup/k3sagent01") && strings.Contains(sc, "k3sagent01 · UrBackup client · online")
	})
	if strings.Contains(sc, "Virtual machines") || strings.Contains(sc, "VM 421") {
		t.Fatalf("the filter on the client's id shows the VM too:\n%s", sc)
	}
	if !strings.Contains(sc, "i incremental") {
		t.Fatalf("the client's actions are not shown:\n%s", sc)
	}
	t.Logf("before the backup: the tree says %q, the detail %q", treeAge(sc, "k3sagent01"), detailLine(sc, "last backup"))

	s.keys("i")
	begun := time.Now()
	s.waitFor("a running incremental file backup of k3sagent01 in the jobs panel", 20*time.Second, func(sc string) bool {
		return strings.Contains(jobRowOf(sc, "incr file", "k3sagent01"), "⟳")
	})
	var ended string
	s.waitFor("the job to end", deadline, func(sc string) bool {
		row := jobRowOf(sc, "incr file", "k3sagent01")
		for _, word := range []string{"failed", "cancelled", "nothing to do", "WARNINGS"} {
			if strings.Contains(row, word) {
				s.shown = true
				t.Fatalf("the backup ended %q:\n%s", word, sc)
			}
		}
		if strings.Contains(row, "succeeded") {
			ended = strings.TrimSpace(row)
			return true
		}
		return false
	})
	t.Logf("ended after %s: %s", time.Since(begun).Round(time.Second), ended)

	sc = s.waitFor("the client's last backup a few seconds old in the tree and the detail pane", deadline, func(sc string) bool {
		age := treeAge(sc, "k3sagent01")
		return (secondsRe.MatchString(age) || age == "1 min") && lastBackupSecondsRe.MatchString(detailLine(sc, "last backup"))
	})
	t.Logf("after the backup: the tree says %q, the detail %q", treeAge(sc, "k3sagent01"), detailLine(sc, "last backup"))
	if rp := detailLine(sc, "Restore points"); rp == "" {
		t.Fatalf("the detail pane lost its restore points:\n%s", sc)
	}

	s.keys("q")
	s.waitExit("q with the job ended")
}
