package model

import "encoding/json"

// Status is a verdict on a target, a concern, a drive or the whole homelab.
// The order matters: a larger value is worse, except that Unknown sits between
// Warning and Critical so that "we cannot tell" never hides as "ok" but never
// outranks a known disaster.
type Status int

const (
	StatusOK Status = iota
	StatusWarning
	StatusUnknown
	StatusCritical
)

// Worse returns the worse of two statuses.
func Worse(a, b Status) Status {
	if b > a {
		return b
	}
	return a
}

// String is the word used in JSON and on screen.
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusWarning:
		return "warning"
	case StatusCritical:
		return "critical"
	default:
		return "unknown"
	}
}

// MarshalJSON writes the status as its word.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
