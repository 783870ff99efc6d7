package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func TestScheduleOnTheDemo(t *testing.T) {
	home := t.TempDir()
	out, errOut, code := runIn(t, home, "schedule", "--demo", "--days", "3")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Backup jobs\n", "backup-k3s-daily  enabled  14:20 · next ", "guests 411, 421, 422 → hddusb_bkpvzdumps",
		"retention: keep-daily=7, keep-weekly=4, keep-monthly=3", "Next 3 days\n", "usb-backups"} {
		if !strings.Contains(out, want) {
			t.Errorf("schedule lacks %q:\n%s", want, out)
		}
	}
	out, errOut, code = runIn(t, home, "schedule", "--demo", "--json")
	var doc struct {
		Days int `json:"days"`
		Jobs []struct {
			ID        string     `json:"id"`
			NextRun   *time.Time `json:"next_run"`
			Selection struct {
				VMIDs []int `json:"vmids"`
			} `json:"selection"`
			Retention *struct {
				KeepDaily int `json:"keep_daily"`
			} `json:"retention"`
			LastDuration *int64 `json:"last_duration_seconds"`
		} `json:"jobs"`
		Runs []struct {
			Start    time.Time `json:"start"`
			Job      string    `json:"job"`
			Disk     string    `json:"disk"`
			Overlaps []string  `json:"overlaps"`
		} `json:"runs"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s%s", err, out, errOut)
	}
	if code != 0 || doc.Days != 7 || len(doc.Jobs) != 1 || len(doc.Errors) != 0 {
		t.Fatalf("exit %d, %+v\n%s", code, doc, errOut)
	}
	j := doc.Jobs[0]
	if j.ID != "backup-k3s-daily" || j.NextRun == nil || len(j.Selection.VMIDs) != 3 || j.Retention == nil || j.Retention.KeepDaily != 7 || j.LastDuration == nil {
		t.Errorf("job %+v", j)
	}
	daily := 0
	for _, r := range doc.Runs {
		if r.Job == "backup-k3s-daily" {
			daily++
			if r.Start.Before(testClock) || r.Overlaps == nil {
				t.Errorf("run %+v", r)
			}
		}
	}
	if daily != 7 {
		t.Errorf("%d runs of the daily job in 7 days", daily)
	}
	if _, errOut, code := runIn(t, home, "schedule", "--demo", "--days", "0"); code != exitUsage || !strings.Contains(errOut, "--days takes 1 to 366") {
		t.Errorf("--days 0: exit %d %s", code, errOut)
	}
}

// Job ids, storages and selections come from PVE: the text never passes
// their control sequences to the terminal.
func TestScheduleTextIsSafe(t *testing.T) {
	at := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	p := &model.Posture{BackupJobs: []model.BackupJob{{ID: "evil\x1b]0;pwned\x07", Enabled: true, Schedule: "14:20\x1b[2J",
		Storage: "st\x1b[31m", Mode: "snapshot", NextRun: at.Add(time.Hour)}}}
	rep := newScheduleReport(p, at, 2)
	rep.Runs = append(rep.Runs, scheduleRun{Start: at, End: at, Job: "job\x1b[1m", What: "what\r\n", Disk: "disk\x9b", Overlaps: []string{"o\x1b"}})
	out := rep.text(true)
	if strings.IndexByte(out, 0x1b) >= 0 || strings.IndexByte(out, 0x07) >= 0 || strings.IndexByte(out, '\r') >= 0 ||
		strings.IndexByte(out, 0x9b) >= 0 || strings.Contains(out, "\u009b") {
		t.Errorf("control characters reached the text: %q", out)
	}
}

func TestStatusNamesGuestsNoJobCovers(t *testing.T) {
	home := t.TempDir()
	out, _, _ := runIn(t, home, "status", "--demo")
	line := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "bkpserver") && line == "" {
			line = l // its row under Virtual machines
		}
	}
	if !strings.Contains(line, "no backup job covers it") {
		t.Errorf("status does not say that no job covers bkpserver: %q", line)
	}
	if !strings.Contains(out, "\nNo backup job covers: bkpserver (pve/qemu/431)\n") || strings.Count(out, "No backup job covers") != 1 {
		t.Errorf("status does not name the guests no job covers once:\n%s", out)
	}
	out, _, _ = runIn(t, home, "status", "--demo", "--json")
	var doc struct {
		Concerns []struct {
			Targets []struct {
				ID     string `json:"id"`
				NoJob  bool   `json:"no_job"`
				Detail string `json:"detail"`
			} `json:"targets"`
		} `json:"concerns"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range doc.Concerns {
		for _, tg := range c.Targets {
			if tg.ID == "pve/qemu/431" || tg.ID == "pve/qemu/421" {
				seen[tg.ID] = tg.NoJob
				if tg.NoJob != strings.Contains(tg.Detail, "no backup job covers it") {
					t.Errorf("%s: no_job %v, detail %q", tg.ID, tg.NoJob, tg.Detail)
				}
			}
		}
	}
	if !seen["pve/qemu/431"] || seen["pve/qemu/421"] {
		t.Errorf("no_job: %v; want bkpserver (431) uncovered, k3sagent01 (421) covered", seen)
	}
}

// Every key schedule --json can emit is documented in README.
func TestScheduleJSONKeysAreInTheReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "### `schedule --json`")
	if start < 0 {
		t.Fatal("README has no \"### `schedule --json`\" section")
	}
	section := text[start:]
	if end := strings.Index(section[1:], "\n#"); end >= 0 {
		section = section[:end+1]
	}
	at := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	p := &model.Posture{
		BackupJobs: []model.BackupJob{{ID: "j", Enabled: true, Schedule: "14:20", NextRun: at, ScheduleErr: "x", Node: "pve",
			Selection: model.Selection{Pool: "p"}, RetentionSet: true, LastDuration: time.Minute}},
		Errors: []model.SourceError{{Source: model.SourceProxmox, Message: "x"}},
	}
	rep := newScheduleReport(p, at, 1)
	rep.Runs = []scheduleRun{{Start: at, End: at, Overlaps: []string{}}}
	b, _ := json.Marshal(rep)
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	emitted := map[string]bool{}
	collectKeys(doc, emitted)
	for k := range emitted {
		if !strings.Contains(section, "`"+k+"`") {
			t.Errorf("schedule --json emits %q, README does not list it", k)
		}
	}
}
