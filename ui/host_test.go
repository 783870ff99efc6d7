package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/backdeck/backdeck/model"
)

// onHostPosture is a console showing the posture with the host platform,
// the engine's preflight answer set to hostPreflight.
func onHostPosture(t *testing.T, w, h int, opts ...func(*Options)) *testModel {
	t.Helper()
	tm := newTestModel(t, w, h, opts...)
	tm.eng.preflight = hostPreflight()
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: hostPosture()}}})
	return tm
}

func TestHostViewGolden(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		sel  string // a target selected before the keys
		keys []string
	}{
		// pve-ssd: its three images, the newest selected; no preflight yet
		{"80x24_disk", 80, 24, diskSSD, nil},
		{"160x48_disk", 160, 48, diskSSD, nil},
		// the detail focused, the cursor on the damaged image: its problems
		{"80x24_disk_damaged", 80, 24, diskSSD, []string{"enter", "j"}},
		{"160x48_disk_damaged", 160, 48, diskSSD, []string{"enter", "j"}},
		// the preflight in short in the disk's pane
		{"80x24_disk_preflight", 80, 24, diskSSD, []string{"p"}},
		{"160x48_disk_preflight", 160, 48, diskSSD, []string{"p"}},
		// the host concern: its disks and the hint, then the preflight
		{"80x24_host", 80, 24, "", []string{"g"}},
		{"80x24_host_preflight", 80, 24, "", []string{"g", "p"}},
		{"160x48_host_preflight", 160, 48, "", []string{"g", "p"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm := onHostPosture(t, c.w, c.h)
			if c.sel != "" {
				tm.selectTarget(c.sel)
			}
			for _, k := range c.keys {
				tm.run(k)
			}
			out := ansi.Strip(tm.m.View().Content)
			lines := strings.Split(out, "\n")
			if len(lines) != c.h {
				t.Fatalf("%d lines, want %d", len(lines), c.h)
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != c.w {
					t.Errorf("line %d is %d cells wide, want %d: %q", i, w, c.w, l)
				}
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

func ssdImage(i int) model.RestorePoint { return hostConcern().Targets[0].RestorePoints[i] }
func hddImage(i int) model.RestorePoint { return hostConcern().Targets[1].RestorePoints[i] }

func TestVerifyStartsOnChosenImage(t *testing.T) {
	cases := []struct {
		name string
		sel  string
		keys []string
		want string // the image's path; "" when nothing may start
	}{
		{"tree focus: the newest", diskSSD, nil, ssdImage(0).ID},
		{"cursor on the damaged one", diskSSD, []string{"enter", "j"}, ssdImage(1).ID},
		{"cursor past the oldest stays on it", diskSSD, []string{"enter", "j", "j", "j", "j"}, ssdImage(2).ID},
		{"G then k", diskSSD, []string{"enter", "G", "k"}, ssdImage(1).ID},
		{"chosen, then back to the tree", diskSSD, []string{"enter", "j", "j", "esc"}, ssdImage(2).ID},
		{"pgdn pages through the images", diskSSD, []string{"enter", "pgdown"}, ssdImage(2).ID},
		{"another disk: its newest", diskHDD, nil, hddImage(0).ID},
		{"the host concern: nothing", "", []string{"g"}, ""},
		{"a guest: nothing", agent01, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm := onHostPosture(t, 80, 24)
			if c.sel != "" {
				tm.selectTarget(c.sel)
			}
			for _, k := range c.keys {
				tm.run(k)
				tm.m.View() // a page is what the last frame showed
			}
			tm.run("v")
			starts := tm.eng.Starts()
			if c.want == "" {
				if len(starts) != 0 {
					t.Fatalf("v started %+v", starts)
				}
				tm.mustShow("v verifies a Clonezilla image")
				return
			}
			if len(starts) != 1 {
				t.Fatalf("%d starts, want 1", len(starts))
			}
			want := model.JobRequest{Target: c.sel, Method: model.MethodVerify, Point: c.want, Level: 3}
			if got := starts[0]; got.Target != want.Target || got.Method != want.Method || got.Point != want.Point || got.Level != want.Level {
				t.Fatalf("Start(%+v), want %+v", got, want)
			}
			if tm.m.dialog() != nil {
				t.Fatalf("a verification asked first: dialog %T", tm.m.dialog())
			}
			if !tm.m.jobs.Has("job-" + c.sel) {
				t.Fatal("the started verification is not listed")
			}
		})
	}
}

func TestVerifyKeepsTheChosenImageAcrossPostures(t *testing.T) {
	tm := onHostPosture(t, 80, 24)
	tm.selectTarget(diskSSD)
	tm.keys("enter", "j") // the damaged image
	// a new image arrives at the top: the cursor stays on its image
	p := hostPosture()
	ssd := &p.Concerns[0].Targets[0]
	ssd.RestorePoints = append([]model.RestorePoint{image("pve-ssd", time.Hour, 62*GiB, ssdNotes, nil)}, ssd.RestorePoints...)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.run("v")
	if starts := tm.eng.Starts(); len(starts) != 1 || starts[0].Point != ssdImage(1).ID {
		t.Fatalf("starts %+v, want the damaged image %s", starts, ssdImage(1).ID)
	}
}

func TestVerifyErrorsAndRepeats(t *testing.T) {
	tm := onHostPosture(t, 80, 24)
	tm.selectTarget(diskSSD)
	tm.eng.startFn = func(model.JobRequest) (model.Job, error) {
		return model.Job{}, errors.New("image directory /mnt/cz-images is not there: plug in and mount the image drive")
	}
	tm.run("v")
	if _, ok := tm.m.dialog().(*noticeDialog); !ok {
		t.Fatalf("no notice of the failure, dialog %T", tm.m.dialog())
	}
	tm.mustShow("Cannot start the verification of pve-pve-ssd-2026-11-23")
	tm.mustShow("✗ clonezilla: cannot start the verification")
	if tm.m.log.Len() != 1 {
		t.Fatal("the error is not in the log")
	}
	tm.keys("esc")

	// once started, v on the same image says so instead of starting again
	tm.eng.startFn = nil
	tm.run("v")
	tm.run("v")
	if n := len(tm.eng.Starts()); n != 2 { // the failed one and the started one
		t.Fatalf("%d starts, want 2", n)
	}
	tm.mustShow("is being verified already")
}

// verifyJob is the verification of pve-ssd's newest image at 45 %, as the
// Clonezilla source reports it.
func verifyJob() model.Job {
	img := ssdImage(0)
	return model.Job{
		ID: "verify-1-pve-pve-ssd-2026-11-23", Target: diskSSD, Name: imageName(img), Method: model.MethodVerify,
		Source: model.SourceClonezilla, TaskID: img.ID, Point: img.ID, State: model.JobRunning, Started: testNow.Add(-20 * time.Second),
		Progress: model.Progress{
			Percent: 45, DoneBytes: 27 * GiB, TotalBytes: 60 * GiB, ReadBytesPerS: float64(1380 * MiB), WriteBytesPerS: -1,
			ETA: 25 * time.Second, ETAKnown: true, LastLine: "verifying nvme0n1p3.ext4-ptcl-img.zst.ab",
		},
	}
}

func TestVerifyJobInTheJobsPanel(t *testing.T) {
	for _, w := range []int{80, 160} {
		tm := onHostPosture(t, w, 24)
		tm.selectTarget(diskSSD)
		j := verifyJob()
		tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
		tm.mustShow("⟳ verify")
		tm.mustShow("27.0/60.0 GiB")
		tm.mustShow("1.3 GiB/s")
		tm.mustShow("45%")
		// the disk and the date, which tell images apart, stay
		if w == 80 {
			tm.mustShow("⟳ verify   pve-ssd 11-23 ")
		} else {
			tm.mustShow("⟳ verify   pve-ssd 2026-11-23 ")
			tm.mustShow("verifying nvme0n1p3.ext4-ptcl")
		}
		// the image's row and the summary say it is being verified
		tm.mustShow("⟳ verifying 45%")
		tm.mustShow("job             ⟳ verify running 45%")

		ok := j
		ok.State, ok.Ended, ok.Message = model.JobSucceeded, testNow, "whole (level 3, 60.0 GiB read in 43.5s)"
		tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: ok}}})
		tm.mustShow("succeeded: whole (level 3")

		bad := j
		bad.ID, bad.State, bad.Ended = "verify-2", model.JobFailed, testNow
		bad.Message = "level 3: 2 problems in 2 files: " + firstDamage
		tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: bad}}})
		tm.mustShow("failed: level 3: 2 problems")
	}
}

