package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// Results of engine calls; each carries the id of its request so that late
// answers can be dropped (snapshot fetches: snapfetch.go).
type (
	startResultMsg struct {
		id    int
		req   model.JobRequest
		label string
		job   model.Job
		err   error
	}
	stopResultMsg struct {
		id    int
		job   model.Job
		label string
		err   error
	}
)

// startCmd calls Engine.Start in a command. The command reads only what it
// was given: it never touches the model.
func (m *Model) startCmd(req model.JobRequest, label string) tea.Cmd {
	eng := m.opts.Engine
	if eng == nil {
		return nil
	}
	m.seq++
	id := m.seq
	m.inflight[id] = label
	return tea.Batch(m.say("starting "+label+"…", false), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		job, err := eng.Start(ctx, req)
		return startResultMsg{id: id, req: req, label: label, job: job, err: err}
	})
}

func (m *Model) stopCmd(job model.Job, label string) tea.Cmd {
	eng := m.opts.Engine
	if eng == nil {
		return nil
	}
	m.seq++
	id := m.seq
	m.inflight[id] = label
	jobID := job.ID
	return tea.Batch(m.say("stopping "+label+"…", false), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		return stopResultMsg{id: id, job: job, label: label, err: eng.Stop(ctx, jobID)}
	})
}

func (m *Model) onStartResult(msg startResultMsg) tea.Cmd {
	if _, ok := m.inflight[msg.id]; !ok {
		return nil
	}
	delete(m.inflight, msg.id)
	if msg.err != nil {
		var ce *model.ChoiceError
		if errors.As(msg.err, &ce) && ce.What == "storage" && len(ce.Choices) > 0 {
			m.openDialog(newPicker(m.c, msg.req, msg.label, ce))
			return m.say("choose where the backup goes", false)
		}
		return m.actionFailed(model.SourceOf(msg.req.Target), "Cannot start the "+msg.label, msg.err)
	}
	return tea.Batch(m.applyJob(msg.job), m.say("started "+msg.label, false))
}

func (m *Model) onStopResult(msg stopResultMsg) tea.Cmd {
	if _, ok := m.inflight[msg.id]; !ok {
		return nil
	}
	delete(m.inflight, msg.id)
	if msg.err != nil {
		return m.actionFailed(msg.job.Source, "Cannot stop the "+msg.label, msg.err)
	}
	if msg.job.Method == model.MethodVerify {
		return m.say("stopping the "+msg.label+"; its end shows below", false) // it runs here, not on a server
	}
	return m.say("asked the server to stop "+msg.label+"; its end shows below", false)
}

// actionFailed shows why an action the operator asked for failed: in full
// in a notice, in the status bar and in the error log.
func (m *Model) actionFailed(src model.Source, title string, err error) tea.Cmd {
	if m.dialog() == nil {
		m.openDialog(newNotice(m.c, title, err.Error(), "also in the log: L"))
	}
	return m.sayError(m.log.Add(m.c.now(), string(src), strings.ToLower(title[:1])+title[1:]+": "+err.Error()))
}

// selectedTarget is the selected target (nil on a concern): what it offers
// is in its Methods.
func (m *Model) selectedTarget() *model.TargetStatus {
	_, t := m.tree.Selected()
	return t
}

func (m *Model) backup() tea.Cmd {
	t := m.selectedTarget()
	if t != nil && isClient(t.Target) {
		return m.say("b backs up guests; for this client use "+clientKeys(m.c, t.Target), false)
	}
	if t == nil || !hasMethod(t.Target, model.MethodVzdump) {
		return m.say("b backs up a guest: select one in the tree", false)
	}
	req := model.JobRequest{Target: t.ID, Method: model.MethodVzdump}
	return m.startCmd(req, "vzdump of "+guestLabel(t.Target))
}

// clientKeys says which keys back up a client: the keys of what it
// offers, "i or f", "I or F".
func clientKeys(c *common, t model.Target) string {
	if ks := c.offeredKeys(t); ks != "" {
		return ks
	}
	return "nothing: UrBackup offers no backup of it (switched off)"
}

