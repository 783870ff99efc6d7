package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/theme"
)

// The calendar strip: a target's restore points as one cell a day over the
// last weeks, so that a gap is seen rather than read from a list of dates.
// A day is a point when a whole restore point was made that day (any
// source; snapshots never count, nor damaged points, as in
// model.Target.LastBackup), overdue when the max age was exceeded during
// it, a drill when a restore drill passed. A concern's strip folds its
// targets' days: a point when all have one, partly when some do.
//
// Weeks run Monday to Sunday, one group of seven cells each, the last one
// ending today; under the strip each week is labelled with its Monday's
// date (and the month where it changes), then a one-line legend.

// calendarMaxWeeks bounds the strip on wide panes: twelve weeks show the
// daily and weekly retention at once.
const calendarMaxWeeks = 12

// strip is what every calendar strip is drawn with: the clock (its zone
// makes the days: the console's local time), how many days to show, the
// width it must fit and the glyph set.
type strip struct {
	now   time.Time
	days  int // at least this many days when the width allows; 0: as many weeks as fit
	width int
	ascii bool
	theme *theme.Theme
}

// calendar is one target's part of a strip: its restore points, its drills
// and the max age that makes a gap overdue (0: no limit).
type calendar struct {
	points []model.RestorePoint
	drills []model.Drill
	maxAge time.Duration
}

// calendarOf is a rated target's calendar. A template needs one backup
// ever (as the posture rates it), so it has no max age here either.
func calendarOf(t *model.TargetStatus) calendar {
	c := calendar{points: t.RestorePoints, drills: t.Drills, maxAge: t.MaxAge}
	if t.Kind == model.KindTemplate {
		c.maxAge = 0
	}
	return c
}

// calendarStrip is the strip a pane shows: its width is the pane's.
func (c *common) calendarStrip(w int) strip {
	return strip{now: c.now(), width: w, ascii: c.ascii, theme: c.theme}
}

// target is a target's strip: the cells, the week labels, the legend.
func (s strip) target(cal calendar) []string {
	if s.width < 7 {
		return nil // not even a week: no strip rather than one cut
	}
	first, n := s.span()
	return s.draw(cal.days(first, n, s.now), false)
}

// concern is a concern's strip, its targets' days folded. Templates stay
// out of the fold: one backup of a template is enough, so their empty days
// are no gaps of the concern. Nil when nothing is left to fold.
func (s strip) concern(targets []model.TargetStatus) []string {
	if s.width < 7 {
		return nil
	}
	first, n := s.span()
	var per [][]dayFacts
	for i := range targets {
		if targets[i].Kind == model.KindTemplate {
			continue
		}
		per = append(per, calendarOf(&targets[i]).days(first, n, s.now))
	}
	if len(per) == 0 {
		return nil
	}
	return s.draw(foldDays(per), true)
}

// span is the strip's first day (a Monday, at local midnight) and its
// number of days up to today: whole weeks, as many as the width holds (7
// cells and a space each) and days asks for.
func (s strip) span() (first time.Time, n int) {
	today := midnight(s.now)
	dow := (int(today.Weekday()) + 6) % 7 // Monday 0
	weeks := max(1, min(calendarMaxWeeks, (s.width+1)/8))
	if s.days > 0 {
		need := 1 + (max(0, s.days-(dow+1))+6)/7
		weeks = min(weeks, need)
	}
	n = dow + 1 + 7*(weeks-1)
	return today.AddDate(0, 0, -(n - 1)), n
}

// midnight is the start of t's day in t's zone. time.Date, not a sum of
// 24 h, so that a day of 23 or 25 hours (a DST change) stays one day.
func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// dayFacts is what is known of one day of a strip.
type dayFacts struct {
	start   time.Time    // local midnight
	of      int          // targets the day is about (1 for a target's own strip)
	covered int          // of them, those with a whole restore point that day
	damaged int          // of them, those whose only points that day are damaged
	age     model.Status // the worst max-age verdict during the day
	drill   bool         // a restore drill passed that day
}

// kind is what the day shows, the strongest fact winning: a passed drill,
// then points, then damaged points, then an exceeded max age.
func (d dayFacts) kind() theme.Day {
	switch {
	case d.drill:
		return theme.DayDrill
	case d.of > 0 && d.covered >= d.of:
		return theme.DayPoint
	case d.covered > 0:
		return theme.DayPartly
	case d.damaged > 0:
		return theme.DayDamaged
	case d.age != model.StatusOK:
		return theme.DayOver
	}
	return theme.DayNone
}

