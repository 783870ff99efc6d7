package ui

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// virtualLoop runs the console on a clock of its own, as Bubble Tea would
// with real time: the snapshot timers the console arms fire when the clock
// reaches them, and what a command answers arrives latency later. Nothing
// sleeps, so the figures do not depend on the machine's speed.
type virtualLoop struct {
	tm      *testModel
	now     time.Duration
	latency time.Duration
	queue   []timedMsg
	n       int
}

type timedMsg struct {
	at  time.Duration
	n   int // keeps the order of messages due at the same time
	msg tea.Msg
}

func newVirtualLoop(tm *testModel) *virtualLoop {
	v := &virtualLoop{tm: tm, latency: 20 * time.Millisecond}
	tm.m.snap.after = func(d time.Duration, msg tea.Msg) tea.Cmd {
		v.schedule(v.now+d, msg)
		return nil
	}
	return v
}

func (v *virtualLoop) schedule(at time.Duration, msg tea.Msg) {
	v.n++
	v.queue = append(v.queue, timedMsg{at: at, n: v.n, msg: msg})
	sort.Slice(v.queue, func(i, j int) bool {
		if v.queue[i].at != v.queue[j].at {
			return v.queue[i].at < v.queue[j].at
		}
		return v.queue[i].n < v.queue[j].n
	})
}

// advance moves the clock to t, delivering what falls due on the way.
func (v *virtualLoop) advance(t time.Duration) {
	for len(v.queue) > 0 && v.queue[0].at <= t {
		it := v.queue[0]
		v.queue = v.queue[1:]
		v.now = it.at
		v.deliver(it.msg)
	}
	v.now = t
}

// deliver gives the console a message now; what its command answers
// quickly (engine calls) comes back after the latency.
func (v *virtualLoop) deliver(msg tea.Msg) {
	for _, out := range collect(v.tm.send(msg)) {
		if _, ok := out.(eventsMsg); !ok {
			v.schedule(v.now+v.latency, out)
		}
	}
}

// keyRepeat is a held key's repeat rate: 30 a second.
const keyRepeat = 33 * time.Millisecond

// hundredSteps holds j through 100 rows of a tree of 1,000 guests, with an
// unchanged refresh on the way and one after the cursor rests, and returns
// how many snapshot listings the console asked for.
func hundredSteps(tb testing.TB) int {
	tm := newTestModel(tb, 200, 60)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: bigPosture(1000)}}})
	v := newVirtualLoop(tm)
	before := len(tm.eng.SnapCalls())
	for i := range 100 {
		v.advance(time.Duration(i) * keyRepeat)
		v.deliver(press("j"))
		if i == 50 {
			v.deliver(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: bigPosture(1000)}}})
		}
	}
	v.advance(100*keyRepeat + 2*time.Second)
	v.deliver(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: bigPosture(1000)}}})
	v.advance(100*keyRepeat + 4*time.Second)
	if _, sel := tm.m.tree.Selected(); sel == nil || !isGuest(sel.Target) {
		tb.Fatalf("the cursor does not rest on a guest: %v", sel)
	}
	tm.mustNotShow("loading…")
	return len(tm.eng.SnapCalls()) - before
}

// BenchmarkSnapshotRequestsPer100Steps reports the snapshot listings 100
// steps of a held ↓ ask for (the target: at most 2; it was 101–106).
func BenchmarkSnapshotRequestsPer100Steps(b *testing.B) {
	total := 0
	for b.Loop() {
		total += hundredSteps(b)
	}
	b.ReportMetric(float64(total)/float64(b.N), "requests/100steps")
}

func TestHundredStepsFetchOnce(t *testing.T) {
	if n := hundredSteps(t); n != 1 {
		t.Fatalf("100 steps asked for %d snapshot listings, want 1 (for where the cursor rests)", n)
	}
}

// settle gives the console a message and feeds back the timers and
// answers that follow, until none is left.
func (tm *testModel) settle(msg tea.Msg) {
	tm.t.Helper()
	msgs := collect(tm.send(msg))
	for len(msgs) > 0 {
		var next []tea.Msg
		for _, m := range msgs {
			switch m.(type) {
			case snapDueMsg, snapshotsMsg, startResultMsg:
				next = append(next, collect(tm.send(m))...)
			}
		}
		msgs = next
	}
}

