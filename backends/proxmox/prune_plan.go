package proxmox

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// PrunePlans previews, with PVE's own marks, what pruning a guest's
// archives would remove on each backup storage of its node that holds
// some: one plan per storage. The rules are keep when given (the command
// line's or the console's: From says "given"), else those that apply on that storage: the guest's backup job's
// prune-backups when the job writes there, else the storage's own, else
// keep-all (what vzdump does). Each kept archive is named with the rule
// that keeps it, computed as PVE computes its marks.
func (c *Client) PrunePlans(ctx context.Context, targetID string, keep *model.Retention) ([]model.PrunePlan, error) {
	g, err := c.lookupGuest(ctx, targetID)
	if err != nil {
		return nil, err
	}
	storages, err := c.nodeBackupStorages(ctx, g.Node)
	if err != nil {
		return nil, err
	}
	var jobs []backupJob
	if keep == nil {
		if jobs, err = c.backupJobs(ctx); err != nil {
			return nil, err
		}
	}
	var plans []model.PrunePlan
	for _, s := range storages {
		if !s.online() {
			continue // nothing can be listed or pruned on an unplugged drive
		}
		sizes := map[string]int64{}
		p := storagePath(g.Node, s.Storage) + "/content?content=backup&vmid=" + strconv.Itoa(g.VMID)
		if err := c.getData(ctx, p, eachElement(func(e *contentEntry) { sizes[e.VolID] = e.Size.Int64(-1) })); err != nil {
			return nil, fmt.Errorf("listing the backups of %s on storage %s: %w", g.label(), s.Storage, err)
		}
		if len(sizes) == 0 {
			continue
		}
		plan := model.PrunePlan{Target: g.ID, Name: g.Name, Store: storeID(s.Storage)}
		if keep != nil {
			plan.Rules, plan.From = *keep, "given"
		} else if plan.Rules, plan.From, err = c.rulesFor(ctx, g, s.Storage, jobs); err != nil {
			return nil, err
		}
		entries, err := c.previewEntries(ctx, g.Node, s.Storage, plan.Rules, g.Type, g.VMID)
		if err != nil {
			return nil, err
		}
		plan.Entries = planEntries(entries, sizes, plan.Rules)
		plans = append(plans, plan)
	}
	return plans, nil
}

// rulesFor is the retention that applies to a guest's archives on a
// storage: its enabled backup job's that writes there, else the storage's
// own (storage.cfg's prune-backups), else keep-all.
func (c *Client) rulesFor(ctx context.Context, g guest, storage string, jobs []backupJob) (model.Retention, string, error) {
	for _, j := range jobs {
		if j.covers(g.VMID, g.Node, g.Pool) && j.Storage == storage && j.PruneBackups.Set {
			return j.PruneBackups.Retention, "job " + j.ID, nil
		}
	}
	// The storage index (Datastore.Audit is enough) rather than
	// /storage/{id}, which wants Datastore.Allocate.
	var list []struct {
		Storage      string    `json:"storage"`
		PruneBackups retention `json:"prune-backups"`
	}
	if err := c.get(ctx, "/storage", &list); err != nil {
		return model.Retention{}, "", fmt.Errorf("reading storage %s's retention: %w", storage, err)
	}
	for _, s := range list {
		if s.Storage == storage && s.PruneBackups.Set {
			return s.PruneBackups.Retention, "storage " + storage, nil
		}
	}
	return model.Retention{KeepAll: true}, "the keep-all default", nil
}

// stampRE finds the time vzdump wrote into an archive's name: the server's
// local time, which PVE's prune reads its days and weeks from.
var stampRE = regexp.MustCompile(`-(\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2})\.`)

// planEntries pairs PVE's marks with sizes and the rule that keeps each
// kept archive. Rules are named only where our marking agrees with PVE's.
func planEntries(entries []pruneEntry, sizes map[string]int64, keep model.Retention) []model.PruneEntry {
	out := make([]model.PruneEntry, 0, len(entries))
	group := make([]model.RetentionEntry, 0, len(entries))
	for _, e := range entries {
		size, ok := sizes[e.VolID]
		if !ok {
			size = -1
		}
		pe := model.PruneEntry{VolID: e.VolID, Time: time.Unix(e.CTime.Int64(0), 0), Size: size, Mark: e.Mark}
		re := model.RetentionEntry{Local: pe.Time.UTC()}
		if m := stampRE.FindStringSubmatch(e.VolID); m != nil {
			if t, err := time.Parse("2006_01_02-15_04_05", m[1]); err == nil {
				re.Local = t
			}
		}
		if e.Mark != model.MarkKeep && e.Mark != model.MarkRemove {
			re.Fixed = e.Mark
		}
		out = append(out, pe)
		group = append(group, re)
	}
	marks, rules := model.MarkRetention(group, keep)
	for i := range out {
		if marks[i] == out[i].Mark && out[i].Mark == model.MarkKeep {
			out[i].Rule = rules[i]
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out
}

// startPrune starts PVE's prune of a guest's archives on a storage
// (DELETE …/prunebackups with the retention that was previewed): a
// "prunebackups" task, followed like a backup.
func (c *Client) startPrune(ctx context.Context, req model.JobRequest) (model.Job, error) {
	if req.Retention == nil {
		return model.Job{}, fmt.Errorf("a prune needs the retention its preview showed")
	}
	storage, _, err := parseStoreID(req.Storage)
	if err != nil {
		return model.Job{}, err
	}
	g, err := c.lookupGuest(ctx, req.Target)
	if err != nil {
		return model.Job{}, err
	}
	q := url.Values{"prune-backups": {retentionSpec(*req.Retention)}, "type": {g.Type}, "vmid": {strconv.Itoa(g.VMID)}}
	var answer *string
	if err := c.del(ctx, storagePath(g.Node, storage)+"/prunebackups?"+q.Encode(), &answer); err != nil {
		return model.Job{}, fmt.Errorf("pruning the backups of %s on storage %s: %w", g.label(), storage, err)
	}
	job := model.Job{
		Target: g.ID, Name: g.Name, Method: model.MethodPrune, Source: model.SourceProxmox,
		Node: g.Node, Started: c.now(), Storage: storeID(storage), Progress: model.UnknownProgress(),
	}
	return c.taskJob(job, answer)
}

// SetProtected protects a backup archive from pruning and removal, or lifts
// the protection (PUT on the volume, protected=1|0). PVE does not check
// that the archive exists, so this does first.
func (c *Client) SetProtected(ctx context.Context, volid string, protected bool) error {
	storage, name, ok := strings.Cut(volid, ":")
	if !ok || !strings.HasPrefix(name, "backup/") || strings.ContainsAny(storage, "/@") || storage == "" {
		return fmt.Errorf("%q is not a backup volume id (storage:backup/vzdump-…)", volid)
	}
	node, err := c.storageNode(ctx, storage)
	if err != nil {
		return err
	}
	found := false
	if err := c.backupContent(ctx, node, storage, func(e *contentEntry) { found = found || e.VolID == volid }); err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("there is no backup %s on storage %s (node %s)", volid, storage, node)
	}
	form := url.Values{"protected": {"0"}}
	if protected {
		form.Set("protected", "1")
	}
	if err := c.put(ctx, storagePath(node, storage)+"/content/"+url.PathEscape(volid), form, nil); err != nil {
		verb := "unprotecting"
		if protected {
			verb = "protecting"
		}
		return fmt.Errorf("%s %s: %w", verb, volid, err)
	}
	return nil
}
