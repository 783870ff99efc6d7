package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// imageList is clonezilla list --json, as far as these tests read it.
type imageList []struct {
	Name     string `json:"name"`
	Path     string `json:"path"`
	Disks    []struct{ Serial string }
	Verified *struct {
		Level int  `json:"level"`
		OK    bool `json:"ok"`
	} `json:"verified"`
}

func listImagesOf(t *testing.T, home string, args ...string) imageList {
	t.Helper()
	out, errOut, code := runIn(t, home, append([]string{"clonezilla", "list", "--json"}, args...)...)
	var images imageList
	if err := json.Unmarshal([]byte(out), &images); err != nil || code != 0 {
		t.Fatalf("clonezilla list --json: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	return images
}

func TestClonezillaListOnTheDemo(t *testing.T) {
	home := t.TempDir()
	images := listImagesOf(t, home, "--demo")
	serials := map[string]int{}
	for _, img := range images {
		if img.Verified != nil || len(img.Disks) != 1 {
			t.Errorf("image %+v", img)
			continue
		}
		serials[img.Disks[0].Serial]++
	}
	if len(images) != 10 || serials["S5GXNX0T"] != 5 || serials["ZFL1ABCD"] != 5 {
		t.Errorf("%d images, per disk serial %v", len(images), serials)
	}
	out, _, code := runIn(t, home, "clonezilla", "list", "--demo")
	if code != 0 || !strings.Contains(out, images[0].Name+"  saved 2026-") || !strings.Contains(out, "not verified: backdeck clonezilla verify "+images[0].Name+" --demo") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// A verification by name is kept in the config's history, and list shows it.
func TestClonezillaVerifyIsKeptAndListed(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	newest := listImagesOf(t, home, "--config", cfg)[0]
	out, errOut, code := runIn(t, home, "clonezilla", "verify", newest.Name, "--level", "1", "--config", cfg)
	if code != 0 || !strings.Contains(out, newest.Name+": whole (level 1") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	if v := listImagesOf(t, home, "--config", cfg)[0].Verified; v == nil || !v.OK || v.Level != 1 {
		t.Errorf("list after the verification: %+v", v)
	}
	out, _, _ = runIn(t, home, "clonezilla", "list", "--config", cfg)
	if !strings.Contains(out, "✓ verified whole at level 1, ") {
		t.Errorf("the text list does not show the verification:\n%s", out)
	}

	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"no-such-image"}, 2, "no image named no-such-image in"},
		{[]string{"--all", newest.Name}, exitUsage, "give one IMAGE"},
		{[]string{newest.Name, "--level", "4"}, exitUsage, "--level is 1, 2 or 3"},
	} {
		_, errOut, code := runIn(t, home, append(append([]string{"clonezilla", "verify"}, c.args...), "--config", cfg)...)
		if code != c.code || !strings.Contains(errOut, "backdeck clonezilla verify: "+c.says) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errOut, c.code, c.says)
		}
	}
}

// prune previews what the keep rules drop, then removes only what the
// operator names; a config without [clonezilla] is told what to add.
func TestClonezillaPruneRemovesOnlyWhatIsTyped(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	out, _, code := runIn(t, home, "clonezilla", "prune", "--config", cfg)
	var drop []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "remove" {
			drop = append(drop, f[1])
		}
	}
	if code != 0 || len(drop) < 2 || !strings.Contains(out, "(keep_last = 2, keep_monthly = 3)") || !strings.Contains(out, "nothing was removed") {
		t.Fatalf("preview: exit %d, drops %v\n%s", code, drop, out)
	}
	images := filepath.Join(filepath.Dir(cfg), "partimag")
	out, errOut, code := runWith(t, home, session{input: drop[0] + "\nnot-its-name\n"}, "clonezilla", "prune", "--remove", "--config", cfg)
	want := "type " + drop[0] + " to remove it (Enter skips):   removed " + filepath.Join(images, drop[0])
	if code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "  skipped\n") || !strings.Contains(out, "1 of ") {
		t.Errorf("remove: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(images, drop[0])); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", drop[0], err)
	}
	if _, err := os.Stat(filepath.Join(images, drop[1])); err != nil {
		t.Errorf("%s went without its name typed: %v", drop[1], err)
	}

	b, _ := os.ReadFile(cfg)
	cut := strings.Index(string(b), "[clonezilla]")
	next := strings.Index(string(b), "[[concern]]")
	if cut < 0 || next < cut {
		t.Fatal("the lab's config has no [clonezilla] before its concerns")
	}
	bare := filepath.Join(filepath.Dir(cfg), "bare.toml")
	text := string(b[:cut]) + strings.ReplaceAll(string(b[next:]), `"clonezilla/pve-ssd", "clonezilla/pve-hdd", "clonezilla/*"`, "")
	if err := os.WriteFile(bare, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runIn(t, home, "clonezilla", "prune", "--config", bare)
	if code != exitSetup || !strings.Contains(errOut, "backdeck clonezilla prune: the config has no [clonezilla] section") {
		t.Errorf("no [clonezilla]: exit %d\n%s", code, errOut)
	}
}

func TestClonezillaPrepareOnTheDemo(t *testing.T) {
	home := t.TempDir()
	out, errOut, code := runIn(t, home, "clonezilla", "prepare", "--demo", "--json")
	var res struct {
		Ready bool `json:"ready"`
		Runs  []struct {
			Command string `json:"command"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 || res.Ready || len(res.Runs) != 2 {
		t.Fatalf("exit %d (want 1: the demo's image drive is failing), %v, %+v\n%s", code, err, res, errOut)
	}
	path := filepath.Join(home, "backdeck.cfg")
	out, _, code = runWith(t, home, session{input: "n\n"}, "clonezilla", "prepare", "--demo", "--out", path)
	if _, err := os.Stat(path); err == nil || code != 1 || !strings.Contains(out, "anyway? [y/N] nothing written") {
		t.Errorf("written after no: exit %d\n%s", code, out)
	}
	if _, errOut, code := runIn(t, home, "clonezilla", "prepare", "--demo", "--json", "--out", path); code != exitUsage || !strings.Contains(errOut, "add --yes") {
		t.Errorf("--json --out without --yes: exit %d\n%s", code, errOut)
	}
}
