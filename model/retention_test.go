package model

import (
	"reflect"
	"testing"
	"time"
)

func TestImageRetention(t *testing.T) {
	day := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	whole := &Verification{Level: 3, OK: true}
	damaged := &Verification{Level: 3, Problems: []string{"x"}}
	pts := func(vs map[string]*Verification, dates ...string) []RestorePoint {
		var out []RestorePoint
		for _, d := range dates {
			out = append(out, RestorePoint{ID: d, Time: day(d), Verified: vs[d]})
		}
		return out
	}
	// Not in order on purpose: the rules sort.
	images := pts(nil, "2026-09-01", "2026-11-19", "2026-11-01", "2026-10-01", "2026-08-01", "2026-10-15")
	cases := []struct {
		name        string
		points      []RestorePoint
		last, month int
		kept        []string
	}{
		{"no rule keeps all", images, 0, 0, []string{"2026-11-19", "2026-11-01", "2026-10-15", "2026-10-01", "2026-09-01", "2026-08-01"}},
		{"last 2", images, 2, 0, []string{"2026-11-19", "2026-11-01"}},
		{"monthly 3", images, 0, 3, []string{"2026-11-19", "2026-10-15", "2026-09-01"}},
		{"last 1 and monthly 2", images, 1, 2, []string{"2026-11-19", "2026-10-15"}},
		{"more rules than images", images, 10, 10, []string{"2026-11-19", "2026-11-01", "2026-10-15", "2026-10-01", "2026-09-01", "2026-08-01"}},
		{"the newest whole image survives damaged newer ones",
			pts(map[string]*Verification{"2026-11-19": damaged, "2026-11-01": damaged, "2026-10-15": whole}, "2026-11-19", "2026-11-01", "2026-10-15", "2026-10-01"),
			1, 0, []string{"2026-11-19", "2026-10-15"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var kept []string
			marks := ImageRetention(c.points, c.last, c.month)
			for _, m := range marks {
				if m.Keep {
					kept = append(kept, m.Point.ID)
					if len(m.Reasons) == 0 {
						t.Errorf("%s kept without a reason", m.Point.ID)
					}
				} else if len(m.Reasons) != 0 {
					t.Errorf("%s removed with reasons %v", m.Point.ID, m.Reasons)
				}
			}
			if !reflect.DeepEqual(kept, c.kept) {
				t.Errorf("kept %v, want %v", kept, c.kept)
			}
			if len(marks) != len(c.points) {
				t.Errorf("%d marks for %d images", len(marks), len(c.points))
			}
		})
	}
}
