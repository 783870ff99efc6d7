package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the built binary headless and returns its output and exit code.
func runCLI(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLIWithInput(t, "", env, args...)
}

// runCLIWithInput is runCLI with what the operator types on standard input.
func runCLIWithInput(t *testing.T, input string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Stdin = strings.NewReader(input)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_STATE_HOME="+filepath.Join(home, "state"), "BACKDECK_CONFIG=", "BACKDECK_CLOCK="+clock())
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running backdeck %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

func TestStatusJSONOnTheDemo(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCLI(t, nil, "status", "--demo", "--json")
	if code != 2 {
		t.Fatalf("exit %d, want 2 (bkpserver's last backup is 8 days old); stderr %s", code, errOut)
	}
	var doc struct {
		Overall  string `json:"overall"`
		Concerns []struct {
			ID      string `json:"id"`
			Targets []struct {
				ID         string  `json:"id"`
				Status     string  `json:"status"`
				LastBackup *string `json:"last_backup"`
			} `json:"targets"`
		} `json:"concerns"`
		Stores []struct {
			ID     string  `json:"id"`
			FullAt *string `json:"full_at"`
		} `json:"stores"`
		Drives []json.RawMessage `json:"drives"`
		Jobs   []json.RawMessage `json:"jobs"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("status --json is not one JSON object: %v\n%s", err, out)
	}
	if doc.Overall != "critical" {
		t.Fatalf("overall = %q", doc.Overall)
	}
	ids := map[string]bool{}
	for _, c := range doc.Concerns {
		ids[c.ID] = true
		for _, tg := range c.Targets {
			if tg.ID == "pve/qemu/431" && tg.Status != "critical" {
				t.Errorf("bkpserver = %s", tg.Status)
			}
		}
	}
	for _, want := range []string{"vms", "cluster", "appdata", "userdata", "backups"} {
		if !ids[want] {
			t.Errorf("concern %q missing: %v", want, ids)
		}
	}
	full := false
	for _, s := range doc.Stores {
		if s.ID == "pve/hddusb_bkpvzdumps" && s.FullAt != nil {
			full = true
		}
	}
	if !full {
		t.Errorf("the backup store has no full_at from the demo's usage history: %s", out)
	}
	if len(doc.Errors) != 0 {
		t.Errorf("the demo reports errors: %s", out)
	}
}

func TestRunFollowsAVzdumpToItsEnd(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCLI(t, nil, "run", "pve/qemu/422", "--method", "vzdump", "--demo", "--json")
	if code != 0 {
		t.Fatalf("exit %d; stdout %s; stderr %s", code, out, errOut)
	}
	var last map[string]any
	lines, sawPercent := 0, false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		lines++
		last = nil
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %d is not JSON: %q", lines, sc.Text())
		}
		for _, k := range []string{"state", "percent", "done_bytes", "total_bytes", "bytes_per_second", "eta_seconds", "message"} {
			if _, ok := last[k]; !ok {
				t.Fatalf("line %d lacks %q: %s", lines, k, sc.Text())
			}
		}
		if p, ok := last["percent"].(float64); ok && p > 0 && p < 100 {
			sawPercent = true
		}
	}
	if lines < 5 || !sawPercent || last["state"] != "succeeded" {
		t.Fatalf("%d lines, progress seen %v, last %v", lines, sawPercent, last)
	}
}

func TestRunRefusesWithReasons(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"run", "urbackup/k3sserver01", "--method", "incr-file", "--demo"}, 2, "offline"},
		{[]string{"run", "pve/qemu/421", "--method", "frob", "--demo"}, 64, "unknown method"},
		{[]string{"run", "--demo"}, 64, "give one TARGET"},
	}
	for _, c := range cases {
		_, errOut, code := runCLI(t, nil, c.args...)
		if code != c.code || !strings.Contains(errOut, c.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.says)
		}
	}
}

func TestBrokenConfigNamesFileLineAndKeyButNoSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	const secret = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	text := "[proxmox]\nurl = \"https://pve.homelab.cloud:8006\"\ntoken_id = \"backdeck@pve!console\"\ntoken_secret = \"" + secret + "\"\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, nil, "status", "--config", cfg)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (unknown)", code)
	}
	if !strings.Contains(errOut, cfg+":4:") || !strings.Contains(errOut, "token_secret") || !strings.Contains(errOut, "inline secrets are not allowed") {
		t.Fatalf("the message must name the file, line 4 and the key: %q", errOut)
	}
	if strings.Contains(out+errOut, secret) {
		t.Fatal("the secret was printed")
	}
}
