package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
)

// The demo's host disks have five images each (backends/lab: monthly and
// before an upgrade); the HDD's oldest has a byte flipped inside its
// partclone data, under intact checksums, that only level 3 finds.

func TestClonezillaListJSON(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCLI(t, nil, "clonezilla", "list", "--demo", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var images []struct {
		Name  string `json:"name"`
		Disks []struct {
			Name, Serial string
		} `json:"disks"`
		Checksums []string        `json:"checksums"`
		Verified  json.RawMessage `json:"verified"`
	}
	if err := json.Unmarshal([]byte(out), &images); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	if len(images) != 10 {
		t.Fatalf("%d images, want 10", len(images))
	}
	serials := map[string]int{}
	for _, img := range images {
		if len(img.Disks) != 1 || len(img.Checksums) == 0 || string(img.Verified) != "null" {
			t.Errorf("image %+v", img)
			continue
		}
		serials[img.Disks[0].Serial]++
	}
	if serials["S5GXNX0T"] != 5 || serials["ZFL1ABCD"] != 5 {
		t.Errorf("images per disk serial %v", serials)
	}
}

func TestClonezillaVerifyFindsTheDamagedImage(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCLI(t, nil, "clonezilla", "verify", "--all", "--demo")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one image is damaged)\n%s\n%s", code, out, errOut)
	}
	if n := strings.Count(out, ": whole (level 3"); n != 9 {
		t.Errorf("%d images whole, want 9\n%s", n, out)
	}
	var problems []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "sda1.ext4-ptcl-img.zst.aa: ") {
			problems = append(problems, line)
		}
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "CRC") || !strings.HasSuffix(problems[0], "(level 3)") {
		t.Errorf("the damaged file is not named on a line of its own: %q\n%s", problems, out)
	}
	if !strings.Contains(out, "ETA") || !strings.Contains(out, "/s") {
		t.Errorf("no progress line with speed and ETA:\n%s", out)
	}
	// It ends with a summary, the damaged image named.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "10 images: 9 whole, 1 damaged (pve-pve-hdd-") {
		t.Errorf("the last line is not the summary: %q", last)
	}

	// Level 2 cannot see it: the streams decode, the checksums match.
	_, _, code = runCLI(t, nil, "clonezilla", "verify", "--all", "--level", "2", "--demo")
	if code != 0 {
		t.Errorf("level 2: exit %d, want 0 (the damage is inside partclone's data)", code)
	}
}

