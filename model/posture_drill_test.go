package model

import (
	"strings"
	"testing"
	"time"
)

func TestRateDrill(t *testing.T) {
	day := 24 * time.Hour
	drill := func(age time.Duration, ok bool) Drill {
		d := Drill{At: now.Add(-age), Point: "x", OK: ok}
		if !ok {
			d.Step = "config"
		}
		return d
	}
	base := func(drills ...Drill) TargetStatus {
		tg := guest("pve/qemu/421", "k3sagent01", 2*time.Hour)
		tg.Kind, tg.Drills = KindVM, drills
		return TargetStatus{Target: tg, Status: StatusOK, HasBackup: true, Reason: "last backup 2 h ago"}
	}
	for _, tc := range []struct {
		name   string
		ts     TargetStatus
		maxAge time.Duration
		want   Status
		reason string
	}{
		{"not rated", base(), 0, StatusOK, "last backup 2 h ago"},
		{"not rated, still said", base(drill(2*day, false), drill(40*day, true)), 0, StatusOK,
			"last backup 2 h ago; restore tested 40 d ago; the last restore drill, 2 d ago, failed at config"},
		{"never drilled", base(), 30 * day, StatusWarning, "restore never tested (drill_max_age 30 d): run backdeck drill pve/qemu/421"},
		{"recent pass", base(drill(12*day, true)), 30 * day, StatusOK, "; restore tested 12 d ago"},
		{"old pass", base(drill(40*day, true)), 30 * day, StatusWarning, "restore tested 40 d ago, past the drill max age of 30 d"},
		{"only failures", base(drill(2*day, false)), 30 * day, StatusWarning, "no restore drill passed; the last, 2 d ago, failed at config"},
		{"newer failure", base(drill(2*day, false), drill(10*day, true)), 30 * day, StatusWarning, "the last restore drill, 2 d ago, failed at config (the one before passed 10 d ago)"},
	} {
		got := rateDrill(tc.ts, tc.maxAge, now)
		if got.Status != tc.want || !strings.Contains(got.Reason, tc.reason) {
			t.Errorf("%s: %s %q, want %s with %q", tc.name, got.Status, got.Reason, tc.want, tc.reason)
		}
	}
	// A critical target stays critical; a template and a client are not rated.
	crit := base()
	crit.Status = StatusCritical
	if got := rateDrill(crit, 30*day, now); got.Status != StatusCritical {
		t.Errorf("critical became %s", got.Status)
	}
	tpl := base()
	tpl.Kind = KindTemplate
	if got := rateDrill(tpl, 30*day, now); got.Status != StatusOK || got.Reason != tpl.Reason {
		t.Errorf("a template is rated: %+v", got)
	}
}
