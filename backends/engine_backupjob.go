package backends

import (
	"context"
	"fmt"

	"github.com/backdeck/backdeck/model"
)

// BackupJobRunner runs a source's scheduled backup job now (PVE replays it
// as vzdump on each node that has guests in it), one job per node.
type BackupJobRunner interface {
	RunBackupJob(ctx context.Context, id string) ([]model.Job, error)
}

// RunBackupJob starts a scheduled backup job now and follows each of its
// node's tasks like any other job. Jobs started before a node failed are
// followed and returned with the error.
func (e *Engine) RunBackupJob(ctx context.Context, id string) ([]model.Job, error) {
	b, ok := e.backends[model.SourceProxmox].(Runner)
	r, ok2 := e.backends[model.SourceProxmox].(BackupJobRunner)
	if !ok || !ok2 {
		return nil, fmt.Errorf("no Proxmox VE source is configured: backup jobs are PVE's")
	}
	jobs, err := r.RunBackupJob(ctx, id)
	for i := range jobs {
		if jobs[i].ID == "" {
			jobs[i].ID = jobs[i].TaskID
		}
		if jobs[i].ID == "" {
			jobs[i].ID = fmt.Sprintf("job/%s-%s-%d", id, jobs[i].Node, e.opts.Now().UnixNano())
		}
		e.track(jobs[i], b)
	}
	return jobs, err
}