func TestPreflightKey(t *testing.T) {
	cases := []struct {
		name  string
		sel   string
		keys  []string
		err   error
		calls int
		shows []string
	}{
		{"host concern", "", []string{"g"}, nil, 1, []string{"Imaging preflight · ran 2 min ago", "✗ not ready: 1 check failed", "✗ fail    disk pve-hdd: no disk with serial"}},
		{"disk", diskSSD, nil, nil, 1, []string{"preflight       ✗ not ready: 1 check failed"}},
		{"host concern, error", "", []string{"g"}, errors.New("no [clonezilla] section in the config: nothing to prepare"), 1, []string{"✗ could not check: no [clonezilla] section", "in the config: nothing to prepare"}},
		{"disk, error", diskSSD, nil, errors.New("lsblk: exit status 1"), 1, []string{"✗ could not check: lsblk"}},
		{"guest", agent01, nil, nil, 0, []string{"p checks the host for the next imaging run"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm := onHostPosture(t, 80, 24)
			tm.eng.preflightErr = c.err
			if c.sel != "" {
				tm.selectTarget(c.sel)
			}
			tm.run(c.keys...)
			tm.run("p")
			if tm.eng.preflights != c.calls {
				t.Fatalf("Preflight called %d times, want %d", tm.eng.preflights, c.calls)
			}
			for _, s := range c.shows {
				tm.mustShow(s)
			}
		})
	}
}

