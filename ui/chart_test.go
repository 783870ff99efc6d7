package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

const storeVzdumps = "store/pve/hddusb_bkpvzdumps"

// TestStoreDetailChart: the store's pane has the forecast in full and a
// chart of its usage: the 70 % and 90 % rows labelled and dotted, the
// first and last dates under it, and a legend in words.
func TestStoreDetailChart(t *testing.T) {
	tm := newTestModel(t, 160, 48)
	tm.selectTarget(storeVzdumps)
	lines := tm.detailText()
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"forecast     full in 93 d (2027-02-27), growing 4.1 GiB/day, fitted since 2026-07-29 (120 samples)",
		"Usage (180 readings)",
		"2026-05-30",
		"2026-11-25",
		"% used over 179 days; ┈ marks 70 % (warning) and 90 % (critical), coloured above them",
	} {
		if !strings.Contains(text, want) {
			t.Fatalf("no %q:\n%s", want, text)
		}
	}
	// the chart's rows as drawn: " " + label(4) + axis + columns
	var chart []string
	for _, l := range tm.m.detail.cache {
		r := []rune(ansiStrip(l))
		if len(r) > 6 && (r[5] == '┤' || r[5] == '│') {
			chart = append(chart, strings.TrimPrefix(string(r[:len(r)-1]), " "))
		}
	}
	if len(chart) != 12 {
		t.Fatalf("%d chart rows at 160×48, want 12:\n%s", len(chart), text)
	}
	if !strings.HasPrefix(chart[0], "100%┤") || !strings.HasPrefix(chart[len(chart)-1], "  0%┤") {
		t.Fatalf("chart axis:\n%s", strings.Join(chart, "\n"))
	}
	for _, level := range []string{" 90%┤┈┈┈", " 70%┤┈┈┈"} {
		if indexOf(chart, level) < 0 {
			t.Fatalf("no dotted %s row:\n%s", level[:3], strings.Join(chart, "\n"))
		}
	}
	// The store is 61 % used now: the newest column is full up to the
	// 60 % row and empty above the 70 % one; the prune 120 days ago shows
	// as a fall.
	w := len([]rune(chart[0]))
	col := func(r int) rune { return []rune(chart[r])[w-1] }
	if col(len(chart)-1) != '█' || col(0) != ' ' || col(1) != '┈' {
		t.Fatalf("the newest column is not 61 %%:\n%s", strings.Join(chart, "\n"))
	}
	bottomUp := func(c int) int { // how many rows column c fills
		n := 0
		for r := len(chart) - 1; r >= 0; r-- {
			if ch := []rune(chart[r])[c]; ch == ' ' || ch == '┈' {
				break
			}
			n++
		}
		return n
	}
	maxBefore, minAfter := 0, 99
	for c := 5; c < w; c++ {
		n := bottomUp(c)
		if c < 5+(w-5)/3 {
			maxBefore = max(maxBefore, n)
		} else if c < 5+(w-5)/2 {
			minAfter = min(minAfter, n)
		}
	}
	if maxBefore <= minAfter+2 {
		t.Fatalf("no fall where the prune freed 400 GiB (before %d rows, after %d):\n%s", maxBefore, minAfter, strings.Join(chart, "\n"))
	}
}

// TestChartIsCached: the chart is drawn once per posture and size; the
// minute clock redraws the pane but not the chart.
func TestChartIsCached(t *testing.T) {
	tm := newTestModel(t, 160, 48)
	tm.selectTarget(storeVzdumps)
	tm.m.View()
	draws := tm.m.detail.chart.draws
	if draws != 1 {
		t.Fatalf("%d draws for one selection", draws)
	}
	tm.send(clockMsg{})
	tm.m.View()
	tm.keys("enter", "j", "k") // scrolling the pane
	tm.m.View()
	if tm.m.detail.chart.draws != draws {
		t.Fatalf("the clock or a scroll drew the chart again (%d draws)", tm.m.detail.chart.draws)
	}
	tm.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	tm.m.View()
	if tm.m.detail.chart.draws != draws+1 {
		t.Fatalf("a resize did not draw the chart again (%d draws)", tm.m.detail.chart.draws)
	}
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: seedPosture()}}})
	tm.m.View()
	if tm.m.detail.chart.draws != draws+2 {
		t.Fatalf("a new posture did not draw the chart again (%d draws)", tm.m.detail.chart.draws)
	}
}

