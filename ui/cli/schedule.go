package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/termsafe"
)

func scheduleCommand() command {
	return command{
		name:     "schedule",
		synopsis: "[--days N] [--json]",
		summary:  "the backup jobs and the next days' runs, overlaps on one drive marked",
		about: "Lists PVE's backup jobs (schedule, next run, selection, storage, mode, compression,\n" +
			"retention) and every run of the next N days across PVE jobs and UrBackup intervals, by day,\n" +
			"with the drive each writes to; runs on one drive whose times overlap (by the job's last\n" +
			"duration) are marked. Exit 0, or 2 when a source could not be read.",
		common: true,
		flags: func(fs *flag.FlagSet) action {
			days := fs.Int("days", 7, "how many days ahead, 1 to 366")
			asJSON := fs.Bool("json", false, "one JSON object: generated_at, days, jobs, runs, errors (keys in README)")
			return func(ctx context.Context, c *call) int {
				if *days < 1 || *days > 366 {
					return c.failf(exitUsage, "--days takes 1 to 366, not %d", *days)
				}
				if len(c.args) > 0 {
					return c.failf(exitUsage, "takes no arguments, only --days and --json")
				}
				return runSchedule(ctx, c, *days, *asJSON)
			}
		},
	}
}

func runSchedule(ctx context.Context, c *call, days int, asJSON bool) int {
	b, err := c.build(ctx, wire.SourceTimeout)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return exitSetup
	}
	defer b.Close()
	p := b.Engine.RefreshNow(ctx)
	rep := newScheduleReport(p, c.Now(), days)
	if asJSON {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(c.Stderr, "backdeck:", err)
		}
	} else {
		fmt.Fprint(c.Stdout, rep.text(c.ascii(b)))
	}
	if len(rep.Errors) > 0 {
		return 2
	}
	return 0
}

// scheduleReport is what schedule prints; its JSON keys are documented in
// README and may grow, never change.
type scheduleReport struct {
	GeneratedAt time.Time           `json:"generated_at"`
	Days        int                 `json:"days"`
	Jobs        []scheduleJob       `json:"jobs"`
	Runs        []scheduleRun       `json:"runs"`
	Errors      []model.SourceError `json:"errors"`
}

type scheduleJob struct {
	ID              string             `json:"id"`
	Source          model.Source       `json:"source"`
	Enabled         bool               `json:"enabled"`
	Schedule        string             `json:"schedule"`
	NextRun         *time.Time         `json:"next_run"`
	NextRunComputed bool               `json:"next_run_computed"`
	ScheduleError   string             `json:"schedule_error,omitempty"`
	Selection       scheduleSelection  `json:"selection"`
	Node            string             `json:"node,omitempty"`
	Storage         string             `json:"storage"`
	Mode            string             `json:"mode"`
	Compress        string             `json:"compress"`
	Retention       *scheduleRetention `json:"retention"`
	LastDuration    *int64             `json:"last_duration_seconds"`
}

type scheduleSelection struct {
	All     bool   `json:"all"`
	VMIDs   []int  `json:"vmids"`
	Exclude []int  `json:"exclude"`
	Pool    string `json:"pool,omitempty"`
	Text    string `json:"text"`
}

// scheduleRetention is a job's prune-backups; null means the storage's own.
type scheduleRetention struct {
	KeepLast    int `json:"keep_last"`
	KeepHourly  int `json:"keep_hourly"`
	KeepDaily   int `json:"keep_daily"`
	KeepWeekly  int `json:"keep_weekly"`
	KeepMonthly int `json:"keep_monthly"`
	KeepYearly  int `json:"keep_yearly"`
}

type scheduleRun struct {
	Start           time.Time    `json:"start"`
	End             time.Time    `json:"end"`
	DurationSeconds *int64       `json:"duration_seconds"`
	Source          model.Source `json:"source"`
	Job             string       `json:"job"`
	What            string       `json:"what"`
	Store           string       `json:"store"`
	Disk            string       `json:"disk"`
	Overlaps        []string     `json:"overlaps"`
}

