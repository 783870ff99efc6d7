package model

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model/calendar"
)

// PlannedRun is one backup the schedules will start.
type PlannedRun struct {
	Start time.Time
	// Duration is how long the job's last run took; zero when not known
	// (the run then counts as one minute for overlaps).
	Duration time.Duration
	Source   Source
	Job      string // PVE's job id, or the UrBackup client's target id
	What     string // "guests 411, 421, 422", "k3sagent01 incremental file backup"
	Store    string // the store it writes to; "" when not known
	// Disk is what the run writes to, for overlaps: the drive's name when
	// a configured drive holds the store, else the store.
	Disk string
	// Overlaps names the other runs on the same disk whose time windows
	// overlap this one's.
	Overlaps []string
}

// End is when the run is expected to end.
func (r PlannedRun) End() time.Time {
	if r.Duration > 0 {
		return r.Start.Add(r.Duration)
	}
	return r.Start.Add(time.Minute)
}

// PlanInput is what PlanRuns lays out.
type PlanInput struct {
	From      time.Time // now, in the local time the schedules run in
	Days      int
	Jobs      []BackupJob
	Intervals []BackupInterval
	Stores    []Store
	Drives    []Drive
}

// maxRunsPerJob bounds what one schedule adds ("every minute" for a week
// would be ten thousand rows).
const maxRunsPerJob = 200

// PlanRuns lists the runs of the next days, in time order: every enabled
// PVE job at each time its calendar event gives, every UrBackup interval
// from its last backup on (clipped to the backup window), with overlaps on
// one disk marked.
func PlanRuns(in PlanInput) []PlannedRun {
	until := in.From.AddDate(0, 0, in.Days).Add(-time.Second) // the last day ends before the same time N days on
	var out []PlannedRun
	for _, j := range in.Jobs {
		if !j.Enabled {
			continue
		}
		ev, err := calendar.Parse(j.Schedule)
		if err != nil {
			continue
		}
		store := storeOfJob(in.Stores, j)
		base := PlannedRun{Duration: j.LastDuration, Source: j.Source, Job: j.ID, What: j.Selection.String(), Store: store}
		for _, at := range ev.Runs(in.From, until, maxRunsPerJob) {
			r := base
			r.Start = at
			out = append(out, r)
		}
	}
	for _, iv := range in.Intervals {
		if iv.Every <= 0 {
			continue
		}
		win := parseWindow(iv.Window)
		next := iv.Last.Add(iv.Every)
		if iv.Last.IsZero() || next.Before(in.From) {
			next = in.From // due now: the server starts it at its next look
		}
		for n := 0; n < maxRunsPerJob && !next.After(until); n++ {
			at := win.clip(next.In(in.From.Location()))
			if at.After(until) {
				break
			}
			out = append(out, PlannedRun{Start: at, Source: SourceURBackup, Job: iv.Target,
				What: iv.Name + " " + iv.Method.Phrase(), Store: iv.Store})
			next = at.Add(iv.Every)
		}
	}
	for i := range out {
		out[i].Disk = diskOf(in.Stores, in.Drives, out[i].Store)
	}
	sort.SliceStable(out, func(i, k int) bool {
		if !out[i].Start.Equal(out[k].Start) {
			return out[i].Start.Before(out[k].Start)
		}
		return out[i].Job < out[k].Job
	})
	markOverlaps(out)
	return out
}

// storeOfJob is the store a PVE job writes to: its storage's store (any
// node's when the storage is one per node), or "" for the default storage.
func storeOfJob(stores []Store, j BackupJob) string {
	if j.Storage == "" {
		return ""
	}
	for _, s := range stores {
		if s.Name == j.Storage && strings.HasPrefix(s.ID, "pve/") {
			return s.ID
		}
	}
	return "pve/" + j.Storage
}

