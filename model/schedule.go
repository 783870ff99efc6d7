package model

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// BackupJob is a scheduled backup job as its source defines it: one of
// PVE's /cluster/backup jobs.
type BackupJob struct {
	ID      string // PVE's job id, e.g. "backup-k3s-daily"
	Source  Source
	Enabled bool
	// Schedule is the calendar event as PVE stores it ("mon..fri 02:30").
	Schedule string
	// NextRun is the job's next start; zero when it has none (disabled, or
	// a schedule that never runs). NextRunComputed says it was computed
	// here from Schedule because PVE gave no next-run; ScheduleErr says why
	// the schedule could not be read.
	NextRun         time.Time
	NextRunComputed bool
	ScheduleErr     string
	Selection       Selection
	// Node limits the job to one node's guests ("" for every node).
	Node     string
	Storage  string // "" for vzdump.conf's default storage
	Mode     string // snapshot | suspend | stop
	Compress string
	// Retention is the job's prune-backups; when RetentionSet is false the
	// job prunes by its storage's own settings.
	Retention    Retention
	RetentionSet bool
	Comment      string
	// LastDuration is how long the job's last scheduled run took on its
	// slowest node (from PVE's task list); zero when not known.
	LastDuration time.Duration
}

// Selection is which guests a backup job takes.
type Selection struct {
	All     bool
	VMIDs   []int
	Exclude []int // with All
	Pool    string
}

// String says the selection in words: "all guests except 100, 101",
// "guests 411, 421, 422", "pool k3s".
func (s Selection) String() string {
	switch {
	case s.All && len(s.Exclude) > 0:
		return "all guests except " + joinInts(s.Exclude)
	case s.All:
		return "all guests"
	case s.Pool != "":
		return "pool " + s.Pool
	case len(s.VMIDs) == 1:
		return "guest " + joinInts(s.VMIDs)
	case len(s.VMIDs) > 0:
		return "guests " + joinInts(s.VMIDs)
	}
	return "no guest"
}

// Covers reports whether the selection takes guest vmid (in pool).
func (s Selection) Covers(vmid int, pool string) bool {
	switch {
	case s.All:
		return !containsInt(s.Exclude, vmid)
	case s.Pool != "":
		return s.Pool == pool
	}
	return containsInt(s.VMIDs, vmid)
}

// RetentionText is the job's retention in PVE's words
// ("keep-daily=7, keep-weekly=4"), or "the storage's own".
func (j BackupJob) RetentionText() string {
	if !j.RetentionSet {
		return "the storage's own"
	}
	return j.Retention.Text()
}

// BackupInterval is a backup that a source repeats at a fixed interval
// rather than on a calendar: an UrBackup client's file or image backups.
type BackupInterval struct {
	Target string // the client's target id
	Name   string // the client's name
	Method Method // incr-file, full-file, incr-image, full-image
	Every  time.Duration
	Last   time.Time // the last backup of that kind; zero when none
	// Window is when the server may start it, as UrBackup writes it
	// ("1-7/0-24"); "" or unreadable means any time.
	Window string
	Store  string // where it lands, when known
}

// joinInts writes ints as "411, 421, 422".
func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func containsInt(ns []int, n int) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}

// SortJobs orders jobs by next run, those without one last, then by id.
func SortJobs(jobs []BackupJob) {
	sort.SliceStable(jobs, func(i, k int) bool {
		a, b := jobs[i], jobs[k]
		if a.NextRun.IsZero() != b.NextRun.IsZero() {
			return !a.NextRun.IsZero()
		}
		if !a.NextRun.Equal(b.NextRun) {
			return a.NextRun.Before(b.NextRun)
		}
		return a.ID < b.ID
	})
}

// FindJob is the job with that id.
func FindJob(jobs []BackupJob, id string) (BackupJob, error) {
	for _, j := range jobs {
		if j.ID == id {
			return j, nil
		}
	}
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	if len(ids) == 0 {
		return BackupJob{}, fmt.Errorf("no backup job %q: PVE has no backup jobs (or the token may not read them)", id)
	}
	return BackupJob{}, fmt.Errorf("no backup job %q; the jobs are: %s", id, strings.Join(ids, ", "))
}
