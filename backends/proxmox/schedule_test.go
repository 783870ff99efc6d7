package proxmox

import (
	"encoding/json"
	"slices"
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
