package ui

import (
	"strings"
	"testing"
)

// The dialogs at first use: what the operator types and what Enter does.

// The snapshot dialog proposes a name: typing replaces it.
func TestSnapshotNameTypedReplacesTheProposal(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	tm.run("s")
	tm.mustShow("backdeck-20261125-1422")
	tm.mustShow("typing replaces it")
	for _, k := range strings.Split("pre-upgrade", "") {
		tm.keys(k)
	}
	tm.run("enter")
	starts := tm.eng.Starts()
	if len(starts) != 1 || starts[0].Snapshot != "pre-upgrade" {
		t.Fatalf("starts %+v, want one snapshot named pre-upgrade", starts)
	}
}

// s, R and D say why they cannot act, in the operator's situation.
func TestSnapshotKeysSayWhyNot(t *testing.T) {
	cases := []struct {
		sel  string
		keys []string
		want string
	}{
		{"pve/qemu/100", []string{"s"}, "debiantpl is a template: PVE cannot snapshot templates (b backs it up)"},
		{"pve/qemu/100", []string{"tab", "R"}, "debiantpl is a template: PVE cannot snapshot templates, so it has none"},
		{"pve/qemu/411", []string{"tab", "R"}, "k3sserver01 has no snapshots (s takes one)"},
		{"pve/qemu/411", []string{"tab", "D"}, "k3sserver01 has no snapshots (s takes one)"},
		{"pve/qemu/411", []string{"R"}, "k3sserver01 has no snapshots (s takes one)"},
		{urbAgent01, []string{"s"}, "s snapshots a guest: select one in the tree"},
	}
	for _, c := range cases {
		t.Run(c.sel+" "+strings.Join(c.keys, " "), func(t *testing.T) {
			tm := newTestModel(t, 80, 24)
			tm.selectTarget(c.sel)
			tm.run(c.keys...)
			if tm.m.dialog() != nil {
				t.Fatalf("a dialog opened: %T", tm.m.dialog())
			}
			if got := tm.m.status.Text(); got != c.want {
				t.Fatalf("the status bar says %q, want %q", got, c.want)
			}
		})
	}
}
