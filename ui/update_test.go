package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

const agent01 = "pve/qemu/421"

func agent01Snapshots() []model.Snapshot {
	return []model.Snapshot{
		{Name: "current", Description: "You are here!"},
		{Name: "backdeck-20261120-0900", Time: testNow.Add(-5 * 24 * time.Hour), Description: "weekly"},
		{Name: "pre-upgrade", Time: testNow.Add(-3 * 24 * time.Hour), Description: "before k3s upgrade", VMState: true},
	}
}

// onAgent01 is a console with k3sagent01 selected (by keys) and its
// snapshots loaded.
func onAgent01(t *testing.T, w, h int) *testModel {
	t.Helper()
	tm := newTestModel(t, w, h)
	tm.eng.snaps[agent01] = agent01Snapshots()
	tm.run("j", "j", "j", "j")
	if _, sel := tm.m.tree.Selected(); sel == nil || sel.ID != agent01 {
		t.Fatalf("selected %v, want %s", sel, agent01)
	}
	return tm
}

func TestNavigation(t *testing.T) {
	cases := []struct {
		keys []string
		want string // selected target id, or "concern:<id>"
	}{
		{nil, "concern:vms"},
		{[]string{"j"}, "pve/qemu/100"},
		{[]string{"down", "down"}, "pve/qemu/101"},
		{[]string{"j", "j", "k"}, "pve/qemu/100"},
		{[]string{"j", "up"}, "concern:vms"},
		{[]string{"k"}, "concern:vms"},
		{[]string{"G"}, "drive/Z9T0A1B2C"},
		{[]string{"G", "g"}, "concern:vms"},
		{[]string{"j", "j", "j", "j", "j", "j", "j"}, "concern:cluster"},
		{[]string{"h", "j"}, "concern:cluster"},                // collapsed: the next row is the next concern
		{[]string{"h", "l", "j"}, "pve/qemu/100"},              // expanded again
		{[]string{"j", "j", "h"}, "concern:vms"},               // h on a target goes to its concern
		{[]string{"j", "j", "h", "h", "j"}, "concern:cluster"}, // then collapses it
	}
	for _, c := range cases {
		t.Run(strings.Join(c.keys, ","), func(t *testing.T) {
			tm := newTestModel(t, 80, 24)
			tm.keys(c.keys...)
			cs, ts := tm.m.tree.Selected()
			got := ""
			if ts != nil {
				got = ts.ID
			} else if cs != nil {
				got = "concern:" + string(cs.ID)
			}
			if got != c.want {
				t.Fatalf("selected %q, want %q", got, c.want)
			}
		})
	}
}

func TestCollapseHidesTargets(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.mustShow("debiantpl")
	tm.keys("h")
	tm.mustNotShow("debiantpl")
	tm.mustShow("▸ ✗ Virtual machines")
	tm.keys("l")
	tm.mustShow("debiantpl")
}

