package ui

import (
	"testing"

	"github.com/backdeck/backdeck/model"
)

// renders counts how many times the panels were drawn.
func (m *Model) renders() [4]int {
	return [4]int{m.tree.renders, m.detail.renders, m.jobs.renders, m.stores.renders}
}

func TestUnchangedJobEventKeepsCaches(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	first := tm.m.View().Content
	before := tm.m.renders()
	// the same reading of the running job, as a progress event and flushed
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: runningJob()}}})
	tm.send(flushMsg{})
	if tm.m.dirty() {
		t.Fatal("an unchanged job reading made the frame dirty")
	}
	if got := tm.m.View().Content; got != first {
		t.Fatal("the frame changed")
	}
	if after := tm.m.renders(); after != before {
		t.Fatalf("panels redrawn: %v → %v", before, after)
	}

	// a changed reading redraws the jobs panel only
	j := runningJob()
	j.Progress.Percent = 46
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	tm.send(flushMsg{})
	tm.m.View()
	after := tm.m.renders()
	if after[2] != before[2]+1 {
		t.Fatalf("jobs panel drawn %d times, want once more", after[2]-before[2])
	}
	if after[0] != before[0] || after[1] != before[1] || after[3] != before[3] {
		t.Fatalf("other panels redrawn for a progress reading: %v → %v", before, after)
	}
}

func TestIdleArmsNothing(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	if tm.m.flushArmed || tm.m.spinArmed {
		t.Fatal("a tick is armed while idle")
	}
	// only the listener and the minute clock come out of Init
	if msgs := collect(tm.m.Init()); len(msgs) != 0 {
		t.Fatalf("Init produced %d immediate messages", len(msgs))
	}
}

func BenchmarkRender200x60_1000Targets(b *testing.B) {
	tm := newTestModel(b, 200, 60)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: bigPosture(1000)}}})
	tm.keys("j", "j", "j") // a guest, for a full detail pane
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		// every panel and the chrome drawn again, as after a new posture
		tm.m.tree.dirty, tm.m.detail.dirty, tm.m.jobs.dirty, tm.m.stores.dirty, tm.m.chromeDirty = true, true, true, true, true
		_ = tm.m.View()
	}
}

func BenchmarkRenderCached200x60_1000Targets(b *testing.B) {
	tm := newTestModel(b, 200, 60)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: bigPosture(1000)}}})
	tm.m.View()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = tm.m.View()
	}
}

func BenchmarkProgressEvent200x60_1000Targets(b *testing.B) {
	tm := newTestModel(b, 200, 60)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: bigPosture(1000)}}})
	tm.m.View()
	j := runningJob()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		j.Progress.Percent = float64(i % 100)
		tm.m.Update(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
		tm.m.Update(flushMsg{})
		_ = tm.m.View()
	}
}

// BenchmarkRenderStoreChart200x60 draws a store's pane with its chart
// drawn again each time (as after a new posture or a resize).
func BenchmarkRenderStoreChart200x60(b *testing.B) {
	tm := newTestModel(b, 200, 60)
	tm.selectTarget("store/pve/hddusb_bkpvzdumps")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tm.m.detail.chart.lines = nil
		tm.m.tree.dirty, tm.m.detail.dirty, tm.m.jobs.dirty, tm.m.stores.dirty, tm.m.chromeDirty = true, true, true, true, true
		_ = tm.m.View()
	}
}
