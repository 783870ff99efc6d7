package proxmox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/httpapi"
	"github.com/backdeck/backdeck/model"
)

// maxPollFailures is how many polls in a row may fail (timeouts, a proxy's
// 502) before Follow gives up on a task.
const maxPollFailures = 5

// logPage is how many log lines one request asks for.
const logPage = 500

// UPID is a PVE task id: UPID:node:pid:pstart:starttime:type:id:user:
type UPID struct {
	Node    string
	Type    string // vzdump, qmsnapshot, …
	ID      string // the vmid for guest tasks; empty for several guests
	User    string
	Started time.Time
}

// ParseUPID reads a task id; the start time is hex Unix seconds.
func ParseUPID(s string) (UPID, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 9 || parts[0] != "UPID" || parts[1] == "" {
		return UPID{}, fmt.Errorf("%q is not a PVE task id (UPID:node:pid:pstart:starttime:type:id:user:)", s)
	}
	start, err := strconv.ParseInt(parts[4], 16, 64)
	if err != nil {
		return UPID{}, fmt.Errorf("%q is not a PVE task id: start time %q is not hex", s, parts[4])
	}
	return UPID{Node: parts[1], Type: parts[5], ID: parts[6], User: strings.Join(parts[7:len(parts)-1], ":"), Started: time.Unix(start, 0)}, nil
}

func taskPath(node, upid string) string {
	return "/nodes/" + url.PathEscape(node) + "/tasks/" + url.PathEscape(upid)
}

// taskMethod maps PVE task types onto the methods the console starts.
func taskMethod(typ string) (model.Method, bool) {
	switch typ {
	case "vzdump":
		return model.MethodVzdump, true
	case "qmsnapshot", "vzsnapshot":
		return model.MethodSnapshot, true
	case "qmrollback", "vzrollback":
		return model.MethodRollback, true
	case "qmdelsnapshot", "vzdelsnapshot":
		return model.MethodDeleteSnapshot, true
	case "prunebackups":
		return model.MethodPrune, true
	case "qmrestore", "vzrestore":
		return model.MethodRestore, true
	}
	return "", false
}

var storageArgRE = regexp.MustCompile(`--storage\s+(\S+)`)

// Follow polls a task's status and reads its log incrementally until the
// task stops, then reads the log once more (after the stopped status) so the
// last lines are not lost, and judges the end by exitstatus alone: "OK",
// "WARNINGS: N" (success with warnings), anything else is the error text.
// go-proxmox's Task.Wait/Watch/Log get these wrong (see DESIGN.md).
//
// A job that cannot be followed (PVE unreachable for maxPollFailures polls
// in a row) comes back unchanged with an error: the task may still run, and
// Running finds it again later.
func (c *Client) Follow(ctx context.Context, job model.Job, update func(model.Job)) (model.Job, error) {
	if job.State.Terminal() {
		return job, nil
	}
	if update == nil {
		update = func(model.Job) {}
	}
	upid := firstOf(job.TaskID, job.ID)
	u, err := ParseUPID(upid)
	if err != nil {
		return job, err
	}
	// A task lives on the node where it started, which its UPID names, even
	// when its guest has migrated since.
	node := u.Node
	defer func() {
		c.mu.Lock()
		delete(c.stopAsked, upid)
		c.mu.Unlock()
	}()
	if job.State != model.JobRunning {
		job.State = model.JobRunning
		update(job)
	}
	tail := &taskLog{}
	polling := httpapi.Polling{
		Every:       c.poll,
		MaxFailures: maxPollFailures,
		Fatal:       isFatal,
		Lost: func(failures int, err error) error {
			return fmt.Errorf("lost contact with PVE while following %s (%d polls failed in a row): %w", upid, failures, err)
		},
	}
	err = polling.Follow(ctx, &job, update, func(job *model.Job) (bool, error) {
		st, err := c.taskStatus(ctx, node, upid)
		if err == nil {
			err = c.readLog(ctx, node, upid, tail, job)
		}
		switch {
		case err != nil && ctx.Err() == nil && isGone(err):
			job.State, job.Ended = model.JobFailed, c.now()
			job.Message = fmt.Sprintf("the task %s is gone from PVE: %v", upid, err)
			return true, nil
		case err != nil:
			return false, err
		case st.Status != "" && st.Status != "running":
			c.finish(job, upid, st.ExitStatus, tail)
			return true, nil
		}
		return false, nil
	})
	return job, err
}

