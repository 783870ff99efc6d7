package model

import "time"

// Store is a place where backups land: a PVE storage, a mount point, a thin pool.
type Store struct {
	ID      string // "pve/hddusb_bkpvzdumps"
	Name    string
	Node    string
	Type    string // dir, lvmthin, …
	Content []string
	Online  bool
	Total   int64
	Used    int64
	Avail   int64
	Drive   string // serial of the drive that holds it, when known
	// Backup reports whether the store accepts backups (content "backup").
	Backup bool
	FullAt *time.Time
}

// UsedFraction is used/total, 0 when the total is unknown.
func (s Store) UsedFraction() float64 {
	if s.Total <= 0 {
		return 0
	}
	return float64(s.Used) / float64(s.Total)
}

// UsageStatus rates a store: offline warns, 70 % warns, 90 % is critical.
func (s Store) UsageStatus() Status {
	if !s.Online {
		return StatusWarning
	}
	f := s.UsedFraction()
	switch {
	case f >= 0.9:
		return StatusCritical
	case f >= 0.7:
		return StatusWarning
	}
	return StatusOK
}

// Health is the verdict on a drive.
type Health string

const (
	HealthPassed  Health = "passed"
	HealthWarning Health = "warning"
	HealthFailed  Health = "failed"
	HealthUnknown Health = "unknown"
)

// Status maps a drive's health onto the common status scale.
func (h Health) Status() Status {
	switch h {
	case HealthPassed:
		return StatusOK
	case HealthWarning:
		return StatusWarning
	case HealthFailed:
		return StatusCritical
	}
	return StatusUnknown
}

// Drive is a disk that holds backups, with its SMART verdict.
type Drive struct {
	ID           string // the serial
	Name         string // the config's name
	Model        string
	Serial       string
	DevPath      string
	Type         string
	Size         int64
	Health       Health
	Reasons      []string
	TemperatureC *int
	Holds        []string // store ids
	Present      bool
}
