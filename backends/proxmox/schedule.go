package proxmox

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/model/calendar"
)

// backupJobModels turns /cluster/backup's entries into the model's jobs.
// The next run is PVE's next-run where it gives one (PVE 7+ does for
// enabled jobs), else computed here from the schedule in the console's
// local time, which is the node's when it runs on the host.
func backupJobModels(jobs []backupJob, now time.Time) []model.BackupJob {
	out := make([]model.BackupJob, 0, len(jobs))
	for _, j := range jobs {
		if j.Type != "" && j.Type != "vzdump" {
			continue
		}
		m := model.BackupJob{
			ID: j.ID, Source: model.SourceProxmox, Enabled: j.enabled(), Schedule: j.Schedule,
			Node: j.Node, Storage: j.Storage, Mode: firstOf(j.Mode, "snapshot"), Compress: string(j.Compress),
			Retention: j.PruneBackups.Retention, RetentionSet: j.PruneBackups.Set,
			Selection: model.Selection{All: bool(j.All), VMIDs: vmidList(string(j.VMID)),
				Exclude: vmidList(string(j.Exclude)), Pool: j.Pool},
		}
		if m.Selection.All {
			m.Selection.VMIDs = nil
		}
		if m.Schedule == "" && j.StartTime != "" {
			m.Schedule = legacySchedule(j.StartTime, j.DOW)
		}
		ev, err := calendar.Parse(m.Schedule)
		if err != nil {
			m.ScheduleErr = err.Error()
		}
		// PVE computes next-run from the job's last run: after a missed
		// run (the node was down) it lies in the past, and the next start
		// is then computed from now.
		pveNext := time.Unix(j.NextRun.Int64(0), 0)
		switch {
		case !m.Enabled:
		case j.NextRun.Valid && j.NextRun.V > 0 && !pveNext.Before(now.Add(-time.Minute)):
			m.NextRun = pveNext.In(now.Location())
		case err == nil:
			if next, ok := ev.Next(now); ok {
				m.NextRun, m.NextRunComputed = next, true
			}
		}
		out = append(out, m)
	}
	model.SortJobs(out)
	return out
}

// legacySchedule is the calendar event of a PVE 6 job, as PVE 7 converts
// it when it moves vzdump.cron to jobs.cfg: "HH:MM" on every day, else
// "dow,dow HH:MM".
func legacySchedule(start, dow string) string {
	days := splitList(dow)
	if len(days) == 0 || len(days) == 7 {
		return start
	}
	return strings.Join(days, ",") + " " + start
}

// vmidList reads PVE's vmid lists ("411,421 422"), sorted, without repeats.
func vmidList(list string) []int {
	seen := map[int]bool{}
	var out []int
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 && n <= maxVMID && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// vzdumpTask is one vzdump entry of GET /nodes/{n}/tasks.
type vzdumpTask struct {
	StartTime number `json:"starttime"`
	EndTime   number `json:"endtime"`
	Status    string `json:"status"`
}

// scheduledSlack is how long after its scheduled minute a job's task may
// start and still be that job's run (pvescheduler starts jobs within the
// minute; vzdump may wait for the node's lock before its task shows).
const scheduledSlack = 3 * time.Minute

// lastDurations finds how long each enabled job's last scheduled run took:
// on each online node, the newest ended vzdump task that began at one of the
// job's scheduled times; the slowest node's is the job's. One request per
// node; a node whose task list cannot be read adds nothing (the durations
// only help spot overlaps).
func (c *Client) lastDurations(ctx context.Context, nodes []nodeInfo, jobs []model.BackupJob) {
	type sched struct {
		i  int
		ev calendar.Event
	}
	var parsed []sched
	for i, j := range jobs {
		if ev, err := calendar.Parse(j.Schedule); err == nil && j.Enabled {
			parsed = append(parsed, sched{i, ev})
		}
	}
	if len(parsed) == 0 {
		return
	}
	loc := c.now().Location()
	for _, n := range nodes {
		if !n.online {
			continue
		}
		var tasks []vzdumpTask
		p := "/nodes/" + url.PathEscape(n.name) + "/tasks?typefilter=vzdump&limit=50"
		if err := c.get(ctx, p, &tasks); err != nil {
			continue
		}
		for _, s := range parsed {
			var newest vzdumpTask
			for _, t := range tasks {
				start := time.Unix(t.StartTime.Int64(0), 0).In(loc)
				if t.Status == "" || !t.EndTime.Valid || t.EndTime.V < t.StartTime.V {
					continue // still running, or no end to measure
				}
				run, ok := s.ev.Next(start.Add(-scheduledSlack))
				if !ok || run.After(start) {
					continue // not at one of the job's times: a backup by hand
				}
				if t.StartTime.V > newest.StartTime.V {
					newest = t
				}
			}
			if newest.StartTime.Valid {
				d := time.Duration(newest.EndTime.Int64(0)-newest.StartTime.Int64(0)) * time.Second
				if d > jobs[s.i].LastDuration {
					jobs[s.i].LastDuration = d
				}
			}
		}
	}
}

// jobOf adds to a guest's detail the enabled job that backs it up; covered
// says one does, disabledOnly that only disabled jobs select it (PVE's
// not-backed-up list counts those as covering).
func (inv *inventory) jobOf(t *model.Target, jobs []backupJob) (covered, disabledOnly bool) {
	var disabled []string
	for _, j := range jobs {
		if j.Type != "" && j.Type != "vzdump" {
			continue
		}
		if j.covers(t.VMID, t.Node, inv.pools[t.VMID]) {
			t.Detail += " · job " + firstOf(j.Schedule, legacySchedule(j.StartTime, j.DOW), j.ID) + " → " + firstOf(j.Storage, "default storage")
			return true, false
		}
		enabled := j
		enabled.Enabled = number{}
		if enabled.covers(t.VMID, t.Node, inv.pools[t.VMID]) {
			disabled = append(disabled, j.ID)
		}
	}
	if len(disabled) > 0 {
		t.Detail += " · only in disabled job " + strings.Join(disabled, ", ")
	}
	return false, len(disabled) > 0
}
