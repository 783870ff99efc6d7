package calendar

import (
	"fmt"
	"strings"
)

// Parse reads a calendar event as PVE accepts it in a backup job's
// schedule. Its errors quote the event and say where it stopped.
func Parse(s string) (Event, error) {
	in := strings.TrimSpace(s)
	e, rest, err := parse(in)
	if err != nil {
		return Event{}, fmt.Errorf("calendar event %q: %w", s, err)
	}
	if rest != "" {
		return Event{}, fmt.Errorf("calendar event %q: cannot read %q", s, rest)
	}
	e.valid = true
	return e, nil
}

// The shorthands of systemd and proxmox-time.
var shorthands = map[string]func() Event{
	"minutely": func() Event { return Event{second: one(0)} },
	"hourly":   func() Event { return Event{minute: one(0), second: one(0)} },
	"daily":    func() Event { return Event{hour: one(0), minute: one(0), second: one(0)} },
	"weekly":   func() Event { return Event{days: 1, hour: one(0), minute: one(0), second: one(0)} },
	"monthly":  func() Event { return Event{day: one(1), hour: one(0), minute: one(0), second: one(0)} },
	"yearly": func() Event {
		return Event{month: one(1), day: one(1), hour: one(0), minute: one(0), second: one(0)}
	},
	"quarterly": func() Event {
		return Event{month: []value{{start: 1}, {start: 4}, {start: 7}, {start: 10}}, day: one(1), hour: one(0), minute: one(0), second: one(0)}
	},
	"semiannually": func() Event {
		return Event{month: []value{{start: 1}, {start: 7}}, day: one(1), hour: one(0), minute: one(0), second: one(0)}
	},
}

func init() {
	shorthands["annually"] = shorthands["yearly"]
	shorthands["semi-annually"] = shorthands["semiannually"]
}

func one(n int) []value { return []value{{kind: single, start: n}} }

