package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

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
