package model

import (
	"math/rand/v2"
	"testing"
	"time"
)

const (
	gib = int64(1) << 30
	tib = int64(1) << 40
)

// series makes hourly samples over days, ending at end, with used(t) given.
func series(end time.Time, days int, total int64, used func(h int) int64) []UsageSample {
	n := days * 24
	out := make([]UsageSample, 0, n+1)
	for h := 0; h <= n; h++ {
		at := end.Add(time.Duration(h-n) * time.Hour)
		out = append(out, UsageSample{At: at, Used: used(h), Total: total})
	}
	return out
}

func TestForecastFull(t *testing.T) {
	now := time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC)
	day := 24 * time.Hour
	const month = 30 * 24 * time.Hour
	perHour := 10 * gib / 24 // 10 GiB a day

	// Linear growth: 1 TiB used of 2 TiB, 10 GiB/day → full in 102.4 days
	// from the last sample (which is now).
	linear := series(now, 20, 2*tib, func(h int) int64 { return tib - int64(20*24-h)*perHour })
	linearFull := now.Add(time.Duration(float64(tib) / float64(perHour) * float64(time.Hour)))

	// A prune in the middle: 5 GiB/day for 10 days, then 300 GiB freed,
	// then 20 GiB/day for 10 days. Only the last 10 days count.
	var prunedFull time.Time
	pruned := series(now, 20, 2*tib, func(h int) int64 {
		if h <= 240 {
			return tib + int64(h)*(5*gib/24)
		}
		return tib + 240*(5*gib/24) - 300*gib + int64(h-240)*(20*gib/24)
	})
	{
		last := pruned[len(pruned)-1].Used
		prunedFull = now.Add(time.Duration(float64(2*tib-last) / float64(20*gib/24) * float64(time.Hour)))
	}

	// Noisy growth: 10 GiB/day with ±400 MiB of noise per sample, seeded.
	rng := rand.New(rand.NewPCG(7, 11))
	noisy := series(now, 20, 2*tib, func(h int) int64 {
		return tib - int64(20*24-h)*perHour + rng.Int64N(800<<20) - 400<<20
	})

	// Old samples outside the window show fast growth and then a stop;
	// inside the window it is flat.
	withOld := append(
		series(now.Add(-60*day), 20, 2*tib, func(h int) int64 { return int64(h) * gib }),
		series(now, 20, 2*tib, func(int) int64 { return 600 * gib })...)

	unsorted := append([]UsageSample(nil), linear...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(unsorted), func(i, j int) { unsorted[i], unsorted[j] = unsorted[j], unsorted[i] })

	// Used shrinks by a little each hour: noise-sized falls, never a drop.
	shrinking := series(now, 10, 2*tib, func(h int) int64 { return tib - int64(h)*(100<<20) })

	cases := []struct {
		name    string
		samples []UsageSample
		state   ForecastState
		full    time.Time     // expected date when filling
		tol     time.Duration // allowed error on the date
		since   time.Time     // expected Since, when not zero
		count   int           // expected Samples, when not zero
		text    string
	}{
		{name: "linear growth", samples: linear, state: ForecastFilling, full: linearFull, tol: time.Minute,
			since: now.Add(-20 * day), count: 481, text: "full in 102 d"},
		{name: "prune drop in the middle", samples: pruned, state: ForecastFilling, full: prunedFull, tol: time.Minute,
			since: now.Add(-10*day + time.Hour), count: 240},
		{name: "flat", samples: series(now, 10, 2*tib, func(int) int64 { return tib }), state: ForecastNotFilling, text: "not filling"},
		{name: "shrinking", samples: shrinking, state: ForecastNotFilling, text: "not filling", count: 241},
		{name: "noisy growth", samples: noisy, state: ForecastFilling, full: linearFull,
			tol: time.Duration(0.10 * float64(linearFull.Sub(now)))},
		{name: "too few samples", samples: linear[len(linear)-4:], state: ForecastNotEnough, text: "not enough history"},
		{name: "too short a span", samples: linear[len(linear)-40:], state: ForecastNotEnough, text: "not enough history"},
		{name: "only a day since a prune", samples: append(series(now.Add(-1*day), 5, 2*tib, func(int) int64 { return tib }),
			series(now, 1, 2*tib, func(h int) int64 { return tib/2 + int64(h)*gib })...), state: ForecastNotEnough},
		{name: "none", samples: nil, state: ForecastNotEnough, text: "not enough history"},
		{name: "samples older than the window ignored", samples: withOld, state: ForecastNotFilling, since: now.Add(-20 * day)},
		{name: "unsorted input", samples: unsorted, state: ForecastFilling, full: linearFull, tol: time.Minute},
		{name: "already full", samples: series(now, 1, 2*tib, func(h int) int64 { return min(2*tib, 2*tib-10*gib+int64(h)*gib) }),
			state: ForecastFilling, full: now, text: "full now"},
		{name: "full after the horizon", samples: series(now, 10, 100*tib, func(h int) int64 { return tib + int64(h)*(1<<20) }),
			state: ForecastNotFilling, text: "not filling"},
		{name: "offline samples ignored", samples: append(append([]UsageSample(nil), linear...),
			UsageSample{At: now.Add(-30 * time.Minute)}), state: ForecastFilling, full: linearFull, tol: time.Minute},
		// The case seen: one sample with used larger than total made the
		// store "full in 0 s".
		{name: "used above total ignored", samples: append(append([]UsageSample(nil), linear...),
			UsageSample{At: now.Add(-30 * time.Minute), Used: 3 * tib, Total: 2 * tib}), state: ForecastFilling, full: linearFull, tol: time.Minute},
		{name: "used without a total ignored", samples: append(append([]UsageSample(nil), linear...),
			UsageSample{At: now.Add(-30 * time.Minute), Used: tib}), state: ForecastFilling, full: linearFull, tol: time.Minute},
		{name: "negative values ignored", samples: append(append([]UsageSample(nil), linear...),
			UsageSample{At: now.Add(-30 * time.Minute), Used: -1, Total: 2 * tib},
			UsageSample{At: now.Add(-20 * time.Minute), Used: tib, Total: -2 * tib}), state: ForecastFilling, full: linearFull, tol: time.Minute},
		// An impossible sample amid the run is no drop either: it would cut
		// the run to the samples after it.
		{name: "impossible sample mid-run is no drop", samples: append(append([]UsageSample(nil), linear...),
			UsageSample{At: now.Add(-10 * day), Used: 5 * tib, Total: 2 * tib}), state: ForecastFilling, full: linearFull, tol: time.Minute,
			since: now.Add(-20 * day), count: 481},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := ForecastFull(c.samples, now, month)
			if f.State != c.state {
				t.Fatalf("state %v, want %v (%+v)", f.State, c.state, f)
			}
			if (f.FullAt != nil) != (c.state == ForecastFilling) {
				t.Fatalf("FullAt %v with state %v", f.FullAt, f.State)
			}
			if f.FullAt != nil {
				if d := f.FullAt.Sub(c.full); d > c.tol || d < -c.tol {
					t.Errorf("full at %v, want %v ± %v (off by %v)", f.FullAt, c.full, c.tol, d)
				}
			}
			if !c.since.IsZero() && !f.Since.Equal(c.since) {
				t.Errorf("since %v, want %v", f.Since, c.since)
			}
			if c.count != 0 && f.Samples != c.count {
				t.Errorf("samples %d, want %d", f.Samples, c.count)
			}
			if c.text != "" {
				if got := f.String(now); got != c.text {
					t.Errorf("String = %q, want %q", got, c.text)
				}
			}
		})
	}
}

