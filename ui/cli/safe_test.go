package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
)

// hostile is an OSC that sets the title, BEL, a CSI that clears the screen,
// an 8-bit (C1) CSI and a carriage return: what the issue saw reach the
// terminal through names, error reasons, task logs and file names.
const hostile = "\x1b]0;pwned\x07\x1b[2J\u009b2J\r"

// mustBeSafe fails when out holds a control character other than newline
// and tab, raw or as a C1 rune.
func mustBeSafe(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			t.Errorf("%s: control character %U reached the terminal:\n%q", what, r, out)
			return
		}
	}
}

// labWith starts the lab with fast jobs and writes its config into home.
func labWith(t *testing.T, home string) (*lab.Homelab, string) {
	t.Helper()
	now := testClock
	start := time.Now()
	h, err := lab.StartHomelab(lab.HomelabOptions{PVE: labpve.Options{BackupDuration: time.Second, TaskDuration: 100 * time.Millisecond,
		Now: func() time.Time { return now.Add(time.Since(start)) }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	cfg, err := h.WriteConfig(filepath.Join(home, "lab"))
	if err != nil {
		t.Fatal(err)
	}
	return h, cfg
}

// Every text the CLI prints from outside is made safe: a guest's name in
// status (text and JSON), the vzdump task log in run, PVE's reason for a
// refusal, image directory names in clonezilla list and prune.
func TestOutsideTextNeverReachesTheTerminalRaw(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	h.PVE.RenameGuest(421, "web"+hostile)

	out, errOut, _ := runIn(t, home, "status", "--config", cfg)
	mustBeSafe(t, "status", out+errOut)
	if !strings.Contains(out, "web^[]0;pwned^G") {
		t.Errorf("the name is not shown with its control characters as text:\n%s", out)
	}
	out, errOut, _ = runIn(t, home, "status", "--json", "--config", cfg)
	mustBeSafe(t, "status --json", out+errOut)

	out, errOut, code := runIn(t, home, "run", "pve/qemu/421", "--method", "vzdump", "--config", cfg)
	mustBeSafe(t, "run", out+errOut)
	if code != 0 || !strings.Contains(out, "succeeded") {
		t.Errorf("run: exit %d\n%s%s", code, out, errOut)
	}

	h.PVE.SetLock(421, "backup"+hostile)
	out, errOut, code = runIn(t, home, "run", "pve/qemu/421", "--method", "snapshot", "--config", cfg)
	mustBeSafe(t, "run refused", out+errOut)
	if code == 0 || !strings.Contains(errOut, "^[") {
		t.Errorf("a locked guest: exit %d, and the refusal does not show the lock:\n%s%s", code, out, errOut)
	}

	// An UrBackup client's name, in a config that takes every client.
	h.URBackup.RenameClient("k3sagent02", "agent"+hostile)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	every := strings.Replace(string(b), `targets = ["urbackup/k3sagent01", "urbackup/k3sagent02"]`, `targets = ["urbackup/*"]`, 1)
	if every == string(b) {
		t.Fatal("the lab's config has no userdata concern to widen")
	}
	if err := os.WriteFile(cfg, []byte(every), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"status"}, {"status", "--json"}} {
		out, errOut, _ := runIn(t, home, append(args, "--config", cfg)...)
		mustBeSafe(t, strings.Join(args, " ")+" with a client's name", out+errOut)
		if !strings.Contains(out, "agent^[]0;pwned") && !strings.Contains(out, `agent\u001b]0;pwned`) {
			t.Errorf("%s does not show the client:\n%s%s", strings.Join(args, " "), out, errOut)
		}
	}

	// An image directory whose name holds control characters.
	images := filepath.Join(filepath.Dir(cfg), "partimag")
	entries, err := os.ReadDir(images)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no lab images: %v", err)
	}
	first := entries[0].Name()
	if err := os.Rename(filepath.Join(images, first), filepath.Join(images, first+hostile)); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"clonezilla", "list"}, {"clonezilla", "list", "--json"}, {"clonezilla", "prune"}} {
		out, errOut, _ := runIn(t, home, append(args, "--config", cfg)...)
		mustBeSafe(t, strings.Join(args, " "), out+errOut)
		if !strings.Contains(out, first) {
			t.Errorf("%s does not list %s:\n%s%s", strings.Join(args, " "), first, out, errOut)
		}
	}
}
