package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// pruneFake is the fake engine with a prune preview: it marks a guest's
// archives with model.MarkRetention (the rules the console asked for, else
// the job's), and records protections and previews.
type pruneFake struct {
	*fakeEngine
	mu        sync.Mutex
	points    []model.PruneEntry // newest first; Mark "protected" for protected ones
	previews  []*model.Retention
	protects  []string
	protectOK bool
}

var jobRules = model.Retention{KeepDaily: 7, KeepWeekly: 4}

func (f *pruneFake) PrunePlans(_ context.Context, targetID string, keep *model.Retention) ([]model.PrunePlan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.previews = append(f.previews, keep)
	if strings.HasPrefix(targetID, "clonezilla/") {
		day := 24 * time.Hour
		return []model.PrunePlan{{Target: targetID, Name: "pve-ssd", Store: "clonezilla", Rules: model.Retention{KeepLast: 1, KeepMonthly: 1},
			From: "[clonezilla] keep_last and keep_monthly", Entries: []model.PruneEntry{
				{VolID: imageDir + "pve-pve-ssd-2026-11-23", Time: testNow.Add(-2 * day), Size: 61 * GiB, Mark: model.MarkKeep, Rule: "one of the last 1; newest of 2026-11"},
				{VolID: imageDir + "pve-pve-ssd-2026-10-31", Time: testNow.Add(-25 * day), Size: 60 * GiB, Mark: model.MarkKeep, Rule: "newest image verified whole"},
				{VolID: imageDir + "pve-pve-ssd-2026-10-01", Time: testNow.Add(-55 * day), Size: 59 * GiB, Mark: model.MarkRemove},
			}}}, nil
	}
	rules, from := jobRules, "job backup-k3s-daily"
	if keep != nil {
		rules, from = *keep, "given"
	}
	group := make([]model.RetentionEntry, len(f.points))
	for i, p := range f.points {
		group[i] = model.RetentionEntry{Local: p.Time, Fixed: p.Mark}
	}
	marks, rules2 := model.MarkRetention(group, rules)
	plan := model.PrunePlan{Target: targetID, Name: "k3sagent01\x1b]0;pwned\x07", Store: "pve/hddusb_bkpvzdumps", Rules: rules, From: from}
	for i, p := range f.points {
		e := p
		e.Mark, e.Rule = marks[i], rules2[i]
		plan.Entries = append(plan.Entries, e)
	}
	return []model.PrunePlan{plan}, nil
}

func (f *pruneFake) SetProtected(_ context.Context, targetID, volid string, protected bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.protectOK {
		return errors.New("Permission check failed (/storage/hddusb_bkpvzdumps, Datastore.AllocateSpace)")
	}
	f.protects = append(f.protects, volid)
	for i := range f.points {
		if f.points[i].VolID == volid {
			f.points[i].Mark = map[bool]string{true: model.MarkProtected, false: ""}[protected]
		}
	}
	return nil
}

func newPruneModel(t *testing.T) (*testModel, *pruneFake) {
	pf := &pruneFake{fakeEngine: newFakeEngine(), protectOK: true}
	for d := 0; d < 10; d++ {
		at := testNow.Add(-time.Duration(d) * 24 * time.Hour)
		pf.points = append(pf.points, model.PruneEntry{VolID: "hddusb_bkpvzdumps:backup/vzdump-qemu-421-" + at.Format("2006_01_02-15_04_05") + ".vma.zst",
			Time: at, Size: 2 * 1024 * MiB})
	}
	tm := newTestModel(t, 100, 30, func(o *Options) { o.Engine = pf })
	tm.eng = pf.fakeEngine
	tm.selectTarget("pve/qemu/421")
	return tm, pf
}

// pump feeds the prune answers back until none is left.
func (tm *testModel) pump(msgs []tea.Msg) {
	for len(msgs) > 0 {
		var next []tea.Msg
		for _, msg := range msgs {
			switch msg.(type) {
			case prunePlansMsg, protectMsg, startResultMsg:
				next = append(next, collect(tm.send(msg))...)
			}
		}
		msgs = next
	}
}

