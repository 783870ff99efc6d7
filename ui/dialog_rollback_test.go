package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/backdeck/backdeck/model"
)

// onAgent01In is k3sagent01 selected in a posture where it is in state,
// its snapshots loaded, the detail focused on the snapshot at index i
// (0 is pre-upgrade, with RAM; 1 is backdeck-20261120-0900, without).
func onAgent01In(t *testing.T, state string, i int) *testModel {
	t.Helper()
	tm := newTestModel(t, 100, 30)
	tm.eng.snaps[agent01] = agent01Snapshots()
	tm.send(posture(withGuest(agent01, func(t *model.Target) { t.State = state })))
	tm.run("j", "j", "j", "j")
	tm.keys("tab")
	for range i {
		tm.keys("j")
	}
	return tm
}

// mustSay checks the open dialog says s, whatever its lines' breaks.
func (tm *testModel) mustSay(s string) {
	tm.t.Helper()
	d := tm.m.dialog()
	if d == nil {
		tm.t.Fatalf("no dialog says %q", s)
	}
	if text := strings.Join(strings.Fields(ansi.Strip(d.View(70))), " "); !strings.Contains(text, s) {
		tm.t.Fatalf("the dialog does not say %q:\n%s", s, d.View(70))
	}
}

// A running VM rolled back to a snapshot without RAM: the dialog says it
// stops and stays stopped, and offers to start it again (start=1).
func TestRollbackSaysARunningVMStopsAndOffersStart(t *testing.T) {
	tm := onAgent01In(t, "running", 1)
	tm.keys("R")
	if _, ok := tm.m.dialog().(*rollbackDialog); !ok {
		t.Fatalf("dialog %T", tm.m.dialog())
	}
	tm.mustSay("The VM is running: PVE stops it for the rollback, and it stays stopped afterwards unless you tick below.")
	tm.mustShow("[ ] start the VM again after the rollback")
	tm.mustNotShow("VM.PowerMgmt")
	tm.run("tab", "enter") // Confirm, unticked
	if s := tm.eng.Starts(); len(s) != 1 || s[0].Snapshot != "backdeck-20261120-0900" || s[0].Start {
		t.Fatalf("starts %+v, want a rollback without start", s)
	}

	tm.keys("R", "space")
	tm.mustShow("[✓] start the VM again after the rollback")
	tm.mustSay("PVE asks for VM.PowerMgmt on the guest first")
	tm.keys("space", "space") // off and on again
	msgs := tm.run("tab", "enter")
	if s := tm.eng.Starts(); len(s) != 2 || !s[1].Start || s[1].Method != model.MethodRollback {
		t.Fatalf("starts %+v, want a rollback with start", s)
	}
	said := false
	for _, m := range msgs {
		if r, ok := m.(startResultMsg); ok && strings.HasSuffix(r.label, "to backdeck-20261120-0900, then start") {
			said = true
		}
	}
	if !said {
		t.Fatalf("the job's label does not say it starts: %v", msgs)
	}
}

// A snapshot with RAM: PVE resumes the VM from it, so nothing is offered.
func TestRollbackToASnapshotWithRAMResumes(t *testing.T) {
	tm := onAgent01In(t, "running", 0)
	tm.keys("R")
	tm.mustSay("The snapshot holds the VM's RAM: PVE stops the VM and resumes it")
	tm.mustNotShow("start the VM")
	tm.keys("space")
	tm.run("tab", "enter")
	if s := tm.eng.Starts(); len(s) != 1 || s[0].Snapshot != "pre-upgrade" || s[0].Start {
		t.Fatalf("starts %+v", s)
	}
}

