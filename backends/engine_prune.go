package backends

import (
	"context"
	"fmt"

	"github.com/backdeck/backdeck/model"
)

// Pruner previews retention on a source's archives and protects single
// archives from it (PVE). Pruning itself is a job: Start with
// model.MethodPrune and the previewed retention.
type Pruner interface {
	// PrunePlans previews a guest's archives, one plan per storage;
	// keep overrides the rules that apply (nil: the job's, the storage's).
	PrunePlans(ctx context.Context, targetID string, keep *model.Retention) ([]model.PrunePlan, error)
	SetProtected(ctx context.Context, volid string, protected bool) error
}

func (e *Engine) pruner(targetID string) (Pruner, error) {
	return capability[Pruner](e, model.SourceOf(targetID), "has no retention to preview (only PVE's archives are pruned this way)")
}

// ImagePruner previews the prune of a host disk's images (Clonezilla) by
// the config's keep rules; the prune is a job (Start with
// model.MethodPrune) that removes what the last preview showed.
type ImagePruner interface {
	PlanImagePrune(disks []model.Target, targetID string) (model.PrunePlan, error)
}

// PrunePlans previews what pruning a target's archives would remove: a
// guest's per storage, or a host disk's images (keep is for PVE only: the
// images' rules are the config's).
func (e *Engine) PrunePlans(ctx context.Context, targetID string, keep *model.Retention) ([]model.PrunePlan, error) {
	if src := model.SourceOf(targetID); src == model.SourceClonezilla {
		return e.imagePrunePlans(src, targetID)
	}
	p, err := e.pruner(targetID)
	if err != nil {
		return nil, err
	}
	return p.PrunePlans(ctx, targetID, keep)
}

// SetProtected protects (or releases) one archive of a target, then
// refreshes so the restore point shows it.
func (e *Engine) SetProtected(ctx context.Context, targetID, volid string, protected bool) error {
	p, err := e.pruner(targetID)
	if err != nil {
		return err
	}
	if err := p.SetProtected(ctx, volid, protected); err != nil {
		return err
	}
	e.Refresh()
	return nil
}

// imagePrunePlans plans with the images as the posture has them: with their
// verifications from the history, so the newest whole image is kept.
func (e *Engine) imagePrunePlans(src model.Source, targetID string) ([]model.PrunePlan, error) {
	ip, err := capability[ImagePruner](e, src, "cannot prune images")
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	state := e.states[src]
	e.mu.Unlock()
	if state.VerificationsUnknown {
		why := state.HistoryErr
		if why == "" {
			why = "the history did not answer"
		}
		return nil, fmt.Errorf("the images' verifications are unknown (%s), so the newest image verified whole cannot be told: nothing can be pruned safely", why)
	}
	plan, err := ip.PlanImagePrune(state.Targets, targetID)
	if err != nil {
		return nil, err
	}
	return []model.PrunePlan{plan}, nil
}
