package ui

import (
	"image/color"
	"math"

	"charm.land/bubbles/v2/progress"
	"charm.land/lipgloss/v2"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/theme"
)

// barSet holds one bubbles/progress bar per colour role: the accent for job
// progress, and ok/warn/critical for usage (a store's UsageStatus: warn from
// 70 % used, critical from 90 %). Bars are drawn the static way, with
// ViewAs, from the figures the console has: the animated form schedules
// its own 60 fps frames per bar.
type barSet struct {
	accent, ok, warn, critical progress.Model
}

// barPercentW is the width of the percentage the bars draw after
// themselves: " %3.0f%%", " 45%", " 100%".
const barPercentW = 5

func newBarSet(th *theme.Theme, ascii bool) barSet {
	mk := func(fill color.Color) progress.Model {
		full, empty := '█', '░'
		if ascii {
			full, empty = '#', '.'
		}
		p := progress.New(progress.WithFillCharacters(full, empty))
		p.PercentFormat = " %3.0f%%"
		// A nil colour would make lipgloss write "default colour" codes:
		// the monochrome theme says no colour at all.
		p.FullColor, p.EmptyColor = orNoColor(fill), orNoColor(th.BarEmpty)
		p.PercentageStyle = lipgloss.NewStyle()
		return p
	}
	return barSet{
		accent:   mk(th.BarAccent),
		ok:       mk(th.BarOK),
		warn:     mk(th.BarWarn),
		critical: mk(th.BarCritical),
	}
}

func orNoColor(c color.Color) color.Color {
	if c == nil {
		return lipgloss.NoColor{}
	}
	return c
}

// usageBar draws w cells filled to frac (0..1) in the colour of st, then
// the percentage: "████░░░  61%".
func (c *common) usageBar(frac float64, w int, st model.Status) string {
	switch st {
	case model.StatusOK:
		return drawBar(c.bars.ok, frac, w)
	case model.StatusWarning:
		return drawBar(c.bars.warn, frac, w)
	case model.StatusCritical:
		return drawBar(c.bars.critical, frac, w)
	}
	return drawBar(c.bars.accent, frac, w)
}

// jobBar draws a job's progress (frac 0..1) in w cells and its percentage.
func (c *common) jobBar(frac float64, w int) string { return drawBar(c.bars.accent, frac, w) }

func drawBar(p progress.Model, frac float64, w int) string {
	if w <= 0 {
		return ""
	}
	if math.IsNaN(frac) {
		frac = 0
	}
	p.SetWidth(w + barPercentW)
	return p.ViewAs(max(0, min(1, frac)))
}
