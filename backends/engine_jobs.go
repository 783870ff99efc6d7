package backends

import (
	"context"
	"fmt"
	"sort"

	"github.com/backdeck/backdeck/model"
)

// nameJobs gives jobs picked up from a server (which know only their target
// id) the target's display name; e.mu must be held.
func (e *Engine) nameJobs() (changed bool) {
	for _, j := range e.jobs {
		if j.Name == "" && j.Target != "" {
			if ts, ok := e.posture.Target(j.Target); ok && ts.Found {
				j.Name, changed = ts.Name, true
			}
		}
	}
	return changed
}

// jobList returns the running jobs and the newest ended ones, newest first;
// e.mu must be held.
func (e *Engine) jobList() []model.Job {
	out := make([]model.Job, 0, len(e.jobs))
	for _, j := range e.jobs {
		out = append(out, *j)
	}
	sort.Slice(out, func(i, k int) bool {
		if out[i].Started.Equal(out[k].Started) {
			return out[i].ID < out[k].ID
		}
		return out[i].Started.After(out[k].Started)
	})
	return out
}

// pruneJobs forgets the oldest ended jobs beyond KeepFinished; e.mu must be held.
func (e *Engine) pruneJobs() {
	var ended []*model.Job
	for _, j := range e.jobs {
		if j.State.Terminal() {
			ended = append(ended, j)
		}
	}
	if len(ended) <= e.opts.KeepFinished {
		return
	}
	sort.Slice(ended, func(i, k int) bool { return ended[i].Ended.After(ended[k].Ended) })
	for _, j := range ended[e.opts.KeepFinished:] {
		delete(e.jobs, j.ID)
		delete(e.stopAsked, j.ID)
	}
}

// Start asks the target's backend to start a job and follows it.
func (e *Engine) Start(ctx context.Context, req model.JobRequest) (model.Job, error) {
	b, ok := e.runner(model.SourceOf(req.Target))
	if !ok {
		return model.Job{}, fmt.Errorf("no %s source is configured for %s", model.SourceOf(req.Target), req.Target)
	}
	e.mu.Lock()
	for _, j := range e.jobs {
		if j.Target == req.Target && !j.State.Terminal() {
			e.mu.Unlock()
			return model.Job{}, fmt.Errorf("%s already has a %s job running; wait for it or stop it first", displayName(*j), j.Method)
		}
	}
	e.mu.Unlock()
	job, err := b.Start(ctx, req)
	if err != nil {
		return model.Job{}, err
	}
	if job.ID == "" {
		job.ID = job.TaskID
	}
	if job.ID == "" {
		job.ID = fmt.Sprintf("%s-%s-%d", req.Target, req.Method, e.opts.Now().UnixNano())
	}
	e.track(job, b)
	return job, nil
}

// Reattach picks up the jobs running on the servers that this engine does
// not follow yet: a console that quit and came back sees them again.
func (e *Engine) Reattach(ctx context.Context) {
	for src, o := range e.backends {
		b, ok := o.(Runner)
		if !ok {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, e.opts.SourceTimeout)
		running, err := b.Running(rctx)
		cancel()
		if err != nil {
			e.send(ctx, model.ErrorEvent{Err: model.SourceError{Source: src, Message: "listing running jobs: " + err.Error(), At: e.opts.Now()}}, true)
			continue
		}
		for _, j := range running {
			if j.ID == "" {
				j.ID = j.TaskID
			}
			e.mu.Lock()
			_, known := e.jobs[j.ID]
			e.mu.Unlock()
			if !known {
				e.track(j, b)
			}
		}
	}
}

