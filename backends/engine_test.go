package backends

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// fakeBackend is a scripted source: its tasks end when the test says so.
type fakeBackend struct {
	src     model.Source
	mu      sync.Mutex
	state   model.SourceState
	err     error
	block   chan struct{} // Observe waits on it when set
	running []model.Job
	started []model.JobRequest
	stopped []string
	finish  chan model.Job // Follow ends with what arrives here
	prog    chan model.Job // Follow reports what arrives here
	// stopEnds is how a stopped job ends when set (cancelled otherwise).
	stopEnds *model.Job
}

func newFake(src model.Source) *fakeBackend {
	return &fakeBackend{src: src, finish: make(chan model.Job, 4), prog: make(chan model.Job, 16)}
}

func (f *fakeBackend) Source() model.Source { return f.src }

func (f *fakeBackend) Observe(ctx context.Context) (model.SourceState, error) {
	f.mu.Lock()
	block, st, err := f.block, f.state, f.err
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return model.SourceState{}, ctx.Err()
		}
	}
	return st, err
}

func (f *fakeBackend) Start(ctx context.Context, req model.JobRequest) (model.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, req)
	return model.Job{ID: "task-" + req.Target, TaskID: "task-" + req.Target, Target: req.Target, Method: req.Method,
		Source: f.src, State: model.JobRunning, Started: time.Unix(100, 0), Progress: model.UnknownProgress()}, nil
}

func (f *fakeBackend) Follow(ctx context.Context, job model.Job, update func(model.Job)) (model.Job, error) {
	for {
		select {
		case p := <-f.prog:
			update(p)
		case j := <-f.finish:
			return j, nil
		case <-ctx.Done():
			return job, ctx.Err()
		}
	}
}

func (f *fakeBackend) Stop(ctx context.Context, job model.Job) error {
	f.mu.Lock()
	f.stopped = append(f.stopped, job.ID)
	f.mu.Unlock()
	ended := job
	ended.State, ended.Message = model.JobCancelled, "stopped on request"
	if f.stopEnds != nil {
		ended.State, ended.Message = f.stopEnds.State, f.stopEnds.Message
	}
	f.finish <- ended
	return nil
}

func (f *fakeBackend) Running(ctx context.Context) ([]model.Job, error) { return f.running, nil }

func vmState(lastBackup time.Time) model.SourceState {
	return model.SourceState{Targets: []model.Target{{
		ID: "pve/qemu/421", Name: "k3sagent01", Node: "pve", VMID: 421, Source: model.SourceProxmox,
		RestorePoints: []model.RestorePoint{{ID: "a", Time: lastBackup, Size: 10}},
	}}}
}

