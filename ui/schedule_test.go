package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// schedulePosture is the seed posture with the daily PVE job and an
// UrBackup client whose incremental runs at 14:21, inside the job's run on
// the same drive.
func schedulePosture() *model.Posture {
	p := seedPosture()
	p.Stores = append(p.Stores, model.Store{ID: "pve/hddusb_bkpvzdumps", Name: "hddusb_bkpvzdumps"}, model.Store{ID: "pve/hddusb_bkpdata", Name: "hddusb_bkpdata"})
	p.Drives = append(p.Drives, model.Drive{ID: "NA8F1234", Serial: "NA8F1234", Name: "usb-backups", Holds: []string{"pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata"}})
	p.BackupJobs = []model.BackupJob{{ID: "backup-k3s-daily", Source: model.SourceProxmox, Enabled: true, Schedule: "14:20",
		NextRun: time.Date(2026, 11, 26, 14, 20, 0, 0, time.UTC), Storage: "hddusb_bkpvzdumps", LastDuration: 25 * time.Minute,
		Selection: model.Selection{VMIDs: []int{411, 421, 422}}, RetentionSet: true, Retention: model.Retention{KeepDaily: 7}}}
	p.Intervals = []model.BackupInterval{{Target: "urbackup/k3sagent01", Name: "k3sagent01", Method: model.MethodIncrFile,
		Every: 24 * time.Hour, Last: time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC), Store: "pve/hddusb_bkpdata"}}
	return p
}

func TestScheduleOverlay(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		tm := newTestModel(t, size[0], size[1])
		tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: schedulePosture()}}})
		tm.keys("S")
		tm.mustShow("Schedule · next 7 days")
		tm.mustShow("backup-k3s-daily · 14:20 · guests 411, 421, 422 → hddusb_bkpvzdum")
		tm.mustShow("runs overlap another on the same drive")
		tm.mustShow("Thu 11-26")
		tm.mustShow("14:20–14:45 ! overlap  backup-k3s-daily")
		tm.mustShow("14:30       ! overlap  k3sagent01")
		tm.mustShow("usb-backups")
		if size[1] == 24 {
			tm.mustShow("more lines: backdeck schedule prints them all")
		} else {
			tm.mustShow("backup-k3s-daily · 14:20 · guests 411, 421, 422 → hddusb_bkpvzdumps · next Thu 14:20 · keeps keep-daily=7")
		}
		tm.keys("esc")
		tm.mustNotShow("Schedule · next 7 days")
	}
}

func TestScheduleViewWithoutJobs(t *testing.T) {
	c := newTestModel(t, 120, 40).m.c
	out := scheduleView(c, &model.Posture{}, 0, 100, 30)
	for _, want := range []string{"No PVE backup job (or the token may not read them).", "No runs in the next days."} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	// A job and an interval that do not overlap.
	p := schedulePosture()
	p.Intervals[0].Last = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	out = scheduleView(c, p, 0, 100, 40)
	if !strings.Contains(out, "no two runs overlap on one drive") || strings.Contains(out, "overlap\n") {
		t.Errorf("no overlap expected:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if width(l) > 100 {
			t.Errorf("line wider than 100 cells: %q", l)
		}
	}
}

// Names in the schedule come from servers; what reaches the overlay went
// through the console's intake (termsafe) like every posture.
func TestScheduleHostileNames(t *testing.T) {
	tm := newTestModel(t, 120, 40)
	p := schedulePosture()
	p.BackupJobs[0].ID = "evil\x1b]0;pwned\x07job"
	p.BackupJobs[0].Storage = "st\x1b[2J"
	p.Intervals[0].Name = "cl\x9bient"
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.keys("S")
	s := tm.screen()
	if strings.ContainsRune(s, 0x1b) || strings.ContainsRune(s, 0x07) || strings.ContainsRune(s, 0x9b) {
		t.Errorf("control characters on screen:\n%q", s)
	}
	tm.mustShow("Schedule · next 7 days")
}

// runFake is the fake engine with "run now".
type runFake struct {
	*fakeEngine
	ran []string
}

func (f *runFake) RunBackupJob(_ context.Context, id string) ([]model.Job, error) {
	f.ran = append(f.ran, id)
	var jobs []model.Job
	for _, n := range []string{"alpha", "beta"} {
		jobs = append(jobs, model.Job{ID: "UPID:" + n + ":1", TaskID: "UPID:" + n + ":1", Name: n + ": " + id, Node: n,
			Method: model.MethodVzdump, Source: model.SourceProxmox, State: model.JobRunning, Started: testNow, Progress: model.UnknownProgress()})
	}
	return jobs, nil
}

