package probe

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/backends/lab"
)

// fakeTools is the lab's fake lsblk, smartctl and lvs, with pveversion and
// the --version of each answered as on a PVE 8.4 host; missing names a
// tool that is not installed.
func fakeTools(missing string) func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	labRun := lab.SmartctlRunner()
	return func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		if name == missing {
			return nil, -1, &exec.Error{Name: name, Err: exec.ErrNotFound}
		}
		if name == "pveversion" {
			return []byte("pve-manager/8.4.1/2a5fa54a8503f96d (running kernel: 6.8.12-10-pve)\n"), 0, nil
		}
		if len(args) == 1 && args[0] == "--version" {
			return []byte(name + " 7.3 (fake)\nmore\n"), 0, nil
		}
		return labRun(ctx, name, args...)
	}
}

func TestDetectHost(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	env := HostEnv{Root: root, Run: fakeTools("")}
	if h := DetectHost(context.Background(), env); h.PVE || h.Mode() != "laptop" {
		t.Errorf("without /etc/pve: %+v", h)
	}
	if err := os.MkdirAll(filepath.Join(root, "etc", "pve"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := DetectHost(context.Background(), env)
	if !h.PVE || h.Mode() != "host" || !strings.HasPrefix(h.Version, "pve-manager/8.4.1") {
		t.Errorf("with /etc/pve: %+v", h)
	}
	if !strings.Contains(ModeWords("host"), "smartctl") || !strings.Contains(ModeWords("laptop"), "disks API") {
		t.Error("the modes' words do not say what each sees")
	}
}

func TestHostTools(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	byID := func(cs []Check) map[string]Check {
		m := map[string]Check{}
		for _, c := range cs {
			m[c.ID] = c
		}
		return m
	}
	root := func() int { return 0 }
	all := byID(HostTools(ctx, HostEnv{Run: fakeTools(""), Euid: root}))
	for _, id := range []string{"host.smartctl", "host.lsblk", "host.lvs"} {
		if all[id].Status != OK {
			t.Errorf("%s: %s %q", id, all[id].Status, all[id].Detail)
		}
	}
	if !strings.Contains(all["host.lsblk"].Detail, "block devices") {
		t.Errorf("lsblk: %q", all["host.lsblk"].Detail)
	}
	noSmart := byID(HostTools(ctx, HostEnv{Run: fakeTools("smartctl"), Euid: root}))
	if c := noSmart["host.smartctl"]; c.Status != Off || !strings.Contains(c.Detail, "apt install smartmontools") {
		t.Errorf("smartctl missing: %s %q", c.Status, c.Detail)
	}
	notRoot := byID(HostTools(ctx, HostEnv{Run: fakeTools(""), Euid: func() int { return 1000 }}))
	if c := notRoot["host.smartctl"]; c.Status != Off || !strings.Contains(c.Detail, "root") {
		t.Errorf("not root: %s %q", c.Status, c.Detail)
	}
}

func TestSecretFileModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := filepath.Join(dir, "pve-token")
	if c := SecretFile("x", "the PVE token secret", f); c.Status != Fail || !strings.Contains(c.Detail, "does not exist") {
		t.Errorf("missing: %s %q", c.Status, c.Detail)
	}
	const secretText = "5e3d1c3a-very-secret"
	if err := os.WriteFile(f, []byte(secretText), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f, 0o644); err != nil {
		t.Fatal(err)
	}
	c := SecretFile("x", "the PVE token secret", f)
	if c.Status != Fail || !strings.Contains(c.Detail, "chmod 600") || strings.Contains(c.Detail, secretText) {
		t.Errorf("0644: %s %q", c.Status, c.Detail)
	}
	if err := os.Chmod(f, 0o600); err != nil {
		t.Fatal(err)
	}
	if c := SecretFile("x", "the PVE token secret", f); c.Status != OK || !strings.Contains(c.Detail, "0600") {
		t.Errorf("0600: %s %q", c.Status, c.Detail)
	}
	env := func(k string) string { return map[string]string{"SET": "x"}[k] }
	if SecretEnv("x", "s", "SET", env).Status != OK || SecretEnv("x", "s", "UNSET", env).Status != Fail {
		t.Error("environment variables: set is fine, unset fails")
	}
}

func TestStateDirAndHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "state", "backdeck")
	if c := StateDir(dir); c.Status != OK {
		t.Errorf("a new state dir: %s %q", c.Status, c.Detail)
	}
	hist := filepath.Join(dir, "history.db")
	if c := History(ctx, hist); c.Status != OK || !strings.Contains(c.Detail, "not created yet") {
		t.Errorf("no history yet: %s %q", c.Status, c.Detail)
	}
	if _, err := os.Stat(hist); err == nil {
		t.Error("checking the history created it")
	}
	if err := os.WriteFile(hist, []byte(strings.Repeat("this is no SQLite database ", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := History(ctx, hist); c.Status != Off {
		t.Errorf("a damaged history: %s %q", c.Status, c.Detail)
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if c := StateDir(ro); c.Status != Off {
			t.Errorf("a read-only state dir: %s %q", c.Status, c.Detail)
		}
	}
}
