package urbackup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/backdeck/backdeck/backends/httpapi"
	"github.com/backdeck/backdeck/model"
)

// Follow polls a=progress until the job's process has come and gone, then
// judges the outcome from a=status: a new last backup of the right kind is
// a success. A job that cannot be followed (UrBackup unreachable for
// maxPollFailures polls in a row) comes back still running with an error:
// the backup may go on, and Running finds it again later.
func (c *Client) Follow(ctx context.Context, job model.Job, update func(model.Job)) (model.Job, error) {
	if job.State.Terminal() {
		return job, nil
	}
	if update == nil {
		update = func(model.Job) {}
	}
	name, err := clientName(job.Target)
	if err != nil {
		return job, err
	}
	if _, ok := startTypes[job.Method]; !ok {
		return job, fmt.Errorf("UrBackup has no method %q to follow", job.Method)
	}
	tr := c.track(job.ID)
	defer func() {
		c.mu.Lock()
		delete(c.jobs, job.ID)
		c.mu.Unlock()
	}()
	if job.State != model.JobRunning {
		job.State = model.JobRunning
		update(job)
	}
	w := &watch{tr: tr, name: name, waitSince: c.tick(), seen: job.TaskID != "", meter: newMeter(), logsAt: c.logsAfter}
	polling := httpapi.Polling{
		Every:       c.poll,
		MaxFailures: maxPollFailures,
		Fatal:       fatal,
		Lost: func(failures int, err error) error {
			return fmt.Errorf("lost contact with UrBackup while following the backup of %s (%d polls failed in a row): %w", name, failures, err)
		},
	}
	err = polling.Follow(ctx, &job, update, func(job *model.Job) (bool, error) { return c.step(ctx, job, w) })
	return job, err
}

// watch is what Follow keeps between polls. Its times are on c.tick: the
// fake clocks of tests do not move, and speeds need a clock that does.
type watch struct {
	tr        *jobTrack
	name      string
	waitSince time.Time
	seen      bool // the process has shown in a=progress
	meter     *meter
	recheck   bool          // the process was found gone once with no new backup
	logsAt    time.Duration // when (after waitSince) to read the logs next
}

// step polls once: the process's progress while it shows, the outcome
// once it has come and gone. done means the job has ended.
func (c *Client) step(ctx context.Context, job *model.Job, w *watch) (bool, error) {
	err := c.know(ctx, w.tr, w.name, *job)
	var gone *goneError
	if errors.As(err, &gone) {
		job.State, job.Ended, job.Message = model.JobFailed, c.now(), gone.Error()
		return true, nil
	}
	if err != nil {
		return false, err
	}
	procs, err := c.progress(ctx)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	clientID, pid, stopped := w.tr.clientID, firstOf(job.TaskID, w.tr.procID), w.tr.stopAsked
	c.mu.Unlock()
	p, found := findProcess(procs, clientID, pid, job.Method)
	switch {
	case found:
		w.seen = true
		pid = procID(p)
		c.mu.Lock()
		w.tr.procID = pid
		c.mu.Unlock()
		job.TaskID, job.Message = pid, ""
		job.Progress = w.meter.observe(p, job.Method, c.tick())
		if stopped {
			job.Progress.LastLine = stopNote(job.Progress.Phase)
		}
		return false, nil
	case w.seen || stopped:
		// Gone (or stopped before this loop saw it: Stop found it).
		return c.finish(ctx, job, w)
	}
	return c.early(ctx, job, w)
}

// stopNote says what a stop asked for has done so far. A real server
// honours a stop only while the client indexes; one sent during the
// transfer is ignored and the backup completes.
func stopNote(phase string) string {
	if phase == phaseIndexing {
		return "stop sent; waiting for UrBackup to end the backup"
	}
	return "stop sent, but UrBackup goes on: it stops a backup only while the client indexes"
}

// goneError says the job's client is no longer on the server.
type goneError struct{ name string }

func (e *goneError) Error() string {
	return fmt.Sprintf("%s is no longer a client of the UrBackup server", e.name)
}

