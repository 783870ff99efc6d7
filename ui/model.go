package ui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/keys"
	"github.com/backdeck/backdeck/ui/termsafe"
	"github.com/backdeck/backdeck/ui/theme"
)

// focusArea is the panel that gets the navigation keys.
type focusArea int

const (
	focusTree focusArea = iota
	focusDetail
	focusJobs
	focusCount
)

// Model is the console's root: it routes keys (the overlay on top, the filter,
// then the focused panel), applies engine events, and assembles the frame from
// the panels' cached lines.
type Model struct {
	opts    Options
	c       *common
	keymap  keys.KeyMap
	lay     layout
	posture *model.Posture

	tree   tree
	detail detail
	jobs   jobsPanel
	stores storesPanel
	status statusBar
	log    errLog
	filter filter
	layers overlays // dialogs, the help, the log: the top gets every key first
	focus  focusArea

	pending    map[string]model.Job // progress waiting for the next flush
	flushArmed bool
	spinArmed  bool
	closed     bool

	snap      snapCache // the guests' snapshots (snapfetch.go)
	selTarget string    // the selected target's id ("" on a concern)

	seq      int
	inflight map[int]string // engine calls under way, by request id
	preGen   int            // the imaging preflight asked last

	frame       string // the last frame drawn
	chromeDirty bool   // header, footer or an overlay changed
}

// New builds the console.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Engine != nil {
		opts.Engine = safeEngine{opts.Engine}
	}
	m := &Model{
		opts:     opts,
		keymap:   keys.Default(),
		posture:  &model.Posture{},
		pending:  map[string]model.Job{},
		snap:     newSnapCache(),
		inflight: map[int]string{},
	}
	th := theme.New(opts.NoColor)
	m.c = &common{theme: th, keys: &m.keymap, ascii: opts.ASCII, now: opts.Now, bars: newBarSet(th, opts.ASCII)}
	m.tree = newTree(m.c)
	m.detail = newDetail(m.c)
	m.jobs = newJobsPanel(m.c)
	m.stores = newStoresPanel(m.c)
	m.status = newStatusBar(m.c)
	m.log = newErrLog(m.c)
	m.filter = newFilter(m.c)
	m.tree.SetFocused(true)
	m.chromeDirty = true
	return m
}

// Init starts listening to the engine and the minute clock.
func (m *Model) Init() tea.Cmd {
	var ch <-chan model.Event
	if m.opts.Engine != nil {
		ch = m.opts.Engine.Events()
	}
	cmds := []tea.Cmd{listen(ch), m.clockTick()}
	for _, w := range m.opts.Warnings {
		m.log.Add(time.Time{}, "config", termsafe.Line(w))
	}
	if n := len(m.opts.Warnings); n > 0 {
		cmds = append(cmds, m.say(fmt.Sprintf("config: %d warning%s (L shows %s): %s", n, plural(n), pronoun(n), termsafe.Line(m.opts.Warnings[0])), true))
	}
	return tea.Batch(cmds...)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// Update applies one message. It does no I/O: engine calls go out as
// commands and come back as messages.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.lay = layout{}
		m.relayout()
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		m.chromeDirty = true
		switch {
		case m.layers.top() != nil:
			return m, m.layerKey(msg)
		case m.filter.active:
			m.filter.field.Update(msg)
			return m, m.applyFilter()
		}
		return m, nil
	case eventsMsg:
		return m, m.handleEvents(msg)
	case flushMsg:
		return m, m.flush()
	case spinMsg:
		return m, m.spin()
	case clockMsg:
		return m, m.tick()
	case statusExpiredMsg:
		if m.status.Expire(msg.gen) {
			m.chromeDirty = true
		}
		return m, nil
	case startResultMsg:
		return m, m.onStartResult(msg)
	case stopResultMsg:
		return m, m.onStopResult(msg)
	case snapDueMsg:
		return m, m.onSnapDue(msg)
	case snapshotsMsg:
		return m, m.onSnapshots(msg)
	case preflightMsg:
		return m, m.onPreflight(msg)
	case runJobResultMsg:
		return m, m.onRunJobResult(msg)
	case nextVMIDMsg:
		return m, m.onNextVMID(msg)
	case prunePlansMsg:
		return m, m.onPrunePlans(msg)
	case protectMsg:
		return m, m.onProtect(msg)
	}
	return m, nil
}

