package ui

import (
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
)

// How long messages stay in the status bar.
const (
	errorShownFor = 10 * time.Second
	infoShownFor  = 4 * time.Second
)

// statusBar is the bottom line: a source's error or an action's news for a
// few seconds, otherwise the short help of what has focus.
type statusBar struct {
	c     *common
	text  string
	isErr bool
	gen   int // tags the expiry tick of the current message
	help  help.Model
}

func newStatusBar(c *common) statusBar {
	h := help.New()
	h.ShortSeparator = " · "
	h.Ellipsis = "…"
	th := c.theme
	h.Styles = help.Styles{
		Ellipsis:       th.Muted,
		ShortKey:       th.Key,
		ShortDesc:      th.Desc,
		ShortSeparator: th.Muted,
		FullKey:        th.Key,
		FullDesc:       th.Desc,
		FullSeparator:  th.Muted,
	}
	return statusBar{c: c, help: h}
}

// Set shows a message; the returned generation tags its expiry.
func (s *statusBar) Set(text string, isErr bool) int {
	s.gen++
	s.text, s.isErr = text, isErr
	return s.gen
}

// Expire clears the message of generation gen if it is still shown.
func (s *statusBar) Expire(gen int) bool {
	if gen != s.gen || s.text == "" {
		return false
	}
	s.text = ""
	return true
}

// Text is the message shown, empty when the help is shown.
func (s *statusBar) Text() string { return s.text }

// View is the bar's content in at most w cells.
func (s *statusBar) View(w int, bindings []key.Binding) string {
	th := s.c.theme
	if s.text != "" {
		if s.isErr {
			return trunc(th.Critical.Render(s.text), w)
		}
		return trunc(th.Accent.Render(s.text), w)
	}
	s.help.SetWidth(w)
	return trunc(s.help.ShortHelpView(bindings), w)
}
