package httpapi

import (
	"context"
	"time"

	"github.com/backdeck/backdeck/model"
)

// Polling is how a client follows a job it started on its server.
type Polling struct {
	Every       time.Duration // between two polls
	MaxFailures int           // failed polls in a row before giving up
	// Fatal says that polling again cannot mend err (a revoked token).
	Fatal func(err error) bool
	// Lost words giving up after failures polls in a row failed, the last
	// with err.
	Lost func(failures int, err error) error
}

// Follow polls until poll says the job has ended, and calls update with
// the job after every poll that changed it and at the end. A poll's error
// ends following at once when Fatal says so or the context has ended (its
// error is returned), else after MaxFailures of them in a row, with Lost's
// error; a poll that works resets the count.
func (p Polling) Follow(ctx context.Context, job *model.Job, update func(model.Job), poll func(*model.Job) (ended bool, err error)) error {
	failures := 0
	for {
		before := *job
		ended, err := poll(job)
		switch {
		case err == nil:
			failures = 0
		case ctx.Err() != nil:
			return ctx.Err()
		case p.Fatal(err):
			return err
		default:
			if failures++; failures >= p.MaxFailures {
				return p.Lost(failures, err)
			}
		}
		if ended {
			update(*job)
			return nil
		}
		if *job != before {
			update(*job)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(p.Every):
		}
	}
}
