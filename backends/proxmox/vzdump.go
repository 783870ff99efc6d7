package proxmox

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// Start begins a backup or a snapshot action on a guest. It reads the guest
// fresh and refuses, without starting anything, a locked guest or an offline
// storage. Confirming destructive actions is the UI's job.
func (c *Client) Start(ctx context.Context, req model.JobRequest) (model.Job, error) {
	method := req.Method
	if method == "" {
		method = model.MethodVzdump
	}
	switch method {
	case model.MethodVzdump, model.MethodSnapshot, model.MethodRollback, model.MethodDeleteSnapshot:
	case model.MethodPrune:
		return c.startPrune(ctx, req)
	case model.MethodRestore:
		// The archive's guest may be gone: a restore is planned from the archive.
		return c.startRestore(ctx, req)
	default:
		return model.Job{}, fmt.Errorf("PVE cannot run %q (it runs vzdump, snapshot, rollback, delete-snapshot, prune, restore)", method)
	}
	if method != model.MethodVzdump {
		// Check the name before any request: nothing is sent for a bad one.
		if err := checkSnapshotName(req.Snapshot); err != nil {
			return model.Job{}, err
		}
	}
	g, err := c.lookupGuest(ctx, req.Target)
	if err != nil {
		return model.Job{}, err
	}
	if g.Lock != "" {
		return model.Job{}, fmt.Errorf("%s is locked (%s): wait for the running task to finish", g.label(), g.Lock)
	}
	if method == model.MethodVzdump {
		return c.startVzdump(ctx, g, req)
	}
	return c.startSnapshotTask(ctx, g, method, req)
}

// startVzdump posts /nodes/{n}/vzdump for one guest.
func (c *Client) startVzdump(ctx context.Context, g guest, req model.JobRequest) (model.Job, error) {
	d := c.cfg.Vzdump
	mode := firstOf(req.Mode, d.Mode, "snapshot")
	compress := firstOf(req.Compress, d.Compress, "zstd")
	notes := firstOf(req.Notes, d.NotesTemplate, "{{guestname}}")
	protected := d.Protected
	if req.Protected != nil {
		protected = *req.Protected
	}
	if !oneOf(mode, "snapshot", "suspend", "stop") {
		return model.Job{}, fmt.Errorf("vzdump mode %q is not one of snapshot, suspend, stop", mode)
	}
	if !oneOf(compress, "zstd", "lzo", "gzip", "0", "1") {
		return model.Job{}, fmt.Errorf("vzdump compress %q is not one of zstd, lzo, gzip, 0", compress)
	}
	storage, err := c.chooseStorage(ctx, g, req)
	if err != nil {
		return model.Job{}, err
	}
	form := url.Values{}
	form.Set("vmid", strconv.Itoa(g.VMID))
	form.Set("storage", storage)
	form.Set("mode", mode)
	form.Set("compress", compress)
	form.Set("notes-template", notes)
	if protected {
		form.Set("protected", "1")
	}
	var answer *string
	if err := c.post(ctx, "/nodes/"+url.PathEscape(g.Node)+"/vzdump", form, &answer); err != nil {
		return model.Job{}, fmt.Errorf("starting a backup of %s: %w", g.label(), err)
	}
	job := model.Job{
		Target: g.ID, Name: g.Name, Method: model.MethodVzdump, Source: model.SourceProxmox,
		Node: g.Node, Started: c.now(), Storage: storage, Progress: model.UnknownProgress(),
	}
	return c.taskJob(job, answer)
}

// taskJob fills a job from PVE's answer to a start: a UPID to follow, or
// "OK" when PVE had nothing to do on that node (go-proxmox expects a UPID).
func (c *Client) taskJob(job model.Job, answer *string) (model.Job, error) {
	s := ""
	if answer != nil {
		s = strings.TrimSpace(*answer)
	}
	switch {
	case strings.HasPrefix(s, "UPID:"):
		if _, err := ParseUPID(s); err != nil {
			return model.Job{}, err
		}
		job.ID, job.TaskID, job.State = s, s, model.JobRunning
		return job, nil
	case s == "" || s == "OK":
		job.State, job.Ended = model.JobNothing, c.now()
		job.Message = "nothing to do: PVE started no " + string(job.Method) + " on node " + job.Node
		if job.Method == model.MethodVzdump {
			job.Message = "nothing to do: PVE started no backup on node " + job.Node
		}
		return job, nil
	}
	return model.Job{}, fmt.Errorf("PVE answered the start of %s on %s with %q, not a task id", job.Method, job.Name, s)
}

// chooseStorage picks where a backup goes: the request's storage, else the
// config's, else the storage of an enabled cluster job that covers the guest,
// else the only online backup storage of its node; else the operator chooses.
// The storage must be an online backup storage of the guest's node.
func (c *Client) chooseStorage(ctx context.Context, g guest, req model.JobRequest) (string, error) {
	list, err := c.nodeBackupStorages(ctx, g.Node)
	if err != nil {
		return "", err
	}
	name, from := req.Storage, "the request"
	if name == "" {
		name, from = c.cfg.Vzdump.Storage, "[proxmox.vzdump] storage"
	}
	if name == "" {
		jobs, err := c.backupJobs(ctx)
		if err != nil {
			return "", err
		}
		for _, j := range jobs {
			if (j.Type == "" || j.Type == "vzdump") && j.Storage != "" && j.covers(g.VMID, g.Node, g.Pool) {
				name, from = j.Storage, "the cluster backup job "+j.ID
				break
			}
		}
	}
	var online, offline, all []string
	for _, s := range list {
		all = append(all, s.Storage)
		if s.online() {
			online = append(online, s.Storage)
		} else {
			offline = append(offline, s.Storage)
		}
	}
	sort.Strings(online)
	if name == "" {
		if len(online) == 1 {
			return online[0], nil
		}
		reason := fmt.Sprintf("no storage for %s in the request, in [proxmox.vzdump] or in a cluster backup job, and node %s has %d online backup storages", g.label(), g.Node, len(online))
		if len(offline) > 0 {
			reason += " (offline: " + strings.Join(offline, ", ") + ")"
		}
		return "", &model.ChoiceError{What: "storage", Choices: online, Reason: reason}
	}
	for _, s := range list {
		if s.Storage != name {
			continue
		}
		if !s.online() {
			why := "PVE reports it inactive"
			if s.Type == "dir" || s.Type == "" {
				why = "the USB drive is unplugged or not mounted"
			}
			return "", fmt.Errorf("storage %s is offline: %s; not starting a backup to it", name, why)
		}
		return name, nil
	}
	return "", fmt.Errorf("storage %s (from %s) is not a backup storage of node %s (its backup storages: %s)", name, from, g.Node, strings.Join(orNone(all), ", "))
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

func orNone(list []string) []string {
	if len(list) == 0 {
		return []string{"none"}
	}
	return list
}
