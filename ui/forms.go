package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// pickerDialog asks which storage a backup goes to, when the engine says
// the config and the server do not decide it (a *model.ChoiceError).
type pickerDialog struct {
	c       *common
	title   string
	reason  string
	choices []string
	cursor  int
	req     model.JobRequest
	label   string
}

func newPicker(c *common, req model.JobRequest, label string, ce *model.ChoiceError) *pickerDialog {
	return &pickerDialog{
		c:       c,
		title:   fmt.Sprintf("Which %s for the %s?", ce.What, label),
		reason:  ce.Reason,
		choices: ce.Choices,
		req:     req,
		label:   label,
	}
}

func (d *pickerDialog) Action() action {
	req := d.req
	if d.cursor < len(d.choices) {
		req.Storage = d.choices[d.cursor]
	}
	return action{kind: actStart, req: req, label: d.label + " to " + req.Storage}
}

func (d *pickerDialog) Update(msg tea.Msg) layerResult {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return layerOpen
	}
	k := d.c.keys
	switch {
	case key.Matches(km, k.Back):
		return layerClosed
	case key.Matches(km, k.Confirm):
		if len(d.choices) == 0 {
			return layerClosed
		}
		return layerAccepted
	case key.Matches(km, k.Up):
		d.cursor = max(0, d.cursor-1)
	case key.Matches(km, k.Down):
		d.cursor = min(len(d.choices)-1, d.cursor+1)
	case key.Matches(km, k.Top):
		d.cursor = 0
	case key.Matches(km, k.Bottom):
		d.cursor = max(0, len(d.choices)-1)
	}
	return layerOpen
}

func (d *pickerDialog) View(w int) string {
	th := d.c.theme
	lines := []string{th.Title.Render(d.title)}
	if d.reason != "" {
		lines = append(lines, wrapText(th.Muted.Render(d.reason), w)...)
	}
	lines = append(lines, "")
	for i, ch := range d.choices {
		if i == d.cursor {
			lines = append(lines, d.c.sym("›", ">")+" "+th.Selected.Render(trunc(ch, w-2)))
			continue
		}
		lines = append(lines, "  "+trunc(ch, w-2))
	}
	if len(d.choices) == 0 {
		lines = append(lines, th.Warn.Render("nothing to choose from"))
	}
	return strings.Join(lines, "\n")
}

func (d *pickerDialog) ShortHelp() []key.Binding {
	k := d.c.keys
	return []key.Binding{k.Down, k.Confirm, k.Back}
}

