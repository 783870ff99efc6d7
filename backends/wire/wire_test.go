package wire

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func testNow() time.Time { return time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC) }

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// Each config has a history of its own; the default config's is the state
// directory's, and a note says which config another one belongs to.
func TestHistoryPathForEachConfig(t *testing.T) {
	home := t.TempDir()
	getenv := envOf(map[string]string{"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state"), "XDG_CONFIG_HOME": filepath.Join(home, "config")})
	def := filepath.Join(home, "state", "backdeck", "history.db")
	if got := historyPathFor(getenv, filepath.Join(home, "config", "backdeck", "config.toml")); got != def {
		t.Errorf("the default config's history is %s, want %s", got, def)
	}
	lab := filepath.Join(home, "backdeck-lab", "config.toml")
	other := historyPathFor(getenv, lab)
	if filepath.Dir(filepath.Dir(other)) != filepath.Join(home, "state", "backdeck", "configs") || filepath.Base(other) != "history.db" ||
		!strings.HasPrefix(filepath.Base(filepath.Dir(other)), "backdeck-lab-") {
		t.Errorf("another config's history is %s", other)
	}
	if note, err := os.ReadFile(filepath.Join(filepath.Dir(other), "config-path")); err != nil || string(note) != lab+"\n" {
		t.Errorf("the note says %q (%v), want %s", note, err, lab)
	}
	if again := historyPathFor(getenv, lab); again != other {
		t.Errorf("the same config moved its history: %s, then %s", other, again)
	}
	if elsewhere := historyPathFor(getenv, filepath.Join(home, "elsewhere", "backdeck-lab", "config.toml")); elsewhere == other {
		t.Errorf("two configs share %s", other)
	}
	if got := historyPathFor(envOf(nil), lab); got != "" {
		t.Errorf("with neither HOME nor XDG_STATE_HOME: %q", got)
	}
}

func TestHostMode(t *testing.T) {
	pve := func() bool { return true }
	laptop := func() bool { return false }
	for _, c := range []struct {
		configured string
		probe      func() bool
		want       string
	}{
		{"", pve, "host"}, {"auto", pve, "host"}, {"auto", laptop, "laptop"}, {"", laptop, "laptop"},
		{"laptop", pve, "laptop"}, {"host", laptop, "host"},
	} {
		if got := hostMode(c.configured, c.probe); got != c.want {
			t.Errorf("mode %q on a PVE host %v: %s, want %s", c.configured, c.probe(), got, c.want)
		}
	}
}

func TestVzdumpDriveIsTheOneHoldingTheStorage(t *testing.T) {
	drives := []model.DriveConfig{{Serial: "IMAGES", Holds: []string{"pve/local"}}, {Serial: "FIRST", Holds: []string{"pve/a"}},
		{Serial: "VZDUMP", Holds: []string{"pve/hddusb_bkpvzdumps"}}}
	cfg := &model.Config{Drives: drives, Proxmox: &model.ProxmoxConfig{Vzdump: model.VzdumpDefault{Storage: "hddusb_bkpvzdumps"}},
		Clonezilla: &model.ClonezillaConfig{DriveSerial: "images"}}
	if got := vzdumpDrive(cfg); got != "VZDUMP" {
		t.Errorf("with a vzdump storage: %q", got)
	}
	cfg.Proxmox.Vzdump.Storage = ""
	if got := vzdumpDrive(cfg); got != "FIRST" {
		t.Errorf("without one: %q, want the first drive that is not the image drive", got)
	}
}

// The demo builds every source on the lab, with a history of its own that
// Close takes away.
func TestBuildTheDemo(t *testing.T) {
	ctx := context.Background()
	b, err := Build(ctx, Options{Demo: true, Getenv: envOf(nil), Now: testNow, IsPVEHost: func() bool { return false }})
	if err != nil {
		t.Fatal(err)
	}
	if b.Title != "demo" || b.Clonezilla == nil || b.Config.Proxmox == nil || b.Config.URBackup == nil {
		t.Errorf("title %q, clonezilla %v, config %+v", b.Title, b.Clonezilla != nil, b.Config)
	}
	p := b.Engine.RefreshNow(ctx)
	if len(p.Concerns) != 6 || len(p.Errors) != 0 || len(p.Drives) == 0 {
		t.Errorf("the demo's posture: %d concerns, errors %v, %d drives", len(p.Concerns), p.Errors, len(p.Drives))
	}
	dir := filepath.Dir(b.HistoryPath)
	if _, err := os.Stat(b.HistoryPath); err != nil {
		t.Errorf("the demo's history was not opened: %v", err)
	}
	b.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the demo's directory %s outlived Close: %v", dir, err)
	}
}

// A config's warnings reach the caller before anything else can fail; a
// missing config says how to start.
func TestBuildWarnsThenFailsWithAReason(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, "config.toml")
	text := `[proxmox]
url = "https://127.0.0.1:8006"
token_id = "backdeck@pve!console"
token_secret_file = "` + filepath.Join(home, "no-such-token") + `"
insecure = true

[[concern]]
id = "vms"
max_age = "26h"
targets = ["alpha/qemu/411"]
`
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	_, err := Build(context.Background(), Options{ConfigPath: cfg, Getenv: envOf(map[string]string{"HOME": home}), Now: testNow,
		Warn: func(w string) { warnings = append(warnings, w) }})
	if err == nil || !strings.Contains(err.Error(), "no-such-token") {
		t.Errorf("a missing secret file: %v", err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], `"alpha/qemu/411" is now "pve/qemu/411"`) {
		t.Errorf("warnings %q", warnings)
	}

	getenv := envOf(map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "xdg")})
	_, err = Build(context.Background(), Options{Getenv: getenv, Now: testNow})
	if err == nil || !strings.Contains(err.Error(), "no config at "+filepath.Join(home, "xdg", "backdeck", "config.toml")) || !strings.Contains(err.Error(), "backdeck --demo") {
		t.Errorf("no config anywhere: %v", err)
	}
	_, err = Build(context.Background(), Options{ConfigPath: filepath.Join(home, "nope.toml"), Getenv: getenv, Now: testNow})
	if err == nil || err.Error() != "no config at "+filepath.Join(home, "nope.toml") {
		t.Errorf("a --config that is missing: %v", err)
	}
}