func parse(i string) (Event, string, error) {
	var e Event
	if n, ok := strings.CutSuffix(i, "UTC"); ok {
		e.utc = true
		i = strings.TrimRight(n, " ")
	}
	hasDays, hasDate, hasTime := false, false, false
	if i != "" && isAlpha(i[0]) {
		if mk, ok := shorthands[i]; ok {
			ev := mk()
			ev.utc = e.utc
			return ev, "", nil
		}
		for {
			days, rest, err := weekdayRange(i)
			if err != nil {
				return Event{}, "", err
			}
			e.days |= days
			i = rest
			if !strings.HasPrefix(i, ",") {
				break
			}
			i = i[1:]
		}
		hasDays = true
		i = strings.TrimLeft(i, " \t")
	}
	if y, m, d, rest, ok := dateSpec(i); ok {
		e.year, e.month, e.day = y, m, d
		hasDate = true
		i = strings.TrimLeft(rest, " \t")
	}
	if h, m, s, rest, ok := timeSpec(i); ok {
		e.hour, e.minute, e.second = h, m, s
		hasTime = true
		i = rest
	} else {
		e.hour, e.minute, e.second = one(0), one(0), one(0)
	}
	if !hasDays && !hasDate && !hasTime {
		return Event{}, "", fmt.Errorf("no weekday, date or time in it")
	}
	return e, i, nil
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

var weekdayNames = map[string]uint8{
	"mon": 0, "monday": 0, "tue": 1, "tuesday": 1, "wed": 2, "wednesday": 2, "thu": 3, "thursday": 3,
	"fri": 4, "friday": 4, "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}

func weekday(i string) (uint8, string, error) {
	n := 0
	for n < len(i) && isAlpha(i[n]) {
		n++
	}
	d, ok := weekdayNames[strings.ToLower(i[:n])]
	if !ok {
		return 0, i, fmt.Errorf("%q is no weekday (mon, tue, wed, thu, fri, sat, sun)", i[:n])
	}
	return d, i[n:], nil
}

// weekdayRange reads "mon" or "mon..fri"; a range that wraps ("fri..mon")
// takes the days up to Sunday and from Monday, as proxmox-time does.
func weekdayRange(i string) (uint8, string, error) {
	start, rest, err := weekday(i)
	if err != nil {
		return 0, i, err
	}
	if !strings.HasPrefix(rest, "..") {
		return 1 << start, rest, nil
	}
	end, after, err := weekday(rest[2:])
	if err != nil {
		return 1 << start, rest, nil // nom's opt: ".." stays unread, and the parse fails later
	}
	var set uint8
	if start > end {
		for d := start; d <= 6; d++ {
			set |= 1 << d
		}
		for d := uint8(0); d <= end; d++ {
			set |= 1 << d
		}
	} else {
		for d := start; d <= end; d++ {
			set |= 1 << d
		}
	}
	return set, after, nil
}

// number reads digits whose value is below max.
func number(i string, max int) (int, string, bool) {
	n := 0
	for n < len(i) && isDigit(i[n]) {
		n++
	}
	if n == 0 {
		return 0, i, false
	}
	v := 0
	for _, c := range i[:n] {
		v = v*10 + int(c-'0')
		if v >= max {
			return 0, i, false
		}
	}
	return v, i[n:], true
}

// component reads "5", "4..10", "5/2" or "4..10/2".
func component(i string, max int) (value, string, bool) {
	v, rest, ok := number(i, max)
	if !ok {
		return value{}, i, false
	}
	if r, ok := strings.CutPrefix(rest, ".."); ok {
		if end, after, ok := number(r, max); ok {
			if v > end {
				return value{}, i, false
			}
			if r2, ok := strings.CutPrefix(after, "/"); ok {
				step, after2, ok := number(r2, max)
				if !ok {
					return value{}, i, false
				}
				return value{kind: repeated, start: v, end: end, step: step, bounded: true}, after2, true
			}
			return value{kind: span, start: v, end: end}, after, true
		}
	}
	if r, ok := strings.CutPrefix(rest, "/"); ok {
		step, after, ok := number(r, max)
		if !ok {
			return value{}, i, false
		}
		return value{kind: repeated, start: v, step: step}, after, true
	}
	return value{kind: single, start: v}, rest, true
}

// list reads a field: "*", "*/step" (from start), or a comma list of
// components. An empty list matches any value.
func list(i string, start, max int) ([]value, string, bool) {
	if rest, ok := strings.CutPrefix(i, "*"); ok {
		if r, ok := strings.CutPrefix(rest, "/"); ok {
			step, after, ok := number(r, max)
			if !ok {
				return nil, i, false
			}
			if step > 0 {
				return []value{{kind: repeated, start: start, step: step}}, after, true
			}
		}
		return []value{}, rest, true
	}
	var out []value
	v, rest, ok := component(i, max)
	if !ok {
		return nil, i, false
	}
	out = append(out, v)
	for strings.HasPrefix(rest, ",") {
		v, after, ok := component(rest[1:], max)
		if !ok {
			break // the comma stays unread
		}
		out = append(out, v)
		rest = after
	}
	return out, rest, true
}

// dateSpec reads "YEARS-MONTHS-DAYS" or "MONTHS-DAYS".
func dateSpec(i string) (year, month, day []value, rest string, ok bool) {
	if y, r, ok := list(i, 0, 2200); ok {
		if r, ok := strings.CutPrefix(r, "-"); ok {
			if m, r, ok := list(r, 1, 13); ok {
				if r, ok := strings.CutPrefix(r, "-"); ok {
					if d, r, ok := list(r, 1, 32); ok {
						return y, m, d, r, true
					}
				}
			}
		}
	}
	if m, r, ok := list(i, 1, 13); ok {
		if r, ok := strings.CutPrefix(r, "-"); ok {
			if d, r, ok := list(r, 1, 32); ok {
				return nil, m, d, r, true
			}
		}
	}
	return nil, nil, nil, i, false
}

// timeSpec reads "[HOURS:]MINUTES[:SECONDS]"; seconds default to 0, and
// the hours to any.
func timeSpec(i string) (hour, minute, second []value, rest string, ok bool) {
	rest = i
	if h, r, ok := list(i, 0, 24); ok {
		if r, ok := strings.CutPrefix(r, ":"); ok {
			hour, rest = h, r
		}
	}
	minute, rest, ok = list(rest, 0, 60)
	if !ok {
		return nil, nil, nil, i, false
	}
	second = one(0)
	if r, ok := strings.CutPrefix(rest, ":"); ok {
		if s, r, ok := list(r, 0, 60); ok {
			second, rest = s, r
		}
	}
	return hour, minute, second, rest, true
}