func aOrAn(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// heavyWarning says why a full backup asks first.
func heavyWarning(m model.Method) string {
	if m == model.MethodFullImage {
		return "It reads the whole disk again and loads the client and the server for a long time."
	}
	return "It reads every file again and loads the client and the server for a long time."
}

// clientBackup starts one of UrBackup's backups of the selected client:
// incremental ones at once, full ones (Method.Heavy) after a confirmation.
func (m *Model) clientBackup(meth model.Method, keyName string) tea.Cmd {
	t := m.selectedTarget()
	if t == nil || !isClient(t.Target) {
		return m.say(keyName+" starts "+aOrAn(meth.Phrase())+" of an UrBackup client: select one in the tree", false)
	}
	if !hasMethod(t.Target, meth) {
		return m.say(fmt.Sprintf("%s has no %s (switched off); use %s", t.Name, meth.Phrase(), clientKeys(m.c, t.Target)), false)
	}
	req := model.JobRequest{Target: t.ID, Method: meth}
	label := meth.Phrase() + " of " + t.Name
	if !meth.Heavy() {
		return m.startCmd(req, label)
	}
	kind := "file"
	if meth == model.MethodFullImage {
		kind = "image"
	}
	text := fmt.Sprintf("Start a FULL %s backup of %s? %s", kind, t.Name, heavyWarning(meth))
	if t.Offline {
		text += " " + t.Name + " is offline now: UrBackup refuses until it connects."
	}
	d := newConfirm(m.c, "Full "+kind+" backup of "+t.Name, text, "", action{kind: actStart, req: req, label: label})
	d.heavy = true
	m.openDialog(d)
	return nil
}

func (m *Model) openSnapshotForm() tea.Cmd {
	t := m.selectedTarget()
	if t != nil && kindOf(t.Target) == model.KindTemplate {
		return m.say(t.Name+" is a template: PVE cannot snapshot templates (b backs it up)", false)
	}
	if t == nil || !hasMethod(t.Target, model.MethodSnapshot) {
		return m.say("s snapshots a guest: select one in the tree", false)
	}
	m.openDialog(newSnapshotForm(m.c, t.Target))
	return nil
}

// snapshotTarget is the guest and snapshot a rollback or deletion is about.
func (m *Model) snapshotTarget(method model.Method, verb string) (*model.TargetStatus, model.Snapshot, tea.Cmd) {
	t := m.selectedTarget()
	if t != nil && kindOf(t.Target) == model.KindTemplate {
		return nil, model.Snapshot{}, m.say(t.Name+" is a template: PVE cannot snapshot templates, so it has none", false)
	}
	if t == nil || !hasMethod(t.Target, method) {
		return nil, model.Snapshot{}, m.say(verb+" needs a guest with snapshots: select one in the tree", false)
	}
	s, ok := m.detail.SelectedSnapshot()
	if !ok {
		return nil, model.Snapshot{}, m.say(m.noSnapshot(t), false)
	}
	return t, s, nil
}

// noSnapshot says why no snapshot of a guest is there to act on.
func (m *Model) noSnapshot(t *model.TargetStatus) string {
	e := m.snap.entries[t.ID]
	switch {
	case e == nil || (e.loading && !e.loaded):
		return "the snapshots of " + t.Name + " are still loading"
	case e.err != "":
		return "the snapshots of " + t.Name + " could not be read: " + e.err
	case len(e.list) == 0:
		return t.Name + " has no snapshots (s takes one)"
	}
	return "no snapshot selected: tab to the detail pane and pick one with j/k"
}

func (m *Model) openRollback() tea.Cmd {
	t, s, cmd := m.snapshotTarget(model.MethodRollback, "rollback")
	if t == nil {
		return cmd
	}
	m.openDialog(newRollbackDialog(m.c, t.Target, s))
	return nil
}

func (m *Model) openDelete() tea.Cmd {
	t, s, cmd := m.snapshotTarget(model.MethodDeleteSnapshot, "deleting a snapshot")
	if t == nil {
		return cmd
	}
	g := guestLabel(t.Target)
	m.openDialog(newConfirm(m.c, "Delete snapshot "+s.Name,
		fmt.Sprintf("Delete snapshot %s of %s? It cannot be restored afterwards.", s.Name, g), s.Name,
		action{kind: actStart, req: model.JobRequest{Target: t.ID, Method: model.MethodDeleteSnapshot, Snapshot: s.Name}, label: "deletion of snapshot " + s.Name + " of " + g}))
	return nil
}

func (m *Model) openStop() tea.Cmd {
	var job model.Job
	found := false
	if m.focus == focusJobs {
		job, found = m.jobs.Selected()
	} else if t := m.selectedTarget(); t != nil {
		if j := m.jobs.RunningOn(t.ID); j != nil {
			job, found = *j, true
		}
	}
	if !found || job.State.Terminal() {
		return m.say("x stops a running job: select it in the jobs panel (tab)", false)
	}
	name := job.Name
	if name == "" {
		name = job.Target
	}
	if job.Method == model.MethodVerify {
		// A verification only reads the image: stopping it loses nothing.
		label := "verification of " + name
		m.openDialog(newConfirm(m.c, "Stop the "+label,
			fmt.Sprintf("Stop the %s? It only reads the image: the image and its last verified state stay as they are.", label), "",
			action{kind: actStop, job: job, label: label}))
		return nil
	}
	if ts, ok := m.posture.Target(job.Target); ok {
		name = guestLabel(ts.Target)
	}
	label := methodLabel(job.Method) + " of " + name
	body := fmt.Sprintf("Stop the %s? The server ends the task; what it wrote so far is discarded.", label)
	if job.Source == model.SourceURBackup {
		// A real UrBackup server ignores a stop once the client has
		// indexed: the backup then completes, and the job says so.
		body = fmt.Sprintf("Stop the %s? UrBackup stops a backup only while the client indexes; later it carries on and the backup completes. The job row says which happened.", label)
	}
	m.openDialog(newConfirm(m.c, "Stop "+label, body, "", action{kind: actStop, job: job, label: label}))
	return nil
}

// quit asks first while jobs run on the servers.
func (m *Model) quit() tea.Cmd {
	n := m.jobs.Running()
	if n == 0 {
		return tea.Quit
	}
	text := fmt.Sprintf("%d jobs are running on the server; they go on without the console. Quit? [y/N]", n)
	if n == 1 {
		text = "1 job is running on the server; it goes on without the console. Quit? [y/N]"
	}
	// Verifications run in the console itself: they end with it.
	if v := m.jobs.RunningVerifications(); v > 0 {
		what := "1 verification runs in this console and stops with it"
		if v > 1 {
			what = fmt.Sprintf("%d verifications run in this console and stop with it", v)
		}
		switch on := n - v; on {
		case 0:
			text = what + ". Quit? [y/N]"
		case 1:
			text = "1 job on the server goes on without the console; " + what + ". Quit? [y/N]"
		default:
			text = fmt.Sprintf("%d jobs on the server go on without the console; %s. Quit? [y/N]", on, what)
		}
	}
	m.openDialog(&quitDialog{c: m.c, text: drillQuitNote(&m.jobs, text)})
	return nil
}

// accept does what an accepted dialog stands for.
func (m *Model) accept(a action) tea.Cmd {
	switch a.kind {
	case actQuit:
		return tea.Quit
	case actStop:
		m.jobs.Follow(a.job.ID) // its end shows where the cursor is
		return m.stopCmd(a.job, a.label)
	case actNone:
		return nil
	case actRunBackupJob:
		return m.runBackupJobCmd(a.req.Target, a.label)
	}
	return m.startCmd(a.req, a.label)
}
