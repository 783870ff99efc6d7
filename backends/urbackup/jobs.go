package urbackup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/backdeck/backdeck/model"
)

// maxPollFailures is how many polls in a row may fail (timeouts, nginx's
// 502 while UrBackup restarts) before Follow gives up on a job.
const maxPollFailures = 5

// UrBackup's process actions (server_status.h) for the four backups.
const (
	actionIncrFile  = 1
	actionFullFile  = 2
	actionIncrImage = 3
	actionFullImage = 4
)

var startTypes = map[model.Method]string{
	model.MethodIncrFile:  "incr_file",
	model.MethodFullFile:  "full_file",
	model.MethodIncrImage: "incr_image",
	model.MethodFullImage: "full_image",
}

func actionMethod(a num) (model.Method, bool) {
	switch a.Int(0) {
	case actionIncrFile:
		return model.MethodIncrFile, true
	case actionFullFile:
		return model.MethodFullFile, true
	case actionIncrImage:
		return model.MethodIncrImage, true
	case actionFullImage:
		return model.MethodFullImage, true
	}
	return "", false
}

func isImage(m model.Method) bool { return m == model.MethodIncrImage || m == model.MethodFullImage }

// jobTrack is what the client knows of a job it started or follows. The
// server gives no task id at start: the process shows in a=progress once
// the client connects, and the outcome is read from a=status afterwards.
type jobTrack struct {
	clientID      int64
	baseline      int64 // the client's last backup time of this kind before the job
	baselineKnown bool
	procID        string
	stopAsked     bool
	started       time.Time
}

// track returns the job's record, creating it.
func (c *Client) track(jobID string) *jobTrack {
	c.mu.Lock()
	defer c.mu.Unlock()
	tr, ok := c.jobs[jobID]
	if !ok {
		tr = &jobTrack{}
		c.jobs[jobID] = tr
	}
	return tr
}

// jobFor finds the job that follows a process, so that Running names it as
// Start did and the engine does not follow it twice.
func (c *Client) jobFor(clientID int64, procID string) (string, time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, tr := range c.jobs {
		if tr.clientID == clientID && tr.procID == procID {
			return id, tr.started, true
		}
	}
	return "", time.Time{}, false
}

func lastOf(cs clientStatus, m model.Method) int64 {
	if isImage(m) {
		return cs.LastBackupImage.Int(0)
	}
	return cs.LastBackup.Int(0)
}

// notOffered explains why a method is not among a client's methods.
func notOffered(st *statusAnswer, cs clientStatus, m model.Method) error {
	switch {
	case isImage(m) && bool(st.NoImages):
		return errors.New("image backups are switched off on this UrBackup server")
	case isImage(m):
		return fmt.Errorf("image backups are switched off for %s on this UrBackup server", cs.Name)
	case bool(st.NoFileBackups):
		return errors.New("file backups are switched off on this UrBackup server")
	}
	return fmt.Errorf("file backups are switched off for %s on this UrBackup server", cs.Name)
}