// withGuest is the seed posture with a change to one guest, wherever it is
// listed.
func withGuest(id string, change func(*model.Target)) *model.Posture {
	p := seedPosture()
	for ci := range p.Concerns {
		for ti := range p.Concerns[ci].Targets {
			if p.Concerns[ci].Targets[ti].ID == id {
				change(&p.Concerns[ci].Targets[ti].Target)
			}
		}
	}
	return p
}

func posture(p *model.Posture) eventsMsg {
	return eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}}
}

func (tm *testModel) wantCalls(n int, why string) {
	tm.t.Helper()
	if got := tm.eng.SnapCalls(); len(got) != n {
		tm.t.Fatalf("%s: %d snapshot listings %v, want %d", why, len(got), got, n)
	}
}

// A guest's snapshots are kept until a refresh shows the guest changed.
func TestSnapshotsKeptUntilARefreshShowsAChange(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	tm.wantCalls(1, "selecting k3sagent01")
	tm.run("j") // k3sagent02 and back: only k3sagent02 is new
	tm.run("k")
	tm.wantCalls(2, "back on k3sagent01")
	tm.mustShow("pre-upgrade")

	tm.settle(posture(seedPosture()))
	tm.wantCalls(2, "a refresh with nothing new")

	tm.eng.snaps[agent01] = append(agent01Snapshots(), model.Snapshot{Name: "by-hand", Time: testNow.Add(-time.Minute)})
	locked := withGuest(agent01, func(t *model.Target) { t.Lock = "snapshot" })
	tm.settle(posture(locked))
	tm.wantCalls(3, "a refresh that shows a snapshot lock")
	tm.mustShow("by-hand")
	tm.settle(posture(locked))
	tm.wantCalls(3, "the same lock again")
	tm.settle(posture(seedPosture()))
	tm.wantCalls(4, "the lock gone")
	tm.settle(posture(withGuest(agent01, func(t *model.Target) { t.State = "stopped" })))
	tm.wantCalls(5, "stopped (a rollback)")
	tm.settle(posture(withGuest(agent01, func(t *model.Target) {
		t.RestorePoints = append(t.RestorePoints, vzdump(421, time.Minute, GiB, "", false))
	})))
	tm.wantCalls(6, "a new restore point")

	// a guest not selected is fetched again only when the cursor comes
	p := withGuest(agent01, func(t *model.Target) {
		t.RestorePoints = append(t.RestorePoints, vzdump(421, time.Minute, GiB, "", false))
	})
	for ci := range p.Concerns {
		for ti := range p.Concerns[ci].Targets {
			if p.Concerns[ci].Targets[ti].ID == "pve/qemu/422" {
				p.Concerns[ci].Targets[ti].Lock = "rollback"
			}
		}
	}
	tm.settle(posture(p))
	tm.wantCalls(6, "a change to a guest not selected")
	tm.run("j")
	tm.wantCalls(7, "on the changed k3sagent02")
}

// A snapshot, rollback or deletion of ours that ends makes the guest's
// snapshots be fetched again: at once when it is selected, else when it is.
func TestSnapshotJobsEndRefetch(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	tm.run("j")
	tm.run("k")
	tm.wantCalls(2, "k3sagent01, k3sagent02")
	end := func(id, target string, m model.Method, st model.JobState) eventsMsg {
		return eventsMsg{evs: []model.Event{model.JobEvent{Job: model.Job{ID: id, Target: target, Method: m,
			Source: model.SourceProxmox, State: st, Started: testNow.Add(-time.Minute), Ended: testNow}}}}
	}
	tm.settle(end("s1", agent01, model.MethodSnapshot, model.JobRunning))
	tm.wantCalls(2, "a snapshot job that runs")
	tm.settle(end("s1", agent01, model.MethodSnapshot, model.JobSucceeded))
	tm.wantCalls(3, "our snapshot ended")
	tm.settle(end("v1", agent01, model.MethodVzdump, model.JobSucceeded))
	tm.wantCalls(3, "a backup ended")
	tm.settle(end("d1", "pve/qemu/422", model.MethodDeleteSnapshot, model.JobFailed))
	tm.wantCalls(3, "a deletion on k3sagent02 ended while k3sagent01 is selected")
	tm.run("j")
	tm.wantCalls(4, "on k3sagent02")
	tm.run("k")
	tm.wantCalls(4, "back on k3sagent01")
}

