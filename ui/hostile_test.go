package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// hostile is what a guest, client, task log or error reason may hold: an
// OSC that sets the title, BEL, a CSI that clears the screen, an 8-bit CSI.
const hostile = "\x1b]0;pwned\x07\x1b[2J\u009b2J"

// badSequences are what must never reach the terminal from outside text.
var badSequences = []string{"\x1b]0;", "\x07", "\x1b[2J", "\u009b"}

func mustBeSafe(t *testing.T, what, view string) {
	t.Helper()
	for _, bad := range badSequences {
		if strings.Contains(view, bad) {
			t.Errorf("%s: the screen holds %q", what, bad)
		}
	}
}

// Everything from outside reaches the screen through the engine: postures,
// jobs, errors, snapshots, start and stop answers. Each is made safe.
func TestOutsideTextIsMadeSafeOnScreen(t *testing.T) {
	tm := newTestModel(t, 160, 48)
	p := seedPosture()
	for ci := range p.Concerns {
		for ti := range p.Concerns[ci].Targets {
			tg := &p.Concerns[ci].Targets[ti]
			tg.Name += hostile
			tg.Detail += hostile
			tg.Reason += hostile
			for ri := range tg.RestorePoints {
				tg.RestorePoints[ri].Notes += hostile
			}
		}
	}
	for i := range p.Stores {
		p.Stores[i].Name += hostile
	}
	for i := range p.Drives {
		p.Drives[i].Model += hostile
		p.Drives[i].Name += hostile
	}
	eng := tm.eng
	eng.events <- model.PostureEvent{Posture: p}
	eng.events <- model.JobEvent{Job: model.Job{ID: "j1", Target: "pve/qemu/421", Method: model.MethodVzdump, State: model.JobRunning,
		Progress: model.Progress{Percent: 10, LastLine: "INFO: " + hostile}}}
	eng.events <- model.ErrorEvent{Err: model.SourceError{Source: model.SourceProxmox, Message: "500 " + hostile}}
	tm.send(listen(tm.m.opts.Engine.Events())())
	mustBeSafe(t, "tree and detail", tm.m.View().Content)
	if !strings.Contains(tm.screen(), "^[]0;pwned^G") {
		t.Errorf("the control characters are not shown as text:\n%s", tm.screen())
	}
	for _, keys := range [][]string{{"tab"}, {"tab"}, {"L"}} {
		tm.keys(keys...)
		mustBeSafe(t, "after "+keys[0], tm.m.View().Content)
	}

	// What the engine answers to the console's own calls.
	eng.snaps["pve/qemu/421"] = []model.Snapshot{{Name: "pre" + hostile, Description: hostile}}
	eng.startFn = func(req model.JobRequest) (model.Job, error) { return model.Job{}, errors.New("refused: " + hostile) }
	tm2 := newTestModel(t, 160, 48)
	tm2.eng.snaps = eng.snaps
	tm2.eng.startFn = eng.startFn
	tm2.selectTarget("pve/qemu/421")
	tm2.run("tab")
	tm2.run("b")
	mustBeSafe(t, "snapshots and a refused start", tm2.m.View().Content)
}

// The config's warnings (an old target id) are said at start and kept in
// the log.
func TestConfigWarningsShowAtStart(t *testing.T) {
	w := `config.toml:42: target "alpha/qemu/201" is now "pve/qemu/201": the id names the source, not the node`
	tm := newTestModel(t, 120, 40, func(o *Options) { o.Warnings = []string{w} })
	for _, msg := range collect(tm.m.Init()) {
		tm.send(msg)
	}
	tm.mustShow("config: 1 warning")
	tm.keys("L")
	tm.mustShow(`"alpha/qemu/201" is now`)
}

// A source's note (a cache it could not write) is said once and kept in
// the log; the next posture with the same note says nothing more.
func TestSourceNotesAreSaidOnce(t *testing.T) {
	tm := newTestModel(t, 120, 40)
	p := seedPosture()
	p.Notes = []model.SourceError{{Source: model.SourceClonezilla, Message: "the image list could not be kept for while the drive is away: not a directory"}}
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.mustShow("clonezilla: the image list could not be kept")
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	if n := tm.m.log.Len(); n != 1 {
		t.Errorf("%d log entries after the same note twice, want 1", n)
	}
	tm.keys("L")
	tm.mustShow("note: the image list could not be kept")
}
