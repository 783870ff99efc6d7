// Package calendar reads the calendar events Proxmox VE schedules its
// backup jobs with ("mon..fri 02:30", "*/2:00", "sat 14:20", "monthly") and
// computes their next run as PVE does (the proxmox-time crate, which
// pve-manager calls through PVE::CalendarEvent since PVE 7).
//
// The format is systemd's calendar events, roughly:
//
//	[WEEKDAYS] [[YEARS-]MONTHS-DAYS] [[HOURS:]MINUTES[:SECONDS]] [UTC]
//
// A lone number is a minute ("*/10" is every ten minutes, as in PVE), a
// missing time part is midnight, and each field takes comma lists, ranges
// "a..b", repetitions "start/step" or "a..b/step", and "*".
package calendar

import (
	"time"
)

// Event is one parsed calendar event. The zero Event never runs.
type Event struct {
	utc bool
	// days is a set of weekdays, bit 0 Monday … bit 6 Sunday; 0 is every day.
	days uint8
	// Each field lists the values it matches; an empty list matches any.
	second, minute, hour, day, month, year []value
	valid                                  bool
}

// value is one element of a field: a single number, a range, or a
// repetition (start, start+step, … up to end when bounded).
type value struct {
	kind       valueKind
	start, end int
	step       int
	bounded    bool // a repetition with an end ("4..10/2")
}

type valueKind uint8

const (
	single valueKind = iota
	span
	repeated
)

func (v value) contains(n int) bool {
	switch v.kind {
	case single:
		return v.start == n
	case span:
		return n >= v.start && n <= v.end
	}
	if n < v.start {
		return false
	}
	if v.step == 0 {
		return n == v.start
	}
	return (n-v.start)%v.step == 0 && (!v.bounded || n <= v.end)
}

func listContains(list []value, n int) bool {
	for _, v := range list {
		if v.contains(n) {
			return true
		}
	}
	return false
}

// findNext is the smallest value of the list above n, as proxmox-time's
// DateTimeValue::find_next: ok is false when there is none.
func findNext(list []value, n int) (next int, ok bool) {
	set := func(v int) {
		if !ok || v < next {
			next, ok = v, true
		}
	}
	for _, v := range list {
		switch v.kind {
		case single:
			if v.start > n {
				set(v.start)
			}
		case span:
			if n < v.start {
				set(v.start)
			} else if n+1 <= v.end {
				set(n + 1)
			}
		case repeated:
			if n < v.start {
				set(v.start)
			} else if v.step > 0 {
				c := v.start + ((n-v.start+v.step)/v.step)*v.step
				if !v.bounded || c <= v.end {
					set(c)
				}
			}
		}
	}
	return next, ok
}

// maxSteps bounds the search as proxmox-time does: an event that matches no
// time within that many adjustments ("02-30") never runs.
const maxSteps = 1000

// Next is the first time strictly after last (at least one second later)
// that the event matches, in last's location (the node's local time), or in
// UTC for an event that ends in "UTC". ok is false when it never runs.
func (e Event) Next(last time.Time) (next time.Time, ok bool) {
	if !e.valid {
		return time.Time{}, false
	}
	loc := last.Location()
	if e.utc {
		loc = time.UTC
	}
	t := last.In(loc).Truncate(time.Second).Add(time.Second)
	allDays := e.days == 0 || e.days == 0x7f
	date := func(y int, mo time.Month, d, h, mi, s int) time.Time { return time.Date(y, mo, d, h, mi, s, 0, loc) }
	for range maxSteps {
		y, mo, d := t.Date()
		h, mi, s := t.Clock()
		if len(e.year) > 0 && !listContains(e.year, y) {
			n, found := findNext(e.year, y)
			if !found {
				return time.Time{}, false
			}
			t = date(n, time.January, 1, 0, 0, 0)
			continue
		}
		if len(e.month) > 0 && !listContains(e.month, int(mo)) {
			if n, found := findNext(e.month, int(mo)); found {
				t = date(y, time.Month(n), 1, 0, 0, 0)
			} else {
				t = date(y+1, time.January, 1, 0, 0, 0)
			}
			continue
		}
		if len(e.day) > 0 && !listContains(e.day, d) {
			if n, found := findNext(e.day, d); found {
				t = date(y, mo, n, 0, 0, 0)
			} else {
				t = date(y, mo+1, 1, 0, 0, 0)
			}
			continue
		}
		if !allDays {
			num := (int(t.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
			if e.days&(1<<num) == 0 {
				step := 7 - num
				for c := num + 1; c < 7; c++ {
					if e.days&(1<<c) != 0 {
						step = c - num
						break
					}
				}
				t = date(y, mo, d+step, 0, 0, 0)
				continue
			}
		}
		if len(e.hour) > 0 && !listContains(e.hour, h) {
			if n, found := findNext(e.hour, h); found {
				t = date(y, mo, d, n, 0, 0)
			} else {
				t = date(y, mo, d+1, 0, 0, 0)
			}
			continue
		}
		if len(e.minute) > 0 && !listContains(e.minute, mi) {
			if n, found := findNext(e.minute, mi); found {
				t = date(y, mo, d, h, n, 0)
			} else {
				t = date(y, mo, d, h+1, 0, 0)
			}
			continue
		}
		if len(e.second) > 0 && !listContains(e.second, s) {
			if n, found := findNext(e.second, s); found {
				t = date(y, mo, d, h, mi, n)
			} else {
				t = date(y, mo, d, h, mi+1, 0)
			}
			continue
		}
		return t.In(last.Location()), true
	}
	return time.Time{}, false
}

// Runs lists the times the event runs after from and up to until, at most
// limit of them (an "every minute" event over a week would be thousands).
func (e Event) Runs(from, until time.Time, limit int) []time.Time {
	var out []time.Time
	t := from
	for len(out) < limit {
		n, ok := e.Next(t)
		if !ok || n.After(until) {
			break
		}
		out = append(out, n)
		t = n
	}
	return out
}