// TestForecastWords: the forecast line in each state.
func TestForecastWords(t *testing.T) {
	c := newTestModel(t, 80, 24).m.c
	at := func(d float64) *time.Time { x := testNow.Add(time.Duration(d * 24 * float64(time.Hour))); return &x }
	since := testNow.Add(-120 * 24 * time.Hour)
	for _, tc := range []struct {
		f    model.Forecast
		want string
	}{
		{model.Forecast{State: model.ForecastFilling, FullAt: at(154), RatePerDay: 9.1 * float64(GiB), Since: since, Samples: 120},
			"full in 154 d (2027-04-28), growing 9.1 GiB/day, fitted since 2026-07-28 (120 samples)"},
		{model.Forecast{State: model.ForecastFilling, FullAt: at(94)}, "full in 94 d (2027-02-27)"},
		{model.Forecast{State: model.ForecastFilling, FullAt: at(-1), Since: since, Samples: 9}, "full now (since 2026-11-24), fitted since 2026-07-28 (9 samples)"},
		{model.Forecast{State: model.ForecastNotFilling, RatePerDay: -0.2 * float64(GiB), Since: since, Samples: 30},
			"not filling: shrinking 204.8 MiB/day, fitted since 2026-07-28 (30 samples)"},
		{model.Forecast{State: model.ForecastNotFilling, Since: since, Samples: 30}, "not filling: flat, fitted since 2026-07-28 (30 samples)"},
		{model.Forecast{State: model.ForecastNotFilling, RatePerDay: 1 << 20, Since: since, Samples: 30},
			"not filling: growing only 1.0 MiB/day, full more than 10 years away, fitted since 2026-07-28 (30 samples)"},
		{model.Forecast{Since: testNow.Add(-48 * time.Hour), Samples: 3}, "not enough history (3 samples since 2026-11-23; a forecast needs 5 over 2 days)"},
		{model.Forecast{}, "not enough history"},
	} {
		if got := c.forecastWords(tc.f); got != tc.want {
			t.Errorf("forecastWords(%v) = %q, want %q", tc.f.State, got, tc.want)
		}
	}
}

// TestBucketize: readings spread over the columns, the highest of a
// bucket kept, ordinary gaps carried on, a long gap left empty.
func TestBucketize(t *testing.T) {
	day := 24 * time.Hour
	s := func(d int, used int64) model.UsageSample {
		return model.UsageSample{At: testNow.Add(time.Duration(d) * day), Used: used, Total: 100}
	}
	// daily readings over 10 days, 20 columns: every column has a value
	var daily []model.UsageSample
	for d := range 11 {
		daily = append(daily, s(d, int64(10+d)))
	}
	v := bucketize(daily, 20)
	for i, x := range v {
		if x < 0 {
			t.Fatalf("column %d empty with daily readings: %v", i, v)
		}
	}
	if v[0] != 0.10 || v[19] != 0.20 {
		t.Fatalf("first %.2f last %.2f", v[0], v[19])
	}
	// a 30-day gap (the drive unplugged) in daily readings stays empty
	var gap []model.UsageSample
	for d := range 10 {
		gap = append(gap, s(d, 50))
	}
	for d := 40; d < 50; d++ {
		gap = append(gap, s(d, 60))
	}
	v = bucketize(gap, 49)
	empty := 0
	for _, x := range v {
		if x < 0 {
			empty++
		}
	}
	if empty < 25 {
		t.Fatalf("%d empty columns across a 30-day gap: %v", empty, v)
	}
	// several readings in a bucket: the highest
	v = bucketize([]model.UsageSample{s(0, 10), s(0, 90), s(0, 20), s(10, 30)}, 2)
	if v[0] != 0.9 {
		t.Fatalf("bucket of 10, 90, 20 %% = %.2f", v[0])
	}
}

// TestChartWithoutHistory: a store with one reading or none says so.
func TestChartWithoutHistory(t *testing.T) {
	p := seedPosture()
	p.Stores[0].Usage = p.Stores[0].Usage[len(p.Stores[0].Usage)-1:]
	p.Stores[1].Usage = nil
	tm := newTestModel(t, 160, 48)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.selectTarget(storeVzdumps)
	if text := strings.Join(tm.detailText(), "\n"); !strings.Contains(text, "no usage history yet: the chart needs two readings on different days") {
		t.Fatalf("one reading:\n%s", text)
	}
	tm.selectTarget("store/pve/hddusb_bkpdata")
	if text := strings.Join(tm.detailText(), "\n"); strings.Contains(text, "Usage") || !strings.Contains(text, "warns at     70% used; critical at 90%") {
		t.Fatalf("no reading:\n%s", text)
	}
}

// TestNewViewsInASCIIAndMonochrome: the client, drive and store panes keep
// to ASCII with --ascii, and set no colour with NO_COLOR.
func TestNewViewsInASCIIAndMonochrome(t *testing.T) {
	for _, id := range []string{urbAgent01, urbServer01, "drive/" + serialWD, "drive/" + serialToshiba, storeVzdumps} {
		tm := newTestModel(t, 160, 48, func(o *Options) { o.ASCII = true })
		tm.selectTarget(id)
		for i, r := range tm.screen() {
			if r > 126 {
				t.Fatalf("%s: non-ASCII %q at %d:\n%s", id, r, i, tm.screen())
			}
		}
		tm = newTestModel(t, 160, 48, func(o *Options) { o.NoColor = true })
		tm.selectTarget(id)
		if c := colourParams(tm.m.View().Content); len(c) > 0 {
			t.Fatalf("%s: the NoColor view sets colours: %q", id, c)
		}
		if !strings.Contains(tm.screen(), "✗ failed") {
			t.Fatalf("%s: the failing drive's word is gone in monochrome", id)
		}
	}
}
