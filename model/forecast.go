package model

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// UsageSample is one reading of a store's space.
type UsageSample struct {
	At          time.Time
	Used, Total int64
}

// Possible reports whether a sample can be true: a total above zero and
// used between 0 and it. A store that reads 0 (offline) or a tool that
// misreports once gives others; one of them made a store "full now".
func (s UsageSample) Possible() bool {
	return s.Total > 0 && s.Used >= 0 && s.Used <= s.Total
}

// ForecastState says what a forecast could conclude. The zero value is
// "not enough history", the honest answer before anything is known.
type ForecastState int

const (
	ForecastNotEnough  ForecastState = iota // too few samples, or too short a span
	ForecastNotFilling                      // flat or shrinking, or full more than forecastHorizon away
	ForecastFilling                         // FullAt is set
)

func (s ForecastState) String() string {
	switch s {
	case ForecastFilling:
		return "filling"
	case ForecastNotFilling:
		return "not filling"
	}
	return "not enough history"
}

// Forecast is when a store will be full at its current pace.
type Forecast struct {
	FullAt     *time.Time // nil unless State is ForecastFilling
	State      ForecastState
	RatePerDay float64   // bytes/day of the fit (0 when none was made)
	Since      time.Time // the first sample of the fitted run
	Samples    int       // how many samples the fit used
}

// The forecast's rules; see ForecastFull.
const (
	forecastMinSamples = 5
	forecastMinSpan    = 48 * time.Hour
	forecastHorizon    = 10 * 365 * 24 * time.Hour
	// A fall of used space by more than either bound between two samples
	// is a prune or a deletion, not noise: the pace before it says nothing
	// about the pace after it.
	dropFraction = 0.02
	dropBytes    = 1 << 30
)

// ForecastFull fits a least-squares line through used bytes over time and
// says when it reaches the store's latest total.
//
// Only samples in (now-window, now] count (window ≤ 0: no lower bound), and
// samples that cannot be true (see Possible) are ignored. Of
// those, only the run since the last drop is fitted, so a prune that frees
// space restarts the trend instead of bending it. The store is full now when
// the latest sample says so; otherwise the run must hold at least 5 samples
// over at least 2 days, a slope ≤ 0 or a date more than 10 years off is "not
// filling", and the date is where the line meets the latest total (capacity
// can change, as when a thin pool grows).
func ForecastFull(samples []UsageSample, now time.Time, window time.Duration) Forecast {
	run := make([]UsageSample, 0, len(samples))
	for _, s := range samples {
		if !s.Possible() || s.At.After(now) {
			continue
		}
		if window > 0 && !s.At.After(now.Add(-window)) {
			continue
		}
		run = append(run, s)
	}
	if len(run) == 0 {
		return Forecast{}
	}
	sort.SliceStable(run, func(i, j int) bool { return run[i].At.Before(run[j].At) })
	run = run[lastDrop(run):]
	latest := run[len(run)-1]
	f := Forecast{Since: run[0].At, Samples: len(run)}

	if latest.Used >= latest.Total {
		at := latest.At
		f.State, f.FullAt = ForecastFilling, &at
		return f
	}
	if len(run) < forecastMinSamples || latest.At.Sub(run[0].At) < forecastMinSpan {
		return f
	}

	slope, intercept := fitLine(run) // bytes/day, bytes at run[0].At
	f.RatePerDay = slope
	f.State = ForecastNotFilling
	if slope <= 0 {
		return f
	}
	days := (float64(latest.Total) - intercept) / slope
	full := run[0].At.Add(daysToDuration(days))
	if !full.After(latest.At) {
		// The line is already past the total while the latest sample is
		// not: trust the measurement and carry it on at the fitted pace.
		full = latest.At.Add(daysToDuration(float64(latest.Total-latest.Used) / slope))
	}
	if full.Sub(now) > forecastHorizon {
		return f
	}
	f.State, f.FullAt = ForecastFilling, &full
	return f
}

// lastDrop is the index of the first sample after the last drop (0 if none).
func lastDrop(run []UsageSample) int {
	start := 0
	for i := 1; i < len(run); i++ {
		fall := run[i-1].Used - run[i].Used
		if fall <= 0 {
			continue
		}
		if fall > dropBytes || float64(fall) > dropFraction*float64(run[i].Total) {
			start = i
		}
	}
	return start
}

// fitLine is the least-squares line used = intercept + slope·days, days
// counted from run[0].At. Centring on the means keeps the sums small enough
// for float64 with terabyte values.
func fitLine(run []UsageSample) (slope, intercept float64) {
	n := float64(len(run))
	var mx, my float64
	xs := make([]float64, len(run))
	for i, s := range run {
		xs[i] = s.At.Sub(run[0].At).Hours() / 24
		mx += xs[i]
		my += float64(s.Used)
	}
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for i, s := range run {
		dx := xs[i] - mx
		sxy += dx * (float64(s.Used) - my)
		sxx += dx * dx
	}
	if sxx == 0 {
		return 0, my
	}
	slope = sxy / sxx
	return slope, my - slope*mx
}

// daysToDuration saturates instead of overflowing (a nearly flat slope puts
// the date centuries away; the horizon check then rejects it).
func daysToDuration(days float64) time.Duration {
	d := days * 24 * float64(time.Hour)
	if d >= math.MaxInt64 || math.IsNaN(d) {
		return math.MaxInt64
	}
	if d <= math.MinInt64 {
		return math.MinInt64
	}
	return time.Duration(d)
}

// String says it the way the drives panel does: "full in 94 d",
// "full in < 1 d", "full now", "not filling", "not enough history".
func (f Forecast) String(now time.Time) string {
	if f.State != ForecastFilling || f.FullAt == nil {
		if f.State == ForecastFilling {
			return ForecastNotFilling.String()
		}
		return f.State.String()
	}
	left := f.FullAt.Sub(now)
	switch {
	case left <= 0:
		return "full now"
	case left < 24*time.Hour:
		return "full in < 1 d"
	}
	return fmt.Sprintf("full in %d d", int64(left/(24*time.Hour)))
}
