package proxmox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// jobOnlyKeys are the keys of a backup job's config that are the job's,
// not vzdump's: they are not passed on when the job is replayed. job-id is
// vzdump's, but only root@pam may set it. The selection keys are set
// apart, from the job's selection.
var jobOnlyKeys = map[string]bool{
	"id": true, "type": true, "schedule": true, "enabled": true, "comment": true, "next-run": true,
	"repeat-missed": true, "starttime": true, "dow": true, "node": true, "job-id": true, "digest": true,
	"vmid": true, "all": true, "exclude": true, "pool": true,
}

// RunBackupJob runs a scheduled backup job now. PVE has no call for that
// (the GUI's "Run now" does the same): the job's config is read fresh
// (GET /cluster/backup/{id}) and replayed as POST /nodes/{node}/vzdump with
// the job's parameters on every online node that has guests in it, as
// pvescheduler would start it. It returns one job per node, each to be
// followed; a node where PVE found nothing to do comes back "nothing to
// do". A disabled job runs too: running it by hand is what "Run now" is for.
func (c *Client) RunBackupJob(ctx context.Context, id string) ([]model.Job, error) {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return nil, fmt.Errorf("%q is not a backup job id", id)
	}
	var raw map[string]json.RawMessage
	if err := c.get(ctx, "/cluster/backup/"+url.PathEscape(id), &raw); err != nil {
		return nil, fmt.Errorf("reading backup job %s: %w", id, err)
	}
	var j backupJob
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("reading backup job %s: %w", id, err)
	}
	if j.Type != "" && j.Type != "vzdump" {
		return nil, fmt.Errorf("job %s is a %s job, not a backup job", id, j.Type)
	}
	form, err := replayForm(raw, j)
	if err != nil {
		return nil, fmt.Errorf("backup job %s: %w", id, err)
	}
	res, err := c.resources(ctx)
	if err != nil {
		return nil, err
	}
	nodes := jobNodes(res, j)
	if len(nodes) == 0 {
		return nil, fmt.Errorf("backup job %s selects no guest on an online node (%s): nothing to run", id, backupJobModels([]backupJob{j}, c.now())[0].Selection)
	}
	var jobs []model.Job
	for _, node := range nodes {
		var answer *string
		if err := c.post(ctx, "/nodes/"+url.PathEscape(node)+"/vzdump", form, &answer); err != nil {
			if len(jobs) > 0 {
				// The nodes already started run on: say which did.
				return jobs, fmt.Errorf("starting backup job %s on node %s (started on %s): %w", id, node, startedNodes(jobs), err)
			}
			return nil, fmt.Errorf("starting backup job %s on node %s: %w", id, node, err)
		}
		job := model.Job{
			Name: node + ": " + id, Method: model.MethodVzdump, Source: model.SourceProxmox, Node: node,
			Started: c.now(), Storage: j.Storage, Progress: model.UnknownProgress(),
		}
		job, err := c.taskJob(job, answer)
		if err != nil {
			return jobs, err
		}
		jobs = append(jobs, job)
	}
	return jobs, nil
}

func startedNodes(jobs []model.Job) string {
	var n []string
	for _, j := range jobs {
		n = append(n, j.Node)
	}
	return strings.Join(n, ", ")
}

// replayForm is the vzdump call of a job: its vzdump options as PVE stores
// them, and its selection (vzdump on a node backs up that node's guests of
// a vmid list, and skips the others).
func replayForm(raw map[string]json.RawMessage, j backupJob) (url.Values, error) {
	form := url.Values{}
	for k, v := range raw {
		if jobOnlyKeys[k] {
			continue
		}
		s, err := formValue(k, v)
		if err != nil {
			return nil, err
		}
		if s != "" {
			form.Set(k, s)
		}
	}
	switch {
	case bool(j.All):
		form.Set("all", "1")
		if ex := vmidList(string(j.Exclude)); len(ex) > 0 {
			form.Set("exclude", joinVMIDs(ex))
		}
	case j.Pool != "":
		form.Set("pool", j.Pool)
	default:
		ids := vmidList(string(j.VMID))
		if len(ids) == 0 {
			return nil, fmt.Errorf("it selects no guest")
		}
		form.Set("vmid", joinVMIDs(ids))
	}
	return form, nil
}

// formValue writes one job option as vzdump takes it: strings as they are,
// numbers and booleans as digits, property strings (prune-backups,
// performance, fleecing) as "k=v,k=v".
func formValue(key string, v json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, nil
	}
	var f float64
	if json.Unmarshal(v, &f) == nil {
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		if b {
			return "1", nil
		}
		return "0", nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) == nil {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			val, err := formValue(key+"."+k, obj[k])
			if err != nil {
				return "", err
			}
			parts = append(parts, k+"="+val)
		}
		return strings.Join(parts, ","), nil
	}
	if string(v) == "null" {
		return "", nil
	}
	return "", fmt.Errorf("option %s has a value vzdump cannot take: %.40s", key, v)
}

func joinVMIDs(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ",")
}

// jobNodes lists the online nodes that have guests the job selects (only
// the job's node when it names one), in name order.
func jobNodes(res []resource, j backupJob) []string {
	online := map[string]bool{}
	for _, r := range res {
		if name := firstOf(r.Node, strings.TrimPrefix(r.ID, "node/")); r.Type == "node" && r.Status == "online" && isNodeName(name) {
			online[name] = true
		}
	}
	sel := model.Selection{All: bool(j.All), VMIDs: vmidList(string(j.VMID)), Exclude: vmidList(string(j.Exclude)), Pool: j.Pool}
	has := map[string]bool{}
	for _, r := range res {
		if r.Type != "qemu" && r.Type != "lxc" {
			continue
		}
		vmid := int(r.VMID.Int64(0))
		if vmid == 0 {
			vmid, _ = strconv.Atoi(lastSegment(r.ID))
		}
		if !online[r.Node] || (j.Node != "" && r.Node != j.Node) || !sel.Covers(vmid, r.Pool) {
			continue
		}
		has[r.Node] = true
	}
	out := make([]string, 0, len(has))
	for n := range has {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
