package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/needs"
)

// startLab runs `backdeck lab` in the background and returns the PVE
// API's address and the token secret it wrote.
func startLab(t *testing.T, dir string) (pveURL, secret string) {
	t.Helper()
	cfg := filepath.Join(dir, "lab", "config.toml")
	cmd := exec.Command(binary(t), "lab", "--config-out", cfg)
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_STATE_HOME="+filepath.Join(dir, "lab-state"), "BACKDECK_CLOCK="+clock())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	apiLine := regexp.MustCompile(`^PVE API\s+(https://127\.0\.0\.1:\d+)/api2/json$`)
	deadline := time.After(60 * time.Second)
	for pveURL == "" || secret == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("backdeck lab ended before it said where its servers are")
			}
			if m := apiLine.FindStringSubmatch(l); m != nil {
				pveURL = m[1]
			}
			if strings.HasPrefix(l, "Press Ctrl+C to stop.") {
				b, err := os.ReadFile(filepath.Join(filepath.Dir(cfg), "pve-token"))
				if err != nil {
					t.Fatal(err)
				}
				secret = strings.TrimSpace(string(b))
			}
		case <-deadline:
			t.Fatal("backdeck lab said nothing in 60 s")
		}
	}
	go func() { // keep the pipe drained
		for range lines {
		}
	}()
	return pveURL, secret
}

// startBackdeck runs plain `backdeck` in a tmux server of the test's own,
// with empty config and state directories.
func startBackdeck(t *testing.T, home string, w, h int) *session {
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
		if s.socketPath != "" && filepath.Base(s.socketPath) == s.sock {
			_ = os.Remove(s.socketPath)
		}
	})
	s.statusFile = filepath.Join(home, "exit-status")
	cmdline := strings.Join([]string{
		"env", "-u", "NO_COLOR", "-u", "BACKDECK_CONFIG", "TERM=xterm-256color", "BACKDECK_CLOCK=" + clock(),
		"HOME=" + shellQuote(home),
		"XDG_STATE_HOME=" + shellQuote(filepath.Join(home, "state")),
		"XDG_CONFIG_HOME=" + shellQuote(filepath.Join(home, "config")),
		"sh", "-c", shellQuote(`"$0"; echo $? >"$1"`), shellQuote(bin), shellQuote(s.statusFile),
	}, " ")
	s.tmux("-f", os.DevNull, "new-session", "-d", "-s", "s", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), cmdline,
		";", "set-option", "-g", "remain-on-exit", "on",
		";", "set-option", "-s", "escape-time", "0")
	s.socketPath = strings.TrimSpace(s.tmux("display-message", "-p", "#{socket_path}"))
	return s
}

// enterUntil presses Enter until text is on the screen.
func (s *session) enterUntil(text string) {
	s.t.Helper()
	end := time.Now().Add(deadline)
	for !strings.Contains(s.screen(), text) {
		if time.Now().After(end) {
			s.shown = true
			s.t.Fatalf("still waiting for %q; the screen:\n%s", text, s.last)
		}
		s.keys("Enter")
		time.Sleep(400 * time.Millisecond)
	}
}

// With no config, backdeck starts the wizard; completed against backdeck
// lab, it writes the config and opens the dashboard on the lab's guests.
func TestTheWizardFromNothingToTheDashboard(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	pveURL, secret := startLab(t, home)
	s := startBackdeck(t, home, 100, 40)
	noSecret := func(sc string) {
		t.Helper()
		if strings.Contains(sc, secret) {
			s.shown = true
			t.Fatal("the token secret is on the screen")
		}
	}

	s.waitText("backdeck setup · step 1 of 8 · Where am I", deadline)
	s.keys("Enter") // laptop mode: this machine is no PVE host
	// Keys typed before the form has moved the focus go to the field
	// left behind (seen on a loaded machine: "tps://…"): wait for it.
	s.waitText("┃ The PVE host's API", deadline)
	s.typeText(pveURL)
	s.keys("Enter")
	s.waitText("step 2 of 8 · Trust the PVE host", deadline)
	s.waitText("pvenode cert info", deadline)
	s.keys("Enter") // pin it
	s.waitText("step 3 of 8 · The API token", deadline)
	s.keys("Enter") // backdeck@pve!console, the lab's
	s.waitText("┃ Token secret", deadline)
	s.typeText(secret)
	noSecret(s.screen())
	s.keys("Enter", "Enter")
	s.waitText("PVE 8.4.1 accepts the token backdeck@pve!console.", deadline)
	s.keys("Enter")
	s.waitText("step 4 of 8 · What it found", deadline)
	s.waitText("k3sagent01 (VM 421)", deadline)
	s.keys("Enter")
	s.waitText("Watch an UrBackup server too?", deadline)
	s.keys("n")
	s.waitText("step 6 of 8 · Drives", deadline)
	s.enterUntil("step 7 of 8 · Concerns")
	s.enterUntil("step 8 of 8 · Write the config")
	s.waitText("[[concern]] cluster, max age 26h: pve/qemu/411, pve/qemu/421, pve/qemu/422", deadline)
	s.keys("Enter")
	s.waitText("Written:", deadline)
	noSecret(s.last)
	s.keys("Enter") // open the dashboard
	sc := s.waitFor("the dashboard with the lab's guests", deadline, func(sc string) bool {
		return strings.Contains(sc, "Concerns & targets") && strings.Contains(sc, "k3sagent01") && strings.Contains(sc, "bkpserver")
	})
	noSecret(sc)

	cfg := filepath.Join(home, "config", "backdeck", "config.toml")
	for _, f := range []string{cfg, filepath.Join(filepath.Dir(cfg), "pve-token")} {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v; want it written, mode 0600", f, err)
		}
	}
	text, _ := os.ReadFile(cfg)
	if strings.Contains(string(text), secret) || !strings.Contains(string(text), `url = "`+pveURL+`"`) {
		t.Errorf("the config written:\n%s", text)
	}
	s.keys("q")
	s.waitExit("q in the dashboard")
}