func newScheduleReport(p *model.Posture, now time.Time, days int) scheduleReport {
	r := scheduleReport{GeneratedAt: now.UTC(), Days: days, Jobs: []scheduleJob{}, Runs: []scheduleRun{}, Errors: []model.SourceError{}}
	for _, j := range p.BackupJobs {
		sj := scheduleJob{ID: j.ID, Source: j.Source, Enabled: j.Enabled, Schedule: j.Schedule, NextRunComputed: j.NextRunComputed,
			ScheduleError: j.ScheduleErr, Node: j.Node, Storage: j.Storage, Mode: j.Mode, Compress: j.Compress,
			Selection: scheduleSelection{All: j.Selection.All, VMIDs: orEmpty(j.Selection.VMIDs), Exclude: orEmpty(j.Selection.Exclude),
				Pool: j.Selection.Pool, Text: j.Selection.String()}}
		if !j.NextRun.IsZero() {
			n := j.NextRun.UTC()
			sj.NextRun = &n
		}
		if j.RetentionSet {
			k := j.Retention
			sj.Retention = &scheduleRetention{k.KeepLast, k.KeepHourly, k.KeepDaily, k.KeepWeekly, k.KeepMonthly, k.KeepYearly}
		}
		if j.LastDuration > 0 {
			d := int64(j.LastDuration / time.Second)
			sj.LastDuration = &d
		}
		r.Jobs = append(r.Jobs, sj)
	}
	runs := model.PlanRuns(model.PlanInput{From: now, Days: days, Jobs: p.BackupJobs, Intervals: p.Intervals, Stores: p.Stores, Drives: p.Drives})
	for _, run := range runs {
		sr := scheduleRun{Start: run.Start.UTC(), End: run.End().UTC(), Source: run.Source, Job: run.Job, What: run.What,
			Store: run.Store, Disk: run.Disk, Overlaps: append([]string{}, run.Overlaps...)}
		if run.Duration > 0 {
			d := int64(run.Duration / time.Second)
			sr.DurationSeconds = &d
		}
		r.Runs = append(r.Runs, sr)
	}
	r.Errors = append(r.Errors, p.Errors...)
	return r
}

func orEmpty(ns []int) []int {
	if ns == nil {
		return []int{}
	}
	return ns
}

// text writes the jobs, then the runs by day in local time. Every name
// comes from a server: each is made safe for the terminal here too.
func (r scheduleReport) text(ascii bool) string {
	safe := termsafe.Line
	var b strings.Builder
	warn := "⚠"
	if ascii {
		warn = "!"
	}
	fmt.Fprintf(&b, "Backup jobs\n")
	if len(r.Jobs) == 0 {
		fmt.Fprintf(&b, "  (none: PVE has no backup job, or the token may not read them)\n")
	}
	for _, j := range r.Jobs {
		state := "enabled"
		if !j.Enabled {
			state = "disabled"
		}
		next := "no next run"
		switch {
		case j.ScheduleError != "":
			next = "schedule unreadable: " + j.ScheduleError
		case j.NextRun != nil:
			next = "next " + j.NextRun.Local().Format("Mon 2006-01-02 15:04")
			if j.NextRunComputed {
				next += " (computed here)"
			}
		}
		storage := firstNonEmptyString(j.Storage, "default storage")
		ret := "retention: the storage's own"
		if j.Retention != nil {
			ret = "retention: " + retentionText(*j.Retention)
		}
		last := ""
		if j.LastDuration != nil {
			last = ", last run " + model.HumanAge(time.Duration(*j.LastDuration)*time.Second)
		}
		fmt.Fprintf(&b, "  %s  %s  %s · %s\n", safe(j.ID), state, safe(j.Schedule), next)
		fmt.Fprintf(&b, "      %s → %s · %s · %s · %s%s\n", safe(j.Selection.Text), safe(storage), safe(j.Mode),
			safe(firstNonEmptyString(j.Compress, "no compression")), ret, last)
	}
	fmt.Fprintf(&b, "\nNext %d days\n", r.Days)
	if len(r.Runs) == 0 {
		fmt.Fprintf(&b, "  (no runs)\n")
	}
	day := ""
	for _, run := range r.Runs {
		start := run.Start.Local()
		if d := start.Format("Mon 2006-01-02"); d != day {
			day = d
			fmt.Fprintf(&b, "%s\n", d)
		}
		span := start.Format("15:04")
		if run.DurationSeconds != nil {
			span += "–" + run.End.Local().Format("15:04")
		} else {
			span += "      "
		}
		if ascii {
			span = strings.ReplaceAll(span, "–", "-")
		}
		line := fmt.Sprintf("  %s  %-22s %-30s %s", span, safe(run.Job), safe(run.What), safe(firstNonEmptyString(run.Disk, "?")))
		if len(run.Overlaps) > 0 {
			names := make([]string, len(run.Overlaps))
			for i, o := range run.Overlaps {
				names[i] = safe(o)
			}
			line += fmt.Sprintf("  %s overlaps %s on the same drive", warn, strings.Join(names, ", "))
		}
		fmt.Fprintln(&b, strings.TrimRight(line, " "))
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "\nError: %s: %s\n", e.Source, safe(e.Message))
	}
	return b.String()
}

func retentionText(k scheduleRetention) string {
	s := model.Retention{KeepLast: k.KeepLast, KeepHourly: k.KeepHourly, KeepDaily: k.KeepDaily, KeepWeekly: k.KeepWeekly,
		KeepMonthly: k.KeepMonthly, KeepYearly: k.KeepYearly}
	return s.Text()
}

func firstNonEmptyString(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
