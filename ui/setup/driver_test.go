package setup

import (
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// driver runs the wizard as a Bubble Tea program would, in the test's
// goroutine: each message goes through Update, the commands it returns
// run in goroutines and their messages come back on a channel. Tests send
// key messages and wait for the model to reach a state; every frame drawn
// is checked for the secrets.
type driver struct {
	t       *testing.T
	m       *Model
	msgs    chan tea.Msg
	quit    bool
	secrets []string
	frames  int
}

func newDriver(t *testing.T, m *Model, secrets ...string) *driver {
	t.Helper()
	d := &driver{t: t, m: m, msgs: make(chan tea.Msg, 256), secrets: secrets}
	d.run(m.Init())
	d.send(tea.WindowSizeMsg{Width: 100, Height: 50})
	return d
}

var cmdType = reflect.TypeOf((tea.Cmd)(nil))

// run runs a command; a batch runs its commands at once, a sequence one
// after the other.
func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if msg == nil {
			return
		}
		v := reflect.ValueOf(msg)
		if v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
			_, batch := msg.(tea.BatchMsg)
			cmds := make([]tea.Cmd, v.Len())
			for i := range cmds {
				cmds[i], _ = v.Index(i).Interface().(tea.Cmd)
			}
			if batch {
				for _, c := range cmds {
					d.run(c)
				}
				return
			}
			for _, c := range cmds { // a sequence
				if c == nil {
					continue
				}
				if m := c(); m != nil {
					d.msgs <- m
				}
			}
			return
		}
		d.msgs <- msg
	}()
}

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	if _, ok := msg.(tea.QuitMsg); ok {
		d.quit = true
		return
	}
	_, cmd := d.m.Update(msg)
	d.run(cmd)
	d.frame()
}

// frame draws the screen and checks that no secret is on it.
func (d *driver) frame() {
	d.t.Helper()
	d.frames++
	screen := ansi.Strip(d.m.render())
	for _, s := range d.secrets {
		if s != "" && strings.Contains(screen, s) {
			d.t.Fatalf("a secret is on the screen:\n%s", strings.ReplaceAll(screen, s, "<secret>"))
		}
	}
}

// until handles messages until ok holds, or fails after a while with the
// screen.
func (d *driver) until(what string, ok func() bool) {
	d.t.Helper()
	deadline := time.After(30 * time.Second)
	for !ok() {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("still waiting for %s; the screen:\n%s", what, d.screen())
		}
	}
}

// settle handles the messages already waiting, and those that follow
// within a moment: huh moves between fields through commands.
func (d *driver) settle() {
	d.t.Helper()
	for {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-time.After(30 * time.Millisecond):
			return
		}
	}
}

func (d *driver) screen() string { return ansi.Strip(d.m.render()) }

// key sends one key: "enter", "esc", "ctrl+c", "down", "up", "tab",
// "space", or a single character.
func (d *driver) key(k string) {
	d.t.Helper()
	var msg tea.KeyPressMsg
	switch k {
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "ctrl+c":
		msg = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+u":
		msg = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		msg = tea.KeyPressMsg{Code: tea.KeyUp}
	case "tab":
		msg = tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	default:
		r := []rune(k)[0]
		msg = tea.KeyPressMsg{Code: r, Text: k}
	}
	d.send(msg)
	d.settle()
}

// typeText types text into the focused field.
func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d.settle()
}

// replace clears the focused field and types s.
func (d *driver) replace(s string) {
	d.t.Helper()
	d.key("ctrl+u")
	d.typeText(s)
}

// at waits for step id.
func (d *driver) at(id stepID) {
	d.t.Helper()
	d.until("step "+stepName(id), func() bool { return d.m.step == id && d.m.busy == "" })
	d.settle()
}

// focused is the key of the focused field.
func (d *driver) focused() string {
	if f := d.m.form.GetFocusedField(); f != nil {
		return f.GetKey()
	}
	return ""
}

func stepName(id stepID) string {
	n, title := stepNumber(id)
	return title + " (" + string(rune('0'+n)) + ")"
}