// track records a job and, while it runs, follows it in its own goroutine.
func (e *Engine) track(job model.Job, b Runner) {
	e.mu.Lock()
	if cur, ok := e.jobs[job.ID]; ok && !cur.State.Terminal() {
		// Already followed: Reattach and Start can race for one task. The
		// one who started it knows it best (a backup job's "alpha:
		// backup-k3s-daily", not the task's "vzdump (several guests)").
		if job.Name != "" {
			cur.Name = job.Name
		}
		if job.Target != "" {
			cur.Target = job.Target
		}
		e.mu.Unlock()
		return
	}
	if job.Name == "" {
		if ts, ok := e.posture.Target(job.Target); ok {
			job.Name = ts.Name
		}
	}
	j := job
	e.jobs[j.ID] = &j
	e.posture = e.buildPosture()
	p := e.posture
	runCtx := e.ctx
	e.mu.Unlock()
	e.recordJob(runCtx, job)
	e.send(runCtx, model.JobEvent{Job: job}, true)
	e.send(runCtx, model.PostureEvent{Posture: p}, true)
	if job.State.Terminal() {
		return
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		final, err := b.Follow(runCtx, job, func(u model.Job) { e.update(runCtx, u, false) })
		if runCtx.Err() != nil {
			return // the console is quitting; the job goes on on the server
		}
		if err != nil && !final.State.Terminal() {
			final = job
			final.State = model.JobFailed
			final.Message = "lost track of the job: " + err.Error()
		}
		if final.Ended.IsZero() {
			final.Ended = e.opts.Now()
		}
		e.update(runCtx, final, true)
		if final.Verification != nil {
			e.recordVerification(runCtx, final)
		}
		if final.State.Succeeded() || final.Verification != nil {
			e.Refresh() // the new restore point, snapshot or verified state shows at once
		}
	}()
}

// update stores a job's new state and publishes it.
func (e *Engine) update(ctx context.Context, u model.Job, final bool) {
	e.mu.Lock()
	cur, ok := e.jobs[u.ID]
	if !ok {
		e.mu.Unlock()
		return
	}
	// The backend says how a stopped job ended: PVE's task was stopped
	// (cancelled), but UrBackup may carry on and finish, or fail for
	// another reason; the engine never overrules it with its own word.
	// A job keeps the name and target it was tracked with: a follower
	// started by Reattach knows only the task's.
	if cur.Name != "" {
		u.Name = cur.Name
	}
	if cur.Target != "" {
		u.Target = cur.Target
	}
	*cur = u
	var p *model.Posture
	if final {
		e.pruneJobs()
		e.posture = e.buildPosture()
		p = e.posture
	}
	e.mu.Unlock()
	if final {
		e.recordJob(ctx, u)
	}
	e.send(ctx, model.JobEvent{Job: u}, final)
	if p != nil {
		e.send(ctx, model.PostureEvent{Posture: p}, true)
	}
}

// Stop asks the server to stop a running job; its end arrives as an event.
func (e *Engine) Stop(ctx context.Context, jobID string) error {
	e.mu.Lock()
	j, ok := e.jobs[jobID]
	var job model.Job
	if ok {
		job = *j
	}
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("no job %s", jobID)
	}
	if job.State.Terminal() {
		return fmt.Errorf("%s has already ended (%s)", displayName(job), job.State)
	}
	b, ok := e.runner(job.Source)
	if !ok {
		return fmt.Errorf("no %s source is configured", job.Source)
	}
	e.mu.Lock()
	e.stopAsked[jobID] = true
	e.mu.Unlock()
	if err := b.Stop(ctx, job); err != nil {
		e.mu.Lock()
		delete(e.stopAsked, jobID)
		e.mu.Unlock()
		return err
	}
	return nil
}

// Job returns what is known of a job now.
func (e *Engine) Job(id string) (model.Job, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, ok := e.jobs[id]
	if !ok {
		return model.Job{}, false
	}
	return *j, true
}

// runner is the source's job runner, when it has one.
func (e *Engine) runner(src model.Source) (Runner, bool) {
	r, ok := e.backends[src].(Runner)
	return r, ok
}

func displayName(j model.Job) string {
	if j.Name != "" {
		return j.Name
	}
	return j.Target
}
