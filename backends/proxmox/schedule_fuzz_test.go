package proxmox

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzBackupJobModels feeds /cluster/backup answers and job configs to
// what reads their schedules and replays them: no panic, no hang, and a
// next run is never before now.
func FuzzBackupJobModels(f *testing.F) {
	seedFixture(f, "cluster-backup.json")
	f.Add([]byte(`[{"id":"a","schedule":"mon..fri 02:30","vmid":"411,421","next-run":"12"},{"id":"b","starttime":"2:3","dow":"sun,mon","all":1,"exclude":"1"}]`))
	f.Add([]byte(`[{"id":"p","schedule":"*/0:*/61","pool":"x","performance":{"max-workers":2},"prune-backups":{"keep-last":"NaN"}}]`))
	now := time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		var jobs []backupJob
		if json.Unmarshal(b, &jobs) != nil {
			return
		}
		for _, m := range backupJobModels(jobs, now) {
			if m.NextRunComputed && !m.NextRun.After(now) {
				t.Fatalf("job %q: computed next run %v is not after now", m.ID, m.NextRun)
			}
			_ = m.Selection.String()
		}
		var raws []map[string]json.RawMessage
		if json.Unmarshal(b, &raws) != nil {
			return
		}
		for i, raw := range raws {
			if i < len(jobs) {
				_, _ = replayForm(raw, jobs[i])
			}
		}
	})
}
