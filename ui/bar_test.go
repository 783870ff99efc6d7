package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/theme"
)

func TestBars(t *testing.T) {
	th := theme.New(false)
	c := &common{theme: th, bars: newBarSet(th, false)}
	cases := []struct {
		name string
		got  string
		want string // stripped
		sgr  string // the fill's colour code
	}{
		{"job 45%", c.jobBar(0.45, 11), "█████░░░░░░  45%", "\x1b[36m"},
		{"usage ok 61%", c.usageBar(0.61, 10, model.StatusOK), "██████░░░░  61%", "\x1b[32m"},
		{"usage warn 75%", c.usageBar(0.75, 10, model.StatusWarning), "████████░░  75%", "\x1b[33m"},
		{"usage critical 95%", c.usageBar(0.95, 10, model.StatusCritical), "██████████  95%", "\x1b[91m"},
		{"empty", c.jobBar(0, 6), "░░░░░░   0%", ""},
		{"full", c.jobBar(1, 6), "██████ 100%", "\x1b[36m"},
		{"over and under", c.jobBar(1.7, 4) + c.jobBar(-1, 4), "████ 100%░░░░   0%", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ansi.Strip(tc.got); got != tc.want {
				t.Fatalf("%q, want %q", got, tc.want)
			}
			if tc.sgr != "" && !strings.Contains(tc.got, tc.sgr) {
				t.Fatalf("%q has no %q", tc.got, tc.sgr)
			}
		})
	}
	if got := c.jobBar(0.5, 0); got != "" {
		t.Fatalf("a bar of no width drew %q", got)
	}

	mono := theme.New(true)
	c = &common{theme: mono, bars: newBarSet(mono, true)}
	for _, st := range []model.Status{model.StatusOK, model.StatusWarning, model.StatusCritical, model.StatusUnknown} {
		got := c.usageBar(0.5, 8, st)
		if got != "####....  50%" {
			t.Fatalf("NoColor ASCII bar %q, want no escape codes at all", got)
		}
	}
}