func TestFilterNarrowsAndEscClears(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	msgs := tm.keys("/", "a", "g", "e", "n", "t", "0", "2")
	if hasQuit(msgs) {
		t.Fatal("typing in the filter quit")
	}
	tm.mustShow("/ agent02")
	if n := tm.m.tree.Targets(); n != 4 { // k3sagent02 in vms and in cluster, the client in appdata and userdata
		t.Fatalf("%d targets shown, want 4:\n%s", n, tm.screen())
	}
	tm.mustNotShow("k3sserver01")
	if _, sel := tm.m.tree.Selected(); sel == nil || sel.Name != "k3sagent02" {
		t.Fatalf("selection %v is not the match", sel)
	}
	// by id too
	tm.keys("backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "4", "3", "1")
	if n := tm.m.tree.Targets(); n != 1 {
		t.Fatalf("filter 431 shows %d targets, want 1", n)
	}
	// q is typed into the filter, never quits
	if msgs := tm.keys("q"); hasQuit(msgs) {
		t.Fatal("q in the filter quit")
	}
	msgs = tm.keys("esc")
	if hasQuit(msgs) {
		t.Fatal("esc quit")
	}
	if tm.m.filter.Applied() || tm.m.filter.active {
		t.Fatal("esc did not clear and close the filter")
	}
	tm.mustShow("k3sserver01")
	tm.mustShow("Concerns & targets")

	// enter keeps the filter applied; esc then clears it
	tm.keys("/", "s", "e", "r", "v", "enter")
	if tm.m.filter.active || !tm.m.filter.Applied() {
		t.Fatal("enter did not keep the filter")
	}
	tm.mustShow("filter: serv")
	tm.keys("j")
	tm.keys("esc")
	if tm.m.filter.Applied() {
		t.Fatal("esc did not clear the applied filter")
	}
	tm.mustShow("debiantpl")
}

func TestEscNeverQuits(t *testing.T) {
	seqs := [][]string{
		{"esc"},
		{"esc", "esc", "esc"},
		{"tab", "esc"},
		{"?", "esc"},
		{"L", "esc"},
		{"/", "esc", "esc"},
		{"q", "esc"}, // the quit question, answered with esc
		{"j", "j", "j", "j", "s", "esc"},
		{"j", "j", "j", "j", "R", "esc"},
	}
	for _, s := range seqs {
		t.Run(strings.Join(s, ","), func(t *testing.T) {
			tm := newTestModel(t, 80, 24)
			tm.eng.snaps[agent01] = agent01Snapshots()
			for _, k := range s {
				if hasQuit(tm.run(k)) {
					t.Fatalf("%q quit", k)
				}
			}
			if len(tm.m.layers) > 0 || tm.m.filter.active {
				t.Fatal("esc left something open")
			}
		})
	}
}

func TestQuitAsksWhileJobsRun(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	if msgs := tm.keys("q"); hasQuit(msgs) {
		t.Fatal("q quit at once while a job runs")
	}
	tm.mustShow("1 job is running on the server; it goes on without the console.")
	tm.mustShow("Quit? [y/N]")
	if msgs := tm.keys("n"); hasQuit(msgs) {
		t.Fatal("n quit")
	}
	if tm.m.dialog() != nil {
		t.Fatal("n did not close the question")
	}
	tm.keys("q")
	if msgs := tm.keys("enter"); hasQuit(msgs) {
		t.Fatal("enter (default N) quit")
	}
	tm.keys("q")
	if msgs := tm.keys("y"); !hasQuit(msgs) {
		t.Fatal("y did not quit")
	}

	// two jobs: the plural form
	tm = newTestModel(t, 80, 24)
	j := runningJob()
	j.ID, j.Target, j.Name = "second", "pve/qemu/411", "k3sserver01"
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	tm.keys("q")
	tm.mustShow("2 jobs are running on the server; they go on without the")

	// no jobs: q quits at once
	tm = newTestModel(t, 80, 24)
	done := runningJob()
	done.State, done.Ended = model.JobSucceeded, testNow
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: done}}})
	if msgs := tm.keys("q"); !hasQuit(msgs) {
		t.Fatal("q did not quit with no job running")
	}
}

func TestCtrlCAlwaysQuits(t *testing.T) {
	for _, pre := range [][]string{nil, {"/"}, {"?"}, {"q"}, {"j", "j", "j", "j", "s"}} {
		tm := newTestModel(t, 80, 24)
		tm.keys(pre...)
		if msgs := tm.keys("ctrl+c"); !hasQuit(msgs) {
			t.Fatalf("ctrl+c after %v did not quit", pre)
		}
	}
}

func TestBackupStartsVzdump(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	tm.run("b")
	starts := tm.eng.Starts()
	if len(starts) != 1 {
		t.Fatalf("%d starts, want 1", len(starts))
	}
	want := model.JobRequest{Target: agent01, Method: model.MethodVzdump}
	if starts[0].Target != want.Target || starts[0].Method != want.Method || starts[0].Storage != "" {
		t.Fatalf("Start(%+v), want %+v", starts[0], want)
	}
	if !tm.m.jobs.Has("job-" + agent01) {
		t.Fatal("the started job is not listed")
	}
	tm.mustShow("2 jobs running")
}

