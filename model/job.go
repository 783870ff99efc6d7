package model

import (
	"fmt"
	"time"
)

// JobState is where a job is in its life.
type JobState string

const (
	JobQueued    JobState = "queued"
	JobRunning   JobState = "running"
	JobSucceeded JobState = "succeeded"
	JobWarning   JobState = "warning" // succeeded, with warnings
	JobFailed    JobState = "failed"
	JobCancelled JobState = "cancelled"
	// JobNothing means the server answered that there was nothing to do;
	// it is not a success and never counts as a backup.
	JobNothing JobState = "nothing-to-do"
)

// Terminal reports whether the state is final.
func (s JobState) Terminal() bool {
	switch s {
	case JobSucceeded, JobWarning, JobFailed, JobCancelled, JobNothing:
		return true
	}
	return false
}

// Succeeded reports whether the job did its work (warnings included).
func (s JobState) Succeeded() bool { return s == JobSucceeded || s == JobWarning }

// CanMove reports whether the state machine allows from → to:
// queued → running → succeeded | warning | failed | cancelled,
// and a queued job may end without running (failed, cancelled, nothing to do).
func CanMove(from, to JobState) bool {
	if from == to {
		return !from.Terminal()
	}
	switch from {
	case JobQueued:
		return to == JobRunning || to == JobFailed || to == JobCancelled || to == JobNothing || to == JobSucceeded || to == JobWarning
	case JobRunning:
		return to.Terminal() && to != JobNothing
	}
	return false
}

// Progress is what is known of a running job; unknown figures are negative.
type Progress struct {
	Percent        float64 // 0..100, -1 unknown
	DoneBytes      int64   // -1 unknown
	TotalBytes     int64   // -1 unknown
	ReadBytesPerS  float64 // -1 unknown
	WriteBytesPerS float64 // -1 unknown
	ETA            time.Duration
	ETAKnown       bool
	LastLine       string
	// Phase names what the job is doing when its figures alone would
	// mislead ("indexing" while nothing can be counted yet, "finishing on
	// the server" while a percent sits at 99); "" while the figures say it.
	Phase string
}

// UnknownProgress is the progress of a job that has told nothing yet.
func UnknownProgress() Progress {
	return Progress{Percent: -1, DoneBytes: -1, TotalBytes: -1, ReadBytesPerS: -1, WriteBytesPerS: -1}
}

// JobRequest asks the engine to start something on a target. Zero fields take
// the config's defaults.
type JobRequest struct {
	Target string
	Method Method
	// vzdump
	Storage   string
	Mode      string // snapshot | suspend | stop
	Compress  string
	Notes     string // notes template, e.g. "{{guestname}}"
	Protected *bool
	// snapshots
	Snapshot    string
	Description string
	// VMState saves a running VM's RAM with the snapshot (PVE's vmstate=1,
	// VMs only): a rollback to it resumes the VM running.
	VMState bool
	// Start starts the guest after a rollback (PVE's start=1): without
	// saved RAM, PVE leaves it stopped.
	Start bool
	// prune: the retention to prune Storage with (PVE's prune-backups)
	Retention *Retention
	// verification: the restore point (an image path) and how deep (1–3;
	// 0 is the deepest)
	Point string
	Level int
	// restore: Point is the archive (a volid), Storage where its disks go
	// ("" keeps each disk's own), VMID the new guest's id (0: the next
	// free one), Over restores over the original guest instead; GuestName
	// and Description replace the archive's (a drill marks its guest).
	VMID      int
	Over      bool
	GuestName string
	// Boot makes a drill start its scratch guest and wait for its agent.
	Boot bool
}

// Job is one piece of work running on a server, followed by its task id.
type Job struct {
	ID       string // engine id; equals TaskID for PVE tasks
	Target   string
	Name     string // the target's display name
	Method   Method
	Source   Source
	Node     string
	TaskID   string // the server's id (a PVE UPID)
	Started  time.Time
	Ended    time.Time
	State    JobState
	Progress Progress
	// Message is the final word: the exit status text, "nothing to do", the error.
	Message string
	// Storage is where a backup job writes.
	Storage string
	// Point is the restore point a verification checks; Verification its
	// result once the job has ended.
	Point        string
	Verification *Verification
	// Guest is the VMID a restore writes.
	Guest int
}

// Move changes the job's state when the state machine allows it.
func (j *Job) Move(to JobState) error {
	if !CanMove(j.State, to) {
		return fmt.Errorf("job %s cannot move from %s to %s", j.ID, j.State, to)
	}
	j.State = to
	return nil
}

// Elapsed is how long the job has run until now (or until its end).
func (j Job) Elapsed(now time.Time) time.Duration {
	if j.Started.IsZero() {
		return 0
	}
	end := now
	if !j.Ended.IsZero() {
		end = j.Ended
	}
	return end.Sub(j.Started)
}
