package pve

import (
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// BackupJob is a backup job of jobs.cfg that a test adds to the lab's
// cluster (the seed has one: backup-k3s-daily).
type BackupJob struct {
	ID       string
	Schedule string // "HH:MM" or "WEEKDAYS HH:MM" (mon..fri, sat,sun): the forms the lab computes next-run for
	Disabled bool
	VMIDs    string // "411,421"; or All with Exclude; or Pool
	All      bool
	Exclude  string
	Pool     string
	Node     string // only this node's guests
	Storage  string
	Mode     string
	Compress string
	Prune    map[string]string // prune-backups, values as strings as PVE sends them
}

// AddBackupJob adds a job to the cluster's backup jobs.
func (p *Server) AddBackupJob(j BackupJob) {
	p.withWorld(func(w *world, now time.Duration) {
		w.jobs = append(w.jobs, backupJob{id: j.ID, schedule: j.Schedule, storage: j.Storage, mode: j.Mode, compress: j.Compress,
			vmid: j.VMIDs, prune: j.Prune, disabled: j.Disabled, all: j.All, exclude: j.Exclude, pool: j.Pool, onlyNode: j.Node})
	})
}

// addJobSelection writes a job's selection as jobs.cfg keeps it: vmid, or
// all with exclude, or pool; node when the job is limited to one.
func addJobSelection(m map[string]any, j backupJob) {
	switch {
	case j.all:
		m["all"] = 1
		if j.exclude != "" {
			m["exclude"] = j.exclude
		}
	case j.pool != "":
		m["pool"] = j.pool
	default:
		m["vmid"] = j.vmid
	}
	if j.onlyNode != "" {
		m["node"] = j.onlyNode
	}
}

// selects reports whether the job takes a guest, as
// PVE::VZDump::get_included_guests does. Disabled jobs count: PVE's
// not-backed-up list reads every job of jobs.cfg, enabled or not.
func (j backupJob) selects(g *guest) bool {
	if g == nil || (j.onlyNode != "" && g.node != j.onlyNode) {
		return false
	}
	switch {
	case j.all:
		return !vmidIn(j.exclude, g.vmid)
	case j.pool != "":
		return false // the lab's guests are in no pool
	}
	return vmidIn(j.vmid, g.vmid)
}

func vmidIn(list string, vmid int) bool {
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		if n, err := strconv.Atoi(f); err == nil && n == vmid {
			return true
		}
	}
	return false
}

var labWeekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// nextRun is the job's next start after now in the node's local time, for
// the schedules the lab knows ("14:20", "mon..fri 02:30", "sat,sun 14:20").
// PVE counts it from the job's last run; the lab's job last ran at its last
// scheduled time, so that is the same. A disabled job, or a schedule the
// lab cannot compute, has none: next-run is left out, as PVE leaves it out
// when its calendar event never runs (invented for the disabled case: PVE
// may still list one).
func (w *world) nextRun(j backupJob, now time.Duration) (int64, bool) {
	if j.disabled {
		return 0, false
	}
	days, hm, ok := labSchedule(j.schedule)
	if !ok {
		return 0, false
	}
	t := w.timeAt(now)
	day := host.Midnight(t)
	for i := 0; i < 8; i++ {
		next := day.AddDate(0, 0, i).Add(hm)
		if next.After(t) && days[next.Weekday()] {
			return next.Unix(), true
		}
	}
	return 0, false
}

// labSchedule reads "[WEEKDAYS ]HH:MM".
func labSchedule(s string) (days [7]bool, at time.Duration, ok bool) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return days, 0, false
	}
	hm, err := time.Parse("15:04", f[len(f)-1])
	if err != nil {
		return days, 0, false
	}
	at = time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute
	if len(f) == 1 {
		for i := range days {
			days[i] = true
		}
		return days, at, true
	}
	for _, part := range strings.Split(f[0], ",") {
		a, b, isRange := strings.Cut(part, "..")
		from, ok1 := labWeekdays[a]
		to, ok2 := labWeekdays[b]
		if !isRange {
			to, ok2 = from, ok1
		}
		if !ok1 || !ok2 {
			return days, 0, false
		}
		for d := from; ; d = (d + 1) % 7 {
			days[d] = true
			if d == to {
				break
			}
		}
	}
	return days, at, true
}
