package httpapi

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

var (
	errPassing = errors.New("502 Bad Gateway")
	errRefused = errors.New("401 token revoked")
)

func testPolling() Polling {
	return Polling{
		Every:       time.Millisecond,
		MaxFailures: 3,
		Fatal:       func(err error) bool { return errors.Is(err, errRefused) },
		Lost: func(n int, err error) error {
			return fmt.Errorf("lost contact with the NAS (%d polls failed in a row): %w", n, err)
		},
	}
}

// script is a poll that plays one step a call: a percentage to report, an
// error, or (percent 100) the end.
type script struct {
	steps []step
	polls int
}

type step struct {
	percent float64
	err     error
}

func (s *script) poll(job *model.Job) (bool, error) {
	st := s.steps[min(s.polls, len(s.steps)-1)]
	s.polls++
	if st.err != nil {
		return false, st.err
	}
	job.Progress.Percent = st.percent
	if st.percent == 100 {
		job.State = model.JobSucceeded
		return true, nil
	}
	return false, nil
}

func follow(s *script) (model.Job, []float64, error) {
	job := model.Job{ID: "job-1", State: model.JobRunning}
	var updates []float64
	err := testPolling().Follow(context.Background(), &job, func(j model.Job) { updates = append(updates, j.Progress.Percent) }, s.poll)
	return job, updates, err
}

func TestFollowUpdatesOnChange(t *testing.T) {
	// Failures fewer than MaxFailures in a row are passing; a good poll
	// resets the count.
	s := &script{steps: []step{{10, nil}, {10, nil}, {0, errPassing}, {0, errPassing}, {40, nil}, {0, errPassing}, {0, errPassing}, {40, nil}, {100, nil}}}
	job, updates, err := follow(s)
	if err != nil || job.State != model.JobSucceeded || s.polls != 9 {
		t.Fatalf("got %+v %v after %d polls", job, err, s.polls)
	}
	if fmt.Sprint(updates) != "[10 40 100]" {
		t.Errorf("updates %v, want one per change and the end", updates)
	}
}

func TestFollowGivesUp(t *testing.T) {
	s := &script{steps: []step{{20, nil}, {0, errPassing}}}
	job, updates, err := follow(s)
	want := "lost contact with the NAS (3 polls failed in a row): 502 Bad Gateway"
	if err == nil || err.Error() != want || !errors.Is(err, errPassing) {
		t.Errorf("got %v, want %q", err, want)
	}
	if s.polls != 4 || job.State != model.JobRunning || job.Progress.Percent != 20 || fmt.Sprint(updates) != "[20]" {
		t.Errorf("after %d polls: %+v, updates %v", s.polls, job, updates)
	}
}

func TestFollowStopsAtFatal(t *testing.T) {
	s := &script{steps: []step{{20, nil}, {0, errRefused}}}
	job, _, err := follow(s)
	if err != errRefused || s.polls != 2 || job.State != model.JobRunning {
		t.Errorf("after %d polls: %+v %v", s.polls, job, err)
	}
}

func TestFollowHonoursContext(t *testing.T) {
	// Cancelled while waiting between polls.
	ctx, cancel := context.WithCancel(context.Background())
	s := &script{steps: []step{{20, nil}}}
	p := testPolling()
	p.Every = time.Hour
	job := model.Job{State: model.JobRunning}
	err := p.Follow(ctx, &job, func(model.Job) { cancel() }, s.poll)
	if !errors.Is(err, context.Canceled) || s.polls != 1 {
		t.Errorf("cancelled between polls: %v after %d polls", err, s.polls)
	}
	// A poll failing because the context ended is not counted as a
	// passing failure, nor judged by Fatal.
	ctx, cancel = context.WithCancel(context.Background())
	p = testPolling()
	p.Fatal = func(error) bool { t.Error("Fatal asked about a cancelled poll"); return false }
	err = p.Follow(ctx, &job, func(model.Job) {}, func(*model.Job) (bool, error) {
		cancel()
		return false, errPassing
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled in a poll: %v", err)
	}
}
