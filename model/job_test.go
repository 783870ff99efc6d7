package model

import "testing"

func TestJobStateMachine(t *testing.T) {
	cases := []struct {
		from, to JobState
		ok       bool
	}{
		{JobQueued, JobRunning, true},
		{JobRunning, JobRunning, true}, // progress
		{JobRunning, JobSucceeded, true},
		{JobRunning, JobWarning, true},
		{JobRunning, JobFailed, true},
		{JobRunning, JobCancelled, true},
		{JobRunning, JobNothing, false},
		{JobRunning, JobQueued, false},
		{JobQueued, JobNothing, true},
		{JobSucceeded, JobRunning, false},
		{JobFailed, JobSucceeded, false},
		{JobCancelled, JobCancelled, false},
	}
	for _, c := range cases {
		j := Job{ID: "j", State: c.from}
		err := j.Move(c.to)
		if (err == nil) != c.ok {
			t.Errorf("%s → %s: err %v, want ok=%v", c.from, c.to, err, c.ok)
		}
	}
	if !JobWarning.Succeeded() || JobNothing.Succeeded() || JobFailed.Succeeded() {
		t.Error("warnings succeed; nothing-to-do and failures do not")
	}
}

func TestHumanFormats(t *testing.T) {
	if got := HumanBytes(4402341478); got != "4.1 GiB" {
		t.Errorf("HumanBytes = %q", got)
	}
	if got := HumanBytes(512); got != "512 B" {
		t.Errorf("HumanBytes = %q", got)
	}
	if got := HumanAge(31 * 3600e9); got != "31 h" {
		t.Errorf("HumanAge = %q", got)
	}
	if got := HumanAge(12 * 24 * 3600e9); got != "12 d" {
		t.Errorf("HumanAge = %q", got)
	}
}