// r asks PVE for the selected guest's snapshots once, though the refresh's
// posture follows.
func TestRefreshKeyFetchesOnce(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	tm.wantCalls(1, "selecting k3sagent01")
	tm.run("r")
	tm.wantCalls(2, "r")
	tm.settle(posture(seedPosture()))
	tm.wantCalls(2, "r's posture, with nothing new")
	if tm.eng.refreshes != 1 {
		t.Fatalf("%d refreshes asked", tm.eng.refreshes)
	}
	tm.mustShow("pre-upgrade")
}

// Only the timer of the newest step fetches, and only for the guest the
// cursor rests on.
func TestStaleSnapshotTimerIgnored(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.eng.snaps[agent01] = agent01Snapshots()
	var armed []snapDueMsg
	tm.m.snap.after = func(_ time.Duration, msg tea.Msg) tea.Cmd {
		armed = append(armed, msg.(snapDueMsg))
		return nil
	}
	tm.keys("j", "j", "j", "j", "j", "k") // over the templates, k3sserver01, k3sagent01, k3sagent02, back
	if len(armed) != 6 || armed[5].target != agent01 {
		t.Fatalf("timers armed %+v", armed)
	}
	for _, due := range armed[:5] {
		if cmd := tm.send(due); cmd != nil {
			t.Fatalf("the stale timer %+v fetches", due)
		}
	}
	tm.wantCalls(0, "stale timers")
	tm.mustShow("loading…")
	tm.settle(armed[5])
	tm.wantCalls(1, "the newest timer")
	tm.mustShow("pre-upgrade")
	// a timer whose guest the cursor has left does not fetch either
	tm.keys("j")
	tm.keys("g")
	if cmd := tm.send(armed[len(armed)-1]); cmd != nil {
		t.Fatal("a timer fetches for a guest the cursor left")
	}
	tm.wantCalls(1, "after the cursor left")
}

// The fetch the cursor leaves is cancelled, and its answer dropped.
func TestLeavingAGuestCancelsItsFetch(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	cancelled := make(chan error, 1)
	tm.eng.snapFn = func(ctx context.Context, id string) ([]model.Snapshot, error) {
		if id != agent01 {
			return nil, nil
		}
		<-ctx.Done()
		cancelled <- ctx.Err()
		return nil, ctx.Err()
	}
	tm.keys("j", "j", "j")
	var fetch tea.Cmd
	for _, msg := range tm.keys("j") {
		if due, ok := msg.(snapDueMsg); ok {
			fetch = tm.send(due)
		}
	}
	if fetch == nil {
		t.Fatal("no fetch for k3sagent01")
	}
	answer := make(chan tea.Msg, 1)
	go func() { answer <- fetch() }()
	tm.run("j") // k3sagent02
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the fetch ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("leaving k3sagent01 did not cancel its fetch")
	}
	tm.send(<-answer)
	tm.run("k")
	tm.mustNotShow("context canceled")
	tm.wantCalls(3, "k3sagent01, k3sagent02, k3sagent01 again")
}

// A listing that failed is not asked again at every refresh, but when the
// cursor comes back (or r asks).
func TestFailedListingRetriedOnReturn(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	fail := true
	tm.eng.snapFn = func(_ context.Context, id string) ([]model.Snapshot, error) {
		if fail {
			return nil, errors.New("permission denied (VM.Audit)")
		}
		return agent01Snapshots(), nil
	}
	tm.keys("j", "j", "j")
	tm.run("j")
	tm.wantCalls(1, "on k3sagent01")
	tm.mustShow("permission denied")
	tm.settle(posture(seedPosture()))
	tm.wantCalls(1, "a refresh with nothing new")
	fail = false
	tm.run("j")
	tm.run("k")
	tm.wantCalls(3, "k3sagent02, then back on k3sagent01")
	tm.mustShow("pre-upgrade")
}
