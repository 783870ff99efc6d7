package ui

import (
	"bytes"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/backdeck/backdeck/model"
)

// TestProgram runs the console in a real Bubble Tea program: events come
// through the engine's channel (the re-armed listener), progress is
// coalesced on the flush tick, and q asks before quitting while a job runs.
func TestProgram(t *testing.T) {
	eng := newFakeEngine()
	m := New(Options{Engine: eng, Title: "demo", Now: fixedNow})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))

	eng.events <- model.PostureEvent{Posture: seedPosture()}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("k3sagent02")) && bytes.Contains(b, []byte("Stores & drives"))
	}, teatest.WithDuration(5*time.Second))

	j := runningJob()
	for _, pct := range []float64{50, 60, 70} {
		j.Progress.Percent = pct
		eng.events <- model.JobEvent{Job: j}
	}
	time.Sleep(400 * time.Millisecond) // several flush periods

	tm.Type("q")
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("Quit? [y/N]"))
	}, teatest.WithDuration(5*time.Second))
	tm.Type("y")

	final, ok := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if !ok {
		t.Fatal("the final model is not the console")
	}
	got, ok := final.jobs.Selected()
	if !ok || got.Progress.Percent != 70 {
		t.Fatalf("the job shows %v %%, want the last reading, 70", got.Progress.Percent)
	}
	if len(final.pending) != 0 {
		t.Fatalf("%d readings still pending", len(final.pending))
	}
}
