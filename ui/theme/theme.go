// Package theme holds the console's one theme: lipgloss styles named for
// their role (ok, warn, critical, unknown, muted, accent, border, insecure),
// never for their colour. A monochrome theme has the same roles with no
// colour at all, only bold and reverse where emphasis is needed.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"github.com/backdeck/backdeck/model"
)

// Theme is the set of styles every component draws with.
type Theme struct {
	NoColor bool

	OK       lipgloss.Style
	Warn     lipgloss.Style
	Critical lipgloss.Style
	Unknown  lipgloss.Style
	Muted    lipgloss.Style
	Accent   lipgloss.Style
	Border   lipgloss.Style
	Insecure lipgloss.Style

	Title       lipgloss.Style // panel titles
	TitleFocus  lipgloss.Style // the focused panel's title
	Selected    lipgloss.Style // the cursor row of the focused panel
	Bold        lipgloss.Style
	Plain       lipgloss.Style
	Key         lipgloss.Style // a key in help text
	Desc        lipgloss.Style // a key's description
	Button      lipgloss.Style
	ButtonFocus lipgloss.Style
	ButtonOff   lipgloss.Style
	Input       lipgloss.Style
	Cursor      lipgloss.Style // the text cursor of an input

	// Bar colours; nil in a monochrome theme.
	BarOK, BarWarn, BarCritical, BarAccent, BarEmpty color.Color
}

// ANSI colours, so that the operator's terminal palette decides the shades.
var (
	green   = lipgloss.Color("2")
	yellow  = lipgloss.Color("3")
	red     = lipgloss.Color("1")
	magenta = lipgloss.Color("5")
	cyan    = lipgloss.Color("6")
	gray    = lipgloss.Color("8")
	white   = lipgloss.Color("15")
	brRed   = lipgloss.Color("9")
)

// New returns the theme; noColor gives the monochrome one.
func New(noColor bool) *Theme {
	s := lipgloss.NewStyle
	if noColor {
		return &Theme{
			NoColor:     true,
			OK:          s(),
			Warn:        s(),
			Critical:    s().Bold(true),
			Unknown:     s(),
			Muted:       s(),
			Accent:      s(),
			Border:      s(),
			Insecure:    s().Bold(true),
			Title:       s(),
			TitleFocus:  s().Bold(true),
			Selected:    s().Reverse(true),
			Bold:        s().Bold(true),
			Plain:       s(),
			Key:         s().Bold(true),
			Desc:        s(),
			Button:      s(),
			ButtonFocus: s().Reverse(true),
			ButtonOff:   s(),
			Input:       s(),
			Cursor:      s().Reverse(true),
		}
	}
	return &Theme{
		OK:          s().Foreground(green),
		Warn:        s().Foreground(yellow),
		Critical:    s().Foreground(red).Bold(true),
		Unknown:     s().Foreground(magenta),
		Muted:       s().Foreground(gray),
		Accent:      s().Foreground(cyan),
		Border:      s().Foreground(gray),
		Insecure:    s().Foreground(white).Background(red).Bold(true),
		Title:       s().Bold(true),
		TitleFocus:  s().Foreground(cyan).Bold(true),
		Selected:    s().Reverse(true),
		Bold:        s().Bold(true),
		Plain:       s(),
		Key:         s().Foreground(cyan).Bold(true),
		Desc:        s().Foreground(gray),
		Button:      s().Foreground(gray),
		ButtonFocus: s().Reverse(true).Bold(true),
		ButtonOff:   s().Foreground(gray).Faint(true),
		Input:       s(),
		Cursor:      s().Reverse(true),
		BarOK:       green,
		BarWarn:     yellow,
		BarCritical: brRed,
		BarAccent:   cyan,
		BarEmpty:    gray,
	}
}

// Status is the style of a verdict.
func (t *Theme) Status(st model.Status) lipgloss.Style {
	switch st {
	case model.StatusOK:
		return t.OK
	case model.StatusWarning:
		return t.Warn
	case model.StatusCritical:
		return t.Critical
	}
	return t.Unknown
}
