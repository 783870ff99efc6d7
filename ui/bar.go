package ui

import (
	"image/color"
	"math"
	"strings"

	"charm.land/lipgloss/v2"
)

// bar draws a static bar of w cells filled to frac (0..1), like
// bubbles/progress's ViewAs without the percentage. bubbles/progress itself
// would need github.com/charmbracelet/harmonica in go.mod (it is not listed),
// and its animated form schedules 60 fps ticks per bar: the console draws
// job progress and store usage the static way, from the figures it has.
func (c *common) bar(frac float64, w int, fill color.Color) string {
	if w <= 0 {
		return ""
	}
	if math.IsNaN(frac) {
		frac = 0
	}
	frac = max(0, min(1, frac))
	full := int(math.Round(frac * float64(w)))
	fullCh, emptyCh := "█", "░"
	if c.ascii {
		fullCh, emptyCh = "#", "."
	}
	var b strings.Builder
	b.Grow(w * 4)
	if full > 0 {
		s := strings.Repeat(fullCh, full)
		if fill != nil {
			s = lipgloss.NewStyle().Foreground(fill).Render(s)
		}
		b.WriteString(s)
	}
	if full < w {
		s := strings.Repeat(emptyCh, w-full)
		if c.theme.BarEmpty != nil {
			s = lipgloss.NewStyle().Foreground(c.theme.BarEmpty).Render(s)
		}
		b.WriteString(s)
	}
	return b.String()
}
