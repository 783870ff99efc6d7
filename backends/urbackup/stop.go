package urbackup

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/backdeck/backdeck/model"
)

// Stop asks the server to stop the job's process. The answer says nothing
// of whether it will: a real server honours a stop only while the client
// indexes and carries on with a backup already transferring. So Follow
// goes on watching, and says what really happened once the process is
// gone: stopped (no new backup) or finished all the same. A job whose
// process has not shown yet is waited for a little: the stop needs its id.
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
			Progress: newMeter().observe(p, m, c.tick()),
		})
	}
	return jobs, nil
}