// diskOf names the disk a store is on: the configured drive that holds it,
// else the store itself.
func diskOf(stores []Store, drives []Drive, store string) string {
	if store == "" {
		return ""
	}
	for _, d := range drives {
		for _, h := range d.Holds {
			if h == store {
				return firstNonEmpty(d.Name, d.Serial, d.ID)
			}
		}
	}
	for _, s := range stores {
		if s.ID == store && s.Drive != "" {
			for _, d := range drives {
				if d.Serial == s.Drive || d.ID == s.Drive {
					return firstNonEmpty(d.Name, d.Serial)
				}
			}
			return s.Drive
		}
	}
	return store
}

func markOverlaps(runs []PlannedRun) {
	for i := range runs {
		for k := i + 1; k < len(runs); k++ {
			if !runs[k].Start.Before(runs[i].End()) {
				if runs[k].Start.Sub(runs[i].Start) > 7*24*time.Hour {
					break
				}
				continue
			}
			if runs[i].Disk == "" || runs[i].Disk != runs[k].Disk || runs[i].Job == runs[k].Job {
				continue
			}
			runs[i].Overlaps = appendOnce(runs[i].Overlaps, runs[k].Job)
			runs[k].Overlaps = appendOnce(runs[k].Overlaps, runs[i].Job)
		}
	}
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// window is an UrBackup backup window: per weekday (1 Monday … 7 Sunday)
// the hours a backup may start in. An empty window allows any time.
type window struct {
	spans []windowSpan
}

type windowSpan struct {
	days       [8]bool // 1..7
	start, end float64 // hours, end exclusive
}

// parseWindow reads UrBackup's window syntax, "1-7/0-24" or
// "1-5/8-18;6,7/0-24" (days, then hours; hours may be "7:30"). What it
// cannot read allows any time, as an unset window does.
func parseWindow(s string) window {
	var w window
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		days, hours, ok := strings.Cut(part, "/")
		if !ok {
			return window{}
		}
		var sp windowSpan
		for _, d := range strings.Split(days, ",") {
			a, b, isRange := strings.Cut(strings.TrimSpace(d), "-")
			from, err1 := strconv.Atoi(a)
			to := from
			var err2 error
			if isRange {
				to, err2 = strconv.Atoi(b)
			}
			if err1 != nil || err2 != nil || from < 1 || to > 7 || from > to {
				return window{}
			}
			for x := from; x <= to; x++ {
				sp.days[x] = true
			}
		}
		a, b, ok := strings.Cut(hours, "-")
		from, ok1 := hourOf(a)
		to, ok2 := hourOf(b)
		if !ok || !ok1 || !ok2 || from >= to {
			return window{}
		}
		sp.start, sp.end = from, to
		w.spans = append(w.spans, sp)
	}
	return w
}

func hourOf(s string) (float64, bool) {
	h, m, _ := strings.Cut(strings.TrimSpace(s), ":")
	hh, err := strconv.Atoi(h)
	mm := 0
	if m != "" {
		var err2 error
		if mm, err2 = strconv.Atoi(m); err2 != nil {
			return 0, false
		}
	}
	if err != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 {
		return 0, false
	}
	return float64(hh) + float64(mm)/60, true
}

// clip moves t to the first moment at or after it inside the window.
func (w window) clip(t time.Time) time.Time {
	if len(w.spans) == 0 {
		return t
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	for d := 0; d < 8; d++ {
		wd := int(day.Weekday())
		if wd == 0 {
			wd = 7
		}
		best := time.Time{}
		for _, sp := range w.spans {
			if !sp.days[wd] {
				continue
			}
			start := day.Add(time.Duration(sp.start * float64(time.Hour)))
			end := day.Add(time.Duration(sp.end * float64(time.Hour)))
			c := start
			if t.After(start) {
				c = t
			}
			if c.Before(end) && (best.IsZero() || c.Before(best)) {
				best = c
			}
		}
		if !best.IsZero() {
			return best
		}
		day = day.AddDate(0, 0, 1)
	}
	return t
}
