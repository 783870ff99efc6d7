package proxmox_test

import (
	"context"
	"net/url"
	"strings"
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

// Jobs as jobs.cfg can hold them: a disabled one (no next-run), one of
// every guest but some on weekdays; PVE's not-backed-up counts both as
// covering, and the console does not count the disabled one.
func TestLabBackupJobKinds(t *testing.T) {
	now := time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC) // Saturday
	p := startLab(t, labpve.Options{Now: func() time.Time { return now }})
	p.AddBackupJob(labpve.BackupJob{ID: "weekdays", Schedule: "mon..fri 02:30", All: true, Exclude: "100,101,411,421,422",
		Storage: "hddusb_bkpvzdumps", Mode: "snapshot", Compress: "zstd"})
	p.AddBackupJob(labpve.BackupJob{ID: "off", Schedule: "sat 14:20", Disabled: true, VMIDs: "100", Storage: "local"})
	c := labClient(t, p, func(o *proxmox.Options) { o.Now = func() time.Time { return now } })
	st := observe(t, c)
	jobs := map[string]model.BackupJob{}
	for _, j := range st.BackupJobs {
		jobs[j.ID] = j
	}
	if w := jobs["weekdays"]; !w.NextRun.Equal(time.Date(2026, 11, 30, 2, 30, 0, 0, time.UTC)) || w.NextRunComputed ||
		w.Selection.String() != "all guests except 100, 101, 411, 421, 422" || w.RetentionText() != "the storage's own" {
		t.Errorf("weekdays %+v", w)
	}
	if o := jobs["off"]; o.Enabled || !o.NextRun.IsZero() {
		t.Errorf("disabled job %+v", o)
	}
	// 431 is in the weekdays job now; 100 only in the disabled one, but
	// it is a template: no job is expected of it.
	if tg := target(t, st, "pve/qemu/431"); tg.NoJob {
		t.Errorf("bkpserver is in the weekdays job: %q", tg.Detail)
	}
	if tg := target(t, st, "pve/qemu/100"); tg.NoJob || !strings.Contains(tg.Detail, "only in disabled job off") {
		t.Errorf("debiantpl: NoJob %v, detail %q", tg.NoJob, tg.Detail)
	}
}

// A guest only a disabled job selects: PVE's list leaves it out, the
// console names it.
func TestLabDisabledJobOnly(t *testing.T) {
	p := startLab(t, labpve.Options{})
	p.AddBackupJob(labpve.BackupJob{ID: "off", Schedule: "sat 14:20", Disabled: true, VMIDs: "431", Storage: "hddusb_bkpvzdumps"})
	c := labClient(t, p)
	var listed []map[string]any
	if err := c.Get(context.Background(), "/cluster/backup-info/not-backed-up", &listed); err != nil {
		t.Fatal(err)
	}
	for _, e := range listed {
		if e["vmid"] == float64(431) {
			t.Errorf("PVE lists a guest of a disabled job as not backed up: %v", listed)
		}
	}
	if tg := target(t, observe(t, c), "pve/qemu/431"); !tg.NoJob {
		t.Errorf("bkpserver is only in a disabled job: %q", tg.Detail)
	}
}

// Run now of an all-but-some job on the two-node cluster: only the node
// with guests in it gets a vzdump, with all=1 and the exclusions.
func TestLabRunAllButSomeJob(t *testing.T) {
	p, c := startCluster(t, labpve.Options{})
	p.AddBackupJob(labpve.BackupJob{ID: "rest", Schedule: "mon..fri 02:30", All: true, Exclude: "100,101,411,421,422",
		Storage: "hddusb_bkpvzdumps", Mode: "snapshot", Compress: "zstd"})
	jobs, err := c.RunBackupJob(context.Background(), "rest")
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Node != p.GuestNode(431) {
		t.Fatalf("jobs %+v, want one on %s (bkpserver's node)", jobs, p.GuestNode(431))
	}
	final, _ := follow(t, c, jobs[0])
	if final.State != model.JobSucceeded {
		t.Errorf("ended %s: %s", final.State, final.Message)
	}
	var lines []struct {
		T string `json:"t"`
	}
	if err := c.Get(context.Background(), "/nodes/"+jobs[0].Node+"/tasks/"+url.PathEscape(jobs[0].TaskID)+"/log?limit=3", &lines); err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 || !strings.Contains(lines[0].T, "--all 1") || !strings.Contains(lines[0].T, "--exclude '100,101,411,421,422'") {
		t.Errorf("vzdump's command line: %+v", lines)
	}
}
