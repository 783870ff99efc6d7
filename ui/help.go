package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// helpSection is one part of the ? overlay: a component and its bindings.
type helpSection struct {
	title string
	h     helper
}

// consoleHelp is the root's own bindings (the ones that work everywhere).
type consoleHelp struct{ c *common }

func (g consoleHelp) ShortHelp() []key.Binding {
	k := g.c.keys
	return []key.Binding{k.Help, k.Filter, k.Next, k.Quit}
}

func (g consoleHelp) FullHelp() [][]key.Binding {
	k := g.c.keys
	return [][]key.Binding{
		{k.Help, k.Filter, k.Log, k.Refresh, bothKeys(k.Restore, k.Drill, "e/t", "restore/drill")},
		{k.Next, k.Prev, k.Back, k.Quit, k.ForceQuit},
	}
}

// helpView draws the ? overlay from every component's FullHelp, two
// sections side by side when they fit in w; the blank lines between
// sections go when the whole would be taller than h.
func helpView(sb *statusBar, sections []helpSection, w, h int) string {
	th := sb.c.theme
	sb.help.SetWidth(0)
	blocks := make([]string, len(sections))
	for i, s := range sections {
		blocks[i] = th.Bold.Render(trunc(s.title, w)) + "\n" + sb.help.FullHelpView(s.h.FullHelp())
	}
	var parts []string // each a section, or two side by side
	for i := 0; i < len(blocks); i += 2 {
		if i+1 < len(blocks) && lipgloss.Width(blocks[i])+4+lipgloss.Width(blocks[i+1]) <= w {
			left := lipgloss.NewStyle().Width(lipgloss.Width(blocks[i]) + 4).Render(blocks[i])
			parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, left, blocks[i+1]))
			continue
		}
		parts = append(parts, blocks[i])
		if i+1 < len(blocks) {
			parts = append(parts, blocks[i+1])
		}
	}
	title := th.Title.Render("Keys") + th.Muted.Render("  (? or esc closes)")
	foot := th.Muted.Render("Destructive actions ask first; esc goes back and never quits.")
	tall := 2
	for _, p := range parts {
		tall += strings.Count(p, "\n") + 1
	}
	sep := []string{""}
	if tall+len(parts)+1 > h {
		sep = nil
	}
	out := []string{title}
	for _, p := range parts {
		out = append(out, sep...)
		out = append(out, p)
	}
	out = append(out, sep...)
	out = append(out, foot)
	return strings.Join(out, "\n")
}
