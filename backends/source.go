// Package backends holds everything that talks to the world (one package per
// tool) and the Engine that drives them for the console.
package backends

import (
	"context"

	"github.com/backdeck/backdeck/model"
)

// Observer reads one source's view of the homelab: its targets with their
// restore points, its stores and its drives. It must honour ctx's deadline.
type Observer interface {
	Source() model.Source
	Observe(ctx context.Context) (model.SourceState, error)
}

// Runner starts and follows jobs on one source's servers.
type Runner interface {
	// Start begins the work on the server and returns the job with its
	// server task id, in state running (or a terminal state such as
	// "nothing to do" when the server did not start anything).
	Start(ctx context.Context, req model.JobRequest) (model.Job, error)
	// Follow watches a job until it ends or ctx is cancelled, calling update
	// on every change of progress; it returns the job in its final state.
	Follow(ctx context.Context, job model.Job, update func(model.Job)) (model.Job, error)
	// Stop asks the server to stop a running job.
	Stop(ctx context.Context, job model.Job) error
	// Running lists the jobs running on the server now, so a console that
	// comes back picks up what an earlier one started.
	Running(ctx context.Context) ([]model.Job, error)
}

// Backend is a source that can both be observed and run jobs.
type Backend interface {
	Observer
	Runner
}

// SnapshotLister lists a guest's snapshots on demand: they cost one request
// per guest, so they are fetched for the selected target only.
type SnapshotLister interface {
	Snapshots(ctx context.Context, targetID string) ([]model.Snapshot, error)
}

// Preparer checks the host before an imaging run (Clonezilla). drives are
// the drives as the posture knows them, so the image drive's SMART verdict
// comes from the same reading the console shows.
type Preparer interface {
	Preflight(ctx context.Context, drives []model.Drive) (model.Preflight, error)
}
