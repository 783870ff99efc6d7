package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/backdeck/backdeck/model"
)

// press builds the KeyPressMsg a terminal sends for a key name.
func press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// testModel is a console on the fake engine, sized and fed the seed posture.
type testModel struct {
	t   testing.TB
	m   *Model
	eng *fakeEngine
}

func newTestModel(t testing.TB, w, h int, opts ...func(*Options)) *testModel {
	t.Helper()
	eng := newFakeEngine()
	o := Options{Engine: eng, Title: "pve 8.4", Now: fixedNow}
	for _, f := range opts {
		f(&o)
	}
	tm := &testModel{t: t, m: New(o), eng: eng}
	// The snapshot timer fires at once: tests that are about it set a
	// clock of their own.
	tm.m.snap.after = func(_ time.Duration, msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }
	tm.send(tea.WindowSizeMsg{Width: w, Height: h})
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: seedPosture()}}})
	return tm
}

// send applies one message and returns the command it gave.
func (tm *testModel) send(msg tea.Msg) tea.Cmd {
	tm.t.Helper()
	_, cmd := tm.m.Update(msg)
	return cmd
}

// keys presses keys in turn; it returns the messages the last one's
// commands produced quickly (engine calls; not ticks or the listener).
func (tm *testModel) keys(ks ...string) []tea.Msg {
	tm.t.Helper()
	var cmd tea.Cmd
	for _, k := range ks {
		cmd = tm.send(press(k))
	}
	return collect(cmd)
}

// run presses keys and feeds back every quick result (engine answers) until
// none is left; it returns what was produced.
func (tm *testModel) run(ks ...string) []tea.Msg {
	tm.t.Helper()
	var all []tea.Msg
	msgs := tm.keys(ks...)
	for len(msgs) > 0 {
		all = append(all, msgs...)
		var next []tea.Msg
		for _, msg := range msgs {
			switch msg.(type) {
			case startResultMsg, stopResultMsg, snapDueMsg, snapshotsMsg, preflightMsg, nextVMIDMsg:
				next = append(next, collect(tm.send(msg))...)
			}
		}
		msgs = next
	}
	return all
}

// collect runs a command and the batches it returns, and keeps the
// messages that arrive within a short while (ticks and the event listener
// wait longer and are left behind).
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	out := make(chan tea.Msg, 1024)
	spawn := func(c tea.Cmd) {
		go func() { out <- c() }()
	}
	spawn(cmd)
	var msgs []tea.Msg
	for {
		select {
		case msg := <-out:
			switch b := msg.(type) {
			case tea.BatchMsg:
				for _, c := range b {
					if c != nil {
						spawn(c)
					}
				}
			case nil:
			default:
				msgs = append(msgs, msg)
			}
		case <-time.After(40 * time.Millisecond):
			return msgs
		}
	}
}

func hasQuit(msgs []tea.Msg) bool {
	for _, m := range msgs {
		if _, ok := m.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
}

// screen is the view with ANSI sequences stripped.
func (tm *testModel) screen() string {
	return ansi.Strip(tm.m.View().Content)
}

func (tm *testModel) mustShow(s string) {
	tm.t.Helper()
	if sc := tm.screen(); !strings.Contains(sc, s) {
		tm.t.Fatalf("screen does not show %q:\n%s", s, sc)
	}
}

func (tm *testModel) mustNotShow(s string) {
	tm.t.Helper()
	if sc := tm.screen(); strings.Contains(sc, s) {
		tm.t.Fatalf("screen shows %q:\n%s", s, sc)
	}
}

// selectTarget moves the tree cursor onto a target by id.
func (tm *testModel) selectTarget(id string) {
	tm.t.Helper()
	if !tm.m.tree.Select(id) {
		tm.t.Fatalf("target %s not in the tree", id)
	}
	for msgs := collect(tm.m.syncSelection()); len(msgs) > 0; {
		var next []tea.Msg
		for _, msg := range msgs {
			next = append(next, collect(tm.send(msg))...)
		}
		msgs = next
	}
}

// fetchOf runs a step's command, lets its snapshot timer fire, and returns
// the answer of the fetch that went out, not yet given to the console.
func (tm *testModel) fetchOf(cmd tea.Cmd) snapshotsMsg {
	tm.t.Helper()
	for _, msg := range collect(cmd) {
		if due, ok := msg.(snapDueMsg); ok {
			for _, msg := range collect(tm.send(due)) {
				if s, ok := msg.(snapshotsMsg); ok {
					return s
				}
			}
		}
	}
	tm.t.Fatal("no snapshot fetch went out")
	return snapshotsMsg{}
}