// P opens the preview with the rules that apply; +/- change the selected
// rule and ask PVE again; enter asks for the guest's name before the
// prune job starts with the rules shown.
func TestPrunePreviewAndApply(t *testing.T) {
	tm, pf := newPruneModel(t)
	tm.pump(tm.keys("P"))
	tm.mustShow("Prune preview · k3sagent01 (VM 421)")
	tm.mustShow("the rules of job backup-k3s-daily")
	tm.mustShow("[last 0]  hourly 0   daily 7   weekly 4")
	// The 7 newest by the daily rule; the 3 older share the 7th's ISO week.
	tm.mustShow("3 to remove · 6.0 GiB freed")
	if sc := tm.screen(); strings.Count(sc, "daily    vzdump") != 7 {
		t.Errorf("the daily rule does not name the kept ones:\n%s", sc)
	}
	// h/l choose the rule, +/- change it, and PVE is asked again.
	tm.pump(tm.keys("l", "l", "+"))
	tm.pump(tm.keys("+"))
	tm.pump(tm.keys("+"))
	if len(pf.previews) != 4 || pf.previews[3] == nil || *pf.previews[3] != (model.Retention{KeepDaily: 10, KeepWeekly: 4}) {
		t.Fatalf("previews %v", pf.previews)
	}
	tm.mustShow("[daily 10]")
	tm.mustShow("your rules, for this prune only")
	tm.mustShow("nothing to remove")
	tm.keys("enter") // nothing to remove: no confirmation
	if tm.m.dialog() != nil {
		t.Fatal("enter with nothing to remove opened a dialog")
	}
	tm.pump(tm.keys("-"))
	tm.mustShow("1 to remove · 2.0 GiB freed")
	tm.keys("enter")
	d, ok := tm.m.dialog().(*confirmDialog)
	if !ok || d.typeName != "k3sagent01" || !strings.Contains(d.text, "Remove 1 archive of k3sagent01 (VM 421) on hddusb_bkpvzdumps (2.0 GiB freed)") {
		t.Fatalf("confirmation %+v", tm.m.dialog())
	}
	tm.keys("tab", "enter") // Confirm without the name does nothing
	if len(tm.eng.Starts()) != 0 {
		t.Fatal("pruned without the typed name")
	}
	for _, r := range "k3sagent01" {
		tm.keys(string(r))
	}
	tm.pump(tm.keys("enter"))
	starts := tm.eng.Starts()
	if len(starts) != 1 || starts[0].Method != model.MethodPrune || starts[0].Storage != "pve/hddusb_bkpvzdumps" ||
		starts[0].Retention == nil || *starts[0].Retention != (model.Retention{KeepDaily: 9, KeepWeekly: 4}) {
		t.Fatalf("starts %+v", starts)
	}
	if tm.m.layers.top() != nil {
		t.Error("the preview stayed open over the job")
	}
	tm.mustShow("prune")
}

// t protects the archive under the cursor: the preview asks again and
// shows it protected; a refusal is shown in full.
func TestPruneProtectToggles(t *testing.T) {
	tm, pf := newPruneModel(t)
	tm.pump(tm.keys("P"))
	tm.pump(tm.keys("G", "t"))
	if len(pf.protects) != 1 || pf.protects[0] != pf.points[9].VolID {
		t.Fatalf("protects %v", pf.protects)
	}
	tm.mustShow("protected")
	if sc := tm.screen(); !strings.Contains(sc, "› protected") {
		t.Errorf("the oldest is not shown protected under the cursor:\n%s", sc)
	}
	tm.pump(tm.keys("t"))
	if len(pf.protects) != 2 || pf.points[9].Mark != "" {
		t.Errorf("unprotect: %v %+v", pf.protects, pf.points[9])
	}
	pf.protectOK = false
	tm.pump(tm.keys("t"))
	d, ok := tm.m.dialog().(*noticeDialog)
	if !ok || !strings.Contains(d.text, "Datastore.AllocateSpace") {
		t.Fatalf("refusal %+v", tm.m.dialog())
	}
}

// Names from outside reach the overlay as text; P on something else than
// a guest says what it is for.
func TestPruneOverlaySafeAndOnlyForGuests(t *testing.T) {
	tm, pf := newPruneModel(t)
	pf.points[0].VolID = "hddusb_bkpvzdumps:backup/vzdump-qemu-421-\x1b]0;pwned\x07\u009b2J.vma.zst"
	tm.pump(tm.keys("P"))
	mustBeSafe(t, "prune overlay", tm.m.View().Content)
	tm.mustShow("vzdump-qemu-421-^[]0;pwned^G")
	tm.keys("esc")
	if tm.m.layers.top() != nil {
		t.Fatal("esc did not close the preview")
	}
	tm.selectTarget("urbackup/k3sagent01")
	tm.keys("P")
	tm.mustShow("P previews the prune of a guest's archives")
}

// A host disk's images have the same preview: the config's keep rules, why
// each image is kept, and a prune confirmed by the disk's name.
func TestPrunePreviewOfImages(t *testing.T) {
	pf := &pruneFake{fakeEngine: newFakeEngine(), protectOK: true}
	tm := newTestModel(t, 100, 30, func(o *Options) { o.Engine = pf })
	tm.eng = pf.fakeEngine
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: hostPosture()}}})
	tm.selectTarget(diskSSD)
	tm.pump(tm.keys("P"))
	tm.mustShow("Prune preview · pve-ssd")
	tm.mustShow("keep_last 1 · keep_monthly 1 · the newest image verified whole is always kept")
	tm.mustShow("newest image verified whole")
	tm.mustShow("1 to remove · 59.0 GiB freed")
	tm.keys("+")
	if len(pf.previews) != 1 {
		t.Errorf("+ asked again for images: %v", pf.previews)
	}
	tm.mustShow("keep_last and keep_monthly under [clonezilla]")
	tm.keys("enter")
	d, ok := tm.m.dialog().(*confirmDialog)
	if !ok || d.typeName != "pve-ssd" || !strings.Contains(d.text, "Remove 1 image of pve-ssd (59.0 GiB freed)") {
		t.Fatalf("confirmation %+v", tm.m.dialog())
	}
	for _, r := range "pve-ssd" {
		tm.keys(string(r))
	}
	tm.pump(tm.keys("enter"))
	if st := tm.eng.Starts(); len(st) != 1 || st[0].Target != diskSSD || st[0].Method != model.MethodPrune {
		t.Fatalf("starts %+v", st)
	}
}