func TestBackupOnConcernDoesNothing(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.run("b")
	if n := len(tm.eng.Starts()); n != 0 {
		t.Fatalf("b on a concern started %d jobs", n)
	}
	tm.mustShow("select one in the tree")
}

func TestStartErrorIsShown(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	tm.eng.startFn = func(model.JobRequest) (model.Job, error) {
		return model.Job{}, errors.New("k3sagent01 (VM 421) is locked (backup)")
	}
	tm.run("b")
	if _, ok := tm.m.dialog().(*noticeDialog); !ok {
		t.Fatalf("no notice of the failure, dialog %T", tm.m.dialog())
	}
	tm.mustShow("Cannot start the vzdump of k3sagent01 (VM 421)")
	tm.mustShow("k3sagent01 (VM 421) is locked (backup)")
	tm.mustShow("✗ proxmox: cannot start the vzdump")
	if tm.m.log.Len() != 1 {
		t.Fatal("the error is not in the log")
	}
	if hasQuit(tm.keys("esc")) || tm.m.dialog() != nil {
		t.Fatal("esc did not close the notice (or quit)")
	}
	tm.keys("L")
	tm.mustShow("Errors and failed jobs")
	tm.mustShow("14:22:00")
}

func TestChoiceErrorOpensStoragePicker(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	tm.eng.startFn = func(req model.JobRequest) (model.Job, error) {
		if req.Storage == "" {
			return model.Job{}, &model.ChoiceError{What: "storage", Choices: []string{"hddusb_bkpvzdumps", "local"}, Reason: "no backup job decides it"}
		}
		return model.Job{ID: "j1", Target: req.Target, Method: req.Method, State: model.JobRunning, Progress: model.UnknownProgress(), Storage: req.Storage}, nil
	}
	tm.run("b")
	if _, ok := tm.m.dialog().(*pickerDialog); !ok {
		t.Fatalf("no storage picker open, dialog %T", tm.m.dialog())
	}
	tm.mustShow("Which storage")
	tm.mustShow("hddusb_bkpvzdumps")
	tm.run("j", "enter")
	starts := tm.eng.Starts()
	if len(starts) != 2 {
		t.Fatalf("%d starts, want 2", len(starts))
	}
	if starts[1].Storage != "local" || starts[1].Target != agent01 || starts[1].Method != model.MethodVzdump {
		t.Fatalf("second Start(%+v), want storage local", starts[1])
	}
	if tm.m.dialog() != nil {
		t.Fatal("the picker is still open")
	}
	if !tm.m.jobs.Has("j1") {
		t.Fatal("the job is not listed")
	}
}

func TestRollbackDialog(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	if got := tm.eng.SnapCalls(); len(got) == 0 || got[len(got)-1] != agent01 {
		t.Fatalf("snapshots fetched for %v", got)
	}
	tm.keys("tab", "j") // detail focus, second snapshot (older)
	tm.keys("k")        // back to the newest: pre-upgrade
	tm.keys("R")
	d, ok := tm.m.dialog().(*rollbackDialog)
	if !ok {
		t.Fatalf("no confirmation, dialog %T", tm.m.dialog())
	}
	if d.confirm {
		t.Fatal("Confirm has the focus; Cancel must")
	}
	tm.mustShow("Roll back k3sagent01 (VM 421) to snapshot pre-upgrade? Changes since")
	tm.run("enter")
	if n := len(tm.eng.Starts()); n != 0 {
		t.Fatalf("enter on Cancel started %d jobs", n)
	}
	if tm.m.dialog() != nil {
		t.Fatal("Cancel did not close the dialog")
	}
	tm.run("R", "tab", "enter")
	starts := tm.eng.Starts()
	if len(starts) != 1 || starts[0].Method != model.MethodRollback || starts[0].Snapshot != "pre-upgrade" || starts[0].Target != agent01 {
		t.Fatalf("starts %+v, want a rollback to pre-upgrade", starts)
	}
}

