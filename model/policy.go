package model

import "time"

// Policy is what the operator tolerates for a target: the largest gap of data
// they accept to lose (max age of the last good backup) and the retention.
type Policy struct {
	MaxAge    time.Duration
	Retention Retention
}

// Retention follows Proxmox's prune-backups semantics; zero means unset.
// KeepAll is PVE's keep-all=1: every backup is kept (the default when
// neither a job nor its storage sets a retention).
type Retention struct {
	KeepAll     bool
	KeepLast    int
	KeepHourly  int
	KeepDaily   int
	KeepWeekly  int
	KeepMonthly int
	KeepYearly  int
}

// AgeStatus rates a last backup against a max age: none ever is critical,
// past max age is a warning, past twice max age critical. A max age of zero
// means "no limit": any backup is ok.
func AgeStatus(last time.Time, has bool, maxAge time.Duration, now time.Time) Status {
	if !has {
		return StatusCritical
	}
	if maxAge <= 0 {
		return StatusOK
	}
	age := now.Sub(last)
	switch {
	case age > 2*maxAge:
		return StatusCritical
	case age > maxAge:
		return StatusWarning
	}
	return StatusOK
}
