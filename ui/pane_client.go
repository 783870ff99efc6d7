package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// clientPane is an UrBackup client's pane: "k3sagent01 · UrBackup client ·
// online", the verdict, the facts its server gives (folders, usage …), its
// restore points and the backups it offers (pointsPane). With the focus,
// j/k and pgdn/pgup scroll the restore points.
type clientPane struct {
	pointsPane
}

func (p *clientPane) Update(msg tea.KeyPressMsg) bool {
	return p.onStep(msg, p.rpPage, p.scrollPoints)
}

func (p *clientPane) ShortHelp() []key.Binding {
	k := p.c.keys
	return []key.Binding{k.Incremental, helpAs(k.Full, "full (asks)"), helpAs(k.PageDown, "older points"), k.Back}
}

func (p *clientPane) FullHelp() [][]key.Binding {
	k := p.c.keys
	return [][]key.Binding{{
		helpAs(k.Incremental, "incremental file backup"),
		helpAs(k.Full, "full file backup (asks)"),
		helpAs(k.IncrImage, "incremental image backup"),
		helpAs(k.FullImage, "full image backup (asks)"),
	}}
}

func (p *clientPane) View() []string {
	p.fitLabels()
	t := p.in.target
	th := p.c.theme
	title := p.title(t.Name + " · UrBackup client")
	if t.Found {
		state := th.OK.Render("online")
		if t.Offline {
			state = th.Warn.Render("offline")
		}
		title += th.Muted.Render(" · ") + state
	}
	// The backend's Detail line says what the title and the facts say.
	return p.layout(p.verdictLines(t, []string{title}, len(t.Facts) == 0), nil)
}