// Deleting a snapshot asks for its name: Confirm works only once it is
// typed, and then has the focus (it says so): Enter deletes, whether the
// operator went to Confirm first or not.
func TestDeleteRequiresTypingTheName(t *testing.T) {
	for _, toConfirm := range []bool{true, false} {
		tm := onAgent01(t, 80, 24)
		tm.keys("tab", "D")
		if _, ok := tm.m.dialog().(*confirmDialog); !ok {
			t.Fatalf("no confirmation, dialog %T", tm.m.dialog())
		}
		tm.mustShow("Type pre-upgrade to enable Confirm")
		if toConfirm {
			tm.run("tab", "enter") // Confirm without the name
			if n := len(tm.eng.Starts()); n != 0 {
				t.Fatalf("Confirm without the name started %d jobs", n)
			}
			if tm.m.dialog() == nil {
				t.Fatal("the dialog closed")
			}
		}
		for _, r := range "pre-upgrad" {
			tm.keys(string(r))
		}
		tm.mustNotShow("enter confirms")
		if toConfirm {
			tm.run("enter")
			if n := len(tm.eng.Starts()); n != 0 {
				t.Fatal("a partial name enabled Confirm")
			}
		}
		tm.keys("e")
		tm.mustShow("›[ Confirm ]  enter confirms")
		tm.run("enter")
		starts := tm.eng.Starts()
		if len(starts) != 1 || starts[0].Method != model.MethodDeleteSnapshot || starts[0].Snapshot != "pre-upgrade" {
			t.Fatalf("starts %+v, want the deletion of pre-upgrade (Confirm first: %v)", starts, toConfirm)
		}
	}
}

func TestSnapshotForm(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	tm.keys("s")
	f, ok := tm.m.dialog().(*snapshotForm)
	if !ok {
		t.Fatalf("no snapshot form, dialog %T", tm.m.dialog())
	}
	if got := f.name.Value(); got != "backdeck-20261125-1422" {
		t.Fatalf("name prefilled %q", got)
	}
	tm.mustShow("New snapshot of k3sagent01 (VM 421)")
	// an invalid name keeps the form open
	for range "backdeck-20261125-1422" {
		tm.keys("backspace")
	}
	tm.keys("1", "x")
	tm.run("enter")
	if n := len(tm.eng.Starts()); n != 0 {
		t.Fatal("an invalid name was sent")
	}
	tm.mustShow("must start with a letter")
	tm.keys("backspace", "backspace", "b", "e", "f", "o", "r", "e", "tab")
	for _, r := range "k3s upgrade" {
		if r == ' ' {
			tm.keys("space")
			continue
		}
		tm.keys(string(r))
	}
	tm.run("enter")
	starts := tm.eng.Starts()
	if len(starts) != 1 || starts[0].Method != model.MethodSnapshot || starts[0].Snapshot != "before" || starts[0].Description != "k3s upgrade" {
		t.Fatalf("starts %+v", starts)
	}
}

func TestSnapshotNameRule(t *testing.T) {
	for name, ok := range map[string]bool{
		"pre-upgrade": true, "a1": true, "A_b-C": true, strings.Repeat("a", 40): true,
		"": false, "a": false, "1abc": false, "-x": false, "has space": false, "dot.name": false,
		strings.Repeat("a", 41): false, "current": false, "élan": false,
	} {
		if got := validSnapshotName(name) == ""; got != ok {
			t.Errorf("%q valid=%v, want %v (%s)", name, got, ok, validSnapshotName(name))
		}
	}
}

func TestStopAsksFirst(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.keys("tab", "tab") // jobs panel
	tm.keys("x")
	d, ok := tm.m.dialog().(*confirmDialog)
	if !ok {
		t.Fatalf("no confirmation, dialog %T", tm.m.dialog())
	}
	if d.confirm {
		t.Fatal("Confirm has the focus")
	}
	tm.mustShow("Stop the vzdump of k3sagent02 (VM 422)?")
	tm.run("enter")
	if n := len(tm.eng.Stops()); n != 0 {
		t.Fatal("Cancel stopped the job")
	}
	tm.run("x", "right", "enter")
	if stops := tm.eng.Stops(); len(stops) != 1 || stops[0] != runningJob().ID {
		t.Fatalf("stops %v", stops)
	}

	// from the tree, x stops the selected guest's running job
	tm = newTestModel(t, 80, 24)
	tm.keys("j", "j", "j", "j", "j") // k3sagent02
	tm.mustShow("x stop")
	tm.run("x", "tab", "enter")
	if stops := tm.eng.Stops(); len(stops) != 1 || stops[0] != runningJob().ID {
		t.Fatalf("stops from the tree %v", stops)
	}
	// on a guest with no job, x only explains
	tm.keys("k")
	tm.run("x")
	if tm.m.dialog() != nil {
		t.Fatal("x opened a dialog with no job to stop")
	}
}

