package calendar

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST test needs Europe/Vienna wherever it runs
)

// next parses ev and returns its next run after the Unix time last, in UTC.
func next(t *testing.T, ev string, last int64) (int64, bool) {
	t.Helper()
	e, err := Parse(ev)
	if err != nil {
		t.Fatalf("Parse(%q): %v", ev, err)
	}
	n, ok := e.Next(time.Unix(last, 0).UTC())
	return n.Unix(), ok
}

// The cases of proxmox-time's own test_compute_next_event (src/test.rs in
// proxmox/proxmox-rs), computed in UTC as that test does.
func TestNextProxmoxTime(t *testing.T) {
	const (
		min   = 60
		hour  = 3600
		day   = 86400
		thu00 = 0          // Thursday 1970-01-01 00:00
		thu15 = 15 * hour  // Thursday 15:00
		jul31 = 1596153600 // Friday 2020-07-31 00:00
		dec31 = 1609372800 // Thursday 2020-12-31 00:00
	)
	cases := []struct {
		ev         string
		last, want int64
	}{
		{"0", thu00, thu00 + hour},
		{"*", thu00, thu00 + min},
		{"*:0", thu00, thu00 + hour},
		{"*:*", thu00, thu00 + min},
		{"*:*:*", thu00, thu00 + 1},
		{"*:3:5", thu00, thu00 + 3*min + 5},
		{"mon *:*", thu00, thu00 + 4*day},
		{"mon 2:*", thu00, thu00 + 4*day + 2*hour},
		{"mon 2:50", thu00, thu00 + 4*day + 2*hour + 50*min},
		{"tue", thu00, thu00 + 5*day},
		{"wed", thu00, thu00 + 6*day},
		{"thu", thu00, thu00 + 7*day},
		{"fri", thu00, thu00 + 1*day},
		{"sat", thu00, thu00 + 2*day},
		{"sun", thu00, thu00 + 3*day},
		{"4..10/2:0", thu00, thu00 + 4*hour},
		{"4..10/2:0", thu00 + 5*hour, thu00 + 6*hour},
		{"4..10/2:0", thu00 + 11*hour, thu00 + 1*day + 4*hour},
		{"5,10:4,8", thu00, thu00 + 5*hour + 4*min},
		{"10,5:8,4", thu00, thu00 + 5*hour + 4*min},
		{"6,4..10:23,5/5", thu00, thu00 + 4*hour + 5*min},
		{"4..10,6:5/5,23", thu00, thu00 + 4*hour + 5*min},
		{"sat", jul31, jul31 + 1*day},
		{"sun", jul31, jul31 + 2*day},
		{"mon", jul31, jul31 + 3*day},
		{"tue", jul31, jul31 + 4*day},
		{"wed", jul31, jul31 + 5*day},
		{"thu", jul31, jul31 + 6*day},
		{"fri", jul31, jul31 + 7*day},
		{"fri", dec31, dec31 + 1*day},
		{"sat", dec31, dec31 + 2*day},
		{"sun", dec31, dec31 + 3*day},
		{"mon", dec31, dec31 + 4*day},
		{"tue", dec31, dec31 + 5*day},
		{"wed", dec31, dec31 + 6*day},
		{"thu", dec31, dec31 + 7*day},
		{"daily", thu00, thu00 + day},
		{"daily", thu00 + 1, thu00 + day},
		{"5/2:0", thu00, thu00 + 5*hour},
		{"5/2:0", thu00 + 5*hour, thu00 + 7*hour},
		{"5/2:0", thu00 + 7*hour, thu00 + 9*hour},
		{"5/2:0", thu00 + 9*hour, thu00 + 11*hour},
		{"1:0", thu15, thu00 + day + hour},
		{"2020-07-31", 0, jul31},
		{"02-28", 0, (31 + 27) * day},
		{"02-29", 0, 2*365*day + (31+28)*day},
		{"1965/5-01-01", -1, thu00},
		{"2020-7..9-2/2", jul31, jul31 + 2*day},
		{"2020,2021-12-31", jul31, dec31},
		{"monthly", 0, 31 * day},
		{"quarterly", 0, (31 + 28 + 31) * day},
		{"semiannually", 0, (31 + 28 + 31 + 30 + 31 + 30) * day},
		{"yearly", 0, 365 * day},
	}
	for _, c := range cases {
		got, ok := next(t, c.ev, c.last)
		if !ok || got != c.want {
			t.Errorf("%q after %d: got %d (%v), want %d (%s)", c.ev, c.last, got, ok, c.want, time.Unix(c.want, 0).UTC())
		}
	}
	// The chains of that test: each run from the one before.
	chains := []struct {
		ev          string
		first, step int64
	}{{"*:*", thu00 + min, min}, {"*:0", thu00 + hour, hour}}
	for _, c := range chains {
		last := int64(thu00)
		for i := int64(0); i < 98; i++ {
			got, ok := next(t, c.ev, last)
			if want := c.first + i*c.step; !ok || got != want {
				t.Fatalf("%q run %d: got %d, want %d", c.ev, i, got, want)
			}
			last = got
		}
	}
	last := int64(thu15)
	for i := int64(1); i < 100; i++ {
		got, _ := next(t, "1:0", last)
		if want := thu00 + i*day + hour; got != want {
			t.Fatalf("1:0 run %d: got %d, want %d", i, got, want)
		}
		last = got
	}
	for _, ev := range []string{"2021-02-29", "02-30"} {
		if got, ok := next(t, ev, 0); ok {
			t.Errorf("%q: runs at %d, want never", ev, got)
		}
	}
}

