package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// e opens the restore dialog on the selected guest: its newest archive
// first, a new guest by default; enter restores it.
func TestRestoreDialogToANewGuest(t *testing.T) {
	tm := onAgent01(t, 100, 30)
	tm.run("e")
	tm.mustShow("Restore k3sagent01")
	tm.mustShow("[ new guest ]")
	tm.mustShow("new MAC addresses, not started")
	tm.mustShow("empty: PVE picks the next free VMID") // an engine that cannot ask
	tm.run("j")                                        // the second newest archive
	tm.run("tab", "tab")                               // past the VMID to the storage
	for _, k := range strings.Split("local-lvm", "") {
		tm.keys(k)
	}
	tm.run("enter")
	starts := tm.eng.Starts()
	if len(starts) != 1 {
		t.Fatalf("starts %+v", starts)
	}
	s := starts[0]
	ts, _ := tm.m.posture.Target(agent01)
	if s.Method != model.MethodRestore || s.Over || s.Storage != "local-lvm" || s.Point != ts.RestorePoints[1].ID || s.Target != agent01 || s.VMID != 0 {
		t.Errorf("start %+v", s)
	}
}

// idFake proposes VMIDs as PVE's /cluster/nextid does.
type idFake struct {
	*fakeEngine
	next int
	err  error
}

func (f *idFake) NextVMID(context.Context, string) (int, error) { return f.next, f.err }

// The dialog proposes PVE's next free VMID; it can be changed, and a VMID
// out of PVE's range is refused before anything starts.
func TestRestoreDialogProposesTheNextFreeVMID(t *testing.T) {
	newModel := func(f *idFake) *testModel {
		tm := newTestModel(t, 100, 30, func(o *Options) { o.Engine = f })
		tm.eng = f.fakeEngine
		tm.selectTarget(agent01)
		return tm
	}
	tm := newModel(&idFake{fakeEngine: newFakeEngine(), next: 1000})
	tm.run("e")
	tm.mustShow("1000")
	tm.mustShow("PVE's next free VMID; type another to choose")
	tm.run("enter")
	if s := tm.eng.Starts(); len(s) != 1 || s[0].VMID != 1000 {
		t.Fatalf("starts %+v, want one to VMID 1000", s)
	}

	tm = newModel(&idFake{fakeEngine: newFakeEngine(), next: 1000})
	tm.run("e", "tab", "backspace", "backspace", "backspace", "backspace", "5", "0")
	tm.mustShow("a VMID is a number from 100 to 999999999")
	tm.run("enter")
	if s := tm.eng.Starts(); len(s) != 0 {
		t.Fatalf("restored to VMID 50: %+v", s)
	}
	tm.run("backspace", "backspace", "4", "2", "4", "2", "enter")
	if s := tm.eng.Starts(); len(s) != 1 || s[0].VMID != 4242 {
		t.Fatalf("starts %+v, want one to VMID 4242", s)
	}

	// Asking failed: PVE picks one, and what it said is shown as text.
	tm = newModel(&idFake{fakeEngine: newFakeEngine(), err: errors.New("403 Permission check failed\x1b[2J")})
	tm.run("e")
	tm.mustShow("PVE picks the next free VMID when it restores")
	tm.mustShow("403 Permission check failed")
	if strings.Contains(tm.m.View().Content, "\x1b[2J") {
		t.Error("the error reached the screen raw")
	}
	tm.run("enter")
	if s := tm.eng.Starts(); len(s) != 1 || s[0].VMID != 0 {
		t.Fatalf("starts %+v, want one with PVE's choice", s)
	}
}

// Over the original: refused while it runs, and only once its name is typed.
func TestRestoreDialogOverTheOriginal(t *testing.T) {
	tm := onAgent01(t, 100, 30)
	tm.run("e", "l")
	tm.mustShow("Restore over k3sagent01")
	tm.mustShow("is running: stop it first")
	tm.run("enter")
	if len(tm.eng.Starts()) != 0 || tm.m.dialog() == nil {
		t.Fatalf("restored over a running guest: %+v", tm.eng.Starts())
	}
	tm.run("esc")

	p := afterBackupPosture()
	for ci := range p.Concerns {
		for ti := range p.Concerns[ci].Targets {
			if p.Concerns[ci].Targets[ti].ID == agent01 {
				p.Concerns[ci].Targets[ti].State = "stopped"
			}
		}
	}
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.run("e", "l")
	tm.mustShow("type the guest's name to restore over it")
	tm.run("enter") // jumps to the name
	for _, k := range strings.Split("k3sagent01", "") {
		tm.keys(k)
	}
	tm.run("enter")
	starts := tm.eng.Starts()
	if len(starts) != 1 || !starts[0].Over || starts[0].Method != model.MethodRestore {
		t.Fatalf("starts %+v", starts)
	}
}

// t asks before a drill of the guest's newest archive; an UrBackup client
// is told where UrBackup restores.
func TestDrillAsksAndStarts(t *testing.T) {
	tm := onAgent01(t, 100, 30)
	tm.run("t")
	tm.mustShow("Restore drill of k3sagent01")
	tm.run("tab", "enter")
	starts := tm.eng.Starts()
	ts, _ := tm.m.posture.Target(agent01)
	if len(starts) != 1 || starts[0].Method != model.MethodDrill || starts[0].Point != ts.RestorePoints[0].ID {
		t.Fatalf("starts %+v", starts)
	}
	tm2 := newTestModel(t, 100, 30)
	tm2.selectTarget(urbAgent01)
	tm2.run("e")
	tm2.mustShow("Restore from UrBackup · k3sagent01")
	tm2.mustShow("UrBackup restores its own backups")
	tm2.mustShow("urbackupclientctl restore-start -b")
	tm2.mustShow("unless -n (--no-remove)")
	if len(tm2.eng.Starts()) != 0 {
		t.Errorf("an UrBackup restore started something: %+v", tm2.eng.Starts())
	}
	tm2.run("esc")
	tm2.mustNotShow("Restore from UrBackup")
}
