package ui

import (
	"context"
	"sort"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// Each snapshot listing costs PVE requests, so the console asks only for
// the guest the cursor rests on: a step onto a guest arms a short timer,
// and only the timer of the last step fetches (holding ↓ through a
// thousand guests asks for one). The fetch the cursor leaves is cancelled.
// What was fetched is kept per guest until its snapshots can have changed:
// a refresh shows the guest changed (snapSig), a snapshot, rollback or
// deletion on it ended, or r asks again.

// snapDebounce is how long the cursor rests on a guest before its
// snapshots are fetched: longer than the gap between repeated keys.
const snapDebounce = 200 * time.Millisecond

type (
	// snapDueMsg is the timer of a step onto a guest; only the newest
	// (seq) fetches.
	snapDueMsg struct {
		target string
		seq    int
	}
	// snapshotsMsg is a fetch's answer, under the generation of its fetch.
	snapshotsMsg struct {
		target string
		gen    int
		list   []model.Snapshot
		err    error
	}
)

// snapEntry is the console's copy of a guest's snapshots.
type snapEntry struct {
	snapState
	gen   int    // the fetch that fills it
	stale bool   // they may have changed since: fetch again when shown
	sig   string // snapSig of the guest when last compared
}

// known reports whether the snapshots (or why they could not be read) need
// no fetch.
func (e *snapEntry) known() bool { return (e.loaded || e.err != "") && !e.stale }

// snapsLeft is the cursor leaving a guest: a listing that failed is tried
// again when it comes back (a refresh that shows nothing new does not).
func (m *Model) snapsLeft(id string) {
	if e := m.snap.entries[id]; e != nil && e.err != "" {
		e.stale = true
	}
}

// snapCache is the console's copies of snapshots and the one fetch (or
// timer) under way.
type snapCache struct {
	entries map[string]*snapEntry
	gen     int    // the newest fetch
	seq     int    // the newest timer
	due     string // the guest the newest timer is for ("" none)
	flying  string // the guest the fetch under way is for ("" none)
	cancel  context.CancelFunc
	// after delivers msg after d: tea.Tick in the console, a clock of
	// their own in the tests.
	after func(d time.Duration, msg tea.Msg) tea.Cmd
}

func newSnapCache() snapCache {
	return snapCache{
		entries: map[string]*snapEntry{},
		after: func(d time.Duration, msg tea.Msg) tea.Cmd {
			return tea.Tick(d, func(time.Time) tea.Msg { return msg })
		},
	}
}

// snapSig is what of a guest's posture moves when its snapshots can have
// changed: a snapshot task holds a lock (snapshot, rollback,
// snapshot-delete), a rollback stops or starts it, a migration moves it,
// a container's snapshot-mode backup takes a snapshot of its own.
func snapSig(t model.Target) string {
	sig := t.Node + "\x00" + t.State + "\x00" + t.Lock + "\x00" + strconv.Itoa(len(t.RestorePoints))
	if rp, ok := t.Newest(); ok {
		sig += "\x00" + rp.ID
	}
	return sig
}

// wantSnapshots shows the selected guest's snapshots and, when they are
// not known, arms the timer that fetches them.
func (m *Model) wantSnapshots(t *model.TargetStatus) tea.Cmd {
	sc := &m.snap
	if sc.flying != "" && sc.flying != t.ID {
		m.cancelSnapFetch()
	}
	e := sc.entries[t.ID]
	if e == nil {
		e = &snapEntry{sig: snapSig(t.Target), stale: true}
		sc.entries[t.ID] = e
	}
	m.detail.SetSnapshots(e.snapState)
	if e.known() || sc.flying == t.ID || sc.due == t.ID {
		return nil // known, on its way, or its timer runs
	}
	sc.seq++
	sc.due = t.ID
	return sc.after(snapDebounce, snapDueMsg{target: t.ID, seq: sc.seq})
}

// leaveSnapshots is the cursor going to what has no snapshots.
func (m *Model) leaveSnapshots() {
	m.cancelSnapFetch()
	m.snap.due = ""
}

// onSnapDue fetches when the timer is the newest and the cursor still
// rests on its guest; older timers are ignored.
func (m *Model) onSnapDue(msg snapDueMsg) tea.Cmd {
	sc := &m.snap
	if msg.seq != sc.seq || msg.target != sc.due {
		return nil
	}
	sc.due = ""
	if msg.target != m.selTarget || sc.flying == msg.target {
		return nil
	}
	if e := sc.entries[msg.target]; e != nil && e.known() {
		return nil
	}
	return m.fetchSnapshots(msg.target)
}

// fetchSnapshots asks for a guest's snapshots under a new generation; the
// fetch can be cancelled until it answers.
func (m *Model) fetchSnapshots(target string) tea.Cmd {
	eng := m.opts.Engine
	if eng == nil {
		return nil
	}
	sc := &m.snap
	m.cancelSnapFetch()
	sc.gen++
	gen := sc.gen
	e := sc.entries[target]
	if e == nil {
		e = &snapEntry{}
		sc.entries[target] = e
	}
	e.gen, e.loading, e.stale = gen, true, false
	ctx, cancel := context.WithTimeout(context.Background(), snapshotsTimeout)
	sc.flying, sc.cancel = target, cancel
	return func() tea.Msg {
		defer cancel()
		list, err := eng.Snapshots(ctx, target)
		return snapshotsMsg{target: target, gen: gen, list: list, err: err}
	}
}

// cancelSnapFetch cancels the fetch under way; its answer is dropped.
func (m *Model) cancelSnapFetch() {
	sc := &m.snap
	if sc.flying == "" {
		return
	}
	sc.cancel()
	if e := sc.entries[sc.flying]; e != nil && e.gen == sc.gen {
		e.loading = false
		e.stale = true
	}
	sc.flying, sc.cancel = "", nil
	sc.gen++ // its answer is now stale
}

// onSnapshots keeps the answer of the latest fetch only.
func (m *Model) onSnapshots(msg snapshotsMsg) tea.Cmd {
	sc := &m.snap
	e := sc.entries[msg.target]
	if e == nil || msg.gen != e.gen || msg.gen != sc.gen {
		return nil // a stale answer: a newer fetch is under way or done
	}
	sc.flying, sc.cancel = "", nil
	e.loading = false
	if msg.err != nil {
		e.err = msg.err.Error()
	} else {
		e.loaded, e.err = true, ""
		e.list = make([]model.Snapshot, 0, len(msg.list))
		for _, s := range msg.list {
			if s.Name != "current" {
				e.list = append(e.list, s)
			}
		}
		sort.SliceStable(e.list, func(i, j int) bool { return e.list[i].Time.After(e.list[j].Time) })
	}
	if msg.target == m.selTarget {
		m.detail.SetSnapshots(e.snapState)
	}
	return nil
}

// staleSnapshots marks a guest's snapshots as possibly changed; a fetch
// under way for it may have read them before the change, so it goes.
func (m *Model) staleSnapshots(id string) {
	sc := &m.snap
	e := sc.entries[id]
	if e == nil {
		return
	}
	e.stale = true
	if sc.flying == id {
		m.cancelSnapFetch()
	}
}

// snapsSeen compares a new posture's guests with what was fetched: a guest
// whose snapshots can have changed is marked, one that is gone forgotten.
func (m *Model) snapsSeen(p *model.Posture) {
	sc := &m.snap
	seen := make(map[string]bool, len(sc.entries))
	for _, c := range p.Concerns {
		for _, t := range c.Targets {
			e := sc.entries[t.ID]
			if e == nil || seen[t.ID] {
				continue
			}
			seen[t.ID] = true
			if sig := snapSig(t.Target); sig != e.sig {
				e.sig = sig
				m.staleSnapshots(t.ID)
			}
		}
	}
	for id := range sc.entries {
		if !seen[id] {
			if sc.flying == id {
				m.cancelSnapFetch()
			}
			delete(sc.entries, id)
		}
	}
}

// refetchSnapshots is r: every copy may be old; the selected guest's
// snapshots are fetched at once (the refresh's posture, when it shows
// nothing changed, does not fetch them again).
func (m *Model) refetchSnapshots() tea.Cmd {
	for id := range m.snap.entries {
		m.staleSnapshots(id)
	}
	t := m.selectedTarget()
	if t == nil || !isGuest(t.Target) {
		return nil
	}
	m.snap.due = ""
	cmd := m.fetchSnapshots(t.ID)
	if e := m.snap.entries[t.ID]; e != nil {
		m.detail.SetSnapshots(e.snapState)
	}
	return cmd
}
