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
	"time"

	"github.com/backdeck/backdeck/model"
)

// snapshotNameRE is PVE's pve-snapshot-name format.
var snapshotNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{1,39}$`)

// checkSnapshotName applies PVE's rule before anything is sent.
func checkSnapshotName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("no snapshot name: give one (a letter, then letters, digits, _ or -; up to 40 characters)")
	case name == "current":
		return fmt.Errorf("%q is PVE's name for the running state, not a snapshot name", name)
	case !snapshotNameRE.MatchString(name):
		return fmt.Errorf("snapshot name %q is not valid for PVE: it must start with a letter, use only letters, digits, _ and -, and be 2 to 40 characters long", name)
	}
	return nil
}

func guestPath(node, typ string, vmid int) string {
	return "/nodes/" + url.PathEscape(node) + "/" + typ + "/" + strconv.Itoa(vmid)
}

// startSnapshotTask creates, rolls back or deletes a snapshot; each answers
// with a UPID followed like a backup.
func (c *Client) startSnapshotTask(ctx context.Context, g guest, method model.Method, req model.JobRequest) (model.Job, error) {
	if g.Kind == model.KindTemplate {
		return model.Job{}, fmt.Errorf("%s is a template: PVE cannot snapshot templates (back it up with vzdump)", g.label())
	}
	base := guestPath(g.Node, g.Type, g.VMID) + "/snapshot"
	var answer *string
	var err error
	var verb string
	switch method {
	case model.MethodSnapshot:
		verb = "taking snapshot"
		form := url.Values{"snapname": {req.Snapshot}}
		if req.Description != "" {
			form.Set("description", req.Description)
		}
		if req.VMState {
			if g.Type != "qemu" {
				return model.Job{}, fmt.Errorf("%s is a container: PVE saves no RAM with a container's snapshot (take it without RAM)", g.label())
			}
			form.Set("vmstate", "1") // PVE saves it only while the VM runs
		}
		err = c.post(ctx, base, form, &answer)
	case model.MethodRollback:
		verb = "rolling back to snapshot"
		form := url.Values{}
		if req.Start {
			form.Set("start", "1")
		}
		err = c.post(ctx, base+"/"+url.PathEscape(req.Snapshot)+"/rollback", form, &answer)
		var ae *APIError
		if req.Start && errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden {
			// PVE checks VM.PowerMgmt before it rolls anything back.
			err = fmt.Errorf("%w; or roll back without starting it", err)
		}
	case model.MethodDeleteSnapshot:
		verb = "deleting snapshot"
		err = c.del(ctx, base+"/"+url.PathEscape(req.Snapshot), &answer)
	}
	if err != nil {
		return model.Job{}, fmt.Errorf("%s %s of %s: %w", verb, req.Snapshot, g.label(), err)
	}
	job := model.Job{
		Target: g.ID, Name: g.Name, Method: method, Source: model.SourceProxmox,
		Node: g.Node, Started: c.now(), Progress: model.UnknownProgress(),
	}
	return c.taskJob(job, answer)
}

// Snapshots lists a guest's snapshots, newest first, without PVE's
// "current" entry (the running state). It costs two requests (the guest's
// node now, then its snapshots), so the console asks for the selected
// target only.
func (c *Client) Snapshots(ctx context.Context, targetID string) ([]model.Snapshot, error) {
	g, err := c.lookupGuest(ctx, targetID)
	if err != nil {
		return nil, err
	}
	var entries []snapshotEntry
	if err := c.get(ctx, guestPath(g.Node, g.Type, g.VMID)+"/snapshot", &entries); err != nil {
		return nil, err
	}
	out := make([]model.Snapshot, 0, len(entries))
	for _, e := range entries {
		if e.Name == "current" {
			continue
		}
		s := model.Snapshot{Name: e.Name, Description: e.Description, Parent: e.Parent, VMState: bool(e.VMState)}
		if t := e.SnapTime.Int64(0); t > 0 {
			s.Time = time.Unix(t, 0)
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Time.IsZero() != out[j].Time.IsZero() {
			return !out[i].Time.IsZero()
		}
		return out[i].Time.After(out[j].Time)
	})
	return out, nil
}
