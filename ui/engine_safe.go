package ui

import (
	"context"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/termsafe"
)

// safeEngine is the engine as the console sees it: every name, note, log
// line and error that comes from outside is made safe for the terminal
// before it reaches a model (termsafe). Events are cleaned where the
// listener reads them, off the Update loop.
type safeEngine struct{ Engine }

func (s safeEngine) Start(ctx context.Context, req model.JobRequest) (model.Job, error) {
	j, err := s.Engine.Start(ctx, req)
	return termsafe.Clean(j), termsafe.CleanError(err)
}

func (s safeEngine) Stop(ctx context.Context, jobID string) error {
	return termsafe.CleanError(s.Engine.Stop(ctx, jobID))
}

func (s safeEngine) Snapshots(ctx context.Context, targetID string) ([]model.Snapshot, error) {
	list, err := s.Engine.Snapshots(ctx, targetID)
	return termsafe.Clean(list), termsafe.CleanError(err)
}

func (s safeEngine) Preflight(ctx context.Context) (model.Preflight, error) {
	pf, err := s.Engine.Preflight(ctx)
	return termsafe.Clean(pf), termsafe.CleanError(err)
}
