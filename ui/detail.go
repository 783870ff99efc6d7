package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// snapState is what is known of a guest's snapshots: they are fetched when
// the guest is selected.
type snapState struct {
	loading bool
	loaded  bool
	list    []model.Snapshot // newest first, without PVE's "current"
	err     string
}

// detail is the right panel: everything about the selection, and for a
// guest its restore points, snapshots and the actions it offers.
type detail struct {
	c       *common
	w, h    int
	posture *model.Posture
	concern *model.ConcernStatus
	target  *model.TargetStatus
	snaps   snapState
	running *model.Job // the target's job that has not ended, if any
	cursor  int        // the selected snapshot
	offset  int        // first body line shown
	focused bool

	cache   []string
	dirty   bool
	renders int
}

func newDetail(c *common) detail { return detail{c: c, dirty: true} }

func (d *detail) SetSize(w, h int) {
	if w != d.w || h != d.h {
		d.w, d.h, d.dirty = w, h, true
	}
}

func (d *detail) SetFocused(f bool) {
	if f != d.focused {
		d.focused, d.dirty = f, true
	}
}

// SetSelection shows a concern or one of its targets. The snapshot cursor
// and the scroll go back to the top when the selection changes.
func (d *detail) SetSelection(p *model.Posture, c *model.ConcernStatus, t *model.TargetStatus) {
	if selectionID(c, t) != selectionID(d.concern, d.target) {
		d.cursor, d.offset = 0, 0
	}
	d.posture, d.concern, d.target = p, c, t
	d.dirty = true
}

func selectionID(c *model.ConcernStatus, t *model.TargetStatus) string {
	switch {
	case t != nil:
		return "t:" + t.ID
	case c != nil:
		return "c:" + string(c.ID)
	}
	return ""
}

// SetSnapshots shows the selected guest's snapshots (or their state).
func (d *detail) SetSnapshots(s snapState) {
	d.snaps = s
	d.cursor = max(0, min(d.cursor, len(s.list)-1))
	d.dirty = true
}

// SetRunning tells the pane which job runs on the target (nil: none).
func (d *detail) SetRunning(j *model.Job) {
	if !sameJob(d.running, j) {
		d.running, d.dirty = j, true
	}
}

func sameJob(a, b *model.Job) bool {
	if a == nil || b == nil {
		return a == b
	}
	return jobEqual(*a, *b)
}

// SelectedSnapshot is the snapshot under the cursor, when there is one.
func (d *detail) SelectedSnapshot() (model.Snapshot, bool) {
	if d.target == nil || d.cursor >= len(d.snaps.list) || d.cursor < 0 {
		return model.Snapshot{}, false
	}
	return d.snaps.list[d.cursor], true
}

// Invalidate forces a redraw (the clock moved).
func (d *detail) Invalidate() { d.dirty = true }

// Update moves the snapshot cursor (or scrolls when there are none).
func (d *detail) Update(msg tea.KeyPressMsg) bool {
	k := d.c.keys
	n := len(d.snaps.list)
	step := 0
	switch {
	case key.Matches(msg, k.Up):
		step = -1
	case key.Matches(msg, k.Down):
		step = 1
	case key.Matches(msg, k.Top):
		step = -1 << 20
	case key.Matches(msg, k.Bottom):
		step = 1 << 20
	default:
		return false
	}
	if d.target != nil && n > 0 {
		d.cursor = max(0, min(n-1, d.cursor+step))
	} else {
		d.offset = max(0, d.offset+step)
	}
	d.dirty = true
	return true
}

func (d *detail) ShortHelp() []key.Binding {
	k := d.c.keys
	return []key.Binding{k.Down, k.Rollback, k.Delete, k.Back}
}

func (d *detail) FullHelp() [][]key.Binding {
	k := d.c.keys
	return [][]key.Binding{{k.Up, k.Down}, {k.Backup, k.Snapshot, k.Rollback, k.Delete, k.Stop}}
}

