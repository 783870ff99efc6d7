package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// shownTargets are the ids of the target rows the tree shows, sorted and
// without repeats.
func (tm *testModel) shownTargets() []string {
	var ids []string
	for _, r := range tm.m.tree.rows {
		if r.ti >= 0 {
			ids = append(ids, tm.m.tree.concerns[r.ci].Targets[r.ti].ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// The filter takes states as operators triage: "!critical", "!failed" …,
// with words of the name or id.
func TestFilterByState(t *testing.T) {
	const drive = "drive/" + serialWD // usb-urbackup, failing
	failedJob := model.Job{ID: "UPID:fail", Target: "pve/qemu/411", Name: "k3sserver01", Method: model.MethodVzdump,
		Source: model.SourceProxmox, State: model.JobFailed, Started: testNow.Add(-time.Minute), Ended: testNow, Message: "job errors"}
	cases := []struct {
		filter string
		host   bool // the host concern, with a damaged image of pve-ssd
		jobs   []model.Job
		want   []string
	}{
		{"!critical", false, nil, []string{drive, "pve/qemu/431"}},
		{"!crit", false, nil, []string{drive, "pve/qemu/431"}},
		{"!warn k3s", false, nil, []string{"pve/qemu/422", urbServer01}},
		{"k3s !warning", false, nil, []string{"pve/qemu/422", urbServer01}},
		{"!critical !warn agent", false, nil, []string{"pve/qemu/422"}},
		{"!ok agent01", false, nil, []string{agent01, urbAgent01}},
		{"!offline", false, nil, []string{urbServer01}},
		{"!unknown", false, nil, nil},
		{"!failed", false, nil, []string{drive}},
		{"!failed", false, []model.Job{failedJob}, []string{drive, "pve/qemu/411"}},
		{"!failed", true, nil, []string{diskSSD, drive}},
		{"!failed ssd", true, nil, []string{diskSSD}},
		{"BKPSERVER !CRITICAL", false, nil, []string{"pve/qemu/431"}},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			tm := newTestModel(t, 80, 24)
			if c.host {
				tm = onHostPosture(t, 80, 24)
			}
			tm.jobEvents(c.jobs...)
			tm.keys("/")
			for _, r := range c.filter {
				tm.keys(string(r))
			}
			if got := tm.shownTargets(); !slices.Equal(got, c.want) {
				t.Fatalf("%q shows %v, want %v", c.filter, got, c.want)
			}
			if len(c.want) == 0 {
				tm.mustShow("nothing matches the filter")
			}
		})
	}
}

// A "!" that names no state (or several) filters nothing and says so; the
// prompt and the footer show the syntax.
func TestFilterStateSyntax(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	all := len(tm.shownTargets())
	tm.keys("/")
	tm.mustShow("/ name, id or !state")
	tm.mustShow("! ok warn critical unknown failed offline")
	for _, f := range []string{"!o", "!zz"} {
		tm.keys("esc", "/")
		for _, r := range f {
			tm.keys(string(r))
		}
		if n := len(tm.shownTargets()); n != all {
			t.Fatalf("%q shows %d targets, want all %d", f, n, all)
		}
		tm.mustShow(f + ": no such state")
	}
}

// A target whose job fails while the tree is filtered by !failed appears.
func TestFilterFailedFollowsJobs(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.keys("/", "!", "f", "enter")
	if slices.Contains(tm.shownTargets(), "pve/qemu/422") {
		t.Fatal("k3sagent02 shows before its job failed")
	}
	j := runningJob()
	j.State, j.Ended, j.Message = model.JobFailed, testNow, "job errors"
	tm.jobEvents(j)
	if !slices.Contains(tm.shownTargets(), "pve/qemu/422") {
		t.Fatalf("k3sagent02's job failed, and !failed does not show it: %v", tm.shownTargets())
	}
	if !strings.Contains(tm.screen(), "k3sagent02") {
		t.Fatal("not on screen")
	}
}

// filterTo types a filter afresh.
func (tm *testModel) filterTo(text string) {
	tm.t.Helper()
	tm.keys("esc", "/")
	for _, r := range text {
		tm.keys(string(r))
	}
}

// Every store and drive the stores panel counts is in the tree (the
// Backups concern, as the model builds it) and found by the filter, by its
// name and by its id: the panel's "… N more" points there.
func TestEveryStoreAndDriveOfThePanelIsInTheTree(t *testing.T) {
	stores, drives := seedStoresAndDrives()
	// a store of no backup drive that takes no backups: in neither
	stores = append(stores, model.Store{ID: "pve/local-lvm", Name: "local-lvm", Node: "pve", Online: true, Total: 100 * GiB, Used: 10 * GiB})
	p := model.BuildPosture(model.PostureInput{Now: testNow, Concerns: []model.ConcernSpec{{ID: model.ConcernBackups}},
		Sources: []model.SourceState{{Source: model.SourceProxmox, OK: true, Stores: stores, Drives: drives}}})
	tm := newTestModel(t, 80, 24)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.mustShow("more: the Backups concern in the tree lists every store and drive")
	type counted struct{ id, name, key string }
	var all []counted
	for _, s := range tm.m.stores.stores {
		all = append(all, counted{"store/" + s.ID, s.Name, s.ID})
	}
	for _, d := range tm.m.stores.drives {
		all = append(all, counted{"drive/" + d.ID, d.Name, d.Serial})
	}
	if len(all) != 7 { // 4 stores, 3 drives
		t.Fatalf("the panel counts %d", len(all))
	}
	for _, c := range all {
		for _, f := range []string{c.name, c.key, strings.TrimPrefix(c.key, "pve/hddusb_")} {
			tm.filterTo(f)
			if !slices.Contains(tm.shownTargets(), c.id) {
				t.Errorf("the filter %q does not find %s: %v", f, c.id, tm.shownTargets())
			}
		}
	}
	tm.filterTo("local-lvm")
	if n := len(tm.shownTargets()); n != 0 {
		t.Errorf("local-lvm, of no backups, is in the tree")
	}
}