// A stopped VM stays stopped, unless ticked.
func TestRollbackOfAStoppedVM(t *testing.T) {
	tm := onAgent01In(t, "stopped", 1)
	tm.keys("R")
	tm.mustSay("The VM stays stopped afterwards unless you tick below.")
	tm.mustShow("[ ] start the VM after the rollback")
	tm.mustNotShow("is running")
	tm.keys("space")
	tm.run("tab", "enter")
	if s := tm.eng.Starts(); len(s) != 1 || !s[0].Start {
		t.Fatalf("starts %+v", s)
	}
}

// A container has no RAM in its snapshots: starting is always offered, in
// a container's words.
func TestRollbackOfAContainer(t *testing.T) {
	tm := newTestModel(t, 100, 30)
	ct := model.Target{ID: "pve/lxc/300", Name: "pihole", Kind: model.KindLXC, VMID: 300, State: "running"}
	d := newRollbackDialog(tm.m.c, ct, model.Snapshot{Name: "before", VMState: true})
	view := strings.Join(strings.Fields(d.View(80)), " ")
	for _, want := range []string{"Roll back pihole (CT 300) to snapshot before?", "The container is running: PVE stops it", "[ ] start the container again after the rollback"} {
		if !strings.Contains(view, want) {
			t.Errorf("%q not in %q", want, view)
		}
	}
}

// Snapshotting a running VM offers its RAM; a stopped VM is not offered it.
func TestSnapshotFormOffersRAMOfARunningVM(t *testing.T) {
	tm := onAgent01In(t, "running", 0)
	tm.keys("esc", "s")
	if _, ok := tm.m.dialog().(*snapshotForm); !ok {
		t.Fatalf("dialog %T", tm.m.dialog())
	}
	tm.mustShow("RAM          [ ] include RAM (the VM runs)")
	tm.keys("tab", "space") // in the description: a space, not a tick
	tm.mustShow("[ ] include RAM")
	tm.keys("backspace", "tab")
	tm.mustShow("a rollback to it resumes the VM")
	tm.keys("space")
	tm.mustShow("[✓] include RAM")
	tm.run("enter")
	s := tm.eng.Starts()
	if len(s) != 1 || s[0].Method != model.MethodSnapshot || !s[0].VMState || s[0].Snapshot != "backdeck-20261125-1422" {
		t.Fatalf("starts %+v, want a snapshot with RAM", s)
	}
	// shift+tab goes back round: RAM, then the description
	tm.keys("s", "shift+tab")
	if f := tm.m.dialog().(*snapshotForm); f.field != 2 {
		t.Fatalf("shift+tab from the name went to field %d", f.field)
	}
	tm.run("enter")
	if s := tm.eng.Starts(); len(s) != 2 || s[1].VMState {
		t.Fatalf("starts %+v, want the second without RAM", s)
	}

	tm = onAgent01In(t, "stopped", 0)
	tm.keys("esc", "s")
	tm.mustNotShow("include RAM")
	tm.keys("tab", "tab")
	if f := tm.m.dialog().(*snapshotForm); f.field != 0 {
		t.Fatalf("a stopped VM's form has a third field (%d)", f.field)
	}
}

// Names from PVE reach the rollback dialog cleaned.
func TestRollbackDialogHostileNames(t *testing.T) {
	tm := newTestModel(t, 100, 30)
	tm.eng.snaps[agent01] = []model.Snapshot{{Name: "snap" + hostile, Description: hostile, Time: testNow}}
	tm.eng.events <- model.PostureEvent{Posture: withGuest(agent01, func(t *model.Target) { t.Name = "evil" + hostile })}
	tm.send(listen(tm.m.opts.Engine.Events())())
	tm.run("j", "j", "j", "j")
	tm.keys("tab", "R")
	if _, ok := tm.m.dialog().(*rollbackDialog); !ok {
		t.Fatalf("dialog %T", tm.m.dialog())
	}
	mustBeSafe(t, "rollback dialog", tm.m.View().Content)
	tm.mustShow("Roll back evil")
	tm.keys("space")
	mustBeSafe(t, "rollback dialog, start ticked", tm.m.View().Content)
}
