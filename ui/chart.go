package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// chartCache keeps a store's usage chart: it changes only with a new
// posture (new samples) or a new size, not with the minute clock that
// redraws the pane.
type chartCache struct {
	posture *model.Posture
	store   string
	w, h    int
	lines   []string
	draws   int // how many times a chart was drawn (tests)
}

// chart returns the usage chart of s in the posture p (from the cache when
// it was drawn for the same posture, store and size).
func (cc *chartCache) chart(c *common, p *model.Posture, s *model.Store, w, h int) []string {
	if cc.lines != nil && cc.posture == p && cc.store == s.ID && cc.w == w && cc.h == h {
		return cc.lines
	}
	cc.posture, cc.store, cc.w, cc.h = p, s.ID, w, h
	cc.lines = c.drawUsageChart(s.Usage, w, h)
	cc.draws++
	return cc.lines
}

// Chart levels: the store warns from 70 % used and is critical from 90 %.
const (
	warnLevel     = 0.7
	criticalLevel = 0.9
)

// yLabelW is the width of the chart's y-axis labels: " 90%┤".
const yLabelW = 5

// drawUsageChart draws a store's usage history (oldest first) as columns
// of block characters ▁▂▃▄▅▆▇█, one per time bucket, in w cells by h rows,
// scaled from 0 to each sample's total; under it the first and the last
// dates, and a legend in words. The rows of the 70 % and 90 % levels are
// labelled on the left and dotted where the columns do not reach, and the
// part of a column above them is drawn in the warning or critical colour.
// A stretch with no samples (an unplugged drive) stays empty.
func (c *common) drawUsageChart(samples []model.UsageSample, w, h int) []string {
	th := c.theme
	pts := make([]model.UsageSample, 0, len(samples))
	for _, s := range samples {
		if s.Total > 0 && s.Used >= 0 {
			pts = append(pts, s)
		}
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })
	if len(pts) < 2 || !pts[len(pts)-1].At.After(pts[0].At) {
		return []string{th.Muted.Render("no usage history yet: the chart needs two readings on different days")}
	}
	cols := w - yLabelW
	if cols < 10 || h < 2 {
		return nil
	}
	vals := bucketize(pts, cols)

	// The rows, top first: row r covers the fractions [lo, lo+1/h).
	levelRow := func(level float64) int { return h - 1 - min(h-1, int(level*float64(h))) }
	warnRow, critRow := levelRow(warnLevel), levelRow(criticalLevel)
	blocks := []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}
	if c.ascii {
		blocks = []string{" ", ".", ".", ".", ".", "#", "#", "#", "#"}
	}
	dot := c.sym("┈", "-")
	lines := make([]string, 0, h+2)
	for r := 0; r < h; r++ {
		b := h - 1 - r // rows from the bottom
		var label string
		switch {
		case r == critRow:
			label = " 90%"
		case r == warnRow:
			label = " 70%"
		case r == 0:
			label = "100%"
		case r == h-1:
			label = "  0%"
		default:
			label = "    "
		}
		axis := c.sym("│", "|")
		if r == critRow || r == warnRow || r == h-1 || r == 0 {
			axis = c.sym("┤", "+")
		}
		// The colour of the row: the part of a column above 70 % warns,
		// above 90 % is critical (the levels are in the labels and the
		// legend too, not only in colour).
		mid := (float64(b) + 0.5) / float64(h)
		sty := th.OK
		switch {
		case mid >= criticalLevel || r == critRow:
			sty = th.Critical
		case mid >= warnLevel || r == warnRow:
			sty = th.Warn
		}
		var sb strings.Builder
		run := ""
		flush := func() {
			if run != "" {
				sb.WriteString(sty.Render(run))
				run = ""
			}
		}
		for _, v := range vals {
			fill := 0
			if v >= 0 {
				fill = max(0, min(8, int(v*float64(h)*8+0.5)-b*8))
			}
			switch {
			case fill > 0:
				run += blocks[fill]
			case v >= 0 && (r == critRow || r == warnRow):
				flush()
				sb.WriteString(th.Muted.Render(dot))
			default:
				flush()
				sb.WriteString(" ")
			}
		}
		flush()
		lines = append(lines, th.Muted.Render(label+axis)+sb.String())
	}
	first, last := c.local(pts[0].At).Format("2006-01-02"), c.local(pts[len(pts)-1].At).Format("2006-01-02")
	axis := strings.Repeat(" ", yLabelW) + spread(first, last, cols)
	lines = append(lines, th.Muted.Render(axis))
	legend := fmt.Sprintf("%% used over %s; %s marks 70 %% (warning) and 90 %% (critical)", spanWords(pts[len(pts)-1].At.Sub(pts[0].At)), dot)
	if more := ", coloured above them"; !th.NoColor && width(legend+more) <= w {
		legend += more
	}
	for _, l := range wrapText(legend, w) {
		lines = append(lines, th.Muted.Render(l))
	}
	return lines
}

