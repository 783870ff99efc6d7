package drill_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/drill"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/model"
)

var _ backends.Backend = (*drill.Runner)(nil)
var _ backends.SnapshotLister = (*drill.Runner)(nil)

// A drill started through the engine is a job like a backup: its steps in
// its progress, its end, and the drill on the target once it passed.
func TestDrillAsAnEngineJob(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	path := filepath.Join(t.TempDir(), "history.db")
	runner := drill.NewRunner(r.pve, path, nil)
	defer runner.Close()
	eng := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{runner},
		Concerns:    []model.ConcernSpec{{ID: model.ConcernVMs, Targets: []string{"pve/qemu/*"}, DrillMaxAge: 30 * 24 * time.Hour}},
		OpenHistory: func(ctx context.Context) (backends.History, error) { return history.Open(ctx, path) }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go eng.Run(ctx)
	p := eng.RefreshNow(ctx)
	if ts, _ := p.Target("pve/qemu/421"); ts.Status != model.StatusWarning {
		t.Fatalf("a guest never drilled, with drill_max_age: %s %q", ts.Status, ts.Reason)
	}
	job, err := eng.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodDrill, Point: r.point})
	if err != nil {
		t.Fatal(err)
	}
	phases := map[string]bool{}
	deadline := time.After(30 * time.Second)
	for !job.State.Terminal() {
		select {
		case ev := <-eng.Events():
			if je, ok := ev.(model.JobEvent); ok && je.Job.ID == job.ID {
				job = je.Job
				phases[job.Progress.Phase] = true
			}
		case <-deadline:
			t.Fatalf("the drill did not end: %+v", job)
		}
	}
	if job.State != model.JobSucceeded || !phases["config"] || !phases["cleanup"] {
		t.Fatalf("job %+v phases %v", job, phases)
	}
	r.nothingLeft(t)
	p = eng.RefreshNow(ctx)
	ts, _ := p.Target("pve/qemu/421")
	if len(ts.Drills) != 1 || !ts.Drills[0].OK || ts.Status != model.StatusOK {
		t.Errorf("target after the drill: %s %q %+v", ts.Status, ts.Reason, ts.Drills)
	}
}

// Closing the runner (the console quits) mid-drill stops the drill and
// cleans up before it returns.
func TestRunnerCloseCleansUp(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	runner := drill.NewRunner(r.pve, filepath.Join(t.TempDir(), "history.db"), nil)
	job, err := runner.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421", Method: model.MethodDrill, Point: r.point, Boot: true})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	runner.Close()
	final, _ := runner.Follow(context.Background(), job, nil)
	if final.State != model.JobCancelled {
		t.Errorf("final %+v", final)
	}
	if got := r.lab.GuestIDs(); !slices.Equal(got, r.guests) {
		t.Errorf("guests %v, were %v", got, r.guests)
	}
}
