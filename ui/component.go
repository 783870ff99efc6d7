package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/keys"
)

// helper is what every component offers to the footer and the ? overlay.
type helper interface {
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// component is the contract of the console's panels and of the detail's
// panes, as soft-serve's common.Component: the root sets its size, gives
// it keys while it has the focus, puts its lines in the frame, and builds
// the footer and the ? overlay from its help.
type component interface {
	helper
	SetSize(w, h int)
	// Update takes a key; it reports whether the component used it.
	Update(msg tea.KeyPressMsg) bool
	// View is the component's lines: a panel's exactly as wide and as many
	// as its size, a pane's at most as many (the detail fits them).
	View() []string
}

var (
	_ component = (*tree)(nil)
	_ component = (*jobsPanel)(nil)
	_ component = (*detail)(nil)
)

// sheet is what a pane of the detail draws with: the look every component
// shares, what the detail shows (read only), the pane's size and the width
// of its field labels. Every pane embeds one.
type sheet struct {
	c      *common
	in     *shown
	w, h   int
	labelW int
}

// defaultLabelW is the width of the labels of field lines ("last backup").
const defaultLabelW = 12

func (s *sheet) SetSize(w, h int) { s.w, s.h = w, h }

func (s *sheet) title(text string) string {
	if s.in.focused {
		return s.c.theme.TitleFocus.Render(text)
	}
	return s.c.theme.Title.Render(text)
}

// field is one "label  value" line of the pane.
func (s *sheet) field(label, value string) string {
	return s.c.theme.Muted.Render(fmt.Sprintf("%-*s", s.labelW, label)) + " " + value
}

// wrapField writes a long value over as many lines as it needs, indented
// under its label.
func (s *sheet) wrapField(label, value string) []string {
	avail := s.w - 2 - s.labelW - 1
	if avail < 10 || width(value) <= avail {
		return []string{s.field(label, value)}
	}
	out := wrapText(strings.Join(strings.Fields(value), " "), avail)
	res := []string{s.field(label, out[0])}
	for _, l := range out[1:] {
		res = append(res, strings.Repeat(" ", s.labelW+1)+l)
	}
	return res
}

// bulletField writes one item of a list under a label ("why", then ""):
// "• text", wrapped with a hanging indent.
func (s *sheet) bulletField(label, text string) []string {
	bullet := s.c.sym("•", "-") + " "
	avail := s.w - 2 - s.labelW - 1 - 2
	if avail < 10 {
		return []string{s.field(label, bullet+text)}
	}
	wrapped := wrapText(text, avail)
	out := []string{s.field(label, bullet+wrapped[0])}
	for _, l := range wrapped[1:] {
		out = append(out, strings.Repeat(" ", s.labelW+1+2)+l)
	}
	return out
}

// lastText is the age and size of a target's last good restore point: "2 h
// ago   4.1 GiB"; "never", or "unknown" when its source cannot say.
func (s *sheet) lastText(t *model.TargetStatus) string {
	switch {
	case t.HasBackup:
		rp, _ := t.Target.LastBackup()
		return model.HumanAge(s.c.now().Sub(t.LastBackup)) + " ago   " + pointSize(rp, "deduplicated")
	case t.Status == model.StatusUnknown:
		return "unknown"
	}
	return "never"
}

// ageLines are a target's max age and why its verdict is what it is.
func (s *sheet) ageLines(t *model.TargetStatus) []string {
	maxAge := "none set"
	if t.MaxAge > 0 {
		maxAge = model.HumanAge(t.MaxAge)
	}
	lines := []string{s.field("max age", maxAge)}
	if t.Reason != "" {
		lines = append(lines, s.wrapField("why", t.Reason)...)
	}
	return lines
}

// jobLine is the "job" field of a target that has a job under way.
func (s *sheet) jobLine(j *model.Job) string {
	c := s.c
	p := ""
	if j.Progress.Percent >= 0 {
		p = fmt.Sprintf(" %.0f%%", j.Progress.Percent)
	}
	return s.field("job", c.theme.Accent.Render(c.jobGlyph(j.State)+" "+methodLabel(j.Method)+" "+string(j.State)+p))
}

// far is a step past either end of any list.
const far = 1 << 20

// paneStep is how far a key moves a pane's cursor or scroll: j/k a row,
// g/G to either end, pgdn/pgup (or ] and [) a page of pageRows. ok is
// false when the key is not a moving one.
func paneStep(k *keys.KeyMap, msg tea.KeyPressMsg, pageRows int) (step int, page, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		return -1, false, true
	case key.Matches(msg, k.Down):
		return 1, false, true
	case key.Matches(msg, k.Top):
		return -far, false, true
	case key.Matches(msg, k.Bottom):
		return far, false, true
	case key.Matches(msg, k.PageDown):
		return max(1, pageRows), true, true
	case key.Matches(msg, k.PageUp):
		return -max(1, pageRows), true, true
	}
	return 0, false, false
}

// onStep calls move with the step of a moving key (see paneStep); it
// reports whether the key was one.
func (s *sheet) onStep(msg tea.KeyPressMsg, pageRows int, move func(step int)) bool {
	step, _, ok := paneStep(s.c.keys, msg, pageRows)
	if ok {
		move(step)
	}
	return ok
}

// helpAs is a binding of the keymap with the pane's own description.
func helpAs(b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
}

// bothKeys is one line of the full help for two bindings: "j/k older/newer".
func bothKeys(a, b key.Binding, help, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...), key.WithHelp(help, desc))
}

// scrollPane is the pane of one body of lines (a concern, a store, a
// drive): its first line, the title, stays; j/k and g/G scroll the rest.
type scrollPane struct {
	sheet
	offset int // the first body line shown under the title
}

func (p *scrollPane) Update(msg tea.KeyPressMsg) bool {
	step, page, ok := paneStep(p.c.keys, msg, 0)
	if !ok || page {
		return false
	}
	p.offset = max(0, min(far, p.offset+step))
	return true
}

// scrolled is the body cut to the pane: the title, then the rest from the
// offset (kept within what there is to show).
func (p *scrollPane) scrolled(body []string) []string {
	if len(body) == 0 || p.h <= 0 {
		return nil
	}
	lines := []string{body[0]}
	rest := body[1:]
	room := p.h - 1
	p.offset = max(0, min(p.offset, len(rest)-room))
	end := min(len(rest), p.offset+room)
	return append(lines, rest[p.offset:end]...)
}

func (p *scrollPane) ShortHelp() []key.Binding {
	k := p.c.keys
	return []key.Binding{helpAs(k.Down, "scroll"), k.Back}
}

func (p *scrollPane) FullHelp() [][]key.Binding {
	k := p.c.keys
	return [][]key.Binding{{bothKeys(k.Down, k.Up, "j/k", "scroll"), bothKeys(k.Bottom, k.Top, "G/g", "bottom/top"), k.Back}}
}