func (d *pickerDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// snapshotForm asks for a new snapshot's name and description, and, for
// a running VM, whether to save its RAM too (PVE's vmstate=1; PVE saves
// none for a stopped VM, and a container has none).
type snapshotForm struct {
	c        *common
	target   model.Target
	name     textField
	desc     textField
	field    int // the focus: 0 name, 1 description, 2 RAM
	offerRAM bool
	ram      bool
}

func newSnapshotForm(c *common, t model.Target) *snapshotForm {
	name := "backdeck-" + c.now().Format("20060102-1504")
	f := &snapshotForm{c: c, target: t, name: newTextField(c.theme, "", 40), desc: newTextField(c.theme, "", 200),
		offerRAM: t.Kind == model.KindVM && t.State == "running"}
	f.name.Preset(name)
	f.desc.Blur()
	return f
}

// focus moves to a field (0 name, 1 description, 2 RAM).
func (d *snapshotForm) focus(f int) {
	d.field = f
	d.name.Blur()
	d.desc.Blur()
	switch f {
	case 0:
		d.name.Focus()
	case 1:
		d.desc.Focus()
	}
}

// move goes to the next (+1) or previous (-1) field.
func (d *snapshotForm) move(by int) {
	n := 2
	if d.offerRAM {
		n = 3
	}
	d.focus((d.field + by + n) % n)
}

// validSnapshotName applies PVE's rule for snapshot names (a config id):
// a letter first, then letters, digits, '_' or '-', 2 to 40 characters in
// all; "current" is reserved. It returns why a name is refused, or "".
func validSnapshotName(s string) string {
	switch {
	case s == "":
		return "a name is needed"
	case len(s) > 40:
		return "at most 40 characters"
	case !isLetter(rune(s[0])):
		return "must start with a letter"
	case len(s) < 2:
		return "at least 2 characters"
	case s == "current":
		return `"current" is reserved by PVE`
	}
	for _, r := range s {
		if !isLetter(r) && !(r >= '0' && r <= '9') && r != '_' && r != '-' {
			return fmt.Sprintf("%q is not allowed: letters, digits, _ and - only", r)
		}
	}
	return ""
}

func isLetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

func (d *snapshotForm) Action() action {
	return action{
		kind:  actStart,
		req:   model.JobRequest{Target: d.target.ID, Method: model.MethodSnapshot, Snapshot: d.name.Value(), Description: d.desc.Value(), VMState: d.offerRAM && d.ram},
		label: "snapshot " + d.name.Value() + " of " + guestLabel(d.target),
	}
}

func (d *snapshotForm) Update(msg tea.Msg) layerResult {
	k := d.c.keys
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(km, k.Back):
			return layerClosed
		case key.Matches(km, k.Confirm):
			if validSnapshotName(d.name.Value()) == "" {
				return layerAccepted
			}
			d.focus(0)
			return layerOpen
		case km.String() == "tab", km.String() == "down":
			d.move(1)
			return layerOpen
		case km.String() == "shift+tab", km.String() == "up":
			d.move(-1)
			return layerOpen
		case d.field == 2 && key.Matches(km, toggleKey):
			d.ram = !d.ram
			return layerOpen
		}
	}
	switch d.field {
	case 0:
		d.name.Update(msg)
	case 1:
		d.desc.Update(msg)
	}
	return layerOpen
}

func (d *snapshotForm) View(w int) string {
	th := d.c.theme
	label := func(s string, on bool) string {
		if on {
			return th.Key.Render(s)
		}
		return th.Muted.Render(s)
	}
	fw := max(10, w-13)
	lines := []string{
		th.Title.Render("New snapshot of " + guestLabel(d.target)),
		"",
		label(fmt.Sprintf("%-12s", "name"), d.field == 0) + " " + d.name.View(fw),
	}
	switch why := validSnapshotName(d.name.Value()); {
	case why != "":
		lines = append(lines, strings.Repeat(" ", 13)+th.Critical.Render(d.c.glyph(model.StatusCritical)+" "+why))
	case d.name.IsPreset() && d.field == 0:
		lines = append(lines, strings.Repeat(" ", 13)+th.Muted.Render("typing replaces it; "+d.c.sym("← →", "left, right")+" to edit it"))
	default:
		lines = append(lines, strings.Repeat(" ", 13)+th.Muted.Render("a letter first; letters, digits, _ and -; at most 40"))
	}
	lines = append(lines, label(fmt.Sprintf("%-12s", "description"), d.field == 1)+" "+d.desc.View(fw))
	if d.offerRAM {
		lines = append(lines, label(fmt.Sprintf("%-12s", "RAM"), d.field == 2)+" "+checkbox(d.c, d.ram)+" include RAM (the VM runs)")
		if d.field == 2 {
			for _, l := range wrapText("space ticks it: PVE saves the memory too (slower, and as large as the RAM); a rollback to it resumes the VM running", w-13) {
				lines = append(lines, strings.Repeat(" ", 13)+th.Muted.Render(l))
			}
		}
	}
	return strings.Join(lines, "\n")
}

func (d *snapshotForm) ShortHelp() []key.Binding {
	k := d.c.keys
	if d.field == 2 {
		return []key.Binding{toggleKey, key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "create")), k.Back}
	}
	return []key.Binding{
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "create")),
		k.Back,
	}
}

func (d *snapshotForm) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