// Start asks the server to start a backup of one client. The server only
// passes the request on ("start_ok" means an online client got it): the
// job starts waiting for the client to connect.
func (c *Client) Start(ctx context.Context, req model.JobRequest) (model.Job, error) {
	name, err := clientName(req.Target)
	if err != nil {
		return model.Job{}, err
	}
	// A fresh status: the client's id, whether it is online, and its last
	// backup before this one (to recognise the new one at the end).
	st, err := c.status(ctx)
	if err != nil {
		return model.Job{}, err
	}
	cs, ok := st.byName(name)
	if !ok {
		return model.Job{}, fmt.Errorf("UrBackup has no client %q (%s)", name, st.names())
	}
	offered := methods(st, cs)
	m := req.Method
	if m == "" {
		if len(offered) == 0 {
			return model.Job{}, fmt.Errorf("every kind of backup is switched off for %s on this UrBackup server", name)
		}
		m = offered[0]
	}
	startType, ok := startTypes[m]
	if !ok {
		return model.Job{}, fmt.Errorf("UrBackup cannot run %q: its methods are incr-file, full-file, incr-image and full-image", m)
	}
	if !slices.Contains(offered, m) {
		return model.Job{}, notOffered(st, cs, m)
	}
	id := cs.ID.Int(0)
	var ans startAnswer
	form := url.Values{"start_client": {strconv.FormatInt(id, 10)}, "start_type": {startType}}
	if err := c.call(ctx, "start_backup", form, &ans); err != nil {
		return model.Job{}, fmt.Errorf("starting the %s of %s: %w", m.Phrase(), name, err)
	}
	found := false
	for _, r := range ans.Result {
		if r.ClientID.Int(-1) != id {
			continue
		}
		found = true
		if !r.StartOK {
			if !cs.Online {
				return model.Job{}, fmt.Errorf("UrBackup did not start the backup of %s: the client is offline (%s)", name, lastSeen(cs, c.now()))
			}
			return model.Job{}, fmt.Errorf("UrBackup did not start the backup of %s: the server refused it (is the client busy or just disconnecting?)", name)
		}
	}
	if !found {
		return model.Job{}, fmt.Errorf("UrBackup's answer to a=start_backup says nothing about %s (client %d)", name, id)
	}
	now := c.now()
	job := model.Job{
		ID:       fmt.Sprintf("%s/%d", targetID(name), now.UnixNano()),
		Target:   targetID(name),
		Name:     name,
		Method:   m,
		Source:   model.SourceURBackup,
		State:    model.JobRunning,
		Started:  now,
		Progress: model.UnknownProgress(),
		Message:  "waiting for the client to connect",
	}
	job.Progress.LastLine = job.Message
	tr := c.track(job.ID)
	c.mu.Lock()
	tr.clientID, tr.started = id, now
	tr.baseline, tr.baselineKnown = lastOf(cs, m), true
	c.mu.Unlock()
	return job, nil
}

// progress reads the running processes.
func (c *Client) progress(ctx context.Context) ([]progressEntry, error) {
	var ans progressAnswer
	if err := c.call(ctx, "progress", url.Values{"with_lastacts": {"0"}}, &ans); err != nil {
		return nil, err
	}
	return ans.Progress, nil
}

func procID(p progressEntry) string { return strconv.FormatInt(p.ID.Int(0), 10) }

// findProcess finds a job's process: by its id once known, else the
// client's process of the same action (or of the same kind: the server
// runs a full backup when an incremental one has nothing to build on).
func findProcess(procs []progressEntry, clientID int64, pid string, m model.Method) (progressEntry, bool) {
	var sameKind []progressEntry
	for _, p := range procs {
		if p.ClientID.Int(-1) != clientID {
			continue
		}
		if pid != "" {
			if procID(p) == pid {
				return p, true
			}
			continue
		}
		am, ok := actionMethod(p.Action)
		if !ok {
			continue
		}
		if am == m {
			return p, true
		}
		if isImage(am) == isImage(m) {
			sameKind = append(sameKind, p)
		}
	}
	if len(sameKind) > 0 {
		return sameKind[0], true
	}
	return progressEntry{}, false
}

// progressOf maps a process onto the console's progress; UrBackup says -1
// (or 0 for speed and ETA) when it does not know.
func progressOf(p progressEntry, m model.Method) model.Progress {
	pr := model.UnknownProgress()
	if v := p.PCDone.Int(-1); v >= 0 {
		pr.Percent = float64(min(v, 100))
	}
	if v := p.DoneBytes.Int(-1); v >= 0 {
		pr.DoneBytes = v
	}
	if v := p.TotalBytes.Int(-1); v > 0 {
		pr.TotalBytes = v
	}
	if p.SpeedBPMS.Valid && p.SpeedBPMS.V > 0 {
		pr.ReadBytesPerS = p.SpeedBPMS.V * 1000
	}
	if eta := p.ETAms.millis(); eta > 0 {
		pr.ETA, pr.ETAKnown = eta, true
	}
	switch {
	case p.Details != "":
		pr.LastLine = p.Details
	case bool(p.Paused):
		pr.LastLine = "paused"
	case pr.Percent < 0:
		pr.LastLine = "indexing"
	case isImage(m):
		pr.LastLine = "transferring the image"
	default:
		pr.LastLine = "transferring files"
	}
	return pr
}