func TestClonezillaVerifyJSONAndRefusals(t *testing.T) {
	t.Parallel()
	// The images are named for months before today: take the SSD's oldest.
	list, _, _ := runCLI(t, nil, "clonezilla", "list", "--demo", "--json")
	var images []struct{ Name string }
	if err := json.Unmarshal([]byte(list), &images); err != nil || len(images) == 0 {
		t.Fatalf("list: %v", err)
	}
	name := ""
	for _, img := range images {
		if strings.HasPrefix(img.Name, "pve-pve-ssd-") {
			name = img.Name
		}
	}
	out, errOut, code := runCLI(t, nil, "clonezilla", "verify", name, "--demo", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var res struct {
		Image    string            `json:"image"`
		OK       bool              `json:"ok"`
		Checked  bool              `json:"checked"`
		Level    int               `json:"level"`
		Problems []json.RawMessage `json:"problems"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("last line is not the result: %v\n%s", err, out)
	}
	if !res.OK || !res.Checked || res.Level != 3 || res.Problems == nil || len(res.Problems) != 0 {
		t.Errorf("result %+v", res)
	}
	for _, l := range lines[:len(lines)-1] {
		var progress struct {
			State string `json:"state"`
		}
		if err := json.Unmarshal([]byte(l), &progress); err != nil || progress.State == "" {
			t.Errorf("progress line %q: %v", l, err)
		}
	}

	notImage := t.TempDir()
	_, errOut, code = runCLI(t, nil, "clonezilla", "verify", notImage, "--demo")
	if code != 2 || !strings.Contains(errOut, "no Clonezilla image") {
		t.Errorf("not an image: exit %d, %s", code, errOut)
	}
	_, errOut, code = runCLI(t, nil, "clonezilla", "verify", "no-such-image", "--demo")
	if code != 2 || !strings.Contains(errOut, "no image named no-such-image") {
		t.Errorf("unknown name: exit %d, %s", code, errOut)
	}
	_, _, code = runCLI(t, nil, "clonezilla", "verify", "--demo")
	if code != 64 {
		t.Errorf("neither IMAGE nor --all: exit %d, want 64", code)
	}
}

func TestClonezillaPrepare(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCLI(t, nil, "clonezilla", "prepare", "--demo", "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the demo's image drive is failing)\n%s\n%s", code, out, errOut)
	}
	var res struct {
		Ready  bool `json:"ready"`
		Checks []struct {
			Name, State, Reason string
		} `json:"checks"`
		Runs []struct {
			Disk, Serial, Command string
			MenuEntry             string `json:"menu_entry"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	states := map[string]string{}
	for _, c := range res.Checks {
		states[c.Name] = c.State
	}
	for name, want := range map[string]string{"image drive": "pass", "image drive SMART": "fail", "vzdump drive": "warn",
		"VM snapshots": "warn", "disk pve-ssd": "pass", "disk pve-hdd": "pass"} {
		if states[name] != want {
			t.Errorf("check %q = %q, want %q (all: %v)", name, states[name], want, states)
		}
	}
	if res.Ready || len(res.Runs) != 2 || !strings.HasSuffix(res.Runs[0].Command, "SERIALNO=S5GXNX0T") ||
		!strings.Contains(res.Runs[1].MenuEntry, `ocs_live_batch="yes"`) {
		t.Errorf("prepare %+v", res)
	}

	// Writing asks first, and once more before an existing file goes.
	path := filepath.Join(t.TempDir(), "backdeck.cfg")
	_, errOut, _ = runCLIWithInput(t, "n\n", nil, "clonezilla", "prepare", "--demo", "--out", path)
	if _, err := os.Stat(path); err == nil {
		t.Fatalf("written after the operator said no: %s", errOut)
	}
	out, errOut, _ = runCLIWithInput(t, "y\n", nil, "clonezilla", "prepare", "--demo", "--out", path)
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "menuentry ") || !strings.Contains(string(b), "THE PREFLIGHT FAILED") {
		t.Fatalf("not written: %v\n%s\n%s", err, out, errOut)
	}
	if err := os.WriteFile(path, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runCLIWithInput(t, "y\nn\n", nil, "clonezilla", "prepare", "--demo", "--out", path)
	if b, _ := os.ReadFile(path); string(b) != "mine\n" {
		t.Errorf("an existing file was overwritten after the operator said no")
	}
	_, errOut, _ = runCLI(t, nil, "clonezilla", "prepare", "--demo", "--out", path, "--yes")
	if b, _ := os.ReadFile(path); string(b) != "mine\n" || !strings.Contains(errOut, "nothing written") {
		t.Errorf("--yes wrote a run whose preflight failed: %s", errOut)
	}
}

// TestClonezillaPrune runs the preview on days that cut months differently
// (the lab's images are the 1st of each month and one ten days before now,
// which falls in the month before on days 1 to 10), then removes by name.
func TestClonezillaPrune(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		clock  string
		remove []string // the dates of the images dropped, for each disk
	}{
		{defaultClock, []string{"2026-08-01"}},
		{"2026-12-01T12:00:00Z", []string{"2026-11-01", "2026-09-01"}},
		{"2026-12-10T12:00:00Z", []string{"2026-11-01", "2026-09-01"}},
		{"2026-12-31T12:00:00Z", []string{"2026-09-01"}},
		{"2026-03-01T12:00:00Z", []string{"2026-02-01", "2025-12-01"}},
	} {
		t.Run(tc.clock[:10], func(t *testing.T) {
			t.Parallel()
			out, _, code := runCLI(t, []string{"BACKDECK_CLOCK=" + tc.clock}, "clonezilla", "prune", "--demo")
			var got []string
			for _, line := range strings.Split(out, "\n") {
				if f := strings.Fields(line); len(f) > 1 && f[0] == "remove" {
					got = append(got, f[1])
				}
			}
			var want []string
			for _, disk := range []string{"ssd", "hdd"} {
				for _, d := range tc.remove {
					want = append(want, "pve-pve-"+disk+"-"+d)
				}
			}
			if code != 0 || strings.Join(got, " ") != strings.Join(want, " ") || !strings.Contains(out, "nothing was removed") {
				t.Errorf("preview: exit %d, removes %v, want %v\n%s", code, got, want, out)
			}
		})
	}
	// Only the typed name goes; a wrong one is skipped.
	out, _, code := runCLI(t, nil, "clonezilla", "prune", "--demo")
	first := ""
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "remove" && first == "" {
			first = f[1]
		}
	}
	if code != 0 || first == "" {
		t.Fatalf("preview: exit %d\n%s", code, out)
	}
	out, _, code = runCLIWithInput(t, first+"\nnot-its-name\n", nil, "clonezilla", "prune", "--demo", "--remove")
	if code != 0 || !strings.Contains(out, "removed /") || !strings.Contains(out, "skipped") || !strings.Contains(out, "1 of 2 removed") {
		t.Errorf("remove: exit %d\n%s", code, out)
	}
}

func TestStatusListsImagesOfHostDisks(t *testing.T) {
	t.Parallel()
	out, errOut, _ := runCLI(t, nil, "status", "--demo", "--json")
	var doc struct {
		Concerns []struct {
			ID      string `json:"id"`
			Targets []struct {
				ID     string `json:"id"`
				Images []struct {
					Path     string          `json:"path"`
					Verified json.RawMessage `json:"verified"`
				} `json:"images"`
			} `json:"targets"`
		} `json:"concerns"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	host := doc.Concerns[0]
	if host.ID != "host" || len(host.Targets) != 2 || host.Targets[0].ID != "clonezilla/pve-ssd" || len(host.Targets[0].Images) != 5 {
		t.Fatalf("host concern %+v", host)
	}
}

// In the console: v on the HDD's oldest image fails, naming the file; on
// the newest it succeeds and the image reads "verified".
func TestVerifyAnImageInTheConsole(t *testing.T) {
	s := start(t, 120, 40)
	s.waitText("pve-hdd", 20*time.Second)
	s.keys("j", "j", "Tab", "G", "v")
	s.waitText("damaged", 20*time.Second)
	if !strings.Contains(s.screen(), "sda1.ext4-ptcl-img.zst.aa") {
		t.Errorf("the damaged file is not named:\n%s", s.screen())
	}
	s.keys("g", "v")
	screen := s.waitText("✓ verified", 20*time.Second)
	if !strings.Contains(screen, "succeeded") {
		t.Errorf("no succeeded verification in the jobs panel:\n%s", screen)
	}
}

// An image given by its path is verified on any machine, without a config.
func TestClonezillaVerifyByPathNeedsNoConfig(t *testing.T) {
	t.Parallel()
	at, err := time.Parse(time.RFC3339, clock())
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := lab.WriteClonezillaImages(t.TempDir(), at)
	if err != nil {
		t.Fatal(err)
	}
	newest := dirs[len(dirs)-1]
	out, errOut, code := runCLI(t, nil, "clonezilla", "verify", newest)
	if code != 0 || !strings.Contains(out, filepath.Base(newest)+": whole (level 3") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
