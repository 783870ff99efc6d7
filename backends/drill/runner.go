package drill

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// Runner is the PVE source with drills as jobs: it is the proxmox client
// (every other method goes to it), and Start with model.MethodDrill runs a
// drill in this process, followed in the jobs panel like a task. A drill
// cannot go on without the process: Close stops the running ones and waits
// for their cleanup, and what a killed process left is found by Cleanup.
type Runner struct {
	*proxmox.Client
	historyPath string
	now         func() time.Time

	mu     sync.Mutex
	db     *history.DB // opened at the first drill
	drills map[string]*running
	seq    int
	wg     sync.WaitGroup
}

// running is one drill under way in this process.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	job    model.Job
	notify chan struct{} // closed and replaced at every change
}

// NewRunner wraps the PVE client; historyPath is where drills are recorded.
func NewRunner(c *proxmox.Client, historyPath string, now func() time.Time) *Runner {
	if now == nil {
		now = time.Now
	}
	return &Runner{Client: c, historyPath: historyPath, now: now, drills: map[string]*running{}}
}

// Start runs a drill for MethodDrill (req.Point is the archive, req.Storage
// where its disks go, req.Boot to boot it); any other method is the
// client's.
func (r *Runner) Start(ctx context.Context, req model.JobRequest) (model.Job, error) {
	if req.Method != model.MethodDrill {
		return r.Client.Start(ctx, req)
	}
	d, err := r.driller(ctx)
	if err != nil {
		return model.Job{}, err
	}
	if _, err := proxmox.ParseArchive(req.Point); err != nil {
		return model.Job{}, err
	}
	r.mu.Lock()
	r.seq++
	job := model.Job{ID: fmt.Sprintf("drill-%s-%d-%d", req.Target, r.now().UnixMilli(), r.seq), Target: req.Target,
		Method: model.MethodDrill, Source: model.SourceProxmox, Started: r.now(), State: model.JobRunning, Point: req.Point,
		Storage: req.Storage, Progress: model.UnknownProgress()}
	dctx, cancel := context.WithCancel(context.Background()) // the drill outlives the call that starts it
	run := &running{cancel: cancel, done: make(chan struct{}), job: job, notify: make(chan struct{})}
	r.drills[job.ID] = run
	r.wg.Add(1)
	r.mu.Unlock()
	d.o.Report = func(e Event) { run.event(e) }
	go func() {
		defer r.wg.Done()
		defer close(run.done)
		res, err := d.Run(dctx, Request{Target: req.Target, Point: req.Point, Storage: req.Storage, Boot: req.Boot})
		run.end(res, err, dctx.Err() != nil, r.now())
	}()
	return job, nil
}

// driller opens the history at the first drill; a drill without one is
// refused (it must be recorded before it starts).
func (r *Runner) driller(ctx context.Context) (*Driller, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.db == nil {
		db, err := history.Open(ctx, r.historyPath)
		if err != nil {
			return nil, fmt.Errorf("a drill is recorded before it starts and the history cannot be opened: %w", err)
		}
		r.db = db
	}
	return New(Options{PVE: r.Client, Log: r.db, Now: r.now})
}

func (run *running) event(e Event) {
	run.mu.Lock()
	defer run.mu.Unlock()
	run.job.Progress.Phase = e.Step
	run.job.Progress.LastLine = e.Step + ": " + e.Message
	if e.State == "failed" {
		run.job.Progress.LastLine = e.Step + " FAILED: " + e.Message
	}
	close(run.notify)
	run.notify = make(chan struct{})
}

func (run *running) end(res Result, err error, cancelled bool, now time.Time) {
	run.mu.Lock()
	defer run.mu.Unlock()
	j := &run.job
	j.Ended, j.Guest = now, res.Scratch
	left := "nothing left behind"
	if !res.Cleaned && res.Scratch != 0 {
		left = fmt.Sprintf("scratch guest %d is LEFT BEHIND (destroyed at the next start)", res.Scratch)
	}
	switch {
	case err != nil && res.Point == "":
		j.State, j.Message = model.JobFailed, err.Error()
	case res.OK:
		j.State, j.Message = model.JobSucceeded, "drill passed: "+res.Note+"; "+left
	case cancelled:
		j.State, j.Message = model.JobCancelled, "drill stopped at "+res.Step+"; "+left
	default:
		j.State, j.Message = model.JobFailed, "drill failed at "+res.Step+": "+res.Note+"; "+left
	}
	if err != nil && res.Point != "" {
		j.Message += " (" + err.Error() + ")"
	}
	close(run.notify)
	run.notify = make(chan struct{})
}

func (run *running) snapshot() (model.Job, <-chan struct{}) {
	run.mu.Lock()
	defer run.mu.Unlock()
	return run.job, run.notify
}

// Follow waits for a drill of this process; other jobs are the client's.
func (r *Runner) Follow(ctx context.Context, job model.Job, update func(model.Job)) (model.Job, error) {
	if job.Method != model.MethodDrill {
		return r.Client.Follow(ctx, job, update)
	}
	r.mu.Lock()
	run := r.drills[job.ID]
	r.mu.Unlock()
	if run == nil {
		job.State, job.Message = model.JobFailed, "this drill ran in another process; its leftovers are cleaned up at the next start"
		return job, nil
	}
	if update == nil {
		update = func(model.Job) {}
	}
	for {
		j, changed := run.snapshot()
		if j.State.Terminal() {
			return j, nil
		}
		update(j)
		select {
		case <-ctx.Done():
			return j, ctx.Err()
		case <-changed:
		}
	}
}

// Stop stops a drill: it goes to its cleanup at once.
func (r *Runner) Stop(ctx context.Context, job model.Job) error {
	if job.Method != model.MethodDrill {
		return r.Client.Stop(ctx, job)
	}
	r.mu.Lock()
	run := r.drills[job.ID]
	r.mu.Unlock()
	if run == nil {
		return fmt.Errorf("no drill %s runs here", job.ID)
	}
	run.cancel()
	return nil
}

// Close stops every drill of this process and waits for their cleanup.
func (r *Runner) Close() {
	r.mu.Lock()
	for _, run := range r.drills {
		run.cancel()
	}
	r.mu.Unlock()
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.db != nil {
		r.db.Close()
		r.db = nil
	}
}

// CleanupLeftovers destroys what drills of earlier processes left (see
// Driller.Cleanup) and says what it did, one line each. Without a history
// there is no record of a drill and nothing to do: the engine reports the
// history's failure itself.
func (r *Runner) CleanupLeftovers(ctx context.Context, stillRunning time.Duration) ([]string, error) {
	d, err := r.driller(ctx)
	if err != nil {
		return nil, nil
	}
	left, err := d.Cleanup(ctx, stillRunning)
	var out []string
	for _, lo := range left {
		what := "cleaned up"
		if !lo.Cleaned {
			what = "not cleaned up"
		}
		out = append(out, fmt.Sprintf("restore drill of %s (started %s) %s: %s", lo.Drill.Target,
			lo.Drill.Started.Local().Format("2006-01-02 15:04"), what, strings.TrimSpace(lo.Note)))
	}
	return out, err
}