// days is the calendar's n days from first (a local midnight) up to now.
// A day's age verdict is the worst model.AgeStatus takes during it: the age
// is largest just before each whole point made that day and at the day's
// end (now, today). Before the target's first whole point there is no gap
// to measure (the target may not have existed, its older points may have
// been pruned): those days are no more than empty.
func (cal calendar) days(first time.Time, n int, now time.Time) []dayFacts {
	var whole []time.Time
	for _, rp := range cal.points {
		if !rp.Damaged() {
			whole = append(whole, rp.Time)
		}
	}
	sort.Slice(whole, func(i, j int) bool { return whole[i].Before(whole[j]) })
	out := make([]dayFacts, n)
	next := 0 // whole[:next] are before the current day
	for i := range out {
		start := first.AddDate(0, 0, i)
		end := first.AddDate(0, 0, i+1)
		d := dayFacts{start: start, of: 1, age: model.StatusOK}
		for next < len(whole) && whole[next].Before(start) {
			next++
		}
		var last time.Time
		has := next > 0
		if has {
			last = whole[next-1]
		}
		stop := end
		if now.Before(stop) {
			stop = now
		}
		for ; next < len(whole) && whole[next].Before(end); next++ {
			p := whole[next]
			d.covered = 1
			if p.Before(stop) {
				if has {
					d.age = model.Worse(d.age, model.AgeStatus(last, true, cal.maxAge, p))
				}
				last, has = p, true
			}
		}
		if has && !stop.Before(start) {
			d.age = model.Worse(d.age, model.AgeStatus(last, true, cal.maxAge, stop))
		}
		if d.covered == 0 {
			for _, rp := range cal.points {
				if rp.Damaged() && !rp.Time.Before(start) && rp.Time.Before(end) {
					d.damaged = 1
					break
				}
			}
		}
		for _, dr := range cal.drills {
			if dr.OK && !dr.At.Before(start) && dr.At.Before(end) {
				d.drill = true
				break
			}
		}
		out[i] = d
	}
	return out
}

// foldDays folds targets' days (the same days each) into a concern's: how
// many are covered or only damaged, the worst age, any drill.
func foldDays(per [][]dayFacts) []dayFacts {
	out := make([]dayFacts, len(per[0]))
	for i := range out {
		d := dayFacts{start: per[0][i].start, age: model.StatusOK}
		for _, days := range per {
			t := days[i]
			d.of++
			switch {
			case t.covered > 0:
				d.covered++
			case t.damaged > 0:
				d.damaged++
			}
			d.age = model.Worse(d.age, t.age)
			d.drill = d.drill || t.drill
		}
		out[i] = d
	}
	return out
}

// draw is the strip's lines: the cells (a space between weeks), the week
// labels under them, the legend. They come in that order so that a pane
// too short for all of them keeps the cells.
func (s strip) draw(days []dayFacts, fold bool) []string {
	th := s.theme
	var cells strings.Builder
	seen := map[theme.Day]model.Status{}
	for i, d := range days {
		if i > 0 && i%7 == 0 {
			cells.WriteByte(' ')
		}
		k := d.kind()
		if prev, ok := seen[k]; !ok || d.age > prev {
			seen[k] = d.age
		}
		cells.WriteString(th.Day(k, d.age).Render(theme.DayGlyph(k, s.ascii)))
	}
	return []string{cells.String(), th.Muted.Render(weekLabels(days)), s.legend(seen, fold)}
}

// weekLabels puts each week's Monday under its first cell: "2", with the
// month where it changes and on the first week ("26 Oct  2 Nov").
func weekLabels(days []dayFacts) string {
	var b strings.Builder
	prev := time.Month(0)
	for i := 0; i < len(days); i += 7 {
		day := days[i].start
		label := fmt.Sprint(day.Day())
		if day.Month() != prev {
			label += " " + day.Format("Jan")
			prev = day.Month()
		}
		pad := i/7*8 - b.Len()
		b.WriteString(strings.Repeat(" ", max(0, pad)) + label)
	}
	return b.String()
}

// legend names the kinds of day the strip shows (a point always), as many
// as the width holds.
func (s strip) legend(seen map[theme.Day]model.Status, fold bool) string {
	th := s.theme
	seen[theme.DayPoint] = model.StatusOK
	word := map[theme.Day]string{
		theme.DayPoint: "point", theme.DayPartly: "some", theme.DayDamaged: "damaged",
		theme.DayOver: "past max", theme.DayDrill: "drill ok", theme.DayNone: "none",
	}
	if fold {
		word[theme.DayPoint] = "all"
	}
	order := []theme.Day{theme.DayPoint, theme.DayPartly, theme.DayDamaged, theme.DayOver, theme.DayDrill, theme.DayNone}
	var out string
	used := 0
	for _, k := range order {
		age, ok := seen[k]
		if !ok {
			continue
		}
		entry := th.Day(k, age).Render(theme.DayGlyph(k, s.ascii)) + " " + word[k]
		w := 1 + 1 + width(word[k])
		if used > 0 {
			w += 2
		}
		if used+w > s.width {
			break
		}
		if used > 0 {
			out += "  "
		}
		out += entry
		used += w
	}
	return out
}

// targetCalendar is a target pane's strip, as wide as the pane; none for
// a target no source reported (nothing is known of its days).
func (s *sheet) targetCalendar(t *model.TargetStatus) []string {
	if !t.Found {
		return nil
	}
	return s.c.calendarStrip(s.w - 2).target(calendarOf(t))
}

// concernCalendar is a concern pane's strip, its targets folded; none for
// the backups concern, whose rows are stores and drives.
func (s *sheet) concernCalendar(cs *model.ConcernStatus) []string {
	if cs.ID == model.ConcernBackups {
		return nil
	}
	return s.c.calendarStrip(s.w - 2).concern(cs.Targets)
}

// fitCalendar is a target's strip in at most room lines: the cells and
// their dates at least (cells without dates cannot be read), the legend
// when there is room; nothing when not even that fits.
func (s *sheet) fitCalendar(t *model.TargetStatus, room int) []string {
	if room < 2 {
		return nil
	}
	lines := s.targetCalendar(t)
	return lines[:min(len(lines), room)]
}