func TestTooSmall(t *testing.T) {
	tm := newTestModel(t, 70, 20)
	tm.mustShow("terminal too small: 70×20, needs 80×24")
	if msgs := tm.keys("q"); hasQuit(msgs) {
		t.Fatal("q quit at once while a job runs")
	}
	tm.mustShow("Quit? [y/N]")
	if msgs := tm.keys("y"); !hasQuit(msgs) {
		t.Fatal("y did not quit")
	}
	// esc never quits, even here
	tm = newTestModel(t, 79, 30)
	if msgs := tm.keys("esc"); hasQuit(msgs) {
		t.Fatal("esc quit")
	}
	tm.mustShow("terminal too small: 79×30")
	// growing back draws the dashboard
	tm.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	tm.mustShow("Concerns & targets")

	// with no job running, q quits at once
	tm = newTestModel(t, 40, 10)
	done := runningJob()
	done.State, done.Ended = model.JobFailed, testNow
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: done}}})
	if msgs := tm.keys("q"); !hasQuit(msgs) {
		t.Fatal("q did not quit the small screen")
	}
}

func TestStaleSnapshotAnswersDropped(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.eng.snaps[agent01] = agent01Snapshots()
	// select k3sagent01: a fetch goes out; keep its answer for later
	tm.keys("j", "j", "j")
	first := tm.fetchOf(tm.send(press("j")))
	if first.target != agent01 {
		t.Fatalf("no snapshot fetch for %s", agent01)
	}
	tm.mustShow("loading…")
	// move on to k3sagent02 and back: a newer fetch for k3sagent01 is out
	tm.keys("j")
	second := tm.fetchOf(tm.send(press("k")))
	if second.gen <= first.gen {
		t.Fatalf("the second fetch has generation %d, the first %d", second.gen, first.gen)
	}
	// the first (stale) answer arrives late with other content: dropped
	first.list = []model.Snapshot{{Name: "stale-answer", Time: testNow}}
	tm.send(first)
	tm.mustNotShow("stale-answer")
	tm.mustShow("loading…")
	// an answer for another target with an old generation: dropped
	tm.send(snapshotsMsg{target: "pve/qemu/422", gen: first.gen, list: []model.Snapshot{{Name: "other"}}})
	tm.mustNotShow("other")
	tm.send(second)
	tm.mustShow("pre-upgrade")
	tm.mustNotShow("loading…")
	tm.mustNotShow("current")
}

func TestSnapshotErrorShown(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.keys("j", "j", "j")
	msg := tm.fetchOf(tm.send(press("j")))
	msg.list, msg.err = nil, errors.New("permission denied (VM.Audit)")
	tm.send(msg)
	tm.mustShow("permission denied")
}