// handleKey routes a key: ctrl+c always quits; then the overlay on top
// (below the minimum size only a dialog, which is all that is drawn there,
// and q), the filter input, the console's keys, the focused panel.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if key.Matches(msg, k.ForceQuit) {
		return tea.Quit
	}
	m.chromeDirty = true
	if m.layers.dialog() != nil || (m.layers.top() != nil && !m.lay.small) {
		return m.layerKey(msg)
	}
	if m.lay.small {
		if key.Matches(msg, k.Quit) {
			return m.quit()
		}
		return nil
	}
	if m.filter.active {
		return m.filterKey(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.layers.push(m.helpLayer())
	case key.Matches(msg, k.Log):
		m.layers.push(pageLayer{c: m.c, own: k.Log, box: func(w, h int) (int, string) {
			bw := w - 8
			return bw, m.log.View(bw-4, h-6)
		}})
	case key.Matches(msg, k.Schedule):
		m.layers.push(m.scheduleLayer())
	case key.Matches(msg, k.Filter):
		m.filter.Open()
		m.setFocus(focusTree)
		m.updateTreeHeader()
	case key.Matches(msg, k.Back):
		m.back()
	case key.Matches(msg, k.Next):
		m.setFocus((m.focus + 1) % focusCount)
	case key.Matches(msg, k.Prev):
		m.setFocus((m.focus + focusCount - 1) % focusCount)
	case key.Matches(msg, k.Refresh):
		if m.opts.Engine != nil {
			m.opts.Engine.Refresh()
		}
		return tea.Batch(m.say("refresh asked", false), m.refetchSnapshots())
	case key.Matches(msg, k.Backup):
		return m.backup()
	case key.Matches(msg, k.Incremental):
		return m.clientBackup(model.MethodIncrFile, k.Incremental.Help().Key)
	case key.Matches(msg, k.Full):
		return m.clientBackup(model.MethodFullFile, k.Full.Help().Key)
	case key.Matches(msg, k.IncrImage):
		return m.clientBackup(model.MethodIncrImage, k.IncrImage.Help().Key)
	case key.Matches(msg, k.FullImage):
		return m.clientBackup(model.MethodFullImage, k.FullImage.Help().Key)
	case key.Matches(msg, k.Snapshot):
		return m.openSnapshotForm()
	case key.Matches(msg, k.Rollback):
		return m.openRollback()
	case key.Matches(msg, k.Delete):
		return m.openDelete()
	case key.Matches(msg, k.Stop):
		return m.openStop()
	case key.Matches(msg, k.Verify):
		return m.verify()
	case key.Matches(msg, k.Preflight):
		return m.runPreflight()
	case key.Matches(msg, k.Prune):
		return m.openPrune()
	case key.Matches(msg, k.Restore):
		return m.openRestore()
	case key.Matches(msg, k.Drill):
		return m.openDrill()
	case key.Matches(msg, k.Open):
		return m.open()
	default:
		return m.panelKey(msg)
	}
	return nil
}

// panelKey gives a key to the focused panel.
func (m *Model) panelKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.focus {
	case focusTree:
		if m.tree.Update(msg) {
			return m.syncSelection()
		}
	case focusDetail:
		m.detail.Update(msg)
	case focusJobs:
		m.jobs.Update(msg)
	}
	return nil
}

// filterKey edits the filter: esc clears and closes it, enter keeps it,
// the arrows still move in the tree.
func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	switch {
	case key.Matches(msg, k.Back):
		m.filter.Clear()
		return m.applyFilter()
	case key.Matches(msg, k.Open):
		m.filter.Close()
		m.updateTreeHeader()
		return nil
	case msg.String() == "up" || msg.String() == "down":
		if m.tree.Update(msg) {
			return m.syncSelection()
		}
		return nil
	}
	if m.filter.field.Update(msg) {
		return m.applyFilter()
	}
	return nil
}

func (m *Model) applyFilter() tea.Cmd {
	m.tree.SetFilter(m.filter.Value())
	m.updateTreeHeader()
	return m.syncSelection()
}

