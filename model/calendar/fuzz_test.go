package calendar

import (
	"testing"
	"time"
)

// FuzzEvent checks that no schedule string makes Parse or Next panic or
// hang, and that a next run is always after the time it was asked from.
func FuzzEvent(f *testing.F) {
	for _, s := range []string{"mon..fri 02:30", "*/2:00", "sat 14:20", "monthly", "daily", "hourly", "weekly", "02:30",
		"1/12:0/15", "2020-7..9-2/2", "1965/5-01-01", "fri..mon *:*:*", "02-30", "*-*-31 23:59:59 UTC", "4..10/2:0"} {
		f.Add(s, int64(1796000000))
	}
	vienna, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string, at int64) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		from := time.Unix(at%(1<<34), 0).In(vienna)
		if n, ok := e.Next(from); ok && !n.After(from) {
			t.Fatalf("%q after %s: %s is not later", s, from, n)
		}
		e.Runs(from, from.AddDate(0, 0, 7), 20)
	})
}
