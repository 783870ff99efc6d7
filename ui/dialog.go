package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// layerResult is what a key did to the overlay on top (overlay.go).
type layerResult int

const (
	layerOpen     layerResult = iota // it stays
	layerClosed                      // it goes: cancelled, or read
	layerAccepted                    // it goes, and its action is done
	layerQuit                        // q: the console asks to quit; it stays under the question
)

// actionKind says what an accepted dialog asks the root to do.
type actionKind int

const (
	actStart actionKind = iota // Engine.Start(req)
	actStop                    // Engine.Stop(job)
	actQuit
	actNone // nothing (a notice)
)

// action is the work an accepted dialog stands for.
type action struct {
	kind  actionKind
	req   model.JobRequest
	label string // "rollback of k3sagent01 (VM 421) to pre-upgrade"
	job   model.Job
}

// dialog is an overlay that stands for an action: it asks, and accepting it
// does the action. It is the one overlay drawn below the minimum size.
type dialog interface {
	helper
	Update(msg tea.Msg) layerResult
	// View is the box's content (the root draws the border) in w cells.
	View(w int) string
	// Action is what to do when the dialog was accepted.
	Action() action
}

// confirmDialog asks before a destructive action. Cancel has the focus;
// when typeName is set, Confirm works only once that name is typed, and
// then takes the focus: Enter confirms.
type confirmDialog struct {
	c        *common
	title    string
	text     string
	typeName string
	field    textField
	confirm  bool // the focus is on Confirm
	heavy    bool // it loads the systems but destroys nothing: a warning, not a danger
	act      action
}

func newConfirm(c *common, title, text, typeName string, act action) *confirmDialog {
	return &confirmDialog{c: c, title: title, text: text, typeName: typeName, field: newTextField(c.theme, "", 64), act: act}
}

func (d *confirmDialog) enabled() bool {
	return d.typeName == "" || d.field.Value() == d.typeName
}

func (d *confirmDialog) Action() action { return d.act }

func (d *confirmDialog) Update(msg tea.Msg) layerResult {
	k := d.c.keys
	km, isKey := msg.(tea.KeyPressMsg)
	switch {
	case isKey && key.Matches(km, k.Back):
		return layerClosed
	case isKey && key.Matches(km, k.Confirm):
		if !d.confirm {
			return layerClosed
		}
		if d.enabled() {
			return layerAccepted
		}
	case isKey && (km.String() == "tab" || km.String() == "shift+tab"):
		d.confirm = !d.confirm
	case d.typeName != "" && d.field.Update(msg):
		d.confirm = d.confirm || d.enabled()
	case isKey && (key.Matches(km, k.Collapse) || key.Matches(km, k.Expand)):
		d.confirm = !d.confirm
	}
	return layerOpen
}

func (d *confirmDialog) View(w int) string {
	return strings.Join(append(d.body(w), "", d.buttons()), "\n")
}

// body is the title, the text and the name to type.
func (d *confirmDialog) body(w int) []string {
	th := d.c.theme
	title := th.Critical.Render(d.title)
	if d.heavy {
		title = th.Warn.Render(d.c.glyph(model.StatusWarning) + " " + d.title)
	}
	lines := []string{title, ""}
	lines = append(lines, wrapText(d.text, w)...)
	if d.typeName != "" {
		lines = append(lines, "", "Type "+th.Bold.Render(d.typeName)+" to enable Confirm:")
		lines = append(lines, th.Muted.Render("> ")+d.field.View(w-2))
	}
	return lines
}

// buttons is Cancel and Confirm, the focused one marked.
func (d *confirmDialog) buttons() string {
	th := d.c.theme
	// The focused button is marked by a pointer too, not by style alone.
	mark := d.c.sym("›", ">")
	confirmText := "[ Confirm ]"
	if !d.enabled() {
		confirmText = "[ Confirm (type the name) ]"
	}
	cancel, confirm := " "+th.Button.Render("[ Cancel ]"), " "+th.Button.Render(confirmText)
	switch {
	case !d.confirm:
		cancel = mark + th.ButtonFocus.Render("[ Cancel ]")
	case d.enabled():
		confirm = mark + th.ButtonFocus.Render(confirmText)
		if d.typeName != "" {
			confirm += th.Muted.Render("  enter confirms")
		}
	default:
		confirm = mark + th.ButtonOff.Render(confirmText)
	}
	return cancel + "  " + confirm
}

func (d *confirmDialog) ShortHelp() []key.Binding {
	k := d.c.keys
	return []key.Binding{k.Switch, k.Confirm, k.Back}
}

func (d *confirmDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// quitDialog asks before quitting while jobs run on the servers.
type quitDialog struct {
	c    *common
	text string
}

func (d *quitDialog) Action() action { return action{kind: actQuit} }

func (d *quitDialog) Update(msg tea.Msg) layerResult {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return layerOpen
	}
	k := d.c.keys
	switch {
	case key.Matches(km, k.Yes):
		return layerAccepted
	case key.Matches(km, k.No), key.Matches(km, k.Back), key.Matches(km, k.Confirm):
		return layerClosed
	}
	return layerOpen
}

func (d *quitDialog) View(w int) string { return strings.Join(wrapText(d.text, w), "\n") }

func (d *quitDialog) ShortHelp() []key.Binding {
	k := d.c.keys
	return []key.Binding{k.Yes, k.No}
}

func (d *quitDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// wrapText breaks plain text into lines of at most w cells.
func wrapText(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && width(line)+1+width(word) > w {
				out = append(out, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		out = append(out, line)
	}
	return out
}

// noticeDialog shows a failure in full until the operator has read it (the
// status bar would cut a long message); hint says where else it is kept.
type noticeDialog struct {
	c     *common
	title string
	text  string
	hint  string
}

func newNotice(c *common, title, text, hint string) *noticeDialog {
	return &noticeDialog{c: c, title: title, text: text, hint: hint}
}

func (d *noticeDialog) Action() action { return action{kind: actNone} }

func (d *noticeDialog) Update(msg tea.Msg) layerResult {
	km, ok := msg.(tea.KeyPressMsg)
	if ok && (key.Matches(km, d.c.keys.Back) || key.Matches(km, d.c.keys.Confirm)) {
		return layerClosed
	}
	return layerOpen
}

func (d *noticeDialog) View(w int) string {
	th := d.c.theme
	lines := []string{th.Critical.Render(d.c.glyph(model.StatusCritical) + " " + d.title), ""}
	lines = append(lines, wrapText(d.text, w)...)
	ok := d.c.sym("›", ">") + th.ButtonFocus.Render("[ OK ]")
	if d.hint != "" {
		ok += th.Muted.Render("  (" + d.hint + ")")
	}
	lines = append(lines, "", ok)
	return strings.Join(lines, "\n")
}

func (d *noticeDialog) ShortHelp() []key.Binding {
	k := d.c.keys
	return []key.Binding{k.Confirm, k.Back}
}

func (d *noticeDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
