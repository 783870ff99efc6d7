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
	// Forecast is the full-date forecast from the store's usage history;
	// the zero value says "not enough history".
	Forecast Forecast
	// Usage is the store's usage history (oldest first), for the chart.
	Usage []UsageSample
}

// OfBackups reports whether the backups concern rates the store: it takes
// backups, or it is on a backup drive (its data is the backups' too, as
// UrBackup's on the thin pool of the seed's USB drive).
func (s Store) OfBackups() bool { return s.Backup || s.Drive != "" }

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
	// Reading is the SMART reading the verdict was made from; nil when none
	// could be taken. When the drive sleeps it is the last reading known.
	Reading *SMARTReading
	// Asleep is set when the drive was in standby and was not woken.
	Asleep bool
}

// SMARTReading is what one SMART read of a drive gave, from smartctl's JSON
// on the host or from the PVE disks API on a laptop.
type SMARTReading struct {
	At       time.Time
	Device   string // /dev/sdb
	Model    string
	Serial   string
	Protocol string // "ATA", "NVMe", "SCSI"
	// Transport is how the drive is attached when known: "usb", "sata", "nvme".
	Transport string
	// Passed is smartctl's or PVE's overall self-assessment; nil when unknown.
	Passed       *bool
	TemperatureC *int
	PowerOnHours *int
	Attributes   []SMARTAttribute // ATA only
	NVMe         *NVMeHealth
	SCSI         *SCSIHealth
	// Messages are the tool's own words (smartctl's output lines, decoded
	// exit-status bits, "Unknown USB bridge …").
	Messages []string
	// ExitStatus is smartctl's exit status (bits, see smartctl(8)); 0 via PVE.
	ExitStatus int
}

// SMARTAttribute is one row of an ATA attribute table.
type SMARTAttribute struct {
	ID         int
	Name       string
	Value      int
	Worst      int
	Thresh     int
	Raw        int64  // the raw value as a number (the first number of RawString)
	RawString  string // as the tool prints it, e.g. "34 (Min/Max 20/46)"
	WhenFailed string // "now", "past" or ""
}

// NVMeHealth is the NVMe SMART/health information log.
type NVMeHealth struct {
	CriticalWarning         int
	AvailableSpare          int
	AvailableSpareThreshold int
	PercentageUsed          int
	MediaErrors             int64
}

// SCSIHealth is what SCSI drives report instead of attributes.
type SCSIHealth struct {
	GrownDefects           *int64
	UncorrectedReadErrors  *int64
	UncorrectedWriteErrors *int64
}