// Follow polls a=progress until the job's process has come and gone, then
// judges the outcome from a=status: a new last backup of the right kind,
// marked ok, is a success. A job that cannot be followed (UrBackup
// unreachable for maxPollFailures polls in a row) comes back still running
// with an error: the backup may go on, and Running finds it again later.
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
	w := &watch{tr: tr, name: name, waitSince: time.Now(), seen: job.TaskID != ""}
	failures := 0
	for {
		before := job
		done, err := c.step(ctx, &job, w)
		switch {
		case err == nil:
			failures = 0
		case ctx.Err() != nil:
			return job, ctx.Err()
		case fatal(err):
			return job, err
		default:
			if failures++; failures >= maxPollFailures {
				return job, fmt.Errorf("lost contact with UrBackup while following the backup of %s (%d polls failed in a row): %w", name, failures, err)
			}
		}
		if done {
			update(job)
			return job, nil
		}
		if job != before {
			update(job)
		}
		select {
		case <-ctx.Done():
			return job, ctx.Err()
		case <-time.After(c.poll):
		}
	}
}

// watch is what Follow keeps between polls.
type watch struct {
	tr        *jobTrack
	name      string
	waitSince time.Time // real time: the fake clocks of tests do not move
	seen      bool      // the process has shown in a=progress
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
		job.Progress = progressOf(p, job.Method)
		return false, nil
	case w.seen || stopped:
		// Gone (or stopped before this loop saw it: Stop found it).
		return c.finish(ctx, job, w.tr, w.name)
	}
	return c.early(ctx, job, w.tr, w.name, time.Since(w.waitSince))
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

// early checks a job whose process has not shown yet: a short backup may
// have come and gone between two polls, or the client never starts.
func (c *Client) early(ctx context.Context, job *model.Job, tr *jobTrack, name string, waited time.Duration) (bool, error) {
	st, err := c.status(ctx)
	if err != nil {
		return false, err
	}
	cs, ok := st.byName(name)
	if !ok {
		job.State, job.Ended, job.Message = model.JobFailed, c.now(), (&goneError{name: name}).Error()
		return true, nil
	}
	c.mu.Lock()
	baseline, known := tr.baseline, tr.baselineKnown
	c.mu.Unlock()
	if newBackup(*job, cs, baseline, known) {
		judge(job, cs, baseline, known, false, name)
		job.Ended = c.now()
		return true, nil
	}
	switch {
	case !bool(cs.Online):
		// It was online when the server took the request.
		job.Message = fmt.Sprintf("the client never started the backup: %s went offline before it began", name)
	case waited >= c.appearWait:
		job.Message = fmt.Sprintf("the client never started the backup: %s did not begin within %s of the request; see the server's logs", name, c.appearWait)
	default:
		return false, nil
	}
	job.State, job.Ended = model.JobFailed, c.now()
	return true, nil
}

// finish judges a job whose process is gone, from a fresh a=status.
func (c *Client) finish(ctx context.Context, job *model.Job, tr *jobTrack, name string) (bool, error) {
	st, err := c.status(ctx)
	if err != nil {
		return false, err // Follow polls again: the process stays gone
	}
	c.mu.Lock()
	clientID, baseline, known, stopped := tr.clientID, tr.baseline, tr.baselineKnown, tr.stopAsked
	c.mu.Unlock()
	cs, ok := st.byID(clientID)
	if !ok {
		cs, ok = st.byName(name)
	}
	job.Ended = c.now()
	if !ok {
		job.State, job.Message = model.JobFailed, (&goneError{name: name}).Error()
		return true, nil
	}
	judge(job, cs, baseline, known, stopped, name)
	return true, nil
}

// newBackup reports whether the client's last backup of the job's kind is
// newer than the job: later than the one before it (when known), or not
// earlier than the job's start (the server's clock may differ a little;
// the baseline is the sturdier test).
func newBackup(job model.Job, cs clientStatus, baseline int64, known bool) bool {
	last := lastOf(cs, job.Method)
	if last <= 0 {
		return false
	}
	if known && last > baseline {
		return true
	}
	return !job.Started.IsZero() && last >= job.Started.Unix()
}

// judge sets a finished job's state from the client's status.
func judge(job *model.Job, cs clientStatus, baseline int64, known, stopped bool, name string) {
	kind, ok := "file", bool(cs.FileOK)
	if isImage(job.Method) {
		kind, ok = "image", bool(cs.ImageOK)
	}
	switch {
	case ok && newBackup(*job, cs, baseline, known):
		job.State, job.Message = model.JobSucceeded, "UrBackup finished the "+job.Method.Phrase()
		job.Progress.Percent = 100
		if n := cs.LastFileBackupIssues.Int(0); n > 0 && kind == "file" {
			job.State = model.JobWarning
			job.Message += fmt.Sprintf(" with %d issues; see the server's logs", n)
		}
	case stopped:
		job.State, job.Message = model.JobCancelled, "stopped on request"
	case !bool(cs.Online):
		job.State, job.Message = model.JobFailed, fmt.Sprintf("%s went offline during the backup", name)
	case !ok:
		job.State, job.Message = model.JobFailed, fmt.Sprintf("the backup did not complete: UrBackup marks the last %s backup of %s as failed; see the server's logs", kind, name)
	default:
		job.State, job.Message = model.JobFailed, fmt.Sprintf("the backup did not complete: UrBackup lists no new %s backup of %s; see the server's logs", kind, name)
	}
}

