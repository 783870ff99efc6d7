package ui

import (
	"context"
	"time"

	"github.com/backdeck/backdeck/model"
)

// Engine is what the console needs of the backends engine.
type Engine interface {
	// Events publishes PostureEvent (a whole new posture), JobEvent (a job's
	// progress or end) and ErrorEvent (a source's or an action's failure).
	Events() <-chan model.Event
	// Refresh asks for a refresh now; it does not block.
	Refresh()
	// Start may block a few seconds: the console calls it from a tea.Cmd.
	Start(ctx context.Context, req model.JobRequest) (model.Job, error)
	Stop(ctx context.Context, jobID string) error
	// Snapshots lists a guest's snapshots, fetched when the guest is selected.
	Snapshots(ctx context.Context, targetID string) ([]model.Snapshot, error)
	// Preflight checks the host before the next Clonezilla imaging run; it
	// runs lsblk and lvs, so the console calls it from a tea.Cmd.
	Preflight(ctx context.Context) (model.Preflight, error)
}

// Options configure the console.
type Options struct {
	Engine  Engine
	ASCII   bool             // ASCII glyphs instead of ✓ ! ✗ …
	NoColor bool             // monochrome: no colour codes at all
	Title   string           // e.g. "pve 8.4" or "demo"
	Now     func() time.Time // the clock; time.Now when nil
	// Warnings are the config's (an old target id …), shown at start and
	// kept in the log.
	Warnings []string
}

// Timeouts of the engine calls the console makes.
const (
	startTimeout     = 60 * time.Second
	stopTimeout      = 20 * time.Second
	snapshotsTimeout = 20 * time.Second
	// preflightTimeout bounds the host's lsblk and lvs.
	preflightTimeout = 30 * time.Second
)
