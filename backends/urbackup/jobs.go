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
	logBase       int64 // the newest of the client's logs with errors before the job…
	logBaseKnown  bool  // …when it could be read
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

// notOffered explains why a method is not among a client's methods: the
// server does no backups of that kind at all, or the client cannot make
// them. A kind whose automatic backups are off for the client is offered:
// UrBackup runs a backup asked for by hand all the same.
func notOffered(st *statusAnswer, cs clientStatus, m model.Method) error {
	switch {
	case isImage(m) && bool(st.NoImages):
		return errors.New("image backups are switched off on this UrBackup server")
	case isImage(m):
		return fmt.Errorf("%s cannot make image backups: its UrBackup client does not support them", cs.Name)
	}
	return errors.New("file backups are switched off on this UrBackup server")
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
			return model.Job{}, fmt.Errorf("UrBackup makes no backup of %s: file backups are switched off on this server and image backups are not possible", name)
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
	// The newest failure in the client's logs before the start: a backup
	// that never shows as a process says why in a newer one.
	var logBase int64
	logBaseKnown := false
	if cs.Online {
		logBase, logBaseKnown = c.newestFailure(ctx, id)
	}
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
	job.Progress.Phase = phaseWaiting
	tr := c.track(job.ID)
	c.mu.Lock()
	tr.clientID, tr.started = id, now
	tr.baseline, tr.baselineKnown = lastOf(cs, m), true
	tr.logBase, tr.logBaseKnown = logBase, logBaseKnown
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
