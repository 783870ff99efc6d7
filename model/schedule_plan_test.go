package model

import (
	"strings"
	"testing"
	"time"
)

func TestPlanRunsOverlapOnOneDrive(t *testing.T) {
	from := time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC) // a Saturday
	in := PlanInput{
		From: from, Days: 7,
		Jobs: []BackupJob{
			{ID: "daily", Enabled: true, Schedule: "14:20", Storage: "usb", LastDuration: 40 * time.Minute,
				Selection: Selection{VMIDs: []int{411, 421}}},
			{ID: "weekend", Enabled: true, Schedule: "sat,sun 14:45", Storage: "usb", Selection: Selection{All: true}},
			{ID: "other-disk", Enabled: true, Schedule: "14:30", Storage: "local"},
			{ID: "off", Enabled: false, Schedule: "14:20", Storage: "usb"},
			{ID: "bad", Enabled: true, Schedule: "mon 61:00", Storage: "usb"},
		},
		Intervals: []BackupInterval{{Target: "urbackup/k3sagent01", Name: "k3sagent01", Method: MethodIncrFile,
			Every: 24 * time.Hour, Last: time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC), Window: "1-7/0-24", Store: "pve/thin"}},
		Stores: []Store{{ID: "pve/usb", Name: "usb", Drive: "NA8F"}, {ID: "pve/local", Name: "local"}, {ID: "pve/thin", Name: "thin", Drive: "NA8F"}},
		Drives: []Drive{{ID: "NA8F", Serial: "NA8F", Name: "usb-backups"}},
	}
	runs := PlanRuns(in)
	count := map[string]int{}
	for _, r := range runs {
		count[r.Job]++
	}
	if count["daily"] != 7 || count["weekend"] != 2 || count["other-disk"] != 7 || count["off"] != 0 || count["bad"] != 0 ||
		count["urbackup/k3sagent01"] != 7 {
		t.Fatalf("runs per job %v", count)
	}
	first := runs[0]
	if first.Job != "daily" || !first.Start.Equal(time.Date(2026, 11, 28, 14, 20, 0, 0, time.UTC)) || first.Disk != "usb-backups" {
		t.Fatalf("first run %+v", first)
	}
	// daily 14:20–15:00 and the UrBackup run at 14:30 are on the same
	// drive; the weekend job at 14:45 too; other-disk is on local.
	if strings.Join(first.Overlaps, ",") != "urbackup/k3sagent01,weekend" {
		t.Errorf("overlaps of the first run: %v", first.Overlaps)
	}
	for _, r := range runs {
		if r.Job == "other-disk" && len(r.Overlaps) > 0 {
			t.Errorf("a run on another disk overlaps: %+v", r)
		}
		if r.Job == "weekend" && r.Start.Weekday() != time.Saturday && r.Start.Weekday() != time.Sunday {
			t.Errorf("weekend run on %v", r.Start.Weekday())
		}
	}
	for i := 1; i < len(runs); i++ {
		if runs[i].Start.Before(runs[i-1].Start) {
			t.Fatal("runs not in time order")
		}
	}
}

func TestPlanRunsWindowAndOverdue(t *testing.T) {
	from := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC) // Saturday
	iv := BackupInterval{Target: "urbackup/a", Name: "a", Method: MethodFullFile, Every: 30 * 24 * time.Hour,
		Last: from.AddDate(0, -2, 0), Window: "1-5/20-23"}
	runs := PlanRuns(PlanInput{From: from, Days: 7, Intervals: []BackupInterval{iv}})
	if len(runs) != 1 {
		t.Fatalf("runs %+v", runs)
	}
	// Overdue: as soon as the window opens, Monday 20:00.
	if want := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC); !runs[0].Start.Equal(want) {
		t.Errorf("start %v, want %v", runs[0].Start, want)
	}
	if w := parseWindow("nonsense"); len(w.spans) != 0 {
		t.Error("an unreadable window must allow any time")
	}
	if w := parseWindow("1-5/8-18;6,7/0:30-24"); len(w.spans) != 2 || w.spans[1].start != 0.5 || !w.spans[1].days[7] {
		t.Errorf("window %+v", w)
	}
}

func TestSelectionAndRetentionText(t *testing.T) {
	cases := map[string]Selection{
		"all guests":            {All: true},
		"all guests except 100": {All: true, Exclude: []int{100}},
		"pool k3s":              {Pool: "k3s"},
		"guest 411":             {VMIDs: []int{411}},
		"guests 411, 421":       {VMIDs: []int{411, 421}},
		"no guest":              {},
	}
	for want, s := range cases {
		if s.String() != want {
			t.Errorf("%+v: %q, want %q", s, s.String(), want)
		}
	}
	if !(Selection{All: true, Exclude: []int{100}}).Covers(411, "") || (Selection{Pool: "a"}).Covers(1, "b") {
		t.Error("Covers")
	}
	j := BackupJob{RetentionSet: true}
	if j.RetentionText() != "keep all" {
		t.Error(j.RetentionText())
	}
	if _, err := FindJob([]BackupJob{{ID: "a"}}, "b"); err == nil || !strings.Contains(err.Error(), "the jobs are: a") {
		t.Errorf("FindJob error %v", err)
	}
}
