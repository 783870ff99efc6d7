package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// guestPane is a VM's, a container's or a template's pane: its summary, its
// restore points, its snapshots and the actions it offers (pointsPane).
// With the focus, j/k move the snapshot cursor (or, with no snapshots,
// scroll the restore points) and pgdn/pgup (or ] and [) scroll the restore
// points.
type guestPane struct {
	pointsPane
	cursor     int // the selected snapshot
	snapOffset int // first snapshot row shown when they are cut
}

// snapshots are the guest's snapshots as the detail was given them; the
// cursor is kept on one of them.
func (p *guestPane) snapshots() []model.Snapshot {
	list := p.in.snaps.list
	p.cursor = max(0, min(p.cursor, len(list)-1))
	return list
}

// SelectedSnapshot is the snapshot under the cursor, when there is one (a
// nil pane, not a guest's, has none).
func (p *guestPane) SelectedSnapshot() (model.Snapshot, bool) {
	if p == nil {
		return model.Snapshot{}, false
	}
	list := p.snapshots()
	if len(list) == 0 {
		return model.Snapshot{}, false
	}
	return list[p.cursor], true
}

func (p *guestPane) Update(msg tea.KeyPressMsg) bool {
	step, page, ok := paneStep(p.c.keys, msg, p.rpPage)
	if !ok {
		return false
	}
	if list := p.snapshots(); !page && len(list) > 0 {
		p.cursor = max(0, min(len(list)-1, p.cursor+step))
		return true
	}
	p.scrollPoints(step)
	return true
}

func (p *guestPane) ShortHelp() []key.Binding {
	k := p.c.keys
	return []key.Binding{helpAs(k.Down, "snapshot"), helpAs(k.PageDown, "older points"), k.Rollback, k.Delete, k.Back}
}

func (p *guestPane) FullHelp() [][]key.Binding {
	k := p.c.keys
	return [][]key.Binding{
		{
			bothKeys(k.Down, k.Up, "j/k", "older/newer snapshot"),
			bothKeys(k.Bottom, k.Top, "G/g", "oldest/newest snapshot"),
			bothKeys(k.PageDown, k.PageUp, "]/[", "older/newer restore pts (pgdn/pgup)"),
			helpAs(k.Prune, "prune preview (t protects)"),
			bothKeys(k.Restore, k.Drill, "e/t", "restore/restore drill"),
		},
		{
			k.Backup, k.Snapshot, helpAs(k.Rollback, "rollback to selected"),
			helpAs(k.Delete, "delete snapshot"), helpAs(k.Stop, "stop the job"),
		},
	}
}

func (p *guestPane) View() []string {
	p.fitLabels()
	p.snapshots()
	if isGuest(p.in.target.Target) {
		return p.layout(p.summary(), p)
	}
	return p.layout(p.summary(), nil) // no source reported it: no snapshots to list
}

// summary is the top of the pane: "k3sagent01 · VM 421 · running", a lock,
// then the verdict.
func (p *guestPane) summary() []string {
	t := p.in.target
	th := p.c.theme
	head := []string{t.Name}
	if t.VMID > 0 {
		kind := "VM"
		switch t.Kind {
		case model.KindLXC:
			kind = "CT"
		case model.KindTemplate:
			kind = "template"
		}
		head = append(head, fmt.Sprintf("%s %d", kind, t.VMID))
	}
	if t.State != "" {
		head = append(head, t.State)
	}
	title := p.title(strings.Join(head, " · "))
	if t.Lock != "" {
		title += th.Muted.Render(" · ") + th.Warn.Render("locked ("+t.Lock+")")
	}
	return p.verdictLines(t, []string{title}, true)
}

// snapshotLines is the snapshots' title and their rows (newest first), or
// one line saying they are loading, there are none, or why they failed.
func (p *guestPane) snapshotLines() (title string, rows []string) {
	c := p.c
	th := c.theme
	s := p.in.snaps
	title = th.Bold.Render(p.snapTitle())
	switch {
	case s.err != "":
		return title, []string{"  " + th.Critical.Render(c.glyph(model.StatusCritical)+" "+s.err)}
	case !s.loaded:
		return title, []string{"  " + th.Muted.Render("loading…")}
	case len(s.list) == 0:
		return title, []string{"  " + th.Muted.Render("none")}
	}
	for i, sn := range s.list {
		rows = append(rows, p.snapRow(sn, i == p.cursor))
	}
	return title, rows
}

func (p *guestPane) snapTitle() string {
	s := p.in.snaps
	title := "Snapshots"
	if s.loaded {
		title += fmt.Sprintf(" (%d)", len(s.list))
	}
	if s.loading && s.loaded {
		title += " …"
	}
	return title
}

func (p *guestPane) snapRow(s model.Snapshot, selected bool) string {
	c := p.c
	now := c.now()
	nameW := 12
	for _, x := range p.in.snaps.list {
		nameW = max(nameW, min(24, width(x.Name)))
	}
	age, date := "", ""
	if !s.Time.IsZero() {
		age, date = model.HumanAge(now.Sub(s.Time)), c.local(s.Time).Format("2006-01-02 15:04")
	}
	ram := "   "
	if s.VMState {
		ram = "RAM"
	}
	text := fit(s.Name, nameW) + " " + fmt.Sprintf("%-6s", age)
	if p.w >= 70 {
		text += " " + fmt.Sprintf("%-16s", date)
	}
	text += " " + ram + " " + firstLine(s.Description)
	text = trunc(text, p.w-4)
	if selected && p.in.focused {
		return c.sym("›", ">") + " " + c.theme.Selected.Render(text)
	}
	if selected {
		return c.sym("›", ">") + " " + text
	}
	return "  " + text
}

// snapWindow is size snapshot rows that keep the cursor in view.
func (p *guestPane) snapWindow(rows []string, size int) []string {
	if len(rows) <= size || len(p.in.snaps.list) == 0 {
		p.snapOffset = 0
		return rows[:min(len(rows), size)]
	}
	if p.cursor < p.snapOffset {
		p.snapOffset = p.cursor
	}
	if p.cursor >= p.snapOffset+size {
		p.snapOffset = p.cursor - size + 1
	}
	p.snapOffset = max(0, min(p.snapOffset, len(rows)-size))
	return rows[p.snapOffset : p.snapOffset+size]
}