// taskLog is what Follow keeps of a task's log.
type taskLog struct {
	seen       int // highest line number read (PVE numbers lines from 1)
	firstError string
	firstWarn  string
}

func (c *Client) taskStatus(ctx context.Context, node, upid string) (taskStatus, error) {
	var st taskStatus
	err := c.get(ctx, taskPath(node, upid)+"/status", &st)
	return st, err
}

// readLog reads the lines after the ones seen, page by page, ordered by n
// (go-proxmox's Task.Log returns a map and loses the order).
func (c *Client) readLog(ctx context.Context, node, upid string, tail *taskLog, job *model.Job) error {
	for {
		var lines []logLine
		p := fmt.Sprintf("%s/log?start=%d&limit=%d", taskPath(node, upid), tail.seen, logPage)
		if err := c.get(ctx, p, &lines); err != nil {
			return err
		}
		fresh := 0
		for _, l := range sortLines(lines) {
			n := int(l.N.Int64(0))
			if n <= tail.seen {
				continue
			}
			// PVE answers an empty log with one line "no content" (n 1).
			if n == 1 && l.T == "no content" && len(lines) == 1 {
				continue
			}
			tail.seen = n
			fresh++
			tail.take(l.T, job)
		}
		if len(lines) < logPage || fresh == 0 {
			return nil
		}
	}
}

// sortLines orders a page of log lines by n, on a copy when they are not
// in order already.
func sortLines(lines []logLine) []logLine {
	if sort.SliceIsSorted(lines, func(i, j int) bool { return lines[i].N.V < lines[j].N.V }) {
		return lines
	}
	lines = append([]logLine(nil), lines...)
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].N.V < lines[j].N.V })
	return lines
}

// take reads one log line into the job: progress, storage, first warning
// and error (for the final message), last line.
func (t *taskLog) take(line string, job *model.Job) {
	trimmed := strings.TrimSpace(line)
	if trimmed == "" {
		return
	}
	if p, ok := parseProgress(trimmed); ok {
		p.apply(&job.Progress)
	} else if job.Method == model.MethodRestore {
		restoreProgress(trimmed, &job.Progress)
	}
	if job.Storage == "" && job.Method == model.MethodVzdump {
		if m := storageArgRE.FindStringSubmatch(trimmed); m != nil {
			job.Storage = strings.Trim(m[1], `'"`)
		}
	}
	body := strings.TrimSpace(strings.TrimPrefix(trimmed, "INFO:"))
	switch {
	case strings.HasPrefix(trimmed, "TASK "):
		// the task's own summary repeats the exit status
	case t.firstError == "" && strings.HasPrefix(body, "ERROR:"):
		t.firstError = body
	case t.firstWarn == "" && (strings.HasPrefix(body, "WARN:") || strings.HasPrefix(body, "WARNING:")):
		t.firstWarn = body
	}
	job.Progress.LastLine = trimmed
}

// finish judges a stopped task by its exit status, never by ERROR: lines (a
// notification error can follow a successful backup).
func (c *Client) finish(job *model.Job, upid, exit string, tail *taskLog) {
	c.mu.Lock()
	asked := c.stopAsked[upid]
	c.mu.Unlock()
	exit = strings.TrimSpace(exit)
	job.Ended = c.now()
	switch {
	case exit == "OK":
		job.State, job.Message = model.JobSucceeded, "OK"
	case strings.HasPrefix(exit, "WARNINGS"):
		job.State, job.Message = model.JobWarning, withContext(exit, tail.firstWarn)
	case asked:
		job.State, job.Message = model.JobCancelled, withContext("stopped on request", exit)
	case exit == "interrupted by signal":
		job.State, job.Message = model.JobCancelled, "stopped outside backdeck ("+exit+")"
	default:
		job.State, job.Message = model.JobFailed, withContext(firstOf(exit, "the task stopped without an exit status"), tail.firstError)
	}
}

