package theme

import (
	"charm.land/lipgloss/v2"

	"github.com/backdeck/backdeck/model"
)

// Day is what one day of a calendar strip shows, the strongest last: a
// passed restore drill outweighs a point, a point a gap.
type Day int

const (
	DayNone    Day = iota // no restore point, still within the max age
	DayOver               // no restore point, and the max age was exceeded that day
	DayDamaged            // only points found damaged: they do not count
	DayPartly             // a concern: some of its targets have a point
	DayPoint              // a restore point (every target's, for a concern)
	DayDrill              // a restore drill passed
)

// DayGlyph is a day's one-cell symbol. Each reads apart from the others
// without colour, in ASCII too: a gap of "·" or "!" between "█" shows.
func DayGlyph(d Day, ascii bool) string {
	u, a := "·", "."
	switch d {
	case DayOver:
		u, a = "!", "!"
	case DayDamaged:
		u, a = "✗", "x"
	case DayPartly:
		u, a = "▄", "+"
	case DayPoint:
		u, a = "█", "#"
	case DayDrill:
		u, a = "◆", "D"
	}
	if ascii {
		return a
	}
	return u
}

// Day is the style of a day; age is the worst verdict of the max age that
// day, which colours a gap (warning, or critical past twice the max age)
// and a concern's partly covered day.
func (t *Theme) Day(d Day, age model.Status) lipgloss.Style {
	switch d {
	case DayOver:
		return t.Status(age)
	case DayDamaged:
		return t.Critical
	case DayPartly:
		if age == model.StatusOK {
			return t.OK
		}
		return t.Status(age)
	case DayPoint:
		return t.OK
	case DayDrill:
		return t.Accent
	}
	return t.Muted
}
