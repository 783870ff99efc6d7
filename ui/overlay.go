package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// layer is a box drawn over the frame: a dialog, the help, the error log.
type layer interface {
	helper
	// Update takes a key or a paste.
	Update(msg tea.Msg) layerResult
	// Box is the layer's box on a screen of w×h cells: its width, and its
	// content (the root draws the border around it).
	Box(w, h int) (boxW int, content string)
}

// overlays is the stack of layers over the frame: the top one is drawn and
// gets the keys first; esc pops it. A dialog is always on top: the keys
// that open the others go to it first.
type overlays []layer

func (o *overlays) push(l layer) { *o = append(*o, l) }

func (o *overlays) pop() { *o = (*o)[:len(*o)-1] }

// top is the layer on top, nil when none is open.
func (o overlays) top() layer {
	if len(o) == 0 {
		return nil
	}
	return o[len(o)-1]
}

// dialog is the dialog on top, nil when none is open.
func (o overlays) dialog() dialog {
	if dl, ok := o.top().(dialogLayer); ok {
		return dl.dialog
	}
	return nil
}

// pageLayer is a layer that only shows (the help, the error log): its own
// key or esc closes it, q asks to quit (it stays under the question).
type pageLayer struct {
	c   *common
	own key.Binding                               // ? or L
	box func(w, h int) (boxW int, content string) // drawn when shown
}

func (l pageLayer) Update(msg tea.Msg) layerResult {
	km, ok := msg.(tea.KeyPressMsg)
	k := l.c.keys
	switch {
	case !ok:
	case key.Matches(km, k.Quit):
		return layerQuit
	case key.Matches(km, k.Back), key.Matches(km, l.own):
		return layerClosed
	}
	return layerOpen
}

func (l pageLayer) Box(w, h int) (int, string) { return l.box(w, h) }

func (l pageLayer) ShortHelp() []key.Binding { return []key.Binding{l.own, l.c.keys.Back} }

func (l pageLayer) FullHelp() [][]key.Binding { return [][]key.Binding{l.ShortHelp()} }

// dialogLayer is a dialog in the stack, in a box of at most 72 cells.
type dialogLayer struct{ dialog }

func (l dialogLayer) Box(w, h int) (int, string) {
	bw := min(72, w-4)
	return bw, fitLines(l.View(bw-4), h-2)
}

// fitLines cuts a dialog's content to h lines (its border takes two more):
// its last two lines (the buttons) stay, and a line says how many went.
func fitLines(content string, h int) string {
	lines := strings.Split(content, "\n")
	if len(lines) <= h || h < 4 {
		return content
	}
	keep := h - 3
	out := append(lines[:keep:keep], fmt.Sprintf("… %d more lines: a taller terminal shows them", len(lines)-2-keep))
	return strings.Join(append(out, lines[len(lines)-2:]...), "\n")
}

// box draws content in a rounded border with one cell of padding.
func (c *common) box(content string, w int) string {
	b := lipgloss.RoundedBorder()
	if c.ascii {
		b = lipgloss.Border{Top: "-", Bottom: "-", Left: "|", Right: "|", TopLeft: "+", TopRight: "+", BottomLeft: "+", BottomRight: "+"}
	}
	st := lipgloss.NewStyle().Border(b).Padding(0, 1).Width(w)
	if !c.theme.NoColor {
		st = st.BorderForeground(c.theme.BarAccent)
	}
	return st.Render(content)
}

// overlay draws box centred over the frame's lines.
func overlay(base []string, box string, w int) []string {
	rows := strings.Split(box, "\n")
	bw := 0
	for _, r := range rows {
		bw = max(bw, width(r))
	}
	x := max(0, (w-bw)/2)
	y := max(0, (len(base)-len(rows))/2)
	out := append([]string(nil), base...)
	for i, r := range rows {
		if y+i >= len(out) {
			break
		}
		line := out[y+i]
		left := ansi.Truncate(line, x, "")
		rightPart := ansi.TruncateLeft(line, x+bw, "")
		reset := ""
		if strings.Contains(line, "\x1b") {
			reset = "\x1b[m"
		}
		out[y+i] = left + reset + fit(r, bw) + reset + rightPart
	}
	return out
}
