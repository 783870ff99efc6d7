package proxmox_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/model"
)

// "Run now" on the two-node cluster: the daily job is replayed as vzdump on
// alpha (411, 422) and on beta (421) with the job's own parameters, each
// followed to its end; every guest of the job gets a new archive.
func TestLabRunBackupJobAcrossNodes(t *testing.T) {
	p, c := startCluster(t, labpve.Options{})
	before := observe(t, c)
	count := func(st model.SourceState, id string) int { return len(target(t, st, id).RestorePoints) }
	p.ResetRequests()
	jobs, err := c.RunBackupJob(context.Background(), "backup-k3s-daily")
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].Node != "alpha" || jobs[1].Node != "beta" {
		t.Fatalf("jobs %+v, want one on alpha and one on beta", jobs)
	}
	if n := requestsTo(p, "/nodes/alpha/vzdump") + requestsTo(p, "/nodes/beta/vzdump"); n != 2 {
		t.Errorf("%d vzdump calls, want 2", n)
	}
	for _, j := range jobs {
		if j.State != model.JobRunning || j.TaskID == "" || j.Name != j.Node+": backup-k3s-daily" || j.Storage != "hddusb_bkpvzdumps" {
			t.Errorf("job %+v", j)
		}
		final, _ := follow(t, c, j)
		if final.State != model.JobSucceeded {
			t.Errorf("%s ended %s: %s", j.Node, final.State, final.Message)
		}
		// The task's first line is vzdump's command line: the job's parameters.
		var lines []struct {
			T string `json:"t"`
		}
		if err := c.Get(context.Background(), fmt.Sprintf("/nodes/%s/tasks/%s/log?limit=5", j.Node, url.PathEscape(j.TaskID)), &lines); err != nil {
			t.Fatal(err)
		}
		log := ""
		for _, l := range lines {
			log += l.T + "\n"
		}
		for _, want := range []string{"vzdump 411 421 422 ", "--compress zstd", "--mode snapshot", "--notes-template '{{guestname}}'",
			"--prune-backups 'keep-daily=7,keep-monthly=3,keep-weekly=4'", "--storage hddusb_bkpvzdumps", "--node " + j.Node} {
			if !strings.Contains(log, want) {
				t.Errorf("%s: the task log lacks %q:\n%s", j.Node, want, log)
			}
		}
		if strings.Contains(log, "job-id") || strings.Contains(log, "--schedule") || strings.Contains(log, "--enabled") {
			t.Errorf("%s: a job-only key went to vzdump:\n%s", j.Node, log)
		}
	}
	after := observe(t, c)
	for _, id := range []string{"pve/qemu/411", "pve/qemu/421", "pve/qemu/422"} {
		// The job's retention prunes as it goes: the count may stay, the
		// newest archive must be the run's.
		newest, _ := target(t, after, id).Newest()
		if old, _ := target(t, before, id).Newest(); !newest.Time.After(old.Time) || newest.Time.Before(jobs[0].Started.Add(-2*time.Second)) {
			t.Errorf("%s: newest archive %v (before the run %v, %d points, now %d)", id, newest.Time, old.Time, count(before, id), count(after, id))
		}
	}
	if tg := target(t, after, "pve/qemu/431"); len(tg.RestorePoints) != len(target(t, before, "pve/qemu/431").RestorePoints) {
		t.Error("a guest outside the job was backed up")
	}
}

func TestLabRunBackupJobUnknown(t *testing.T) {
	p, c := startCluster(t, labpve.Options{})
	_, err := c.RunBackupJob(context.Background(), "nope")
	if err == nil || !strings.Contains(err.Error(), "reading backup job nope") {
		t.Errorf("error %v", err)
	}
	if n := requestsTo(p, "/nodes/alpha/vzdump") + requestsTo(p, "/nodes/beta/vzdump"); n != 0 {
		t.Errorf("%d vzdump calls for an unknown job", n)
	}
	if _, err := c.RunBackupJob(context.Background(), "../x"); err == nil {
		t.Error("a job id with a slash was sent")
	}
}
