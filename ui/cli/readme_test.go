package cli

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// Every key status --json can emit is documented in README, where
// status --help sends the operator.
func TestStatusJSONKeysAreInTheReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "### `status --json`")
	if start < 0 {
		t.Fatal("README has no \"### `status --json`\" section")
	}
	section := text[start:]
	if end := strings.Index(section[1:], "\n#"); end >= 0 {
		section = section[:end+1]
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(section, -1) {
		documented[m[1]] = true
	}

	// A report with every optional key present.
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	temp, full := 34, at.Add(90*24*time.Hour)
	p := &model.Posture{GeneratedAt: at, Overall: model.StatusWarning,
		Concerns: []model.ConcernStatus{{ID: model.ConcernHost, Name: "Host platform", Targets: []model.TargetStatus{
			{Target: model.Target{ID: "clonezilla/pve-ssd", Name: "pve-ssd", Kind: model.KindDisk, Source: model.SourceClonezilla, Lock: "backup", Node: "pve",
				Methods: []model.Method{model.MethodVerify}, RestorePoints: []model.RestorePoint{{ID: "/cz/a", Time: at, Size: 1,
					Verified: &model.Verification{At: at, Level: 3, OK: true}}}}, HasBackup: true, LastBackup: at},
			{Target: model.Target{ID: "pve/qemu/411", Name: "k3sserver01", Kind: model.KindVM, Source: model.SourceProxmox, Node: "pve", Lock: "backup", NoJob: true,
				Drills: []model.Drill{{At: at, Step: "config", Note: "differs"}, {At: at.Add(-time.Hour), OK: true}}}},
		}}},
		Stores:   []model.Store{{ID: "pve/hddusb_bkpvzdumps", Online: true, Total: 2, Used: 1, FullAt: &full}},
		Drives:   []model.Drive{{ID: "NA8F1234", Model: "WD", Serial: "NA8F1234", Health: model.HealthPassed, TemperatureC: &temp}},
		Jobs:     []model.Job{{ID: "UPID:x", Target: "pve/qemu/411", Method: model.MethodVzdump, State: model.JobRunning, Message: "x", Progress: model.Progress{Percent: 5}}},
		Errors:   []model.SourceError{{Source: model.SourceHistory, Message: "locked"}},
		Insecure: []model.Source{model.SourceProxmox},
	}
	b, err := json.Marshal(newStatusReport(p))
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	emitted := map[string]bool{}
	collectKeys(doc, emitted)
	var missing []string
	for k := range emitted {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("status --json emits keys README does not list: %v", missing)
	}
	for _, k := range []string{"lock", "node", "images", "verified", "problems", "message", "full_at", "temperature_c", "no_job", "restore_tested_at", "last_drill", "step", "note"} {
		if !emitted[k] {
			t.Errorf("the test's report lacks %q: it does not cover every key", k)
		}
	}
}

func collectKeys(v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			into[k] = true
			collectKeys(e, into)
		}
	case []any:
		for _, e := range v {
			collectKeys(e, into)
		}
	}
}