// View returns the panel's lines, each exactly d.w cells wide.
func (d *detail) View() []string {
	if !d.dirty && len(d.cache) == d.h {
		return d.cache
	}
	d.renders++
	d.dirty = false
	var body []string
	var actions []string
	keep := -1 // body line that must stay in view (the selected snapshot)
	switch {
	case d.target != nil && d.target.Store != nil:
		body = d.storeLines(d.target)
	case d.target != nil && strings.HasPrefix(d.target.ID, "drive/"):
		body = d.driveLines(d.target)
	case d.target != nil:
		body, keep = d.targetLines(d.target)
		actions = d.actionLines(d.target)
	case d.concern != nil:
		body = d.concernLines(d.concern)
	default:
		body = []string{d.c.theme.Muted.Render("nothing selected")}
	}
	// The first line (the title) stays; the rest scrolls, keeping the
	// selected snapshot in view.
	lines := d.cache[:0]
	if len(body) > 0 && d.h > 0 {
		lines = append(lines, fit(" "+body[0], d.w))
		body = body[1:]
		keep--
	}
	room := d.h - len(lines) - len(actions)
	if keep >= 0 {
		if keep < d.offset {
			d.offset = keep
		}
		if keep >= d.offset+room {
			d.offset = keep - room + 1
		}
	}
	d.offset = max(0, min(d.offset, len(body)-room))
	for i := d.offset; i < len(body) && len(lines) < d.h-len(actions); i++ {
		lines = append(lines, fit(" "+body[i], d.w))
	}
	for len(lines) < d.h-len(actions) {
		lines = append(lines, blank(d.w))
	}
	for _, a := range actions {
		if len(lines) < d.h {
			lines = append(lines, fit(" "+a, d.w))
		}
	}
	d.cache = lines
	return lines
}

func (d *detail) title(s string) string {
	if d.focused {
		return d.c.theme.TitleFocus.Render(s)
	}
	return d.c.theme.Title.Render(s)
}

// field is one "label  value" line of the pane.
func (d *detail) field(label, value string) string {
	return d.c.theme.Muted.Render(fmt.Sprintf("%-12s", label)) + " " + value
}

