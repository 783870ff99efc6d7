package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
)

// imagesOf is how many images status --json lists for a host disk.
func imagesOf(t *testing.T, statusJSON, target string) int {
	t.Helper()
	var doc struct {
		Concerns []struct {
			Targets []struct {
				ID     string            `json:"id"`
				Images []json.RawMessage `json:"images"`
			} `json:"targets"`
		} `json:"concerns"`
	}
	if err := json.Unmarshal([]byte(statusJSON), &doc); err != nil {
		t.Fatalf("%v\n%s", err, statusJSON)
	}
	for _, c := range doc.Concerns {
		for _, tg := range c.Targets {
			if tg.ID == target {
				return len(tg.Images)
			}
		}
	}
	t.Fatalf("no target %s in\n%s", target, statusJSON)
	return 0
}

// What the lab's config saw (its images, kept for while the image drive is
// away) never shows under another config: each config has its own history
// and caches.
func TestALabLeavesNothingInAnotherConfigsView(t *testing.T) {
	now := testClock
	h, err := lab.StartHomelab(lab.HomelabOptions{PVE: labpve.Options{Now: func() time.Time { return now }}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	home := t.TempDir()
	labCfg, err := h.WriteConfig(filepath.Join(home, "backdeck-lab"))
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, _ := runIn(t, home, "status", "--json", "--config", labCfg)
	if n := imagesOf(t, out, "clonezilla/pve-ssd"); n == 0 {
		t.Fatalf("the lab's config shows no image of pve-ssd: %s", errOut)
	}

	// A real config, the same but for an image directory that never existed.
	b, err := os.ReadFile(labCfg)
	if err != nil {
		t.Fatal(err)
	}
	images := filepath.Join(filepath.Dir(labCfg), "partimag")
	mine := strings.ReplaceAll(string(b), images, filepath.Join(home, "never", "partimag"))
	if mine == string(b) {
		t.Fatal("the lab's config names no image directory")
	}
	real := filepath.Join(home, "config", "backdeck", "config.toml")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte(mine), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, _ = runIn(t, home, "status", "--json")
	if n := imagesOf(t, out, "clonezilla/pve-ssd"); n != 0 {
		t.Errorf("the real config shows %d images of the lab's: %s", n, errOut)
	}
	if _, err := os.Stat(filepath.Join(home, "state", "backdeck", "history.db")); err != nil {
		t.Errorf("the default config's history is not in the state directory: %v", err)
	}
}

// A config written with node-prefixed ids (the old form) still finds its
// guests, and says which id to write.
func TestOldTargetIDsLoadWithAWarning(t *testing.T) {
	now := testClock
	h, err := lab.StartHomelab(lab.HomelabOptions{PVE: labpve.Options{Now: func() time.Time { return now }}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	home := t.TempDir()
	cfg, err := h.WriteConfig(filepath.Join(home, "lab"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(cfg)
	old := strings.Replace(string(b), `"pve/qemu/411"`, `"alpha/qemu/411"`, 1)
	if old == string(b) {
		t.Fatal("the lab's config names no pve/qemu/411")
	}
	if err := os.WriteFile(cfg, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, _ := runIn(t, home, "status", "--json", "--config", cfg)
	if !strings.Contains(errOut, `warning:`) || !strings.Contains(errOut, `"alpha/qemu/411" is now "pve/qemu/411"`) {
		t.Errorf("no warning naming the new id: %s", errOut)
	}
	var doc struct {
		Concerns []struct {
			Targets []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"targets"`
		} `json:"concerns"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range doc.Concerns {
		for _, tg := range c.Targets {
			if tg.ID == "pve/qemu/411" && tg.Status != "unknown" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("k3sserver01 not found under its new id:\n%s", out)
	}
}
