package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// detailText is the detail pane's lines, ANSI stripped and trimmed.
func (tm *testModel) detailText() []string {
	tm.t.Helper()
	tm.m.View()
	var out []string
	for _, l := range tm.m.detail.cache {
		out = append(out, strings.TrimSpace(ansiStrip(l)))
	}
	return out
}

// guestPane is the detail's pane, which must be a guest's.
func (tm *testModel) guestPane() *guestPane {
	tm.t.Helper()
	g, ok := tm.m.detail.pane.(*guestPane)
	if !ok {
		tm.t.Fatalf("the detail shows %T, not a guest's pane", tm.m.detail.pane)
	}
	return g
}

func indexOf(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}

// onAgent01After is a console on k3sagent01 just after a backup: 14
// restore points, the newest 5 s old.
func onAgent01After(t *testing.T, w, h int, snaps []model.Snapshot) *testModel {
	t.Helper()
	tm := newTestModel(t, w, h)
	tm.eng.snaps[agent01] = snaps
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: afterBackupPosture()}}})
	tm.run("j", "j", "j", "j")
	if _, sel := tm.m.tree.Selected(); sel == nil || sel.ID != agent01 {
		t.Fatalf("selected %v, want %s", sel, agent01)
	}
	return tm
}

// TestDetailKeepsSummaryAndNewestPoint: whatever the size and the number
// of jobs, the title and summary are at the top, the newest restore point
// shows right under its title, the selected snapshot is in view, and the
// actions line is the last line.
func TestDetailKeepsSummaryAndNewestPoint(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {80, 30}, {100, 30}, {120, 40}, {160, 48}} {
		for _, extraJobs := range []int{0, 4} {
			t.Run(fmt.Sprintf("%dx%d_%djobs", sz[0], sz[1], extraJobs), func(t *testing.T) {
				tm := onAgent01After(t, sz[0], sz[1], oneSnapshot())
				for i := range extraJobs {
					j := runningJob()
					j.ID, j.Target, j.Name = fmt.Sprintf("extra%d", i), agent01, "k3sagent01"
					tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
				}
				lines := tm.detailText()
				if !strings.HasPrefix(lines[0], "k3sagent01 · VM 421") {
					t.Fatalf("first line %q is not the title:\n%s", lines[0], strings.Join(lines, "\n"))
				}
				for i, want := range []string{"last backup  5 s ago", "max age      26 h", "why          last backup 5 s ago"} {
					if !strings.HasPrefix(lines[i+1], want) {
						t.Fatalf("line %d is %q, want %q:\n%s", i+1, lines[i+1], want, strings.Join(lines, "\n"))
					}
				}
				rp := indexOf(lines, "Restore points (14,")
				if rp < 0 {
					t.Fatalf("no restore points title:\n%s", strings.Join(lines, "\n"))
				}
				newest := rp + 1
				if strings.HasPrefix(lines[newest], "age") {
					newest++
				}
				if !strings.HasPrefix(lines[newest], "5 s ") {
					t.Fatalf("the newest restore point is not first: %q\n%s", lines[newest], strings.Join(lines, "\n"))
				}
				if indexOf(lines, "› pre-upgrade") < 0 {
					t.Fatalf("the selected snapshot is not shown:\n%s", strings.Join(lines, "\n"))
				}
				last := lines[len(lines)-1]
				if extraJobs > 0 {
					last = lines[len(lines)-2] + "  " + last
				}
				if !strings.Contains(last, "b backup  s snapshot  R rollback  D delete") {
					t.Fatalf("the actions are not at the bottom: %q\n%s", last, strings.Join(lines, "\n"))
				}
				if extraJobs > 0 && !strings.HasSuffix(last, "x stop") {
					t.Fatalf("x stop missing while jobs run: %q", last)
				}
				shown := 0
				for _, l := range lines {
					if strings.HasSuffix(l, "k3sagent01") && strings.Contains(l, "GiB") {
						shown++
					}
				}
				older := indexOf(lines, "… ")
				switch {
				case shown < 14 && older < 0:
					t.Fatalf("%d of 14 points shown and no \"… N older\":\n%s", shown, strings.Join(lines, "\n"))
				case shown < 14 && lines[older] != fmt.Sprintf("… %d older", 14-shown):
					t.Fatalf("%q, want \"… %d older\"", lines[older], 14-shown)
				case shown == 14 && older >= 0:
					t.Fatalf("all points shown and %q", lines[older])
				}
			})
		}
	}
}

func TestDetailActionsNeedASnapshot(t *testing.T) {
	tm := onAgent01After(t, 80, 24, nil)
	lines := tm.detailText()
	if last := lines[len(lines)-1]; last != "b backup  s snapshot" {
		t.Fatalf("actions %q with no snapshot, want b and s only", last)
	}
	tm.run("R")
	if tm.m.dialog() != nil {
		t.Fatal("R opened a dialog with no snapshot")
	}
	tm.mustShow("k3sagent01 has no snapshots (s takes one)")

	// R and D show with a snapshot: the guest offers them
	tm = onAgent01After(t, 80, 24, oneSnapshot())
	tm.mustShow("R rollback  D delete")
	tm.run("R")
	if _, ok := tm.m.dialog().(*rollbackDialog); !ok {
		t.Fatalf("R opened %T, want the confirmation", tm.m.dialog())
	}
	tm.keys("esc", "D")
	if _, ok := tm.m.dialog().(*confirmDialog); !ok {
		t.Fatalf("D opened %T, want the confirmation", tm.m.dialog())
	}
	tm.mustShow("Type pre-upgrade to enable Confirm")

	// a template has no snapshots: no R or D
	tm = newTestModel(t, 80, 24)
	tm.run("j") // debiantpl
	tm.mustShow("b backup")
	tm.mustNotShow("R rollback")

	// a guest whose source offers no rollback or deletion: no R or D, and
	// the keys only explain, snapshots or not (the console adds nothing to
	// what the source offers)
	p := afterBackupPosture()
	for i := range p.Concerns[0].Targets {
		if ts := &p.Concerns[0].Targets[i]; ts.ID == agent01 {
			ts.Methods = []model.Method{model.MethodVzdump, model.MethodSnapshot}
		}
	}
	tm = newTestModel(t, 80, 24)
	tm.eng.snaps[agent01] = oneSnapshot()
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.selectTarget(agent01)
	if last := tm.detailText(); last[len(last)-1] != "b backup  s snapshot" {
		t.Fatalf("actions %q without rollback and deletion offered, want b and s only", last[len(last)-1])
	}
	tm.run("R")
	tm.mustShow("rollback needs a guest with snapshots")
	tm.run("D")
	if d := tm.m.dialog(); d != nil {
		t.Fatalf("D opened %T on a guest that offers no deletion", d)
	}
}

