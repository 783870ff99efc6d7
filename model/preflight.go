package model

import "time"

// CheckState is how one line of a preflight came out.
type CheckState string

const (
	CheckPass    CheckState = "pass"
	CheckWarn    CheckState = "warn"
	CheckFail    CheckState = "fail"
	CheckUnknown CheckState = "unknown" // could not be checked; the reason says why
)

// Status is the verdict a line's state reads as: a failed check is
// critical, a warning a warning, what could not be checked unknown.
func (s CheckState) Status() Status {
	switch s {
	case CheckPass:
		return StatusOK
	case CheckWarn:
		return StatusWarning
	case CheckFail:
		return StatusCritical
	}
	return StatusUnknown
}

// Check is one line of a preflight: what was checked, how it came out, and
// why, in words that say what to do.
type Check struct {
	Name   string
	State  CheckState
	Reason string
}

// Preflight is the checklist for the next Clonezilla imaging run of the
// host, with the commands the run would execute.
type Preflight struct {
	At       time.Time
	Checks   []Check
	Expected int64    // expected size of the new images, bytes; 0 unknown
	Commands []string // the ocs-sr command of each disk
}

// Ready reports whether no line failed (warnings and unknowns leave the
// decision to the operator).
func (p Preflight) Ready() bool {
	for _, c := range p.Checks {
		if c.State == CheckFail {
			return false
		}
	}
	return true
}
