package backends_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// The engine runs a backup job now on both nodes of the lab cluster and
// follows each node's task to its end, as jobs of the posture.
func TestEngineRunsBackupJobOnEachNode(t *testing.T) {
	p, err := labpve.Start(labpve.Options{Nodes: []string{"alpha", "beta"}, BackupDuration: 300 * time.Millisecond, TaskDuration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := proxmox.New(proxmox.Options{
		Config:       model.ProxmoxConfig{URL: p.URL(), TokenID: p.TokenID(), TLSConfig: model.TLSConfig{Fingerprint: p.Fingerprint()}},
		Secret:       p.TokenSecret(),
		PollInterval: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{c}, Interval: time.Hour,
		Concerns: []model.ConcernSpec{{ID: model.ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/*"}}}})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { stop(); <-done }()

	jobs, err := e.RunBackupJob(ctx, "backup-k3s-daily")
	if err != nil || len(jobs) != 2 {
		t.Fatalf("jobs %+v, err %v", jobs, err)
	}
	ended := map[string]model.JobState{}
	deadline := time.After(30 * time.Second)
	for len(ended) < 2 {
		select {
		case ev := <-e.Events():
			if je, ok := ev.(model.JobEvent); ok && je.Job.State.Terminal() && (je.Job.ID == jobs[0].ID || je.Job.ID == jobs[1].ID) {
				ended[je.Job.Node] = je.Job.State
			}
		case <-deadline:
			t.Fatalf("the nodes' tasks did not end: %v", ended)
		}
	}
	if ended["alpha"] != model.JobSucceeded || ended["beta"] != model.JobSucceeded {
		t.Errorf("ended %v", ended)
	}
	for _, j := range jobs {
		if got, ok := e.Job(j.ID); !ok || got.Name != j.Node+": backup-k3s-daily" {
			t.Errorf("the engine's job %+v (%v)", got, ok)
		}
	}
	if _, err := e.RunBackupJob(ctx, "nope"); err == nil {
		t.Error("an unknown job ran")
	}
}

// Without a PVE source there is nothing to run.
func TestEngineRunBackupJobWithoutPVE(t *testing.T) {
	e := backends.NewEngine(backends.EngineOptions{Interval: time.Hour})
	if _, err := e.RunBackupJob(context.Background(), "x"); err == nil {
		t.Error("no error without a PVE source")
	}
}