// wrapField writes a long value over as many lines as it needs, indented
// under its label.
func (d *detail) wrapField(label, value string) []string {
	avail := d.w - 2 - 13
	if avail < 10 || width(value) <= avail {
		return []string{d.field(label, value)}
	}
	var out []string
	words := strings.Fields(value)
	line := ""
	for _, w := range words {
		if line != "" && width(line)+1+width(w) > avail {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	out = append(out, line)
	res := []string{d.field(label, out[0])}
	for _, l := range out[1:] {
		res = append(res, strings.Repeat(" ", 13)+l)
	}
	return res
}

func (d *detail) targetLines(t *model.TargetStatus) ([]string, int) {
	c := d.c
	th := c.theme
	now := c.now()
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
	title := d.title(strings.Join(head, " · "))
	if t.Lock != "" {
		title += th.Muted.Render(" · ") + th.Warn.Render("locked ("+t.Lock+")")
	}
	lines := []string{title}
	if !t.Found {
		lines = append(lines, d.field("status", c.badge(t.Status)))
	}
	last := "never"
	if t.HasBackup {
		rp, _ := t.Target.LastBackup()
		last = model.HumanAge(now.Sub(t.LastBackup)) + " ago   " + model.HumanBytes(rp.Size)
	} else if t.Status == model.StatusUnknown {
		last = "unknown"
	}
	lines = append(lines, d.field("last backup", last+"   "+c.badge(t.Status)))
	maxAge := "none set"
	if t.MaxAge > 0 {
		maxAge = model.HumanAge(t.MaxAge)
	}
	lines = append(lines, d.field("max age", maxAge))
	if t.Reason != "" {
		lines = append(lines, d.wrapField("why", t.Reason)...)
	}
	if t.Detail != "" {
		lines = append(lines, d.wrapField("about", t.Detail)...)
	}
	if j := d.running; j != nil {
		p := ""
		if j.Progress.Percent >= 0 {
			p = fmt.Sprintf(" %.0f%%", j.Progress.Percent)
		}
		lines = append(lines, d.field("job", th.Accent.Render(c.jobGlyph(j.State)+" "+methodLabel(j.Method)+" "+string(j.State)+p)))
	}

	// Restore points, newest first.
	rps := t.RestorePoints
	title2 := fmt.Sprintf("Restore points (%d", len(rps))
	if len(rps) > 0 {
		title2 += ", " + model.HumanBytes(t.Target.TotalSize())
	}
	lines = append(lines, "", th.Bold.Render(title2+")"))
	// Narrow panes drop the format column (nearly always vma.zst) and
	// shorten the date; the protected marker always shows.
	wide := d.w >= 70
	if len(rps) > 0 {
		if wide {
			lines = append(lines, th.Muted.Render(fmt.Sprintf("  %-6s %-16s %9s  %-8s %-9s %s", "age", "date", "size", "format", "", "notes")))
		} else {
			lines = append(lines, th.Muted.Render(fmt.Sprintf("  %-6s %-11s %9s  %s", "age", "date", "size", "notes")))
		}
	}
	for _, rp := range rps {
		prot := ""
		if rp.Protected {
			prot = "protected"
		}
		var row string
		if wide {
			row = fmt.Sprintf("  %-6s %-16s %9s  %-8s ", model.HumanAge(now.Sub(rp.Time)), c.local(rp.Time).Format("2006-01-02 15:04"), model.HumanBytes(rp.Size), trunc(rp.Format, 8))
			row += th.Accent.Render(fmt.Sprintf("%-9s", prot)) + " " + firstLine(rp.Notes)
		} else {
			row = fmt.Sprintf("  %-6s %-11s %9s  ", model.HumanAge(now.Sub(rp.Time)), c.local(rp.Time).Format("01-02 15:04"), model.HumanBytes(rp.Size))
			if prot != "" {
				row += th.Accent.Render(prot) + th.Muted.Render(" · ")
			}
			row += firstLine(rp.Notes)
		}
		lines = append(lines, row)
	}

	keep := -1
	if isGuest(t.Target) {
		lines = append(lines, "", th.Bold.Render(d.snapTitle()))
		switch {
		case d.snaps.err != "":
			lines = append(lines, "  "+th.Critical.Render(c.glyph(model.StatusCritical)+" "+d.snaps.err))
		case !d.snaps.loaded:
			lines = append(lines, "  "+th.Muted.Render("loading…"))
		case len(d.snaps.list) == 0:
			lines = append(lines, "  "+th.Muted.Render("none"))
		}
		for i, s := range d.snaps.list {
			if i == d.cursor {
				keep = len(lines)
			}
			lines = append(lines, d.snapRow(s, i == d.cursor, now))
		}
	}
	return lines, keep
}

func (d *detail) snapTitle() string {
	s := "Snapshots"
	if d.snaps.loaded {
		s += fmt.Sprintf(" (%d)", len(d.snaps.list))
	}
	if d.snaps.loading && d.snaps.loaded {
		s += " …"
	}
	return s
}

func (d *detail) snapRow(s model.Snapshot, selected bool, now time.Time) string {
	c := d.c
	nameW := 12
	for _, x := range d.snaps.list {
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
	if d.w >= 70 {
		text += " " + fmt.Sprintf("%-16s", date)
	}
	text += " " + ram + " " + firstLine(s.Description)
	text = trunc(text, d.w-4)
	if selected && d.focused {
		return c.sym("›", ">") + " " + c.theme.Selected.Render(text)
	}
	if selected {
		return c.sym("›", ">") + " " + text
	}
	return "  " + text
}

// actionLines lists what can be started on the target,
// "b backup  s snapshot  R rollback  D delete snapshot  x stop", on as many
// lines as the pane's width needs.
func (d *detail) actionLines(t *model.TargetStatus) []string {
	k := d.c.keys
	th := d.c.theme
	var parts []string
	add := func(b key.Binding) {
		parts = append(parts, th.Key.Render(b.Help().Key)+" "+th.Desc.Render(b.Help().Desc))
	}
	if hasMethod(t.Target, model.MethodVzdump) {
		add(k.Backup)
	}
	if hasMethod(t.Target, model.MethodSnapshot) {
		add(k.Snapshot)
	}
	if hasMethod(t.Target, model.MethodRollback) {
		add(k.Rollback)
	}
	if hasMethod(t.Target, model.MethodDeleteSnapshot) {
		add(k.Delete)
	}
	if d.running != nil {
		add(k.Stop)
	}
	if len(parts) == 0 {
		return []string{th.Muted.Render("no actions for this target")}
	}
	var lines []string
	line := ""
	for _, p := range parts {
		if line != "" && width(line)+2+width(p) > d.w-2 {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += "  "
		}
		line += p
	}
	return append(lines, line)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