// know makes sure the job's client id and baseline (its last backup before
// the job) are known; a job picked up by Running has neither.
func (c *Client) know(ctx context.Context, tr *jobTrack, name string, job model.Job) error {
	c.mu.Lock()
	ready := tr.clientID != 0 && tr.baselineKnown
	c.mu.Unlock()
	if ready {
		return nil
	}
	st, err := c.status(ctx)
	if err != nil {
		return err
	}
	cs, ok := st.byName(name)
	if !ok {
		return &goneError{name: name}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	tr.clientID = cs.ID.Int(0)
	if !tr.baselineKnown {
		tr.baseline, tr.baselineKnown = lastOf(cs, job.Method), true
	}
	if tr.started.IsZero() {
		tr.started = job.Started
	}
	return nil
}

// snapshot copies the job's record under the lock.
func (c *Client) snapshot(tr *jobTrack) jobTrack {
	c.mu.Lock()
	defer c.mu.Unlock()
	return *tr
}

// early checks a job whose process has not shown yet: a short backup may
// have come and gone between two polls, the client may never start, or
// the server may have failed it before it showed (its log says why).
func (c *Client) early(ctx context.Context, job *model.Job, w *watch) (bool, error) {
	name, waited := w.name, c.tick().Sub(w.waitSince)
	st, err := c.status(ctx)
	if err != nil {
		return false, err
	}
	cs, ok := st.byName(name)
	if !ok {
		job.State, job.Ended, job.Message = model.JobFailed, c.now(), (&goneError{name: name}).Error()
		return true, nil
	}
	t := c.snapshot(w.tr)
	if newBackup(*job, cs, t.baseline, t.baselineKnown) {
		c.outcome(ctx, job, cs, t, name)
		job.Ended = c.now()
		return true, nil
	}
	if !cs.Online {
		// It was online when the server took the request.
		job.State, job.Ended = model.JobFailed, c.now()
		job.Message = fmt.Sprintf("the client never started the backup: %s went offline before it began", name)
		return true, nil
	}
	if waited < w.logsAt && waited < c.appearWait {
		return false, nil
	}
	w.logsAt = waited + max(c.logsAfter, 4*c.poll)
	if t.logBaseKnown {
		if why := c.failureSince(ctx, t.clientID, t.logBase); why != "" {
			// A backup that ended between the two reads is on record by now.
			if st, err := c.status(ctx); err == nil {
				if cs, ok := st.byName(name); ok && newBackup(*job, cs, t.baseline, t.baselineKnown) {
					c.outcome(ctx, job, cs, t, name)
					job.Ended = c.now()
					return true, nil
				}
			}
			job.State, job.Ended = model.JobFailed, c.now()
			job.Message = fmt.Sprintf("UrBackup took the request but the backup of %s failed before it began: %s (UrBackup's log)", name, why)
			return true, nil
		}
	}
	if waited < c.appearWait {
		return false, nil
	}
	job.State, job.Ended = model.JobFailed, c.now()
	job.Message = fmt.Sprintf("the client never started the backup: %s did not begin within %s of the request", name, model.HumanAge(c.appearWait))
	if t.logBaseKnown {
		job.Message += ", and UrBackup's logs say nothing of it; see the server's own log (/var/log/urbackup.log)"
	} else {
		job.Message += "; see the server's logs"
	}
	return true, nil
}

// finish judges a job whose process is gone, from a fresh a=status. The
// new last backup can show a moment after the process has left a=progress
// (a real server: 12 ms later), so "no new backup" is only believed on
// the next poll.
func (c *Client) finish(ctx context.Context, job *model.Job, w *watch) (bool, error) {
	st, err := c.status(ctx)
	if err != nil {
		return false, err // Follow polls again: the process stays gone
	}
	t := c.snapshot(w.tr)
	cs, ok := st.byID(t.clientID)
	if !ok {
		cs, ok = st.byName(w.name)
	}
	if !ok {
		job.State, job.Ended, job.Message = model.JobFailed, c.now(), (&goneError{name: w.name}).Error()
		return true, nil
	}
	if !newBackup(*job, cs, t.baseline, t.baselineKnown) && !w.recheck && bool(cs.Online) {
		w.recheck = true
		return false, nil
	}
	job.Ended = c.now()
	c.outcome(ctx, job, cs, t, w.name)
	return true, nil
}

// newBackup reports whether the client's last backup of the job's kind is
// newer than the job: later than the one before it when that is known,
// else not earlier than the job's start. The baseline is the sturdier
// test: the server's clock may run ahead of ours, and then the backup
// before the job looks newer than the job.
func newBackup(job model.Job, cs clientStatus, baseline int64, known bool) bool {
	last := lastOf(cs, job.Method)
	switch {
	case last <= 0:
		return false
	case known:
		return last > baseline
	}
	return !job.Started.IsZero() && last >= job.Started.Unix()
}

// outcome sets the state of a job whose process is gone. A new last backup
// is a success, whatever file_ok says (it stays false for a client whose
// automatic backups are off) and whether or not a stop was asked for: the
// server may ignore a stop, and then says nothing of it.
func (c *Client) outcome(ctx context.Context, job *model.Job, cs clientStatus, t jobTrack, name string) {
	job.Progress.Phase = ""
	if newBackup(*job, cs, t.baseline, t.baselineKnown) {
		job.State, job.Message = model.JobSucceeded, "UrBackup finished the "+job.Method.Phrase()
		if t.stopAsked {
			job.Message = "UrBackup did not stop it; it finished at " + c.now().Format("15:04")
		}
		job.Progress.Percent = 100
		job.Progress.ETA, job.Progress.ETAKnown = 0, false
		if n := cs.LastFileBackupIssues.Int(0); n > 0 && !isImage(job.Method) {
			job.State = model.JobWarning
			job.Message += fmt.Sprintf(" with %d issues; see the server's logs", n)
		}
		return
	}
	kind, markedFailed := "file", bool(!cs.FileOK && !cs.FileDisabled)
	if isImage(job.Method) {
		kind, markedFailed = "image", bool(!cs.ImageOK && !cs.ImageDisabled)
	}
	job.State = model.JobFailed
	switch {
	case t.stopAsked:
		// Gone without a backup: this time the stop was honoured.
		job.State, job.Message = model.JobCancelled, "UrBackup stopped it; no backup was made"
	case !bool(cs.Online):
		job.Message = fmt.Sprintf("%s went offline during the backup", name)
	default:
		why := ""
		if t.logBaseKnown {
			why = c.failureSince(ctx, t.clientID, t.logBase)
		}
		switch {
		case why != "":
			job.Message = fmt.Sprintf("the backup did not complete: %s (UrBackup's log)", why)
		case markedFailed:
			job.Message = fmt.Sprintf("the backup did not complete: UrBackup marks the last %s backup of %s as failed; see the server's logs", kind, name)
		default:
			job.Message = fmt.Sprintf("the backup did not complete: UrBackup lists no new %s backup of %s; see the server's logs", kind, name)
		}
	}
}
