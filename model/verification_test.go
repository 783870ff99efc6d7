package model

import (
	"testing"
	"time"
)

func TestVerificationVerdict(t *testing.T) {
	day := 24 * time.Hour
	at := func(d int) time.Time { return now.Add(time.Duration(d) * day) }
	pass := func(d, level int, stamp string) Verification {
		return Verification{At: at(d), Level: level, OK: true, Stamp: stamp}
	}
	fail := func(d, level int, stamp string) Verification {
		return Verification{At: at(d), Level: level, Problems: []string{"sda1.ext4-ptcl-img.zst.aa: CRC mismatch"}, Stamp: stamp}
	}
	cases := []struct {
		name   string
		checks []Verification
		stamp  string
		want   *Verification // nil: no verdict
	}{
		{"never checked", nil, "s1", nil},
		{"one pass", []Verification{pass(0, 2, "s1")}, "s1", &Verification{At: at(0), Level: 2, OK: true}},
		{"newest pass wins over older pass", []Verification{pass(0, 3, ""), pass(1, 1, "")}, "", &Verification{At: at(1), Level: 1, OK: true}},
		// The case seen: a level-3 check found damage, a level-2 one passed
		// after it; the image was called whole.
		{"weaker pass keeps level-3 damage", []Verification{fail(0, 3, "s1"), pass(1, 2, "s1")}, "s1", &Verification{At: at(0), Level: 3}},
		{"level-1 pass keeps level-2 damage", []Verification{fail(0, 2, ""), pass(1, 1, "")}, "", &Verification{At: at(0), Level: 2}},
		{"as deep a pass clears damage", []Verification{fail(0, 3, "s1"), pass(1, 2, "s1"), pass(2, 3, "s1")}, "s1", &Verification{At: at(2), Level: 3, OK: true}},
		{"a deeper pass clears damage", []Verification{fail(0, 1, ""), pass(1, 3, "")}, "", &Verification{At: at(1), Level: 3, OK: true}},
		{"a pass before the damage does not clear it", []Verification{pass(0, 3, ""), fail(1, 3, "")}, "", &Verification{At: at(1), Level: 3}},
		{"order is by time, not by position", []Verification{pass(2, 2, ""), fail(0, 3, "")}, "", &Verification{At: at(0), Level: 3}},
		{"newer shallow damage under deep damage keeps the deep one", []Verification{fail(0, 3, ""), fail(1, 1, ""), pass(2, 2, "")}, "", &Verification{At: at(0), Level: 3}},
		{"newer damage as deep replaces older", []Verification{fail(0, 2, ""), fail(1, 3, "")}, "", &Verification{At: at(1), Level: 3}},
		// The image changed since the damaging check (saved again in place):
		// that check says nothing of it now.
		{"damage of other content is ignored", []Verification{fail(0, 3, "s1"), pass(1, 1, "s2")}, "s2", &Verification{At: at(1), Level: 1, OK: true}},
		{"only checks of other content", []Verification{fail(0, 3, "s1")}, "s2", nil},
		{"a pass of other content does not clear damage", []Verification{fail(0, 3, "s2"), pass(1, 3, "s1")}, "s2", &Verification{At: at(0), Level: 3}},
		// Rows from before stamps were kept have none: they count.
		{"old rows without a stamp count", []Verification{fail(0, 3, ""), pass(1, 2, "s2")}, "s2", &Verification{At: at(0), Level: 3}},
		{"point without a stamp counts every check", []Verification{fail(0, 3, "s1"), pass(1, 2, "s2")}, "", &Verification{At: at(0), Level: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := VerificationVerdict(c.checks, c.stamp)
			switch {
			case c.want == nil && got != nil:
				t.Fatalf("verdict %+v, want none", *got)
			case c.want == nil:
				return
			case got == nil:
				t.Fatalf("no verdict, want %+v", *c.want)
			}
			if !got.At.Equal(c.want.At) || got.Level != c.want.Level || got.OK != c.want.OK {
				t.Fatalf("verdict at %s level %d ok %v, want at %s level %d ok %v",
					got.At.Format(time.DateOnly), got.Level, got.OK, c.want.At.Format(time.DateOnly), c.want.Level, c.want.OK)
			}
			if !got.OK && len(got.Problems) == 0 {
				t.Fatal("a damaged verdict lost its problems")
			}
		})
	}
}

// The verdict is a copy: changing it leaves the checks as they were.
func TestVerificationVerdictCopies(t *testing.T) {
	checks := []Verification{{At: now, Level: 3, Problems: []string{"a"}}}
	v := VerificationVerdict(checks, "")
	v.Problems[0] = "changed"
	if checks[0].Problems[0] != "a" {
		t.Fatal("the verdict shares its problems with the checks")
	}
}