func TestJobEventUpdatesJobsPanel(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.mustShow(" 45%")
	j := runningJob()
	j.Progress.Percent, j.Progress.DoneBytes, j.Progress.ETA = 60, 6*GiB, 24*time.Second
	cmd := tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	// progress of a known job waits for the flush (coalescing)
	if !tm.m.flushArmed {
		t.Fatal("no flush armed for the progress")
	}
	tm.mustShow(" 45%")
	_ = cmd
	// more readings before the flush: only the latest shows
	j.Progress.Percent, j.Progress.DoneBytes = 70, 7*GiB
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	tm.send(flushMsg{})
	tm.mustShow(" 70%")
	tm.mustShow("7.0/10.0 GiB")
	if tm.m.flushArmed || len(tm.m.pending) != 0 {
		t.Fatal("the flush left something pending")
	}

	// the end shows at once, with its final word
	j.State, j.Ended, j.Progress.Percent = model.JobSucceeded, testNow, 100
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	tm.mustShow("✓ vzdump   k3sagent02    succeeded")
	tm.mustShow("no jobs running")
	// a late progress reading does not bring it back
	late := runningJob()
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: late}}})
	tm.send(flushMsg{})
	tm.mustShow("succeeded")

	// warnings and failures show their message
	w := runningJob()
	w.ID, w.State, w.Message, w.Ended = "w", model.JobWarning, "WARNINGS: 1", testNow
	f := runningJob()
	f.ID, f.Name, f.State, f.Message, f.Ended = "f", "bkpserver", model.JobFailed, "job errors", testNow
	n := runningJob()
	n.ID, n.Name, n.State, n.Ended = "n", "k3sserver01", model.JobNothing, testNow
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: w}, model.JobEvent{Job: f}, model.JobEvent{Job: n}}})
	tm.keys("tab", "tab") // the jobs panel, to scroll through it
	for _, want := range []string{"! vzdump   k3sagent02    WARNINGS: 1", "✗ vzdump   bkpserver     failed: job errors", "nothing to do"} {
		found := false
		for range 4 {
			if strings.Contains(tm.screen(), want) {
				found = true
				break
			}
			tm.keys("j")
		}
		if !found {
			t.Fatalf("%q not shown:\n%s", want, tm.screen())
		}
	}
}

func TestSpinnerOnlyWhileNeeded(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	if tm.m.spinArmed {
		t.Fatal("spinner armed with only a job that has a percentage")
	}
	j := runningJob()
	j.ID, j.Progress = "lxc", model.UnknownProgress()
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	if !tm.m.spinArmed {
		t.Fatal("spinner not armed for a job without percentage")
	}
	tm.mustShow("working")
	j.State, j.Ended = model.JobSucceeded, testNow
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	if cmd := tm.send(spinMsg{}); cmd != nil || tm.m.spinArmed {
		t.Fatal("spinner re-armed with no job needing it")
	}
}

func TestErrorEventAndUnknownSource(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.send(eventsMsg{evs: []model.Event{model.ErrorEvent{Err: model.SourceError{Source: model.SourceProxmox, Message: "cannot reach PVE at https://pve.homelab.cloud:8006", At: testNow}}}})
	tm.mustShow("✗ proxmox: cannot reach PVE at")
	// the status bar message expires
	gen := tm.m.status.gen
	tm.send(statusExpiredMsg{gen: gen})
	tm.mustShow("? help · / filter")

	// a posture with the source failing: targets unknown, the reason in the detail
	p := seedPosture()
	for i := range p.Concerns[0].Targets {
		ts := &p.Concerns[0].Targets[i]
		ts.Status, ts.Reason = model.StatusUnknown, "proxmox cannot be read: cannot reach PVE"
	}
	p.Errors = []model.SourceError{{Source: model.SourceProxmox, Message: "cannot reach PVE", At: testNow}}
	p.Insecure = []model.Source{model.SourceProxmox}
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.mustShow("INSECURE TLS: proxmox")
	tm.mustShow("? k3sserver01")
	tm.mustShow("unknown")
	tm.keys("j", "j", "j")
	tm.mustShow("proxmox cannot be read")
	tm.keys("L")
	tm.mustShow("https://pve.homelab.cloud:8006")
	if tm.m.log.Len() != 2 {
		t.Fatalf("%d errors logged, want 2", tm.m.log.Len())
	}
	// the same failure in the next posture is not logged again
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	if tm.m.log.Len() != 2 {
		t.Fatalf("%d errors logged after a repeat, want 2", tm.m.log.Len())
	}
}

func TestHelpOverlay(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.keys("?")
	for _, s := range []string{"Keys", "collapse", "rollback", "delete snapshot", "error log", "quit now"} {
		tm.mustShow(s)
	}
	tm.keys("?")
	if len(tm.m.layers) > 0 {
		t.Fatal("? did not close the help")
	}
}

