package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// vzdumpJob is a running vzdump of a guest of the seed, started ago.
func vzdumpJob(vmid int, name string, ago time.Duration) model.Job {
	return model.Job{
		ID: fmt.Sprintf("UPID:pve:%08X:vzdump:%d:", vmid, vmid), Target: fmt.Sprintf("pve/qemu/%d", vmid), Name: name,
		Method: model.MethodVzdump, Source: model.SourceProxmox, Node: "pve", State: model.JobRunning,
		Started: testNow.Add(-ago), Progress: model.UnknownProgress(),
	}
}

// jobEvents feeds jobs to the console as the engine sends them.
func (tm *testModel) jobEvents(jobs ...model.Job) {
	tm.t.Helper()
	evs := make([]model.Event, len(jobs))
	for i, j := range jobs {
		evs[i] = model.JobEvent{Job: j}
	}
	tm.send(eventsMsg{evs: evs})
}

// jobsLines are the jobs panel's lines on screen.
func (tm *testModel) jobsLines() []string {
	var out []string
	in := false
	for _, l := range strings.Split(tm.screen(), "\n") {
		switch {
		case strings.HasPrefix(l, "├ Jobs"):
			in = true
		case strings.HasPrefix(l, "├ "), strings.HasPrefix(l, "└"):
			in = false
		case in:
			out = append(out, l)
		}
	}
	return out
}

// At 80×24 the jobs panel has 4 lines: with more jobs, the new one is in
// view, and the hidden rows are announced.
func TestJobsPanelShowsNewJobsAndSaysWhatIsHidden(t *testing.T) {
	clock := testNow
	cases := []struct {
		name string
		// keys before the new job (tab tab focuses the jobs panel)
		keys  []string
		later time.Duration // how long after the keys the new job starts
		want  []string      // in the jobs panel
		cur   string        // the job under the cursor
	}{
		{"new job takes the cursor", nil, 0, []string{" bkpserver ", "… 2 older"}, "bkpserver"},
		{"the operator moved the cursor a moment ago", []string{"tab", "tab", "G"}, 10 * time.Second, []string{"… 2 newer", " k3sagent02 "}, "k3sagent02"},
		{"the operator moved it long ago", []string{"tab", "tab", "G"}, followPause, []string{" bkpserver ", "… 2 older"}, "bkpserver"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock = testNow
			tm := newTestModel(t, 80, 24, func(o *Options) { o.Now = func() time.Time { return clock } })
			// k3sagent02 runs already (the seed's); three more start
			tm.jobEvents(vzdumpJob(411, "k3sserver01", 20*time.Second), vzdumpJob(421, "k3sagent01", 15*time.Second), vzdumpJob(100, "debiantpl", 10*time.Second))
			tm.keys(c.keys...)
			clock = clock.Add(c.later)
			tm.jobEvents(vzdumpJob(431, "bkpserver", -c.later))
			lines := tm.jobsLines()
			if len(lines) != 4 {
				t.Fatalf("%d lines in the jobs panel, want 4:\n%s", len(lines), strings.Join(lines, "\n"))
			}
			for _, w := range c.want {
				if lineWith(lines, w) == "" {
					t.Errorf("the jobs panel does not show %q:\n%s", w, strings.Join(lines, "\n"))
				}
			}
			if j, _ := tm.m.jobs.Selected(); j.Name != c.cur {
				t.Errorf("the cursor is on %s, want %s", j.Name, c.cur)
			}
		})
	}
}

// x on a job whose row is out of view: once confirmed, the cursor goes to
// it, and its end shows without g.
func TestStoppedJobsEndShows(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.jobEvents(vzdumpJob(411, "k3sserver01", 20*time.Second), vzdumpJob(421, "k3sagent01", 15*time.Second),
		vzdumpJob(100, "debiantpl", 10*time.Second), vzdumpJob(431, "bkpserver", 5*time.Second))
	tm.keys("tab", "tab", "g", "esc") // the cursor on the newest job
	// the seed's k3sagent02, the oldest, is under "… 2 older"
	if lineWith(tm.jobsLines(), " k3sagent02 ") != "" {
		t.Fatalf("k3sagent02 shows before the test:\n%s", strings.Join(tm.jobsLines(), "\n"))
	}
	tm.selectTarget("pve/qemu/422")
	tm.run("x")
	if tm.m.dialog() == nil {
		t.Fatalf("x opened no dialog:\n%s", tm.screen())
	}
	tm.run("tab", "enter")
	agent02 := runningJob()
	if got := tm.eng.Stops(); len(got) != 1 || got[0] != agent02.ID {
		t.Fatalf("stops %v", got)
	}
	tm.mustShow("asked the server to stop")
	ended := agent02
	ended.State, ended.Ended = model.JobCancelled, testNow
	tm.jobEvents(ended)
	if l := lineWith(tm.jobsLines(), " k3sagent02 ", "cancelled"); l == "" {
		t.Fatalf("the cancelled job does not show:\n%s", strings.Join(tm.jobsLines(), "\n"))
	}
}