func TestPreflightChecksThenShowsTheLatestAnswer(t *testing.T) {
	tm := onHostPosture(t, 80, 24)
	tm.keys("g")
	tm.mustShow("p: check the host for the next imaging run")
	tm.mustShow("backdeck clonezilla prepare writes the")
	// the answer is held back: "checking …" meanwhile
	var first preflightMsg
	for _, msg := range tm.keys("p") {
		if pm, ok := msg.(preflightMsg); ok {
			first = pm
		}
	}
	if first.gen == 0 {
		t.Fatal("p sent no preflight")
	}
	tm.mustShow("checking …")
	// a second p: the first answer, arriving late, is dropped
	tm.eng.preflight.Checks = tm.eng.preflight.Checks[:1] // pve-ssd passes: ready
	var second preflightMsg
	for _, msg := range tm.keys("p") {
		if pm, ok := msg.(preflightMsg); ok {
			second = pm
		}
	}
	tm.send(second)
	tm.mustShow("✓ ready")
	tm.send(first)
	tm.mustShow("✓ ready")
	tm.mustNotShow("not ready")
	// kept while the operator looks elsewhere and comes back
	tm.keys("j", "k")
	tm.mustShow("✓ ready")
	if tm.eng.preflights != 2 {
		t.Fatalf("Preflight called %d times, want 2", tm.eng.preflights)
	}
}

func TestHostViewsWithoutColourOrUnicode(t *testing.T) {
	steps := [][]string{{"g"}, {"g", "p"}, {"j"}, {"enter", "j"}, {"esc", "j", "p"}}
	for _, o := range []struct {
		name string
		opt  func(*Options)
	}{
		{"nocolor", func(o *Options) { o.NoColor = true }},
		{"ascii", func(o *Options) { o.ASCII = true }},
	} {
		t.Run(o.name, func(t *testing.T) {
			tm := onHostPosture(t, 80, 24, o.opt)
			damagedShown := false
			for _, keys := range steps {
				tm.run(keys...)
				raw := tm.m.View().Content
				if o.name == "nocolor" {
					if c := colourParams(raw); len(c) > 0 {
						t.Fatalf("after %v the NoColor view sets colours: %q", keys, c)
					}
				} else {
					for i, r := range ansi.Strip(raw) {
						if r > 126 {
							t.Fatalf("after %v: non-ASCII %q at %d:\n%s", keys, r, i, ansi.Strip(raw))
						}
					}
				}
				damagedShown = damagedShown || strings.Contains(ansi.Strip(raw), "damaged")
			}
			if !damagedShown {
				t.Fatal("the damaged image is never called damaged")
			}
		})
	}
	// in words, wherever an image is damaged
	tm := onHostPosture(t, 80, 24, func(o *Options) { o.NoColor = true })
	tm.selectTarget(diskSSD)
	tm.mustShow("Images (3, 181.4 GiB · ✗ 1 damaged)")
	tm.mustShow("10-31  25 d  60.9 GiB  ✗ damaged")
	tm.mustShow("2 problems: nvme0n1p3")
	tm.keys("k", "k") // the host concern
	tm.mustShow("✓ verified · ✗ 1 damaged")
}

func TestHostSizes(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {81, 25}, {100, 30}, {120, 40}, {160, 48}, {200, 60}} {
		tm := onHostPosture(t, sz[0], sz[1])
		for _, k := range []string{"g", "p", "j", "p", "enter", "j", "j", "G", "pgup", "esc", "j", "?"} {
			tm.run(k)
			lines := strings.Split(tm.screen(), "\n")
			if len(lines) != sz[1] {
				t.Fatalf("%v after %q: %d lines", sz, k, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != sz[0] {
					t.Fatalf("%v after %q: line %d is %d wide: %q", sz, k, i, w, l)
				}
			}
		}
	}
}

func TestHelpListsHostKeys(t *testing.T) {
	tm := onHostPosture(t, 80, 24)
	tm.keys("?")
	tm.mustShow("v verify image (level 3; it only reads)")
	tm.mustShow("p imaging preflight")
	tm.mustShow("P prune preview of the images")
	tm.mustShow("Destructive actions ask first") // still fits at 80×24
}

func TestStopAndQuitWhileVerifying(t *testing.T) {
	tm := onHostPosture(t, 80, 24)
	tm.selectTarget(diskSSD)
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: verifyJob()}}})
	tm.keys("x")
	d, ok := tm.m.dialog().(*confirmDialog)
	if !ok || d.confirm {
		t.Fatalf("x did not ask with Cancel focused: dialog %T", tm.m.dialog())
	}
	tm.mustShow("Stop the verification of pve-pve-ssd-2026-11-23? It only reads")
	tm.run("tab", "enter")
	if stops := tm.eng.Stops(); len(stops) != 1 || stops[0] != verifyJob().ID {
		t.Fatalf("stops %v", stops)
	}
	// quitting says the verification ends with the console, the vzdump not
	if hasQuit(tm.keys("q")) {
		t.Fatal("q quit at once while jobs run")
	}
	tm.mustShow("1 job on the server goes on without the console; 1 verification runs")
	tm.mustShow("in this console and stops with it. Quit? [y/N]")
}
