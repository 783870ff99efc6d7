package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a Writer the test can read while the command writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// backdeck lab runs until interrupted, says where its servers are, and
// writes a config (secrets beside it, private) that status can use.
func TestLabRunsUntilInterruptedWithAConfig(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, "mylab", "config.toml")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	vars := map[string]string{"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state"), "BACKDECK_CLOCK": testClock.Format(time.RFC3339)}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Env{Args: []string{"lab", "--config-out", cfg, "--nodes", "alpha,beta", "--backup-duration", "1s"},
			Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return vars[k] }})
	}()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(out.String(), "Press Ctrl+C to stop.") {
		select {
		case code := <-done:
			t.Fatalf("lab ended at once: exit %d\n%s%s", code, out.String(), errOut.String())
		case <-deadline:
			t.Fatalf("lab said nothing in 30 s:\n%s%s", out.String(), errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	for _, want := range []string{"PVE API       https://127.0.0.1:", "UrBackup      https://127.0.0.1:", "config        " + cfg, "Try: backdeck --config " + cfg} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lab's output lacks %q:\n%s", want, out.String())
		}
	}
	for _, secret := range []string{"pve-token", "urbackup-password"} {
		st, err := os.Stat(filepath.Join(filepath.Dir(cfg), secret))
		if err != nil {
			t.Errorf("%s: %v", secret, err)
		} else if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", secret, st.Mode().Perm())
		}
	}

	// The lab answers while it runs: its guests are dealt over its nodes.
	status, statusErr, _ := runIn(t, home, "status", "--json", "--config", cfg)
	nodes := map[string]bool{}
	var doc struct {
		Concerns []struct {
			Targets []struct{ Node string } `json:"targets"`
		} `json:"concerns"`
	}
	if err := json.Unmarshal([]byte(status), &doc); err != nil {
		t.Fatalf("%v\n%s", err, statusErr)
	}
	for _, c := range doc.Concerns {
		for _, tg := range c.Targets {
			if tg.Node != "" {
				nodes[tg.Node] = true
			}
		}
	}
	if !nodes["alpha"] || !nodes["beta"] || len(nodes) != 2 {
		t.Errorf("guests on nodes %v, want alpha and beta\n%s", nodes, statusErr)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("interrupted lab: exit %d\n%s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("lab did not end when interrupted")
	}
}
