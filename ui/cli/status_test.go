package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStatusOnTheDemo(t *testing.T) {
	home := t.TempDir()
	out, errOut, code := runIn(t, home, "status", "--demo")
	if code != 2 {
		t.Fatalf("exit %d, want 2 (bkpserver's last backup is 8 days old)\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"backdeck status at 2026-11-28", "✗ critical", "Virtual machines", "bkpserver", "Stores\n", "pve/hddusb_bkpvzdumps"} {
		if !strings.Contains(out, want) {
			t.Errorf("the text report lacks %q:\n%s", want, out)
		}
	}
	// A terminal 120 columns wide has room for the ids.
	out, _, _ = runWith(t, home, session{columns: 120}, "status", "--demo", "--ascii")
	if !strings.Contains(out, " pve/qemu/431 ") || strings.Contains(out, "✗") || !strings.Contains(out, "XX critical") {
		t.Errorf("at 120 columns with --ascii:\n%s", out)
	}

	out, errOut, code = runIn(t, home, "status", "--demo", "--json")
	var doc struct {
		Overall  string `json:"overall"`
		Concerns []struct {
			ID      string `json:"id"`
			Targets []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"targets"`
		} `json:"concerns"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("status --json is not one JSON object: %v\n%s", err, out)
	}
	if code != 2 || doc.Overall != "critical" || len(doc.Concerns) != 6 || len(doc.Errors) != 0 {
		t.Errorf("exit %d, overall %s, %d concerns, errors %s\n%s", code, doc.Overall, len(doc.Concerns), doc.Errors, errOut)
	}
}

func TestStatusWithoutAConfigIsUnknown(t *testing.T) {
	home := t.TempDir()
	_, errOut, code := runIn(t, home, "status")
	if code != 3 || !strings.Contains(errOut, "no config at "+filepath.Join(home, "config", "backdeck", "config.toml")) || !strings.Contains(errOut, "backdeck --demo") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
	_, errOut, code = runIn(t, home, "status", "--config", filepath.Join(home, "nowhere.toml"))
	if code != 3 || !strings.Contains(errOut, "no config at") || strings.Contains(errOut, "backdeck --demo") {
		t.Errorf("an explicit config that is missing: exit %d\n%s", code, errOut)
	}
}

func TestABadClockIsAUsageError(t *testing.T) {
	_, errOut, code := runWith(t, t.TempDir(), session{vars: map[string]string{"BACKDECK_CLOCK": "yesterday"}}, "status", "--demo")
	if code != exitUsage || !strings.Contains(errOut, "BACKDECK_CLOCK") || !strings.Contains(errOut, "RFC 3339") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}

// A damaged history is an error of source history in both forms of the
// report, and what depends on it is not ok.
func TestStatusReportsADamagedHistory(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The default config's history is the state directory's.
	def := filepath.Join(home, "config", "backdeck", "config.toml")
	db := filepath.Join(home, "state", "backdeck", "history.db")
	for path, data := range map[string][]byte{def: b, db: []byte(strings.Repeat("not a database. ", 512))} {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := runIn(t, home, "status", "--json")
	var doc struct {
		Errors []struct{ Source, Message string } `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}
	found := false
	for _, e := range doc.Errors {
		found = found || e.Source == "history" && strings.Contains(e.Message, db)
	}
	if !found || code == 0 {
		t.Errorf("exit %d, errors %+v: want one of source history naming %s", code, doc.Errors, db)
	}
	out, _, _ = runIn(t, home, "status")
	if !strings.Contains(out, "\nErrors\n  history: ") {
		t.Errorf("the text report does not list the history's error:\n%s", out)
	}
}

// With the history damaged, clonezilla list says the verifications are
// unknown (never "not verified"), and prune removes nothing: it cannot tell
// the newest image verified whole, which it must keep.
func TestClonezillaWithADamagedHistory(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	def := filepath.Join(home, "config", "backdeck", "config.toml")
	db := filepath.Join(home, "state", "backdeck", "history.db")
	for path, data := range map[string][]byte{def: b, db: []byte(strings.Repeat("not a database. ", 512))} {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, _ := runIn(t, home, "clonezilla", "list")
	if !strings.Contains(out, "verification unknown: the history cannot be read") || strings.Contains(out, "not verified") ||
		!strings.Contains(errOut, "verifications are unknown") {
		t.Errorf("list:\n%s%s", out, errOut)
	}
	out, _, _ = runIn(t, home, "clonezilla", "list", "--json")
	if !strings.Contains(out, `"verified_error": "the history cannot be read: `) {
		t.Errorf("list --json:\n%s", out)
	}
	images := filepath.Join(filepath.Dir(cfg), "partimag")
	before, _ := os.ReadDir(images)
	// The operator types every name the preview would remove.
	preview, _, _ := runIn(t, home, "clonezilla", "prune")
	var names strings.Builder
	for _, line := range strings.Split(preview, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "remove" {
			names.WriteString(f[1] + "\n")
		}
	}
	if names.Len() == 0 {
		t.Fatalf("the preview removes nothing:\n%s", preview)
	}
	out, errOut, code := runWith(t, home, session{input: names.String()}, "clonezilla", "prune", "--remove")
	after, _ := os.ReadDir(images)
	if code == 0 || len(after) != len(before) || !strings.Contains(errOut, "nothing removed") {
		t.Errorf("prune --remove: exit %d, %d images before, %d after\n%s%s", code, len(before), len(after), out, errOut)
	}
}