// b in the schedule asks, names what the job does, and only Confirm runs
// it; each node's task then shows in the jobs panel.
func TestScheduleRunJobNow(t *testing.T) {
	var fake *runFake
	tm := newTestModel(t, 120, 40, func(o *Options) {
		fake = &runFake{fakeEngine: o.Engine.(*fakeEngine)}
		o.Engine = fake
	})
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: schedulePosture()}}})
	tm.keys("S", "b")
	tm.mustShow("Run backup job backup-k3s-daily now?")
	tm.mustShow("replays it as vzdump with the")
	tm.mustShow("retention keep-daily=7")
	tm.keys("enter") // Cancel has the focus
	if len(fake.ran) != 0 {
		t.Fatalf("enter on Cancel ran %v", fake.ran)
	}
	tm.mustShow("Schedule · next 7 days") // back in the schedule
	tm.keys("b", "tab")
	msgs := tm.keys("enter")
	if len(fake.ran) != 1 || fake.ran[0] != "backup-k3s-daily" {
		t.Fatalf("ran %v", fake.ran)
	}
	for _, msg := range msgs {
		if _, ok := msg.(runJobResultMsg); ok {
			collect(tm.send(msg))
		}
	}
	tm.keys("esc")
	tm.mustShow("alpha: backup-k3s-") // each node's task in the jobs panel
	tm.mustShow("beta: backup-k3s-")
	tm.mustShow("started backup job backup-k3s-daily on alpha, beta")
}

// Without a PVE source that runs jobs, b says so and runs nothing.
func TestScheduleRunJobWithoutRunner(t *testing.T) {
	tm := newTestModel(t, 120, 40)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: schedulePosture()}}})
	tm.keys("S", "b", "tab", "enter")
	tm.mustShow("cannot run backup jobs")
}

// A guest that no job covers says so on its pane, at 80×24 too: the
// posture's reason carries it (model.BuildPosture).
func TestGuestPaneNamesNoJob(t *testing.T) {
	day := 24 * time.Hour
	tg := model.Target{ID: "pve/qemu/431", Name: "bkpserver", Kind: model.KindVM, Source: model.SourceProxmox, Node: "pve", VMID: 431,
		State: "running", Methods: guestMethods, NoJob: true,
		RestorePoints: []model.RestorePoint{vzdump(431, 9*day, 1843*MiB, "bkpserver", false)}}
	p := model.BuildPosture(model.PostureInput{Now: testNow,
		Concerns: []model.ConcernSpec{{ID: model.ConcernVMs, Name: "Virtual machines", MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/431"}}},
		Sources:  []model.SourceState{{Source: model.SourceProxmox, OK: true, At: testNow, Targets: []model.Target{tg}}}})
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		tm := newTestModel(t, size[0], size[1])
		tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
		tm.selectTarget("pve/qemu/431")
		tm.mustShow("backup job covers it") // "no" may end the line above
	}
}

// An UrBackup client's intervals and retention, as its server reports
// them, are on its pane.
func TestClientPaneShowsIntervals(t *testing.T) {
	facts := []model.Fact{{Label: "online", Value: "yes"},
		{Label: "schedule", Value: "incremental file every 24 h, full file every 30 d"},
		{Label: "retention", Value: "keeps incremental file 40–100, full file 2–10 (min–max)"}}
	p := &model.Posture{GeneratedAt: testNow, Concerns: []model.ConcernStatus{{ID: model.ConcernAppData, Name: "Application data",
		Targets: []model.TargetStatus{client("k3sagent01", model.StatusOK, false, "last backup 2 h ago", nil, facts)}}}}
	tm := newTestModel(t, 160, 48)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.selectTarget("urbackup/k3sagent01")
	tm.mustShow("incremental file every 24 h, full file every 30 d")
	tm.mustShow("keeps incremental file 40–100, full file 2–10")
}

// With no overlap the mark's column goes and the jobs' column is as wide
// as their names: at 80×24 what a run takes reads whole.
func TestScheduleWithoutOverlapsGivesTheRowsTheRoom(t *testing.T) {
	p := schedulePosture()
	p.Intervals[0].Last = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	tm := newTestModel(t, 80, 24)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.keys("S")
	tm.mustShow("no two runs overlap on one drive")
	tm.mustShow("08:00        k3sagent01       incremental file backup")
	tm.mustNotShow("! overlap")
}
