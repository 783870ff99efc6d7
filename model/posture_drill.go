package model

import (
	"fmt"
	"time"
)

// LastDrill is the target's newest drill, and its newest passing one.
func (t Target) LastDrill() (last, passed *Drill) {
	for i := range t.Drills {
		d := &t.Drills[i]
		if last == nil || d.At.After(last.At) {
			last = d
		}
		if d.OK && (passed == nil || d.At.After(passed.At)) {
			passed = d
		}
	}
	return last, passed
}

// rateDrill rates a guest's restore drills against its concern's
// drill_max_age, like its backups against max_age but never worse than a
// warning: an archive that was not proven is not an archive that is
// missing. Only guests with archives are rated; a target already unknown
// or worse keeps its word, with the drill's added.
func rateDrill(ts TargetStatus, maxAge time.Duration, now time.Time) TargetStatus {
	if ts.Source != SourceProxmox || (ts.Kind != KindVM && ts.Kind != KindLXC) {
		return ts
	}
	last, passed := ts.LastDrill()
	if maxAge <= 0 || !ts.HasBackup {
		// Not rated: said, so that "restore tested 12 d ago" shows anyway.
		if passed != nil {
			ts.Reason += fmt.Sprintf("; restore tested %s ago", HumanAge(now.Sub(passed.At)))
		}
		if last != nil && last != passed {
			ts.Reason += fmt.Sprintf("; the last restore drill, %s ago, failed at %s", HumanAge(now.Sub(last.At)), last.Step)
		}
		return ts
	}
	why := ""
	switch {
	case passed == nil && last == nil:
		why = fmt.Sprintf("restore never tested (drill_max_age %s): run backdeck drill %s", HumanAge(maxAge), ts.ID)
	case passed == nil:
		why = fmt.Sprintf("no restore drill passed; the last, %s ago, failed at %s", HumanAge(now.Sub(last.At)), last.Step)
	case now.Sub(passed.At) > maxAge:
		why = fmt.Sprintf("restore tested %s ago, past the drill max age of %s", HumanAge(now.Sub(passed.At)), HumanAge(maxAge))
		if last != passed {
			why += fmt.Sprintf("; the last drill, %s ago, failed at %s", HumanAge(now.Sub(last.At)), last.Step)
		}
	default:
		if last != passed {
			// A newer drill failed: the passing one may no longer hold.
			why = fmt.Sprintf("the last restore drill, %s ago, failed at %s (the one before passed %s ago)",
				HumanAge(now.Sub(last.At)), last.Step, HumanAge(now.Sub(passed.At)))
			break
		}
		ts.Reason += fmt.Sprintf("; restore tested %s ago", HumanAge(now.Sub(passed.At)))
		return ts
	}
	ts.Status = Worse(ts.Status, StatusWarning)
	ts.Reason += "; " + why
	return ts
}
