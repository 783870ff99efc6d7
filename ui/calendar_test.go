package ui

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin's DST changes, whatever the machine has installed

	"github.com/charmbracelet/x/ansi"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/theme"
)

// asciiStrip is a strip in the ASCII set with no colour: its lines compare
// as plain text.
func asciiStrip(now time.Time, width int) strip {
	return strip{now: now, width: width, ascii: true, theme: theme.New(true)}
}

func stripText(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ansi.Strip(l)
	}
	return out
}

func point(at time.Time) model.RestorePoint {
	return model.RestorePoint{ID: at.Format(time.RFC3339), Time: at}
}

func damagedPoint(at time.Time) model.RestorePoint {
	rp := point(at)
	rp.Verified = &model.Verification{At: at.Add(time.Hour), Level: 3, OK: false, Problems: []string{"sda1: checksum mismatch"}}
	return rp
}

// dailyAt is one point a day at hh:mm from the first day to the last, but
// for the days skipped.
func dailyAt(loc *time.Location, from, to time.Time, hh, mm int, skip ...int) []model.RestorePoint {
	var rps []model.RestorePoint
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		skipped := false
		for _, s := range skip {
			skipped = skipped || d.Day() == s
		}
		if !skipped {
			rps = append(rps, point(time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, loc)))
		}
	}
	return rps
}

func sameLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the strip is\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCalendarTargetCells: a target's strip at the width of an 80-column
// console's pane (44 cells: five weeks). Days before the first point are
// empty; the weeks after it past the max age are overdue; a run of daily
// points fills; a missed day is overdue again, a day with only a damaged
// point shows as damaged; a passed drill marks its day, a failed one not.
func TestCalendarTargetCells(t *testing.T) {
	day := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, time.UTC) }
	now := day(11, 25, 14, 22) // a Wednesday
	rps := []model.RestorePoint{point(day(10, 28, 14, 20)), damagedPoint(day(11, 20, 14, 20))}
	rps = append(rps, dailyAt(time.UTC, day(11, 16, 0, 0), day(11, 25, 0, 0), 14, 20, 19, 20, 21)...)
	cal := calendar{points: rps, maxAge: 26 * time.Hour, drills: []model.Drill{
		{At: day(11, 23, 16, 0), Point: "p", OK: true},
		{At: day(11, 24, 16, 0), Point: "p", Step: "boot", Note: "the guest agent did not answer"},
	}}
	got := stripText(asciiStrip(now, 44).target(cal))
	sameLines(t, got, []string{
		"..#!!!! !!!!!!! !!!!!!! ###!x!# D##",
		"26 Oct  2 Nov   9       16      23",
		"# point  x damaged  ! past max  D drill ok", // ". none" does not fit in 44
	})

	// The verdicts under the cells: a day past the max age is a warning,
	// past twice the max age critical; the day a late point came stays a
	// point.
	first, n := asciiStrip(now, 44).span()
	days := cal.days(first, n, now)
	want := map[time.Time]struct {
		kind theme.Day
		age  model.Status
	}{
		day(10, 27, 0, 0): {theme.DayNone, model.StatusOK},
		day(10, 28, 0, 0): {theme.DayPoint, model.StatusOK},
		day(10, 29, 0, 0): {theme.DayOver, model.StatusWarning},  // 33 h 40 at midnight
		day(10, 30, 0, 0): {theme.DayOver, model.StatusCritical}, // 57 h 40
		day(11, 16, 0, 0): {theme.DayPoint, model.StatusCritical},
		day(11, 19, 0, 0): {theme.DayOver, model.StatusWarning},
		day(11, 20, 0, 0): {theme.DayDamaged, model.StatusCritical},
		day(11, 25, 0, 0): {theme.DayPoint, model.StatusOK},
	}
	for _, d := range days {
		w, ok := want[d.start]
		if !ok {
			continue
		}
		if d.kind() != w.kind || d.age != w.age {
			t.Errorf("%s: kind %d age %s, want kind %d age %s", d.start.Format("Jan 2"), d.kind(), d.age, w.kind, w.age)
		}
		delete(want, d.start)
	}
	if len(want) > 0 {
		t.Errorf("days not in the strip: %v", want)
	}
}

