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
	b, ok := e.backends[model.SourceOf(targetID)]
	if !ok {
		return nil, fmt.Errorf("no %s source is configured for %s", model.SourceOf(targetID), targetID)
	}
	p, ok := b.(Pruner)
	if !ok {
		return nil, fmt.Errorf("%s has no retention to preview (only PVE's archives are pruned this way)", b.Source())
	}
	return p, nil
}

// PrunePlans previews what pruning a target's archives would remove.
func (e *Engine) PrunePlans(ctx context.Context, targetID string, keep *model.Retention) ([]model.PrunePlan, error) {
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