func withContext(msg, extra string) string {
	if extra == "" || extra == msg || strings.Contains(msg, extra) {
		return msg
	}
	return msg + " — " + extra
}

func isGone(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.gone()
}

// isFatal says polling again cannot help: the token or the url is wrong.
// A proxy's 502/503/504 page in between is transient.
func isFatal(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden ||
			((ae.HTML || ae.NotJSON) && ae.StatusCode < 500)
	}
	return false
}

// Stop asks PVE to stop the task; Follow then sees it stopped and reports
// the job cancelled.
func (c *Client) Stop(ctx context.Context, job model.Job) error {
	upid := firstOf(job.TaskID, job.ID)
	u, err := ParseUPID(upid)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.stopAsked[upid] = true
	c.mu.Unlock()
	if err := c.del(ctx, taskPath(u.Node, upid), nil); err != nil {
		c.mu.Lock()
		delete(c.stopAsked, upid)
		c.mu.Unlock()
		return fmt.Errorf("stopping %s: %w", upid, err)
	}
	return nil
}

// Running lists the backup and snapshot tasks running on every online node,
// so a console that comes back picks up what an earlier one started.
func (c *Client) Running(ctx context.Context) ([]model.Job, error) {
	res, err := c.resources(ctx)
	if err != nil {
		return nil, err
	}
	guests := map[int]resource{}
	var nodes []string
	for _, r := range res {
		switch r.Type {
		case "node":
			if r.Status == "online" {
				nodes = append(nodes, firstOf(r.Node, lastSegment(r.ID)))
			}
		case "qemu", "lxc":
			guests[int(r.VMID.Int64(0))] = r
		}
	}
	var jobs []model.Job
	for _, node := range nodes {
		var tasks []taskEntry
		if err := c.get(ctx, "/nodes/"+url.PathEscape(node)+"/tasks?source=active", &tasks); err != nil {
			return nil, err
		}
		for _, t := range tasks {
			// Running tasks carry no status or "RUNNING"; ended ones still in
			// the active list carry their exit status.
			if t.Status != "" && !strings.EqualFold(t.Status, "running") {
				continue
			}
			if j, ok := runningJob(t, node, guests); ok {
				jobs = append(jobs, j)
			}
		}
	}
	return jobs, nil
}

func runningJob(t taskEntry, node string, guests map[int]resource) (model.Job, bool) {
	method, ok := taskMethod(t.Type)
	if !ok {
		return model.Job{}, false
	}
	u, err := ParseUPID(t.UPID)
	if err != nil {
		return model.Job{}, false
	}
	job := model.Job{
		ID: t.UPID, TaskID: t.UPID, Method: method, Source: model.SourceProxmox,
		Node: firstOf(t.Node, u.Node, node), Started: u.Started, State: model.JobRunning,
		Progress: model.UnknownProgress(),
	}
	id := firstOf(string(t.ID), u.ID)
	if method == model.MethodPrune {
		id, _, _ = strings.Cut(id, "@") // "421@hddusb_bkpvzdumps"; a whole storage is no guest's
	}
	vmid, err := strconv.Atoi(id)
	if err == nil && (vmid <= 0 || vmid > maxVMID) {
		err = fmt.Errorf("task id %q is no vmid", id)
	}
	switch {
	case err != nil && method == model.MethodVzdump:
		job.Name = "vzdump (several guests)"
	case err != nil:
		return job, true
	default:
		typ := "qemu"
		if strings.HasPrefix(t.Type, "vz") && t.Type != "vzdump" {
			typ = "lxc"
		}
		if g, ok := guests[vmid]; ok {
			typ, job.Name = g.Type, g.Name
		}
		job.Target = targetID(typ, vmid)
	}
	return job, true
}