// back closes what is open, clears the filter, or returns focus to the
// tree. It never quits.
func (m *Model) back() {
	switch {
	case m.filter.Applied():
		m.filter.Clear()
		m.tree.SetFilter("")
		m.updateTreeHeader()
		m.syncSelection()
	case m.focus != focusTree:
		m.setFocus(focusTree)
	}
}

// open is enter: from the tree it focuses the detail; on a damaged image
// it shows its every problem; from the jobs panel it opens what the job
// was about (jobs_open.go).
func (m *Model) open() tea.Cmd {
	switch m.focus {
	case focusTree:
		m.setFocus(focusDetail)
	case focusDetail:
		if rp, ok := m.detail.SelectedPoint(); ok && damaged(rp) {
			m.openProblems(rp)
		}
	case focusJobs:
		if j, ok := m.jobs.Selected(); ok {
			return m.openJob(j)
		}
	}
	return nil
}

func (m *Model) setFocus(f focusArea) {
	m.focus = f
	m.tree.SetFocused(f == focusTree)
	m.detail.SetFocused(f == focusDetail)
	m.jobs.SetFocused(f == focusJobs)
	m.chromeDirty = true
}

// layerKey gives a key (or a paste) to the overlay on top: it pops when it
// closes, and an accepted dialog's action is done.
func (m *Model) layerKey(msg tea.Msg) tea.Cmd {
	top := m.layers.top()
	res := top.Update(msg)
	if pl, ok := top.(*pruneLayer); ok {
		return m.pruneOutbox(pl, res)
	}
	switch res {
	case layerAccepted:
		m.layers.pop()
		if dl, ok := top.(dialogLayer); ok {
			return m.accept(dl.Action())
		}
	case layerClosed:
		m.layers.pop()
	case layerQuit:
		return m.quit()
	case layerOpen:
		if so, ok := top.(*scheduleOverlay); ok {
			return so.takeAsk()
		}
	}
	return nil
}

// dialog is the dialog open on top, nil when there is none.
func (m *Model) dialog() dialog { return m.layers.dialog() }

// openDialog puts a dialog on top, in the place of the one open there.
func (m *Model) openDialog(d dialog) {
	if m.layers.dialog() != nil {
		m.layers.pop()
	}
	m.layers.push(dialogLayer{d})
	m.chromeDirty = true
}

// syncSelection shows the tree's selection in the detail pane and asks for
// a guest's snapshots when they are not known (snapfetch.go).
func (m *Model) syncSelection() tea.Cmd {
	c, t := m.tree.Selected()
	m.detail.SetSelection(m.posture, c, t)
	if t == nil || t.ID != m.selTarget {
		m.snapsLeft(m.selTarget)
	}
	if t == nil {
		m.selTarget = ""
		m.detail.SetRunning(nil)
		m.leaveSnapshots()
		return nil
	}
	m.selTarget = t.ID
	m.detail.SetRunning(m.jobs.RunningOn(t.ID))
	if !isGuest(t.Target) {
		m.leaveSnapshots()
		return nil
	}
	return m.wantSnapshots(t)
}

func (m *Model) updateTreeHeader() {
	if !m.filter.active && !m.filter.Applied() {
		m.tree.SetHeader("")
		return
	}
	m.tree.SetHeader(m.filter.Header(m.lay.treeW-1, m.tree.Targets()))
}

// relayout shares the screen out again (size, jobs or stores changed).
func (m *Model) relayout() {
	l := computeLayout(m.c.width, m.c.height, m.jobs.Len(), m.stores.Rows())
	if l == m.lay {
		return
	}
	m.lay = l
	m.chromeDirty = true
	if l.small {
		return
	}
	m.tree.SetSize(l.treeW, l.mainH)
	m.detail.SetSize(l.detailW, l.mainH)
	m.jobs.SetSize(l.w-2, l.jobsH)
	m.stores.SetSize(l.w-2, l.storesH)
	m.updateTreeHeader()
}

// View draws the frame. Panels redraw only when they changed; when nothing
// did, the last frame is returned as is.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "backdeck"
	return v
}
