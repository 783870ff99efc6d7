package cli

import (
	"time"

	"github.com/backdeck/backdeck/model"
)

// reportDrill is a guest's newest restore drill in status --json.
type reportDrill struct {
	At   time.Time `json:"at"`
	OK   bool      `json:"ok"`
	Step string    `json:"step"`
	Note string    `json:"note"`
}

// drillReport is when a guest's restore was last proven and its newest
// drill; nil for a target never drilled.
func drillReport(t model.Target) (*time.Time, *reportDrill) {
	last, passed := t.LastDrill()
	var at *time.Time
	if passed != nil {
		v := passed.At.UTC()
		at = &v
	}
	if last == nil {
		return at, nil
	}
	return at, &reportDrill{At: last.At.UTC(), OK: last.OK, Step: last.Step, Note: last.Note}
}
