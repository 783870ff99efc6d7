package cli

import (
	"context"

	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/model"
)

// runEngine builds the engine from the config and runs it until the
// returned stop, which also closes what the build opened.
func (c *call) runEngine(ctx context.Context) (*wire.Built, func(), error) {
	b, err := c.build(ctx, wire.SourceTimeout)
	if err != nil {
		return nil, nil, err
	}
	stop := startEngine(ctx, b)
	return b, func() { stop(); b.Close() }, nil
}

// startEngine runs the engine until the returned stop is called.
func startEngine(ctx context.Context, b *wire.Built) (stop func()) {
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { b.Engine.Run(runCtx); close(done) }()
	return func() { cancel(); <-done }
}

// waitJob prints a job's changes until it ends; code is non-zero when the
// wait was interrupted (the job goes on on the server).
func waitJob(ctx context.Context, c *call, events <-chan model.Event, job model.Job, print func(model.Job)) (model.Job, int) {
	print(job)
	for !job.State.Terminal() {
		select {
		case <-ctx.Done():
			return job, c.failf(exitInterrupted, "interrupted; the job goes on on the server (task %s). Stop it from the dashboard (x).", job.TaskID)
		case ev := <-events:
			if je, ok := ev.(model.JobEvent); ok && je.Job.ID == job.ID {
				job = je.Job
				print(job)
			}
		}
	}
	return job, 0
}
