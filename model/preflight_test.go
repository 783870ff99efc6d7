package model

import "testing"

func TestPreflightReadyAndStates(t *testing.T) {
	p := Preflight{Checks: []Check{{State: CheckPass}, {State: CheckWarn}, {State: CheckUnknown}}}
	if !p.Ready() {
		t.Error("warnings and unknowns are the operator's to weigh: ready")
	}
	p.Checks = append(p.Checks, Check{State: CheckFail})
	if p.Ready() {
		t.Error("a failed line: not ready")
	}
	for s, want := range map[CheckState]Status{CheckPass: StatusOK, CheckWarn: StatusWarning, CheckFail: StatusCritical, CheckUnknown: StatusUnknown, "": StatusUnknown} {
		if got := s.Status(); got != want {
			t.Errorf("%q reads as %s, want %s", s, got, want)
		}
	}
}