// Stop asks the server to stop the job's process; Follow then sees it gone
// and reports the job cancelled. A job whose process has not shown yet is
// waited for a little: the stop needs its id.
func (c *Client) Stop(ctx context.Context, job model.Job) error {
	name, err := clientName(job.Target)
	if err != nil {
		return err
	}
	c.mu.Lock()
	tr := c.jobs[job.ID]
	var clientID int64
	pid := job.TaskID
	if tr != nil {
		clientID, pid = tr.clientID, firstOf(job.TaskID, tr.procID)
	}
	c.mu.Unlock()
	if clientID == 0 {
		st, err := c.lastStatus(ctx)
		if err != nil {
			return fmt.Errorf("stopping the backup of %s: %w", name, err)
		}
		cs, ok := st.byName(name)
		if !ok {
			return fmt.Errorf("UrBackup has no client %q (%s)", name, st.names())
		}
		clientID = cs.ID.Int(0)
	}
	if pid == "" {
		deadline := time.Now().Add(c.stopWait)
		for {
			procs, err := c.progress(ctx)
			if err != nil {
				return fmt.Errorf("stopping the backup of %s: %w", name, err)
			}
			if p, ok := findProcess(procs, clientID, "", job.Method); ok {
				pid = procID(p)
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the backup of %s has not started on the server yet (the client has not connected): nothing to stop yet; try again in a moment", name)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(c.poll):
			}
		}
	}
	c.mu.Lock()
	if tr := c.jobs[job.ID]; tr != nil && tr.procID == "" {
		tr.procID = pid
	}
	c.mu.Unlock()
	c.setStopAsked(job.ID, true)
	var ans progressAnswer
	form := url.Values{"stop_clientid": {strconv.FormatInt(clientID, 10)}, "stop_id": {pid}, "with_lastacts": {"0"}}
	if err := c.call(ctx, "progress", form, &ans); err != nil {
		c.setStopAsked(job.ID, false)
		return fmt.Errorf("stopping the backup of %s: %w", name, err)
	}
	if p, ok := findProcess(ans.Progress, clientID, pid, job.Method); ok && p.CanStop.Valid && p.CanStop.V == 0 {
		c.setStopAsked(job.ID, false)
		return fmt.Errorf("UrBackup cannot stop the backup of %s at this stage", name)
	}
	return nil
}

func (c *Client) setStopAsked(jobID string, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tr, ok := c.jobs[jobID]; ok {
		tr.stopAsked = on
	} else if on {
		c.jobs[jobID] = &jobTrack{stopAsked: true}
	}
}

// Running lists the backups running on the server now, so a console that
// comes back picks up what an earlier one started. A process this client
// follows keeps the id its job got from Start.
func (c *Client) Running(ctx context.Context) ([]model.Job, error) {
	procs, err := c.progress(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	st := c.last
	c.mu.Unlock()
	now := c.now()
	var jobs []model.Job
	for _, p := range procs {
		m, ok := actionMethod(p.Action)
		if !ok {
			continue // restores, cleanups: not jobs of the console
		}
		cid := p.ClientID.Int(0)
		name := p.Name
		if name == "" && st != nil {
			if cs, ok := st.byID(cid); ok {
				name = cs.Name
			}
		}
		if name == "" {
			continue
		}
		pid := procID(p)
		id, started, ours := c.jobFor(cid, pid)
		if !ours {
			// The API gives no start time: the job's age counts from now.
			id, started = targetID(name)+"/proc-"+pid, now
		}
		jobs = append(jobs, model.Job{
			ID:       id,
			Target:   targetID(name),
			Name:     name,
			Method:   m,
			Source:   model.SourceURBackup,
			TaskID:   pid,
			Started:  started,
			State:    model.JobRunning,
			Progress: progressOf(p, m),
		})
	}
	return jobs, nil
}
