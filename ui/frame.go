package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/backdeck/backdeck/model"
)

// asciiFrame turns the frame's box drawing and punctuation into ASCII,
// cell for cell, for terminals without Unicode. A cut is "~": a "." after a
// figure cut short would read as part of it ("full in 610.").
var asciiFrame = strings.NewReplacer(
	"─", "-", "│", "|", "┌", "+", "┐", "+", "└", "+", "┘", "+", "├", "+", "┤", "+", "┴", "+",
	"·", "-", "…", "~", "↑", "^", "↓", "v", "←", "<", "→", ">",
)

// dirty reports whether anything drawn changed since the last frame.
func (m *Model) dirty() bool {
	return m.chromeDirty || m.tree.dirty || m.detail.dirty || m.jobs.dirty || m.stores.dirty
}

// render returns the whole screen, from the cache when nothing changed.
func (m *Model) render() string {
	if m.lay.w == 0 || m.lay.h == 0 {
		return "backdeck: waiting for the terminal size…"
	}
	if m.frame != "" && !m.dirty() {
		return m.frame
	}
	m.chromeDirty = false
	var s string
	if m.lay.small {
		s = m.smallView()
	} else {
		lines := m.compose()
		s = strings.Join(m.drawOverlay(lines), "\n")
	}
	if m.c.ascii {
		s = asciiFrame.Replace(s)
	}
	m.frame = s
	return s
}

// smallView is all that is drawn below the minimum size.
func (m *Model) smallView() string {
	th := m.c.theme
	lines := []string{
		th.Warn.Render(fmt.Sprintf("terminal too small: %d×%d, needs %d×%d", m.lay.w, m.lay.h, minWidth, minHeight)),
		th.Muted.Render("q quit · ctrl+c quit now"),
	}
	if d := m.dialog(); d != nil {
		lines = append(lines, "", d.View(max(20, m.lay.w-2)))
	}
	return strings.Join(lines, "\n")
}

// compose assembles the frame from the panels' lines.
func (m *Model) compose() []string {
	l := m.lay
	b := m.c.theme.Border
	v := b.Render("│")
	lines := make([]string, 0, l.h)
	lines = append(lines, m.headerLine())
	tl, dl := m.tree.View(), m.detail.View()
	for i := 0; i < l.mainH; i++ {
		lines = append(lines, v+tl[i]+v+dl[i]+v)
	}
	lines = append(lines, m.divider(m.jobs.Title(), m.focus == focusJobs, l.treeW+1))
	for _, s := range m.jobs.View() {
		lines = append(lines, v+s+v)
	}
	lines = append(lines, m.divider("Stores & drives", false, -1))
	for _, s := range m.stores.View() {
		lines = append(lines, v+s+v)
	}
	return append(lines, m.footerLine())
}

// headerLine: "┌ backdeck · pve 8.4 · ! warn · 1 job running ───── 14:22 ┐".
func (m *Model) headerLine() string {
	c := m.c
	th := c.theme
	dot := th.Muted.Render(" · ")
	parts := []string{th.Bold.Render("backdeck")}
	if m.opts.Title != "" {
		parts = append(parts, m.opts.Title)
	}
	if m.posture != nil && len(m.posture.Concerns) > 0 {
		parts = append(parts, c.badge(m.posture.Overall))
	}
	jobsAt := len(parts)
	switch n := m.jobs.Running(); n {
	case 0:
		parts = append(parts, th.Muted.Render("no jobs running"))
	case 1:
		parts = append(parts, th.Accent.Render("1 job running"))
	default:
		parts = append(parts, th.Accent.Render(fmt.Sprintf("%d jobs running", n)))
	}
	if m.posture != nil && len(m.posture.Insecure) > 0 {
		srcs := make([]string, len(m.posture.Insecure))
		for i, s := range m.posture.Insecure {
			srcs[i] = string(s)
		}
		parts = append(parts, th.Insecure.Render("INSECURE TLS: "+strings.Join(srcs, ", ")))
	}
	clock := c.now().Format("15:04")
	room := m.lay.w - 7 - width(clock)
	if width(strings.Join(parts, dot)) > room {
		// Tight: "1 job" says it as well as "1 job running".
		parts[jobsAt] = strings.Replace(parts[jobsAt], " running", "", 1)
	}
	left := trunc(strings.Join(parts, dot), room)
	fill := m.lay.w - 6 - width(left) - width(clock)
	return m.c.theme.Border.Render("┌ ") + left + " " + th.Border.Render(strings.Repeat("─", max(0, fill))) + " " + clock + th.Border.Render(" ┐")
}

// divider is a panel's top edge: "├ Jobs ─────┴──────┤"; tee is the column
// of the tree/detail border above it (-1: none).
func (m *Model) divider(title string, focused bool, tee int) string {
	th := m.c.theme
	w := m.lay.w
	if focused {
		title = th.TitleFocus.Render(title)
	} else {
		title = th.Title.Render(title)
	}
	pos := 2 + width(title) + 1 // the first column after "├ title "
	var sb strings.Builder
	sb.WriteString(th.Border.Render("├ "))
	sb.WriteString(title)
	sb.WriteString(" ")
	var run string
	if tee >= pos && tee <= w-2 {
		run = strings.Repeat("─", tee-pos) + "┴" + strings.Repeat("─", w-2-tee)
	} else {
		run = strings.Repeat("─", max(0, w-1-pos))
	}
	sb.WriteString(th.Border.Render(run + "┤"))
	return sb.String()
}

// footerLine is the status bar in the bottom edge: "└ ? help · / filter ───┘".
func (m *Model) footerLine() string {
	th := m.c.theme
	content := m.status.View(m.lay.w-5, m.footerBindings())
	fill := m.lay.w - 4 - width(content)
	return th.Border.Render("└ ") + content + " " + th.Border.Render(strings.Repeat("─", max(0, fill))+"┘")
}

// footerBindings is the short help of what has the keys now.
func (m *Model) footerBindings() []key.Binding {
	switch top := m.layers.top(); {
	case top != nil:
		return top.ShortHelp()
	case m.filter.active:
		return m.filter.ShortHelp()
	}
	out := consoleHelp{m.c}.ShortHelp()
	var panel helper = &m.tree
	switch m.focus {
	case focusDetail:
		panel = &m.detail
	case focusJobs:
		panel = &m.jobs
	}
	return append(out, panel.ShortHelp()...)
}

// drawOverlay draws the layer on top (a dialog, the help, the error log)
// over the frame.
func (m *Model) drawOverlay(lines []string) []string {
	top := m.layers.top()
	if top == nil {
		return lines
	}
	bw, content := top.Box(m.lay.w, m.lay.h)
	return overlay(lines, m.c.box(content, bw), m.lay.w)
}

// helpLayer is the ? overlay: the full help of every component, in
// sections, in pairs side by side when they fit (the narrow ones first).
func (m *Model) helpLayer() layer {
	sections := []helpSection{
		{"Concern tree", &m.tree},
		{"UrBackup client", m.detail.kindHelp(model.KindClient)},
		{"Jobs panel", &m.jobs},
		{"Console", consoleHelp{m.c}},
		{"Host disk · j/k choose the image in the detail pane", m.detail.kindHelp(model.KindDisk)},
		{"Detail pane · j/k scroll the restore points of a guest without snapshots", m.detail.kindHelp(model.KindVM)},
	}
	return pageLayer{c: m.c, own: m.c.keys.Help, box: func(w, h int) (int, string) {
		bw := min(110, w-4)
		return bw, helpView(&m.status, sections, bw-4, h-2)
	}}
}