func TestUsageSamplePossible(t *testing.T) {
	cases := []struct {
		s    UsageSample
		want bool
	}{
		{UsageSample{Used: 0, Total: 10}, true},
		{UsageSample{Used: 10, Total: 10}, true}, // full is possible
		{UsageSample{Used: 11, Total: 10}, false},
		{UsageSample{Used: -1, Total: 10}, false},
		{UsageSample{Used: 0, Total: -10}, false},
		{UsageSample{Used: 1, Total: 0}, false},
		{UsageSample{}, false}, // an offline store's zeros
	}
	for _, c := range cases {
		if got := c.s.Possible(); got != c.want {
			t.Errorf("%+v: Possible = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestForecastRate(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	f := ForecastFull(series(now, 10, 2*tib, func(h int) int64 { return tib + int64(h)*(6*gib/24) }), now, 0)
	if want := float64(6 * gib); f.RatePerDay < want*0.999 || f.RatePerDay > want*1.001 {
		t.Errorf("rate %.0f B/d, want %.0f", f.RatePerDay, want)
	}
	shrink := ForecastFull(series(now, 10, 2*tib, func(h int) int64 { return tib - int64(h)*(50<<20) }), now, 0)
	if shrink.RatePerDay >= 0 {
		t.Errorf("shrinking rate %.0f, want negative", shrink.RatePerDay)
	}
}

// The line meets the latest total, not the total of older samples: a thin
// pool that grew from 1 to 2 TiB pushes the date out.
func TestForecastUsesLatestTotal(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	s := series(now, 10, tib, func(h int) int64 { return tib/2 + int64(h)*(gib/24) })
	s[len(s)-1].Total = 2 * tib
	f := ForecastFull(s, now, 0)
	left := float64(2*tib-s[len(s)-1].Used) / float64(gib) // days at 1 GiB/day
	want := now.Add(time.Duration(left * float64(24*time.Hour)))
	if f.FullAt == nil || f.FullAt.Sub(want).Abs() > time.Minute {
		t.Fatalf("full at %v, want %v", f.FullAt, want)
	}
}

// A small fall (noise, a deleted log file) is not a prune: the fit keeps the
// samples before it.
func TestForecastSmallFallIsNotADrop(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	s := series(now, 10, 2*tib, func(h int) int64 { return tib + int64(h)*(gib/24) })
	for i := 120; i < len(s); i++ {
		s[i].Used -= 512 << 20 // half a GiB, < 1 GiB and < 2 % of 2 TiB
	}
	if f := ForecastFull(s, now, 0); f.Samples != len(s) {
		t.Errorf("fitted %d samples, want all %d", f.Samples, len(s))
	}
	// On a small store 2 % is the smaller bound: 300 MiB of 10 GiB is a drop.
	small := series(now, 10, 10*gib, func(h int) int64 { return gib + int64(h)*(10<<20) })
	for i := 120; i < len(small); i++ {
		small[i].Used -= 300 << 20
	}
	if f := ForecastFull(small, now, 0); f.Samples != len(small)-120 {
		t.Errorf("fitted %d samples, want %d after the drop", f.Samples, len(small)-120)
	}
}

func TestForecastString(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	cases := []struct {
		f    Forecast
		want string
	}{
		{Forecast{State: ForecastFilling, FullAt: at(94*24*time.Hour + 3*time.Hour)}, "full in 94 d"},
		{Forecast{State: ForecastFilling, FullAt: at(23 * time.Hour)}, "full in < 1 d"},
		{Forecast{State: ForecastFilling, FullAt: at(0)}, "full now"},
		{Forecast{State: ForecastFilling, FullAt: at(-time.Hour)}, "full now"},
		{Forecast{State: ForecastNotFilling}, "not filling"},
		{Forecast{}, "not enough history"},
	}
	for _, c := range cases {
		if got := c.f.String(now); got != c.want {
			t.Errorf("%+v: %q, want %q", c.f, got, c.want)
		}
	}
}