// TestCalendarNoLimitAndNoPoints: with no max age (a template) a gap is no
// more than empty; a target with no points at all has an empty strip.
func TestCalendarNoLimitAndNoPoints(t *testing.T) {
	now := time.Date(2026, 11, 25, 14, 22, 0, 0, time.UTC)
	tpl := calendar{points: []model.RestorePoint{point(now.AddDate(0, 0, -20))}}
	got := stripText(asciiStrip(now, 44).target(tpl))
	if strings.Contains(got[0], "!") || strings.Count(got[0], "#") != 1 {
		t.Errorf("a template's strip: %q", got[0])
	}
	none := stripText(asciiStrip(now, 44).target(calendar{maxAge: time.Hour}))
	if strings.Trim(none[0], ". ") != "" {
		t.Errorf("no points: %q", none[0])
	}
}

// TestCalendarToday: today's cell measures the age up to now, not to
// midnight, and a point later today (a clock behind the source's) fills it.
func TestCalendarToday(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	yesterday := point(now.Add(-20 * time.Hour)) // 20 h old now: within 26 h
	got := stripText(asciiStrip(now, 44).target(calendar{points: []model.RestorePoint{yesterday}, maxAge: 26 * time.Hour}))
	if !strings.HasSuffix(got[0], "#.") {
		t.Errorf("today within the max age: %q", got[0])
	}
	got = stripText(asciiStrip(now.Add(8*time.Hour), 44).target(calendar{points: []model.RestorePoint{yesterday}, maxAge: 26 * time.Hour}))
	if !strings.HasSuffix(got[0], "#!") {
		t.Errorf("today past the max age: %q", got[0])
	}
}

// TestCalendarMonthBoundary: points a minute either side of midnight on
// the last of a month land in their own days, and the week labels name the
// new month on the first Monday in it.
func TestCalendarMonthBoundary(t *testing.T) {
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC) // a Tuesday
	cal := calendar{points: []model.RestorePoint{
		point(time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC)),
		point(time.Date(2026, 12, 1, 0, 1, 0, 0, time.UTC)),
	}, maxAge: 0}
	got := stripText(asciiStrip(now, 44).target(cal))
	sameLines(t, got[:2], []string{
		"....... ....... ....... ##..... ..",
		"9 Nov   16      23      30      7 Dec",
	})
}

// TestCalendarDSTChange: in a zone with DST, a day of 25 hours (clocks go
// back) and one of 23 (clocks go forward) are one cell each, and points
// just before and after local midnight land on their local day. Days
// counted as 24 h from the first Monday would slip an hour after the
// change and put the 23:30 point on the next day.
func TestCalendarDSTChange(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		now    time.Time
		points []time.Time
		want   string
	}{
		{
			"autumn, 25 Oct 2026 has 25 hours",
			time.Date(2026, 10, 28, 12, 0, 0, 0, berlin), // a Wednesday
			[]time.Time{
				time.Date(2026, 10, 23, 23, 30, 0, 0, berlin), // Fri
				time.Date(2026, 10, 25, 23, 30, 0, 0, berlin), // Sun, after the change
				time.Date(2026, 10, 27, 0, 30, 0, 0, berlin),  // Tue
			},
			"....#.# .#.",
		},
		{
			"spring, 29 Mar 2026 has 23 hours",
			time.Date(2026, 4, 1, 12, 0, 0, 0, berlin), // a Wednesday
			[]time.Time{
				time.Date(2026, 3, 27, 0, 30, 0, 0, berlin),  // Fri
				time.Date(2026, 3, 29, 23, 30, 0, 0, berlin), // Sun, after the change
				time.Date(2026, 3, 31, 0, 30, 0, 0, berlin),  // Tue
			},
			"....#.# .#.",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rps []model.RestorePoint
			for _, at := range c.points {
				rps = append(rps, point(at.UTC())) // sources give UTC; the clock's zone makes the days
			}
			s := asciiStrip(c.now, 15) // two weeks
			s.days = 10
			got := stripText(s.target(calendar{points: rps}))
			if got[0] != c.want {
				t.Errorf("cells %q, want %q", got[0], c.want)
			}
			first, n := s.span()
			days := calendar{points: rps}.days(first, n, c.now)
			for _, d := range days {
				if d.start.Hour() != 0 || d.start.Minute() != 0 {
					t.Errorf("a day starts at %s, not at local midnight", d.start)
				}
			}
		})
	}
}