// The next-sync cases of pve-common's test/calendar_event_test.pl.
func TestNextPVECommon(t *testing.T) {
	cases := []struct {
		ev    string
		pairs [][2]int64
	}{
		{"*", [][2]int64{{0, 60}, {30, 60}, {59, 60}, {60, 120}}},
		{"*/10", [][2]int64{{0, 600}, {599, 600}, {600, 1200}, {50 * 60, 60 * 60}}},
		{"*/12:0", [][2]int64{{10, 43200}, {13 * 3600, 24 * 3600}}},
		{"1/12:0/15", [][2]int64{{0, 3600}, {3600, 3600 + 15*60}, {3600 + 16*60, 3600 + 30*60}, {3600 + 30*60, 3600 + 45*60},
			{3600 + 45*60, 3600 + 12*3600}, {13*3600 + 1, 13*3600 + 15*60}, {13*3600 + 15*60, 13*3600 + 30*60},
			{13*3600 + 30*60, 13*3600 + 45*60}, {13*3600 + 45*60, 25 * 3600}}},
		{"1,4,6", [][2]int64{{0, 60}, {60, 4 * 60}, {4*60 + 60, 6 * 60}, {6 * 60, 3600 + 60}}},
		{"Mon", [][2]int64{{0, 4 * 86400}, {4 * 86400, 11 * 86400}, {11 * 86400, 18 * 86400}}},
		{"sat..sun", [][2]int64{{0, 2 * 86400}, {2 * 86400, 3 * 86400}, {3 * 86400, 9 * 86400}}},
		{"22/1:0", [][2]int64{{0, 22 * 3600}, {22 * 3600, 23 * 3600}, {22*3600 + 59*60, 23 * 3600}}},
		{"*/2:*", [][2]int64{{0, 60}, {3600, 2 * 3600}, {2 * 3600, 2*3600 + 60}}},
		{"20..22:*/30", [][2]int64{{0, 20 * 3600}, {20 * 3600, 20*3600 + 30*60}, {22*3600 + 30*60, 44 * 3600}}},
	}
	for _, c := range cases {
		for _, p := range c.pairs {
			if got, ok := next(t, c.ev, p[0]); !ok || got != p[1] {
				t.Errorf("%q after %d: got %d, want %d", c.ev, p[0], got, p[1])
			}
		}
	}
}

