package model

import "time"

// Drill is one restore drill of a target: its newest archive restored to a
// scratch guest, checked and destroyed again. A drill proves that restores
// work; a restore point alone only says that an archive exists.
type Drill struct {
	// At is when the drill ended.
	At time.Time
	// Point is the restore point it restored (a PVE volid).
	Point string
	// OK is set when every step passed.
	OK bool
	// Step names the step that failed ("restore", "config", "boot",
	// "cleanup"); empty when OK.
	Step string
	// Note says what happened in words, for the detail pane and the log.
	Note string
}
