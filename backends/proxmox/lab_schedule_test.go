package proxmox_test

import (
	"testing"
	"time"

	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// The lab's daily job as Observe reports it: PVE's next-run, the
// selection, the retention, and the last run's duration from the task list.
func TestLabBackupJobs(t *testing.T) {
	now := time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC)
	p := startLab(t, labpve.Options{Now: func() time.Time { return now }})
	c := labClient(t, p, func(o *proxmox.Options) { o.Now = func() time.Time { return now } })
	st := observe(t, c)
	if len(st.BackupJobs) != 1 {
		t.Fatalf("%d jobs", len(st.BackupJobs))
	}
	j := st.BackupJobs[0]
	if j.ID != "backup-k3s-daily" || j.Schedule != "14:20" || !j.Enabled || j.Storage != "hddusb_bkpvzdumps" ||
		j.Selection.String() != "guests 411, 421, 422" || j.RetentionText() != "keep-daily=7, keep-weekly=4, keep-monthly=3" {
		t.Errorf("job %+v", j)
	}
	if want := time.Date(2026, 11, 28, 14, 20, 0, 0, time.UTC); !j.NextRun.Equal(want) || j.NextRunComputed {
		t.Errorf("next run %v (computed %v), want PVE's %v", j.NextRun, j.NextRunComputed, want)
	}
	// The seeded runs back up three guests one after the other.
	if j.LastDuration < time.Minute || j.LastDuration > time.Hour {
		t.Errorf("last duration %v", j.LastDuration)
	}
	if j.Source != model.SourceProxmox {
		t.Errorf("source %q", j.Source)
	}
}