// The examples of PVE's "Schedule Format" documentation, in the node's
// local time: a job's schedule is read in the node's time zone.
func TestNextDocumentedExamples(t *testing.T) {
	vienna, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, vienna)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// 2026-11-25 is a Wednesday.
	cases := []struct{ ev, last, want string }{
		{"mon..fri 02:30", "2026-11-25 10:00:00", "2026-11-26 02:30:00"},
		{"mon..fri 02:30", "2026-11-27 02:30:00", "2026-11-30 02:30:00"}, // Friday's run done: Monday
		{"mon,tue,wed,thu,fri 02:30", "2026-11-27 03:00:00", "2026-11-30 02:30:00"},
		{"*/2:00", "2026-11-25 10:00:00", "2026-11-25 12:00:00"},
		{"*/2:00", "2026-11-25 23:10:00", "2026-11-26 00:00:00"},
		{"sat 14:20", "2026-11-25 10:00:00", "2026-11-28 14:20:00"},
		{"sat 14:20", "2026-11-28 14:20:00", "2026-12-05 14:20:00"},
		{"monthly", "2026-11-25 10:00:00", "2026-12-01 00:00:00"},
		{"daily", "2026-11-25 10:00:00", "2026-11-26 00:00:00"},
		{"hourly", "2026-11-25 10:00:00", "2026-11-25 11:00:00"},
		{"weekly", "2026-11-25 10:00:00", "2026-11-30 00:00:00"},
		{"02:30", "2026-11-25 10:00:00", "2026-11-26 02:30:00"},
		{"14:20", "2026-11-25 14:19:59", "2026-11-25 14:20:00"},
		{"*:0/15", "2026-11-25 10:07:00", "2026-11-25 10:15:00"},
		{"sun 01:00", "2026-11-25 10:00:00", "2026-11-29 01:00:00"},
		{"mon..fri *:00", "2026-11-27 23:30:00", "2026-11-30 00:00:00"},
		{"sat,sun 4..6:0", "2026-11-28 06:00:00", "2026-11-29 04:00:00"},
		{"12:05 UTC", "2026-11-25 10:00:00", "2026-11-25 13:05:00"}, // 12:05 UTC is 13:05 in Vienna in winter
		// Spring forward: 02:30 does not exist on 2026-03-29; the next 02:30 is a day later.
		{"02:30", "2026-03-28 12:00:00", "2026-03-30 02:30:00"},
		// Fall back: 02:30 happens twice on 2026-10-25; it runs once.
		{"02:30", "2026-10-24 12:00:00", "2026-10-25 02:30:00"},
	}
	for _, c := range cases {
		e, err := Parse(c.ev)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.ev, err)
		}
		got, ok := e.Next(at(c.last))
		if want := at(c.want); !ok || !got.Equal(want) {
			t.Errorf("%q after %s: got %s, want %s", c.ev, c.last, got, want)
		}
		if ok && got.Location() != vienna {
			t.Errorf("%q: next run in %v, want the node's zone", c.ev, got.Location())
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, ev := range []string{
		"", "   ", "61", "*/61", "0..80", "Fri..Mon:", "mon..", "funday", "mon 61:00",
		"14:20 UTCx", "*/0", "10..5", "mon,", "2020-13-01", "2020-12-32", "daily 14:00", "1:2:3:4", "14:20 garbage",
	} {
		if _, err := Parse(ev); err == nil {
			t.Errorf("Parse(%q): no error", ev)
		}
	}
	_, err := Parse("mon 61:00")
	if err == nil || !strings.Contains(err.Error(), `"mon 61:00"`) {
		t.Errorf("the error should quote the event: %v", err)
	}
	// What proxmox-time accepts and the old Perl parser refused.
	for _, ev := range []string{"fri..mon", "MON", "monDay", "Tuesday", "mon,tue..wednesday,fri..sat", "sat..sun",
		"wed,mon..tue,fri", "mon */15", "23..23:0..3", "0..3", "14:20:30", "2026-*-01 03:00", "annually", "semi-annually", "minutely"} {
		if _, err := Parse(ev); err != nil {
			t.Errorf("Parse(%q): %v", ev, err)
		}
	}
}

// proxmox-time reads "24:00" as minute 24 of every hour and second 0: the
// hour is out of range, so the first number is taken as the minute. PVE
// accepts such a schedule and runs it so; the console must say the same.
func TestOutOfRangeHourIsAMinute(t *testing.T) {
	got, ok := next(t, "24:00", 0)
	if !ok || got != 24*60 {
		t.Errorf("24:00 after 0: got %d, want %d", got, 24*60)
	}
}

func TestWeekdayRanges(t *testing.T) {
	cases := map[string]uint8{
		"mon": 1, "mon..fri": 0x1f, "sat..sun": 0x60, "fri..mon": 0x71, "wed,mon..tue,fri": 0x17, "sun..sat": 0x7f,
	}
	for ev, want := range cases {
		e, err := Parse(ev)
		if err != nil {
			t.Fatal(err)
		}
		if e.days != want {
			t.Errorf("%q: days %07b, want %07b", ev, e.days, want)
		}
	}
}

func TestRuns(t *testing.T) {
	e, _ := Parse("mon..fri 02:30")
	from := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // Wednesday
	runs := e.Runs(from, from.AddDate(0, 0, 7), 100)
	if len(runs) != 5 {
		t.Fatalf("%d runs in a week, want 5: %v", len(runs), runs)
	}
	e, _ = Parse("minutely")
	if runs := e.Runs(from, from.AddDate(0, 0, 7), 50); len(runs) != 50 {
		t.Errorf("limit not kept: %d runs", len(runs))
	}
	var zero Event
	if _, ok := zero.Next(from); ok {
		t.Error("the zero Event runs")
	}
}