// TestCalendarFitsWidth: at every width the lines fit; the 44 cells of an
// 80-column console's pane hold five weeks, a wide pane at most twelve; in
// ASCII every line is ASCII, and each kind of day has a glyph of its own.
func TestCalendarFitsWidth(t *testing.T) {
	now := time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC) // the e2e tests' clock, a Saturday
	rps := dailyAt(time.UTC, now.AddDate(0, 0, -100), now, 14, 20, 3, 4, 5, 6, 7, 8, 9, 10)
	rps = append(rps, damagedPoint(now.AddDate(0, 0, -40)))
	cal := calendar{points: rps, maxAge: 26 * time.Hour, drills: []model.Drill{{At: now.AddDate(0, 0, -2), OK: true}}}
	for w := 0; w <= 200; w++ {
		for _, ascii := range []bool{false, true} {
			s := strip{now: now, width: w, ascii: ascii, theme: theme.New(false)}
			lines := s.target(cal)
			if w < 7 {
				if lines != nil {
					t.Errorf("width %d: a strip, want none", w)
				}
				continue
			}
			for _, l := range lines {
				if lw := ansi.StringWidth(l); lw > w {
					t.Errorf("width %d (ascii %v): a line of %d cells: %q", w, ascii, lw, ansi.Strip(l))
				}
				if plain := ansi.Strip(l); ascii && strings.IndexFunc(plain, func(r rune) bool { return r > 127 }) >= 0 {
					t.Errorf("width %d: not ASCII: %q", w, plain)
				}
			}
		}
	}
	weeks := func(w int) int {
		_, n := asciiStrip(now, w).span()
		return (n + 6) / 7
	}
	if got := weeks(44); got != 5 {
		t.Errorf("44 cells: %d weeks, want 5", got)
	}
	if got := weeks(500); got != calendarMaxWeeks {
		t.Errorf("500 cells: %d weeks, want %d", got, calendarMaxWeeks)
	}
	for _, ascii := range []bool{false, true} {
		seen := map[string]theme.Day{}
		for k := theme.DayNone; k <= theme.DayDrill; k++ {
			g := theme.DayGlyph(k, ascii)
			if ansi.StringWidth(g) != 1 {
				t.Errorf("glyph %q of %d is %d cells", g, k, ansi.StringWidth(g))
			}
			if other, dup := seen[g]; dup {
				t.Errorf("ascii %v: %d and %d share %q", ascii, other, k, g)
			}
			seen[g] = k
		}
	}
}

// TestCalendarConcernFold: a concern's day is "all" when each of its
// targets (templates left out) has a point, "some" when some do, overdue
// when none does and one is past its max age; a drill of any target marks
// the day.
func TestCalendarConcernFold(t *testing.T) {
	now := time.Date(2026, 11, 25, 14, 22, 0, 0, time.UTC) // a Wednesday
	from := now.AddDate(0, 0, -30)
	maxAge := 26 * time.Hour
	target := func(id string, kind model.TargetKind, rps []model.RestorePoint, drills ...model.Drill) model.TargetStatus {
		return model.TargetStatus{Target: model.Target{ID: id, Name: id, Kind: kind, RestorePoints: rps, Drills: drills}, Found: true, MaxAge: maxAge}
	}
	cs := []model.TargetStatus{
		// every day but the 12th to the 14th
		target("pve/qemu/411", model.KindVM, dailyAt(time.UTC, from, now, 14, 20, 12, 13, 14)),
		// every day but the 13th; a drill on the 20th
		target("pve/qemu/421", model.KindVM, dailyAt(time.UTC, from, now, 14, 20, 13),
			model.Drill{At: time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC), OK: true}),
		// a template backed up once: not a gap of the concern
		target("pve/qemu/100", model.KindTemplate, []model.RestorePoint{point(now.AddDate(0, 0, -60))}),
	}
	got := stripText(asciiStrip(now, 44).concern(cs))
	sameLines(t, got, []string{
		"####### ####### ###+!+# ####D## ###",
		"26 Oct  2 Nov   9       16      23",
		"# all  + some  ! past max  D drill ok",
	})
	if lines := asciiStrip(now, 44).concern(cs[2:]); lines != nil {
		t.Errorf("a concern of templates only: %q, want no strip", stripText(lines))
	}
}