// waitFor reads events until one satisfies ok, failing after a while.
func waitFor(t *testing.T, e *Engine, what string, ok func(model.Event) bool) model.Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-e.Events():
			if ok(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestRefreshRatesTargets(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	f := newFake(model.SourceProxmox)
	f.state = vmState(now.Add(-2 * time.Hour))
	e := NewEngine(EngineOptions{Backends: []Observer{f}, Now: func() time.Time { return now },
		Concerns: []model.ConcernSpec{{ID: model.ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/*"}}}})
	if got := e.Posture().Overall; got != model.StatusUnknown {
		t.Fatalf("before the first refresh the posture must be unknown, got %s", got)
	}
	p := e.RefreshNow(context.Background())
	if p.Overall != model.StatusOK {
		t.Fatalf("overall = %s, want ok; errors %v", p.Overall, p.Errors)
	}
	ts, ok := p.Target("pve/qemu/421")
	if !ok || ts.Status != model.StatusOK || ts.Age != 2*time.Hour {
		t.Fatalf("target = %+v", ts)
	}
}

func TestFailingSourceKeepsLastKnownAsUnknown(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	f := newFake(model.SourceProxmox)
	f.state = vmState(now.Add(-time.Hour))
	e := NewEngine(EngineOptions{Backends: []Observer{f}, Now: func() time.Time { return now },
		Concerns: []model.ConcernSpec{{ID: model.ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/421"}}}})
	e.RefreshNow(context.Background())
	f.mu.Lock()
	f.err = errors.New("cannot reach PVE at https://127.0.0.1:1: connection refused")
	f.mu.Unlock()
	p := e.RefreshNow(context.Background())
	ts, _ := p.Target("pve/qemu/421")
	if ts.Status != model.StatusUnknown || !strings.Contains(ts.Reason, "connection refused") {
		t.Fatalf("status %s reason %q, want unknown with the error", ts.Status, ts.Reason)
	}
	if !ts.HasBackup {
		t.Fatal("the last known restore points must stay visible")
	}
	if len(p.Errors) != 1 || p.Errors[0].Source != model.SourceProxmox {
		t.Fatalf("errors = %+v", p.Errors)
	}
}

func TestSlowSourceDoesNotBlockOthers(t *testing.T) {
	slow := newFake(model.SourceURBackup)
	slow.block = make(chan struct{})
	defer close(slow.block)
	fast := newFake(model.SourceProxmox)
	fast.state = vmState(time.Now())
	e := NewEngine(EngineOptions{Backends: []Observer{slow, fast}, SourceTimeout: time.Minute,
		Concerns: []model.ConcernSpec{{ID: model.ConcernVMs, Targets: []string{"pve/qemu/421"}}}})
	e.refreshAll(context.Background(), false)
	ev := waitFor(t, e, "the fast source's posture", func(ev model.Event) bool {
		pe, ok := ev.(model.PostureEvent)
		if !ok {
			return false
		}
		ts, _ := pe.Posture.Target("pve/qemu/421")
		return ts.Found
	})
	if ev.(model.PostureEvent).Posture.Concerns[0].Status != model.StatusOK {
		t.Fatal("the fast source's target should be ok while the slow one still works")
	}
}

func TestSourceTimeoutIsReported(t *testing.T) {
	slow := newFake(model.SourceProxmox)
	slow.block = make(chan struct{})
	defer close(slow.block)
	e := NewEngine(EngineOptions{Backends: []Observer{slow}, SourceTimeout: 50 * time.Millisecond})
	p := e.RefreshNow(context.Background())
	if len(p.Errors) != 1 || !strings.Contains(p.Errors[0].Message, "no answer within 50ms") {
		t.Fatalf("errors = %+v", p.Errors)
	}
}

func TestJobFollowedToTheEndAndRefreshes(t *testing.T) {
	f := newFake(model.SourceProxmox)
	f.state = vmState(time.Now().Add(-30 * time.Hour))
	e := NewEngine(EngineOptions{Backends: []Observer{f}, Interval: time.Hour,
		Concerns: []model.ConcernSpec{{ID: model.ConcernVMs, Targets: []string{"pve/qemu/*"}}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, e, "first posture", func(ev model.Event) bool { _, ok := ev.(model.PostureEvent); return ok })

	job, err := e.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodVzdump})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodVzdump}); err == nil ||
		!strings.Contains(err.Error(), "already has a vzdump job running") {
		t.Fatalf("a second job on the same target must be refused, got %v", err)
	}
	p := job
	p.Progress.Percent = 45
	f.prog <- p
	waitFor(t, e, "progress", func(ev model.Event) bool {
		je, ok := ev.(model.JobEvent)
		return ok && je.Job.Progress.Percent == 45
	})
	end := job
	end.State = model.JobSucceeded
	f.mu.Lock()
	f.state = vmState(time.Now())
	f.mu.Unlock()
	f.finish <- end
	waitFor(t, e, "the job's end", func(ev model.Event) bool {
		je, ok := ev.(model.JobEvent)
		return ok && je.Job.State == model.JobSucceeded && !je.Job.Ended.IsZero()
	})
	// The engine refreshes after a success, so the new backup shows at once.
	waitFor(t, e, "the refreshed posture", func(ev model.Event) bool {
		pe, ok := ev.(model.PostureEvent)
		if !ok {
			return false
		}
		ts, _ := pe.Posture.Target("pve/qemu/421")
		return ts.Found && ts.Age < time.Hour
	})
}

// A stop is a request: the backend says how the job really ended. UrBackup
// carries on with a backup past its indexing and finishes it; a job can
// also fail for another reason after a stop. The engine never calls either
// "cancelled" on its own word.
func TestStopLeavesTheEndToTheBackend(t *testing.T) {
	for _, end := range []model.Job{
		{State: model.JobSucceeded, Message: "UrBackup did not stop it; it finished at 14:31"},
		{State: model.JobFailed, Message: "the client went offline"},
	} {
		f := newFake(model.SourceURBackup)
		f.stopEnds = &end
		e := NewEngine(EngineOptions{Backends: []Observer{f}, Interval: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.Run(ctx); close(done) }()
		job, err := e.Start(ctx, model.JobRequest{Target: "urbackup/k3sagent01", Method: model.MethodFullFile})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Stop(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, e, string(end.State), func(ev model.Event) bool {
			je, ok := ev.(model.JobEvent)
			if ok && je.Job.State.Terminal() && je.Job.State != end.State {
				t.Errorf("the job ended %s, the backend said %s", je.Job.State, end.State)
			}
			return ok && je.Job.State == end.State && je.Job.Message == end.Message
		})
		cancel()
		<-done
	}
}

func TestStopEndsCancelled(t *testing.T) {
	f := newFake(model.SourceProxmox)
	e := NewEngine(EngineOptions{Backends: []Observer{f}, Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	job, err := e.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodVzdump})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, "cancelled", func(ev model.Event) bool {
		je, ok := ev.(model.JobEvent)
		return ok && je.Job.State == model.JobCancelled
	})
	if err := e.Stop(ctx, job.ID); err == nil || !strings.Contains(err.Error(), "already ended") {
		t.Fatalf("stopping an ended job: %v", err)
	}
}

func TestReattachPicksUpRunningJobs(t *testing.T) {
	f := newFake(model.SourceProxmox)
	f.state = vmState(time.Now())
	f.running = []model.Job{{TaskID: "UPID:pve:1", Target: "pve/qemu/421", Method: model.MethodVzdump,
		Source: model.SourceProxmox, State: model.JobRunning, Progress: model.UnknownProgress()}}
	e := NewEngine(EngineOptions{Backends: []Observer{f}, Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, e, "the picked-up job", func(ev model.Event) bool {
		je, ok := ev.(model.JobEvent)
		return ok && je.Job.ID == "UPID:pve:1" && je.Job.State == model.JobRunning
	})
	j, ok := e.Job("UPID:pve:1")
	if !ok || j.Target != "pve/qemu/421" {
		t.Fatalf("job = %+v", j)
	}
}

func TestStartWithoutSource(t *testing.T) {
	e := NewEngine(EngineOptions{})
	_, err := e.Start(context.Background(), model.JobRequest{Target: "urbackup/k3sagent01", Method: "incr-file"})
	if err == nil || !strings.Contains(err.Error(), "no urbackup source") {
		t.Fatalf("err = %v", err)
	}
}

// countingBackend counts its reads and can hold one up.
type countingBackend struct {
	*fakeBackend
	mu      sync.Mutex
	reads   int
	entered chan struct{}
}

func (c *countingBackend) Observe(ctx context.Context) (model.SourceState, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	select {
	case c.entered <- struct{}{}:
	default:
	}
	return c.fakeBackend.Observe(ctx)
}

// A refresh asked while one is under way (a job ended during the read) is
// not dropped: one more read follows, so the job's result shows.
func TestRefreshAskedDuringARefreshFollowsIt(t *testing.T) {
	c := &countingBackend{fakeBackend: newFake(model.SourceClonezilla), entered: make(chan struct{}, 1)}
	c.block = make(chan struct{})
	e := NewEngine(EngineOptions{Backends: []Observer{c}})
	ctx := context.Background()
	done := make(chan struct{})
	go func() { e.refreshAll(ctx, true); close(done) }()
	<-c.entered
	e.refreshAll(ctx, false) // busy: marked to run again
	e.refreshAll(ctx, false) // asked twice: still one more read, not two
	c.fakeBackend.mu.Lock()
	close(c.fakeBackend.block)
	c.fakeBackend.block = nil
	c.fakeBackend.mu.Unlock()
	<-done
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reads != 2 {
		t.Fatalf("%d reads, want 2 (the one under way and one after it)", c.reads)
	}
}

// RefreshNow returns a posture with every source read after the call, even
// when Run's own first refresh was under way: run by name resolved
// against a posture without PVE in it ("no target named 421").
func TestRefreshNowWaitsForARefreshUnderWay(t *testing.T) {
	f := newFake(model.SourceProxmox)
	f.state = vmState(time.Now())
	f.block = make(chan struct{})
	e := NewEngine(EngineOptions{Backends: []Observer{f}, Interval: time.Hour,
		Concerns: []model.ConcernSpec{{ID: model.ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/421"}}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for busy := false; !busy; {
		e.mu.Lock()
		busy = e.refreshing[model.SourceProxmox]
		e.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	got := make(chan *model.Posture, 1)
	go func() { got <- e.RefreshNow(ctx) }()
	select {
	case p := <-got:
		t.Fatalf("RefreshNow returned while the source was still being read: %+v", p.Errors)
	case <-time.After(50 * time.Millisecond):
	}
	close(f.block)
	f.mu.Lock()
	f.block = nil
	f.mu.Unlock()
	p := <-got
	if ts, ok := p.Target("pve/qemu/421"); !ok || !ts.Found {
		t.Errorf("the posture lacks the source's guest: %+v", ts)
	}
}