// spanWords says how long a history is: "180 days", "3 weeks".
func spanWords(d time.Duration) string {
	days := int(d.Hours()/24 + 0.5)
	switch {
	case days <= 1:
		return "a day"
	case days < 21:
		return fmt.Sprintf("%d days", days)
	case days < 120:
		return fmt.Sprintf("%d weeks", (days+3)/7)
	}
	return fmt.Sprintf("%d days", days)
}

// bucketize shares the time from the first sample to the last into cols
// buckets and gives each the highest used fraction of its samples. A
// bucket without a sample carries the last value on while the gap is an
// ordinary one between readings (up to twice the usual interval), and is
// -1 (drawn empty) across a longer gap.
func bucketize(pts []model.UsageSample, cols int) []float64 {
	t0, t1 := pts[0].At, pts[len(pts)-1].At
	span := t1.Sub(t0)
	gaps := make([]time.Duration, 0, len(pts)-1)
	for i := 1; i < len(pts); i++ {
		gaps = append(gaps, pts[i].At.Sub(pts[i-1].At))
	}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i] < gaps[j] })
	usual := gaps[len(gaps)/2]

	vals := make([]float64, cols)
	for i := range vals {
		vals[i] = -1
	}
	bucket := func(t time.Time) int {
		return min(cols-1, int(float64(t.Sub(t0))/float64(span)*float64(cols)))
	}
	first := make([]time.Time, cols) // the oldest sample of each bucket
	last := make([]time.Time, cols)  // the newest
	for _, p := range pts {
		i := bucket(p.At)
		f := float64(p.Used) / float64(p.Total)
		vals[i] = max(vals[i], min(1, f))
		if first[i].IsZero() {
			first[i] = p.At
		}
		last[i] = p.At
	}
	// The reading after each empty bucket, from the right.
	next := make([]time.Time, cols)
	var after time.Time
	for i := cols - 1; i >= 0; i-- {
		next[i] = after
		if vals[i] >= 0 {
			after = first[i]
		}
	}
	prev, prevAt := -1.0, time.Time{}
	for i := range vals {
		switch {
		case vals[i] >= 0:
			prev, prevAt = vals[i], last[i]
		case prev >= 0 && !next[i].IsZero() && next[i].Sub(prevAt) <= 2*usual:
			vals[i] = prev
		}
	}
	return vals
}

// forecastWords is a store's forecast in full: "full in 154 d (2027-05-02),
// growing 9.1 GiB/day, fitted since 2026-10-30 (120 samples)", "not
// filling: shrinking 0.2 GiB/day, fitted since …", "not enough history
// (3 samples since 2026-11-23; a forecast needs 5 over 2 days)".
func (c *common) forecastWords(f model.Forecast) string {
	now := c.now()
	date := func(t time.Time) string { return c.local(t).Format("2006-01-02") }
	fitted := ""
	if f.Samples > 0 && !f.Since.IsZero() {
		fitted = fmt.Sprintf("fitted since %s (%d samples)", date(f.Since), f.Samples)
	}
	rate := func(v float64) string {
		if v < 0 {
			v = -v
		}
		return model.HumanBytes(int64(v)) + "/day"
	}
	join := func(parts ...string) string {
		var out []string
		for _, p := range parts {
			if p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, ", ")
	}
	switch f.State {
	case model.ForecastFilling:
		if f.FullAt == nil {
			return f.String(now)
		}
		head := f.String(now) + " (" + date(*f.FullAt) + ")"
		if !f.FullAt.After(now) {
			head = "full now (since " + date(*f.FullAt) + ")"
		}
		growing := ""
		if f.RatePerDay > 0 {
			growing = "growing " + rate(f.RatePerDay)
		}
		return join(head, growing, fitted)
	case model.ForecastNotFilling:
		how := "flat"
		switch {
		case f.RatePerDay > 0:
			how = "growing only " + rate(f.RatePerDay) + ", full more than 10 years away"
		case f.RatePerDay < 0:
			how = "shrinking " + rate(f.RatePerDay)
		}
		return "not filling: " + join(how, fitted)
	}
	if f.Samples > 0 && !f.Since.IsZero() {
		return fmt.Sprintf("not enough history (%d %s since %s; a forecast needs 5 over 2 days)",
			f.Samples, map[bool]string{true: "sample", false: "samples"}[f.Samples == 1], date(f.Since))
	}
	return "not enough history"
}
