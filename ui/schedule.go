package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// scheduleDays is how far the schedule overlay looks ahead.
const scheduleDays = 7

// scheduleOverlay is the S overlay: the backup jobs, then the next days'
// runs of PVE jobs and UrBackup intervals by day, runs that overlap on one
// drive marked. ↑/↓ choose a job and b runs it now (it asks first). It is
// drawn from the posture the console has: no I/O.
type scheduleOverlay struct {
	m      *Model
	cursor int    // the chosen job, an index into the posture's jobs
	ask    string // the job b asked to run, for the root to confirm
}

func (m *Model) scheduleLayer() layer { return &scheduleOverlay{m: m} }

func (o *scheduleOverlay) Update(msg tea.Msg) layerResult {
	km, ok := msg.(tea.KeyPressMsg)
	k := o.m.c.keys
	n := len(o.m.posture.BackupJobs)
	switch {
	case !ok:
	case key.Matches(km, k.Quit):
		return layerQuit
	case key.Matches(km, k.Back), key.Matches(km, k.Schedule):
		return layerClosed
	case key.Matches(km, k.Down) && o.cursor < n-1:
		o.cursor++
	case key.Matches(km, k.Up) && o.cursor > 0:
		o.cursor--
	case key.Matches(km, k.Backup) && n > 0:
		o.ask = o.m.posture.BackupJobs[min(o.cursor, n-1)].ID
	}
	return layerOpen
}

func (o *scheduleOverlay) Box(w, h int) (int, string) {
	bw := w - 8
	return bw, scheduleView(o.m.c, o.m.posture, o.cursor, bw-4, h-4)
}

func (o *scheduleOverlay) ShortHelp() []key.Binding {
	k := o.m.c.keys
	return []key.Binding{helpAs(k.Backup, "run job now"), helpAs(k.Down, "next job"), k.Schedule, k.Back}
}

func (o *scheduleOverlay) FullHelp() [][]key.Binding { return [][]key.Binding{o.ShortHelp()} }

// takeAsk opens the question for the job b asked to run, once.
func (o *scheduleOverlay) takeAsk() tea.Cmd {
	id := o.ask
	o.ask = ""
	if id == "" {
		return nil
	}
	j, err := model.FindJob(o.m.posture.BackupJobs, id)
	if err != nil {
		return o.m.say(err.Error(), true)
	}
	storage := j.Storage
	if storage == "" {
		storage = "the default storage"
	}
	var params []string
	for _, p := range []string{j.Mode, j.Compress} {
		if p != "" {
			params = append(params, p)
		}
	}
	params = append(params, "retention "+j.RetentionText())
	text := fmt.Sprintf("PVE has no call to run a job: backdeck replays it as vzdump with the job's parameters (%s) on every node that has guests in it. "+
		"It backs up %s to %s now, besides its schedule (%s); each node's task shows in the jobs panel.",
		strings.Join(params, ", "), j.Selection, storage, j.Schedule)
	d := newConfirm(o.m.c, "Run backup job "+j.ID+" now?", text, "", action{kind: actRunBackupJob, label: "backup job " + j.ID,
		req: model.JobRequest{Target: "job/" + j.ID, Method: model.MethodVzdump}})
	d.heavy = true
	o.m.openDialog(d)
	return nil
}

// scheduleView draws the schedule in w cells and at most h lines.
func scheduleView(c *common, p *model.Posture, cursor, w, h int) string {
	th := c.theme
	now := c.now()
	var lines []string
	add := func(s string) { lines = append(lines, trunc(s, w)) }
	add(th.Bold.Render(fmt.Sprintf("Schedule · next %d days · b runs the chosen job now · S or esc closes", scheduleDays)))
	if len(p.BackupJobs) == 0 {
		add(th.Muted.Render("No PVE backup job (or the token may not read them)."))
	}
	for i, j := range p.BackupJobs {
		next := "no next run"
		switch {
		case !j.Enabled:
			next = "disabled"
		case j.ScheduleErr != "":
			next = "schedule unreadable"
		case !j.NextRun.IsZero():
			next = "next " + j.NextRun.In(now.Location()).Format("Mon 15:04")
		}
		storage := j.Storage
		if storage == "" {
			storage = "default storage"
		}
		mark := " "
		if i == cursor {
			mark = c.sym("›", ">")
		}
		add(fmt.Sprintf("%s %s · %s · %s → %s · %s · keeps %s", mark, j.ID, j.Schedule, j.Selection, storage, next, j.RetentionText()))
	}
	runs := model.PlanRuns(model.PlanInput{From: now, Days: scheduleDays, Jobs: p.BackupJobs, Intervals: p.Intervals,
		Stores: p.Stores, Drives: p.Drives})
	overlaps := 0
	for _, r := range runs {
		if len(r.Overlaps) > 0 {
			overlaps++
		}
	}
	switch {
	case len(runs) == 0:
		add(th.Muted.Render("No runs in the next days."))
	case overlaps > 0:
		add(c.theme.Status(model.StatusWarning).Render(fmt.Sprintf("%s %d runs overlap another on the same drive", c.glyph(model.StatusWarning), overlaps)))
	default:
		add(fmt.Sprintf("%s no two runs overlap on one drive", c.glyph(model.StatusOK)))
	}
	day := ""
	var body []string
	dash := c.sym("–", "-")
	warn := c.glyph(model.StatusWarning) + " overlap"
	longestJob := 8
	for _, r := range runs {
		longestJob = max(longestJob, width(shortJob(r)))
	}
	for _, r := range runs {
		start := r.Start.In(now.Location())
		if d := start.Format("Mon 01-02"); d != day {
			day = d
			body = append(body, th.Bold.Render(d))
		}
		span := start.Format("15:04") + "      "
		if r.Duration > 0 {
			span = start.Format("15:04") + dash + r.End().In(now.Location()).Format("15:04")
		}
		// The overlap mark takes its column only when some run overlaps.
		mark := ""
		if overlaps > 0 {
			mark = strings.Repeat(" ", width(warn)) + " "
			if len(r.Overlaps) > 0 {
				mark = warn + " "
			}
		}
		disk := r.Disk
		if disk == "" {
			disk = "?"
		}
		what := r.What
		if r.Source == model.SourceURBackup {
			what = strings.TrimPrefix(what, shortJob(r)+" ")
		}
		// The time, the mark and the drive always show; the job and what
		// it takes share what is left.
		fixed := 2 + width(span) + 1 + width(mark) + 1 + 1 + min(width(disk), 16)
		jobW := max(8, min(20, longestJob, w-fixed-1-10)) // the job's name first: what it takes can be read in S's job lines
		whatW := max(0, w-fixed-jobW-1)
		line := fmt.Sprintf("  %s %s %-*s %-*s %s", span, mark, jobW, trunc(shortJob(r), jobW), whatW, trunc(what, whatW), trunc(disk, 16))
		if len(r.Overlaps) > 0 {
			line = c.theme.Status(model.StatusWarning).Render(trunc(line, w))
		}
		body = append(body, line)
	}
	room := h - len(lines)
	if len(body) > room && room > 1 {
		more := len(body) - (room - 1)
		body = append(body[:room-1:room-1], th.Muted.Render(fmt.Sprintf("… %d more lines: backdeck schedule prints them all", more)))
	}
	for _, l := range body {
		add(l)
	}
	return strings.Join(lines, "\n")
}

// shortJob names a run's job in its column: the PVE job id, or the UrBackup
// client's name with its kind.
func shortJob(r model.PlannedRun) string {
	if r.Source == model.SourceURBackup {
		return strings.TrimPrefix(r.Job, "urbackup/")
	}
	return r.Job
}