func TestListWindow(t *testing.T) {
	cases := []struct {
		n, h, cur, off int
		start, end     int
	}{
		{3, 4, 2, 0, 0, 3}, // all fit
		{5, 4, 0, 0, 0, 3}, // rows 0-2 and "… 2 older"
		{5, 4, 3, 0, 2, 5}, // "… 2 newer", rows 2-4
		{5, 4, 4, 0, 2, 5}, // the last row
		{9, 4, 4, 0, 3, 5}, // "… 3 newer", rows 3 and 4, "… 4 older"
		{9, 4, 4, 4, 4, 6}, // the window stays where it was
		{9, 4, 1, 1, 0, 3}, // "… 1 newer" would hide the one row above
		{5, 4, 2, 4, 2, 5}, // no blank lines at the end
		{9, 1, 5, 0, 5, 6}, // no room for a marker
		{0, 4, 0, 0, 0, 0}, // nothing
		{4, 0, 0, 0, 0, 4}, // no lines: the lines cut it
		{6, 3, 5, 0, 4, 6}, // "… 4 newer", rows 4 and 5
		{6, 3, 2, 0, 2, 3}, // "… 2 newer", row 2, "… 3 older"
		{6, 3, 0, 3, 0, 2}, // back to the top
	}
	for _, c := range cases {
		start, end := listWindow(c.n, c.h, c.cur, c.off)
		if start != c.start || end != c.end {
			t.Errorf("listWindow(%d, %d, %d, %d) = %d, %d; want %d, %d", c.n, c.h, c.cur, c.off, start, end, c.start, c.end)
		}
	}
}

// A failed verification: its row keeps the disk and the date; enter on it
// (the tree filtered to something else) opens the disk with the damaged
// image under the cursor and every problem in full; L lists the failure.
func TestFailedVerificationOpensTheDamagedImage(t *testing.T) {
	tm := onHostPosture(t, 80, 24)
	img := ssdImage(1) // damaged: 2 problems
	failed := model.Job{
		ID: "verify-2", Target: diskSSD, Name: imageName(img), Method: model.MethodVerify, Source: model.SourceClonezilla,
		Point: img.ID, State: model.JobFailed, Started: testNow.Add(-time.Minute), Ended: testNow,
		Message:      "level 3: 2 problems in 2 files: " + img.Verified.Problems[0],
		Verification: img.Verified,
	}
	tm.keys("/", "k", "3", "s", "enter")
	tm.jobEvents(failed)
	if l := lineWith(tm.jobsLines(), "verify   pve-ssd 10-31 ", "failed: level 3"); l == "" {
		t.Fatalf("the failed verification's row:\n%s", strings.Join(tm.jobsLines(), "\n"))
	}
	tm.keys("tab", "tab", "j")
	if j, _ := tm.m.jobs.Selected(); j.ID != failed.ID {
		t.Fatalf("the cursor is on %s", j.ID)
	}
	tm.run("enter")
	if _, sel := tm.m.tree.Selected(); sel == nil || sel.ID != diskSSD {
		t.Fatalf("enter selected %v, want %s", sel, diskSSD)
	}
	if tm.m.filter.Applied() {
		t.Error("the filter that hid the disk is still applied")
	}
	if rp, _ := tm.m.detail.SelectedPoint(); rp.ID != img.ID {
		t.Errorf("the image under the cursor is %s, want %s", rp.ID, img.ID)
	}
	d, ok := tm.m.dialog().(*noticeDialog)
	if !ok {
		t.Fatalf("enter opened no notice:\n%s", tm.screen())
	}
	tm.mustShow("pve-pve-ssd-2026-10-31 is damaged")
	for _, p := range img.Verified.Problems {
		if !strings.Contains(d.text, p) {
			t.Errorf("the notice lacks %q:\n%s", p, d.text)
		}
	}
	tm.keys("esc")
	if tm.m.dialog() != nil || tm.m.focus != focusDetail {
		t.Fatalf("esc: dialog %v, focus %v", tm.m.dialog(), tm.m.focus)
	}
	tm.mustShow("› 10-31")
	tm.keys("L")
	tm.mustShow("verification of pve-pve-ssd-2026-10-31 failed:")
	tm.mustShow("SHA1SUMS: pve-root.ext4-ptcl-img.zst.aa listed")
	// enter on the damaged image in the pane shows it again
	tm.keys("esc", "enter")
	if _, ok := tm.m.dialog().(*noticeDialog); !ok {
		t.Fatalf("enter on the damaged image opened nothing:\n%s", tm.screen())
	}
}

// A notice taller than the screen keeps its button and says what it cut.
func TestTallNoticeFits(t *testing.T) {
	tm := onHostPosture(t, 80, 24)
	img := ssdImage(1)
	v := *img.Verified
	v.Problems = nil
	for i := range 40 {
		v.Problems = append(v.Problems, fmt.Sprintf("sda%d.ext4-ptcl-img.zst.aa: partclone CRC mismatch", i))
	}
	img.Verified = &v
	tm.m.openProblems(img)
	tm.mustShow("[ OK ]")
	tm.mustShow("more lines: a taller terminal shows them")
	if n := len(strings.Split(tm.screen(), "\n")); n != 24 {
		t.Fatalf("%d lines", n)
	}
}
