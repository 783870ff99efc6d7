package proxmox

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// The recorded /cluster/backup answer: next-run is PVE's, kept as it is.
func TestBackupJobModelsFixture(t *testing.T) {
	var jobs []backupJob
	if err := json.Unmarshal(fixtureData(t, "cluster-backup.json"), &jobs); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	got := backupJobModels(jobs, now)
	if len(got) != 1 {
		t.Fatalf("%d jobs", len(got))
	}
	j := got[0]
	if j.ID != "backup-6f1a2b3c-d4e5" || !j.Enabled || j.Schedule != "21:00" || j.Storage != "usb1" ||
		j.Mode != "snapshot" || j.Compress != "zstd" || !j.Selection.All || j.Selection.String() != "all guests" {
		t.Errorf("job %+v", j)
	}
	if j.NextRunComputed || j.NextRun.Unix() != 1768507200 {
		t.Errorf("next run %v (computed %v), want PVE's 1768507200", j.NextRun, j.NextRunComputed)
	}
	if !j.RetentionSet || j.RetentionText() != "keep-last=3, keep-daily=7" {
		t.Errorf("retention %q", j.RetentionText())
	}
}

// Without next-run (PVE 6, or a job PVE has not planned yet) the next run
// is computed from the schedule; a disabled job has none; a schedule PVE
// would not accept is said, not guessed.
func TestBackupJobModelsComputed(t *testing.T) {
	raw := `[
	 {"id":"weekdays","type":"vzdump","schedule":"mon..fri 02:30","enabled":1,"vmid":"422,411 421","storage":"s1"},
	 {"id":"off","type":"vzdump","schedule":"sat 14:20","enabled":0,"pool":"k3s"},
	 {"id":"bad","type":"vzdump","schedule":"mon 61:00","all":1,"exclude":"100,101"},
	 {"id":"other","type":"sync","schedule":"daily"}
	]`
	var jobs []backupJob
	if err := json.Unmarshal([]byte(raw), &jobs); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) // a Friday
	got := backupJobModels(jobs, now)
	if len(got) != 3 {
		t.Fatalf("%d jobs, want 3 (the sync job is no backup job)", len(got))
	}
	byID := map[string]model.BackupJob{}
	for _, j := range got {
		byID[j.ID] = j
	}
	w := byID["weekdays"]
	if want := time.Date(2026, 11, 30, 2, 30, 0, 0, time.UTC); !w.NextRun.Equal(want) || !w.NextRunComputed {
		t.Errorf("weekdays next %v computed %v, want %v", w.NextRun, w.NextRunComputed, want)
	}
	if !slices.Equal(w.Selection.VMIDs, []int{411, 421, 422}) || w.RetentionText() != "the storage's own" {
		t.Errorf("weekdays %+v", w)
	}
	if o := byID["off"]; o.Enabled || !o.NextRun.IsZero() || o.Selection.String() != "pool k3s" {
		t.Errorf("disabled job %+v", o)
	}
	b := byID["bad"]
	if b.ScheduleErr == "" || !b.NextRun.IsZero() || b.Selection.String() != "all guests except 100, 101" {
		t.Errorf("bad schedule %+v", b)
	}
	if got[0].ID != "weekdays" {
		t.Errorf("jobs not in order of next run: %v", got)
	}
}

// PVE 6 keeps start time and weekdays (vzdump.cron); PVE 7 turns them into
// a schedule the same way. A next-run in the past (a missed run) is
// recomputed from now.
func TestBackupJobModelsLegacyAndMissed(t *testing.T) {
	raw := `[
	 {"id":"old","starttime":"02:30","dow":"sat,mon","enabled":1,"vmid":"411"},
	 {"id":"every","starttime":"21:00","dow":"mon,tue,wed,thu,fri,sat,sun","all":1},
	 {"id":"missed","schedule":"14:20","enabled":1,"vmid":"421","next-run":1764000000}
	]`
	var jobs []backupJob
	if err := json.Unmarshal([]byte(raw), &jobs); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) // Friday
	byID := map[string]model.BackupJob{}
	for _, j := range backupJobModels(jobs, now) {
		byID[j.ID] = j
	}
	if j := byID["old"]; j.Schedule != "mon,sat 02:30" || !j.NextRun.Equal(time.Date(2026, 11, 28, 2, 30, 0, 0, time.UTC)) {
		t.Errorf("legacy job %+v", j)
	}
	if j := byID["every"]; j.Schedule != "21:00" || !j.NextRun.Equal(time.Date(2026, 11, 27, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("legacy daily job %+v", j)
	}
	if j := byID["missed"]; !j.NextRunComputed || !j.NextRun.Equal(time.Date(2026, 11, 27, 14, 20, 0, 0, time.UTC)) {
		t.Errorf("missed run: %+v", j)
	}
}

// A guest only a disabled job selects is backed up by nothing, though PVE's
// not-backed-up list counts it covered.
func TestDisabledJobDoesNotCover(t *testing.T) {
	var jobs []backupJob
	if err := json.Unmarshal([]byte(`[{"id":"off","enabled":0,"vmid":"421","schedule":"14:20"},{"id":"on","vmid":"411","schedule":"14:20"}]`), &jobs); err != nil {
		t.Fatal(err)
	}
	inv := newInventory([]resource{
		{Type: "node", Node: "pve", Status: "online"},
		{Type: "qemu", Node: "pve", VMID: number{V: 411, Valid: true}, Name: "a"},
		{Type: "qemu", Node: "pve", VMID: number{V: 421, Valid: true}, Name: "b"},
	})
	targets := inv.targets(jobs, map[int]bool{}) // PVE: every guest covered
	byID := map[string]model.Target{}
	for _, tg := range targets {
		byID[tg.ID] = tg
	}
	if tg := byID["pve/qemu/421"]; !tg.NoJob || !strings.Contains(tg.Detail, "only in disabled job off") {
		t.Errorf("421: NoJob %v, detail %q", tg.NoJob, tg.Detail)
	}
	if tg := byID["pve/qemu/411"]; tg.NoJob || !strings.Contains(tg.Detail, "job 14:20 → default storage") {
		t.Errorf("411: NoJob %v, detail %q", tg.NoJob, tg.Detail)
	}
}
