package ui

import (
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/termsafe"
)

// Messages of the console's own commands.
type (
	// eventsMsg carries what the engine published: the first event the
	// listener waited for and those already queued behind it.
	eventsMsg struct {
		evs    []model.Event
		closed bool
	}
	flushMsg         struct{} // time to show the coalesced progress
	spinMsg          struct{} // the spinner's next frame
	clockMsg         struct{} // a new minute
	statusExpiredMsg struct{ gen int }
)

// flushEvery coalesces job progress to about 10 updates a second.
const flushEvery = 100 * time.Millisecond

// maxBatch bounds how many queued events one message carries.
const maxBatch = 64

// listen is the one command that reads the engine's channel; Update arms
// it again after every batch.
func listen(ch <-chan model.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsMsg{closed: true}
		}
		// Outside text is made safe here, off the Update loop.
		evs := []model.Event{termsafe.Clean(ev)}
		for len(evs) < maxBatch {
			select {
			case ev, ok := <-ch:
				if !ok {
					return eventsMsg{evs: evs, closed: true}
				}
				evs = append(evs, termsafe.Clean(ev))
			default:
				return eventsMsg{evs: evs}
			}
		}
		return eventsMsg{evs: evs}
	}
}

// handleEvents applies a batch. Postures, errors, new jobs and job ends are
// shown at once; progress of known jobs waits for the next flush, keeping
// only the latest reading of each job.
func (m *Model) handleEvents(msg eventsMsg) tea.Cmd {
	var cmds []tea.Cmd
	for _, ev := range msg.evs {
		switch e := ev.(type) {
		case model.PostureEvent:
			if e.Posture != nil {
				cmds = append(cmds, m.applyPosture(e.Posture))
			}
		case model.JobEvent:
			if e.Job.State.Terminal() || !m.jobs.Has(e.Job.ID) {
				delete(m.pending, e.Job.ID)
				cmds = append(cmds, m.applyJob(e.Job))
				continue
			}
			m.pending[e.Job.ID] = e.Job
		case model.ErrorEvent:
			cmds = append(cmds, m.showError(e.Err))
		}
	}
	if len(m.pending) > 0 && !m.flushArmed {
		m.flushArmed = true
		cmds = append(cmds, tea.Tick(flushEvery, func(time.Time) tea.Msg { return flushMsg{} }))
	}
	if msg.closed {
		m.closed = true
		cmds = append(cmds, m.say("the engine stopped: nothing more will change", true))
	} else if m.opts.Engine != nil {
		cmds = append(cmds, listen(m.opts.Engine.Events()))
	}
	return tea.Batch(cmds...)
}

// flush shows the coalesced progress.
func (m *Model) flush() tea.Cmd {
	m.flushArmed = false
	var cmds []tea.Cmd
	for id, j := range m.pending {
		delete(m.pending, id)
		cmds = append(cmds, m.applyJob(j))
	}
	return tea.Batch(cmds...)
}

// applyPosture takes a whole new posture.
func (m *Model) applyPosture(p *model.Posture) tea.Cmd {
	m.posture = p
	m.chromeDirty = true
	m.tree.SetConcerns(p.Concerns)
	m.stores.SetPosture(p)
	m.jobs.SetPosture(p)
	now := m.c.now()
	for _, j := range p.Jobs {
		if _, waiting := m.pending[j.ID]; waiting {
			continue
		}
		if j.State.Terminal() && !j.Ended.IsZero() && now.Sub(j.Ended) > keepEnded {
			continue // ended long ago: pruned here, whatever the engine keeps
		}
		m.upsertJob(j)
	}
	m.snapsSeen(p)
	var cmds []tea.Cmd
	// One line per cause: a source's error event said it already, and
	// SMART read through PVE fails of PVE's cause.
	var news []*logEntry
	for _, e := range p.Errors {
		if en, isNew := m.log.Failing(e); isNew && !slices.Contains(news, en) {
			news = append(news, en)
		}
	}
	m.log.SourcesOK(p.Errors)
	for _, en := range news {
		cmds = append(cmds, m.sayError(en))
	}
	for _, n := range p.Notes {
		if m.log.Note(n) {
			cmds = append(cmds, m.say(string(n.Source)+": "+n.Message+" (L shows notes and errors)", false))
		}
	}
	m.tree.SetFailed(m.jobs.FailedTargets())
	m.relayout()
	m.updateTreeHeader()
	cmds = append(cmds, m.syncSelection(), m.armSpin())
	return tea.Batch(cmds...)
}

// applyJob shows a job's new reading.
func (m *Model) applyJob(j model.Job) tea.Cmd {
	if !m.upsertJob(j) {
		return nil
	}
	m.chromeDirty = true // the header counts running jobs
	m.relayout()
	var cmd tea.Cmd
	if j.State.Terminal() && m.tree.SetFailed(m.jobs.FailedTargets()) {
		m.updateTreeHeader()
		cmd = m.syncSelection()
	}
	changesSnapshots := j.Method == model.MethodSnapshot || j.Method == model.MethodRollback || j.Method == model.MethodDeleteSnapshot
	if j.State.Terminal() && changesSnapshots {
		m.staleSnapshots(j.Target)
	}
	if j.Target == m.selTarget {
		m.detail.SetRunning(m.jobs.RunningOn(j.Target))
		if j.State.Terminal() && changesSnapshots {
			cmd = m.syncSelection()
		}
	}
	return tea.Batch(cmd, m.armSpin())
}

// showError logs a source's error under its cause and shows it in the
// status bar for a while, unless the cause is known already.
func (m *Model) showError(e model.SourceError) tea.Cmd {
	if en, isNew := m.log.Failing(e); isNew {
		return m.sayError(en)
	}
	return nil
}

// sayError shows a logged error in the status bar: "✗ proxmox, smart: …".
func (m *Model) sayError(en *logEntry) tea.Cmd {
	return m.say(m.c.glyph(model.StatusCritical)+" "+en.text(), true)
}

// say shows a message in the status bar and arms its expiry.
func (m *Model) say(text string, isErr bool) tea.Cmd {
	gen := m.status.Set(text, isErr)
	m.chromeDirty = true
	d := infoShownFor
	if isErr {
		d = errorShownFor
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return statusExpiredMsg{gen: gen} })
}

// armSpin schedules the spinner's next frame, only while a running job has
// no percentage (an idle console arms nothing).
func (m *Model) armSpin() tea.Cmd {
	if m.spinArmed || !m.jobs.NeedsSpinner() {
		return nil
	}
	m.spinArmed = true
	return tea.Tick(m.jobs.spin.Spinner.FPS, func(time.Time) tea.Msg { return spinMsg{} })
}

// spin advances the spinner and re-arms it while it is needed.
func (m *Model) spin() tea.Cmd {
	m.spinArmed = false
	if !m.jobs.NeedsSpinner() {
		return nil
	}
	m.jobs.Spin()
	return m.armSpin()
}

// clockTick fires at the next minute: the header's clock and the ages move.
func (m *Model) clockTick() tea.Cmd {
	now := m.c.now()
	next := now.Truncate(time.Minute).Add(time.Minute)
	return tea.Tick(next.Sub(now), func(time.Time) tea.Msg { return clockMsg{} })
}

// tick redraws what shows the time and forgets long-ended jobs.
func (m *Model) tick() tea.Cmd {
	m.chromeDirty = true
	m.tree.Invalidate()
	m.detail.Invalidate()
	m.jobs.Invalidate()
	m.stores.Invalidate()
	if m.jobs.Prune(m.c.now()) {
		m.relayout()
	}
	return m.clockTick()
}
