package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	stripRe   = regexp.MustCompile(`^ *([█▄✗!·◆]{1,7}(?: [█▄✗!·◆]{1,7})*) *$`)
	rpDateRe  = regexp.MustCompile(`^\s+\d+ (?:s|min|h|d)\s+(\d\d)-(\d\d) \d\d:\d\d\s`)
	rpTitleAt = "Restore points ("
)

// calendarOf reads the detail pane: the strip's cells (one rune a day, the
// week gaps left out), the line under it (the week labels) and the one
// under that (the legend); "" when no strip shows.
func calendarOf(screen string) (cells, labels, legend string) {
	var detail []string
	for _, l := range strings.Split(screen, "\n") {
		if _, d, ok := panes(l); ok {
			detail = append(detail, d)
		}
	}
	for i, d := range detail {
		m := stripRe.FindStringSubmatch(d)
		if m == nil || i+2 >= len(detail) {
			continue
		}
		return strings.ReplaceAll(m[1], " ", ""), strings.TrimSpace(detail[i+1]), strings.TrimSpace(detail[i+2])
	}
	return "", "", ""
}

// newestPointDay is the month and day of the newest restore point's row.
func newestPointDay(screen string) (month, day int, ok bool) {
	seen := false
	for _, l := range strings.Split(screen, "\n") {
		_, d, ok := panes(l)
		if !ok {
			continue
		}
		if strings.Contains(d, rpTitleAt) {
			seen = true
			continue
		}
		if m := rpDateRe.FindStringSubmatch(d); seen && m != nil {
			fmt.Sscan(m[1], &month)
			fmt.Sscan(m[2], &day)
			return month, day, true
		}
	}
	return 0, 0, false
}

// TestCalendarStripOfAGuest: on --demo at 80×24, k3sagent01's pane draws
// its calendar strip in the 44 cells of an 80-column console: five weeks
// from a Monday to today. The daily job's archives of the last week fill
// their days, the weekly ones its retention kept stand apart, and the days
// between them, past the 26 h max age, are marked: the gap is seen. The
// weeks are labelled with their Mondays' dates on the fixed clock, and a
// legend names the marks.
func TestCalendarStripOfAGuest(t *testing.T) {
	t.Parallel()
	now, err := time.Parse(time.RFC3339, clock())
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, 80, 24)
	s.waitText("k3sagent01", deadline)
	s.keys("/")
	s.waitText("/ ", 5*time.Second)
	s.typeText("k3sagent01")
	s.keys("Enter")
	sc := s.waitFor("k3sagent01's pane with its calendar strip", 10*time.Second, func(sc string) bool {
		cells, _, _ := calendarOf(sc)
		return strings.Contains(sc, "k3sagent01 · VM 421") && cells != ""
	})
	cells, labels, legend := calendarOf(sc)
	t.Logf("the strip:\n%s\n%s\n%s", cells, labels, legend)
	days := []rune(cells)

	// Five weeks, the last one ending today.
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	dow := (int(today.Weekday()) + 6) % 7
	if want := 4*7 + dow + 1; len(days) != want {
		t.Fatalf("%d days in the strip, want %d (five weeks to %s)", len(days), want, today.Format("Mon 2 Jan"))
	}
	first := today.AddDate(0, 0, -(len(days) - 1))
	var want []string
	prev := time.Month(0)
	for w := 0; w < 5; w++ {
		monday := first.AddDate(0, 0, 7*w)
		l := fmt.Sprint(monday.Day())
		if monday.Month() != prev {
			l += " " + monday.Format("Jan")
			prev = monday.Month()
		}
		want = append(want, l)
	}
	if got := strings.Fields(labels); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("week labels %q, want the Mondays %q", labels, want)
	}

	// The newest restore point's day is filled.
	m, d, ok := newestPointDay(sc)
	if !ok {
		t.Fatalf("no restore point row under the strip:\n%s", sc)
	}
	newest := time.Date(now.Year(), time.Month(m), d, 0, 0, 0, 0, now.Location())
	if newest.After(today) {
		newest = newest.AddDate(-1, 0, 0)
	}
	i := int(newest.Sub(first).Hours()/24 + 0.5)
	if i < 0 || i >= len(days) || days[i] != '█' {
		t.Errorf("the newest point's day (%s, cell %d) is not filled: %q", newest.Format("2 Jan"), i, cells)
	}
	// A gap past the max age between two kept points.
	if !regexp.MustCompile(`█!+█`).MatchString(cells) {
		t.Errorf("no overdue gap between two points: %q", cells)
	}
	if strings.Count(cells, "█") < 7 {
		t.Errorf("fewer than the 7 daily points the job keeps: %q", cells)
	}
	for _, w := range []string{"█ point", "! past max"} {
		if !strings.Contains(legend, w) {
			t.Errorf("the legend %q does not name %q", legend, w)
		}
	}
}