// TestDetailScrolling: with the focus on the pane, ] and [ (pgdn, pgup)
// scroll the restore points; j/k move the snapshot cursor when there are
// snapshots and scroll the restore points when there are none.
func TestDetailScrolling(t *testing.T) {
	// 27 lines: room for the calendar strip and pages of four restore points
	tm := onAgent01After(t, 80, 27, oneSnapshot())
	tm.keys("enter") // focus the detail
	tm.detailText()
	tm.keys("]") // a page: the next point after those shown comes first
	lines := tm.detailText()
	if indexOf(lines, "… 4 newer") < 0 || indexOf(lines, "5 s ") >= 0 || indexOf(lines, "4 d ") < 0 {
		t.Fatalf("] did not page past the 4 newest points:\n%s", strings.Join(lines, "\n"))
	}
	tm.keys("pgdown", "pgdown", "pgdown", "pgdown")
	lines = tm.detailText()
	if indexOf(lines, "49 d ") < 0 || indexOf(lines, "… ") < 0 || strings.Contains(strings.Join(lines, "\n"), "older") {
		t.Fatalf("paging down does not end on the oldest point:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.HasPrefix(lines[0], "k3sagent01") || !strings.HasPrefix(lines[1], "last backup") {
		t.Fatal("scrolling moved the summary")
	}
	tm.keys("[", "[", "[", "[", "[", "pgup")
	lines = tm.detailText()
	if indexOf(lines, "5 s ") < 0 || indexOf(lines, "… 10 older") < 0 {
		t.Fatalf("[ did not come back to the newest:\n%s", strings.Join(lines, "\n"))
	}
	// j/k with a snapshot move its cursor, not the restore points
	tm.keys("j", "j")
	if g := tm.guestPane(); g.rpOffset != 0 || g.cursor != 0 {
		t.Fatalf("j with one snapshot: rpOffset %d cursor %d", g.rpOffset, g.cursor)
	}

	// no snapshots: j/k scroll the restore points
	tm = onAgent01After(t, 80, 24, nil)
	tm.keys("enter")
	tm.detailText()
	tm.keys("j")
	if lines := tm.detailText(); indexOf(lines, "… 2 newer") < 0 {
		t.Fatalf("j without snapshots did not scroll:\n%s", strings.Join(lines, "\n"))
	}
	tm.keys("k")
	if lines := tm.detailText(); indexOf(lines, "5 s ") < 0 {
		t.Fatalf("k did not scroll back:\n%s", strings.Join(lines, "\n"))
	}

	// another guest starts at the top again
	tm.keys("]", "esc", "j", "k")
	if tm.guestPane().rpOffset != 0 {
		t.Fatal("the scroll survived a change of selection")
	}
}

// TestDetailSnapshotCursorStaysInView: with more snapshots than fit, the
// selected one is always shown.
func TestDetailSnapshotCursorStaysInView(t *testing.T) {
	var snaps []model.Snapshot
	for i := range 12 {
		snaps = append(snaps, model.Snapshot{Name: fmt.Sprintf("snap%02d", i), Time: testNow.Add(-time.Duration(i+1) * time.Hour)})
	}
	tm := onAgent01After(t, 80, 24, snaps)
	tm.keys("enter")
	for i := range 12 {
		lines := tm.detailText()
		if indexOf(lines, fmt.Sprintf("› snap%02d", i)) < 0 {
			t.Fatalf("snapshot %d selected but not shown:\n%s", i, strings.Join(lines, "\n"))
		}
		if indexOf(lines, "5 s ") < 0 || indexOf(lines, "last backup") < 0 {
			t.Fatalf("moving the snapshot cursor hid the summary or the newest point:\n%s", strings.Join(lines, "\n"))
		}
		tm.keys("j")
	}
	tm.keys("g")
	if lines := tm.detailText(); indexOf(lines, "› snap00") < 0 {
		t.Fatal("g did not go back to the newest snapshot")
	}
	tm.run("D")
	tm.mustShow("Type snap00")
}

// TestDetailKeysInTheFooterAndHelp: the scheme is in the footer and the ?
// overlay.
func TestDetailKeysInTheFooterAndHelp(t *testing.T) {
	tm := onAgent01After(t, 160, 48, oneSnapshot())
	tm.keys("enter")
	tm.mustShow("↓/j snapshot")
	tm.mustShow("pgdn/] older points")
	tm.keys("?")
	for _, s := range []string{"older/newer snapshot", "older/newer restore pts (pgdn/pgup)", "j/k scroll the restore points of a guest without snapshots"} {
		tm.mustShow(s)
	}
	tm.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	tm.mustShow("older/newer restore pts")
	tm.mustShow("Destructive actions ask first") // the overlay fits at 80×24
}