// TestOverlayStack: the help, the log and dialogs are a stack: the top one
// is drawn and gets the keys, esc pops it and shows the one under it.
func TestOverlayStack(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	// q over the help asks (a job runs); the question's n leaves the help open
	tm.keys("?", "q")
	tm.mustShow("Quit? [y/N]")
	if tm.keys("n"); len(tm.m.layers) != 1 || strings.Contains(tm.screen(), "Quit? [y/N]") {
		t.Fatalf("n did not close the question alone: %d layers", len(tm.m.layers))
	}
	tm.mustShow("Keys")
	// an action's failure arriving under the help shows on top of it
	tm.keys("esc")
	tm.eng.startFn = func(model.JobRequest) (model.Job, error) { return model.Job{}, errors.New("refused") }
	cmd := tm.send(press("b"))
	tm.keys("?")
	for _, msg := range collect(cmd) {
		tm.send(msg)
	}
	if _, ok := tm.m.dialog().(*noticeDialog); !ok || len(tm.m.layers) != 2 {
		t.Fatalf("the notice is not on top of the help: %d layers, dialog %T", len(tm.m.layers), tm.m.dialog())
	}
	tm.mustShow("Cannot start the vzdump")
	if b := tm.m.footerBindings(); len(b) == 0 || b[0].Help().Key != tm.m.c.keys.Confirm.Help().Key {
		t.Fatalf("the footer's keys are not the notice's: %v", b)
	}
	if msgs := tm.keys("?"); hasQuit(msgs) || len(tm.m.layers) != 2 {
		t.Fatal("? went past the notice to the help")
	}
	tm.keys("esc")
	tm.mustShow("Keys")
	tm.mustNotShow("Cannot start the vzdump")
	tm.keys("esc")
	if len(tm.m.layers) != 0 {
		t.Fatalf("%d layers left after two esc", len(tm.m.layers))
	}
	// the log: L or esc closes it
	tm.keys("L")
	tm.mustShow("Errors and failed jobs")
	tm.keys("L")
	tm.mustNotShow("Errors and failed jobs")
}

func TestTabCyclesFocus(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	want := []focusArea{focusDetail, focusJobs, focusTree}
	for _, f := range want {
		tm.keys("tab")
		if tm.m.focus != f {
			t.Fatalf("focus %d, want %d", tm.m.focus, f)
		}
	}
	tm.keys("shift+tab")
	if tm.m.focus != focusJobs {
		t.Fatal("shift+tab did not go back")
	}
	tm.keys("esc")
	if tm.m.focus != focusTree {
		t.Fatal("esc did not return to the tree")
	}
	tm.keys("enter")
	if tm.m.focus != focusDetail {
		t.Fatal("enter did not open the detail")
	}
}

func TestRefresh(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.keys("r")
	if tm.eng.refreshes != 1 {
		t.Fatalf("%d refreshes, want 1", tm.eng.refreshes)
	}
}

func TestEnterOnJobSelectsItsTarget(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.keys("tab", "tab", "enter")
	if _, ts := tm.m.tree.Selected(); ts == nil || ts.ID != "pve/qemu/422" {
		t.Fatalf("selected %v, want k3sagent02", ts)
	}
	if tm.m.focus != focusDetail {
		t.Fatal("focus is not on the detail")
	}
}

func TestLongEndedJobsArePruned(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	old := runningJob()
	old.ID, old.State, old.Ended = "old", model.JobSucceeded, testNow.Add(-time.Hour)
	recent := runningJob()
	recent.ID, recent.State, recent.Ended = "recent", model.JobSucceeded, testNow.Add(-time.Minute)
	p := seedPosture()
	p.Jobs = append(p.Jobs, old, recent)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	if tm.m.jobs.Has("old") || !tm.m.jobs.Has("recent") {
		t.Fatal("an hour-old job is listed or a minute-old one is not")
	}
	// ten minutes later the clock tick forgets the recent one too
	later := testNow.Add(12 * time.Minute)
	tm.m.c.now = func() time.Time { return later }
	tm.send(clockMsg{})
	if tm.m.jobs.Has("recent") {
		t.Fatal("a job ended 11 minutes ago is still listed")
	}
	tm.mustShow("14:34")
}
