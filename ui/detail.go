package ui

import (
	"fmt"
	"sort"
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
//
// A target's pane is laid out in fixed parts so that what matters most is
// never scrolled away: the title and the summary (last backup, max age,
// why) at the top, then the restore points newest first (as many as fit,
// "… N older" when cut), then the snapshots (the selected one always in
// view), and the actions line pinned at the bottom. When the pane has the
// focus, j/k move the snapshot cursor (or, with no snapshots, scroll the
// restore points) and pgdn/pgup (or ] and [) scroll the restore points.
// Concerns, stores and drives have one body that j/k scroll.
type detail struct {
	c          *common
	w, h       int
	posture    *model.Posture
	concern    *model.ConcernStatus
	target     *model.TargetStatus
	snaps      snapState
	running    *model.Job // the target's job that has not ended, if any
	cursor     int        // the selected snapshot
	snapOffset int        // first snapshot row shown when they are cut
	rpOffset   int        // newest restore points scrolled past
	rpPage     int        // restore point rows shown in the last frame
	offset     int        // first body line shown (concerns, stores, drives)
	pointSel   string     // the disk image under the cursor, by id ("" the newest)
	imgOffset  int        // first disk image shown when they are cut
	pre        preflightView
	focused    bool
	labelW     int        // the width of the labels of field lines
	chart      chartCache // the store's usage chart, drawn once per posture and size
	lineCache
}

func newDetail(c *common) detail {
	return detail{c: c, labelW: defaultLabelW, lineCache: lineCache{dirty: true}}
}

// defaultLabelW is the width of the labels of field lines ("last backup").
const defaultLabelW = 12

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
// and the scrolls go back to the top when the selection changes.
func (d *detail) SetSelection(p *model.Posture, c *model.ConcernStatus, t *model.TargetStatus) {
	if selectionID(c, t) != selectionID(d.concern, d.target) {
		d.cursor, d.offset, d.snapOffset, d.rpOffset = 0, 0, 0, 0
		d.pointSel, d.imgOffset = "", 0
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

// SetPreflight shows the imaging preflight (in the host concern's pane and,
// in short, in a disk's).
func (d *detail) SetPreflight(p preflightView) {
	d.pre, d.dirty = p, true
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

// isTargetView reports whether the pane shows a target's restore points
// (not a concern, a store or a drive).
func (d *detail) isTargetView() bool {
	if d.target == nil {
		return false
	}
	k := kindOf(d.target.Target)
	return k != model.KindStore && k != model.KindDrive
}

// Update handles the pane's keys when it has the focus: j/k, g/G move the
// snapshot cursor of a guest that has snapshots, else they scroll the
// restore points (a target) or the body (a concern, a store, a drive);
// pgdn/pgup scroll the restore points a page at a time.
func (d *detail) Update(msg tea.KeyPressMsg) bool {
	k := d.c.keys
	const far = 1 << 20
	step, page := 0, false
	switch {
	case key.Matches(msg, k.Up):
		step = -1
	case key.Matches(msg, k.Down):
		step = 1
	case key.Matches(msg, k.Top):
		step = -far
	case key.Matches(msg, k.Bottom):
		step = far
	case key.Matches(msg, k.PageDown):
		step, page = max(1, d.rpPage), true
	case key.Matches(msg, k.PageUp):
		step, page = -max(1, d.rpPage), true
	default:
		return false
	}
	switch {
	case !d.isTargetView():
		if page {
			return false
		}
		d.offset = max(0, min(far, d.offset+step))
	case isDisk(d.target.Target):
		// j/k move the image cursor, pgdn/pgup a page of images.
		d.moveImage(step)
	case !page && len(d.snaps.list) > 0:
		d.cursor = max(0, min(len(d.snaps.list)-1, d.cursor+step))
	default:
		// Clamped to what is shown when the pane is drawn. An offset of 1
		// would show "… 1 newer" in the place of the one row it hides:
		// the first step down goes to 2.
		to := max(0, min(len(d.target.RestorePoints)-1, d.rpOffset+step))
		if to == 1 {
			to = 2
			if step < 0 {
				to = 0
			}
		}
		d.rpOffset = to
	}
	d.dirty = true
	return true
}

// helpAs is a binding of the keymap with the pane's own description.
func helpAs(b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
}

func (d *detail) ShortHelp() []key.Binding {
	k := d.c.keys
	switch {
	case d.target != nil && isClient(d.target.Target):
		return []key.Binding{k.Incremental, helpAs(k.Full, "full (asks)"), helpAs(k.PageDown, "older points"), k.Back}
	case d.target != nil && isDisk(d.target.Target):
		return []key.Binding{helpAs(k.Down, "image"), k.Verify, k.Preflight, k.Back}
	case !d.isTargetView():
		return []key.Binding{helpAs(k.Down, "scroll"), k.Back}
	}
	return []key.Binding{helpAs(k.Down, "snapshot"), helpAs(k.PageDown, "older points"), k.Rollback, k.Delete, k.Back}
}

func (d *detail) FullHelp() [][]key.Binding {
	k := d.c.keys
	both := func(a, b key.Binding, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...), key.WithHelp(help, desc))
	}
	return [][]key.Binding{
		{
			both(k.Down, k.Up, "j/k", "older/newer snapshot"),
			both(k.Bottom, k.Top, "G/g", "oldest/newest snapshot"),
			both(k.PageDown, k.PageUp, "]/[", "older/newer restore pts (pgdn/pgup)"),
		},
		{
			k.Backup, k.Snapshot, helpAs(k.Rollback, "rollback to selected"),
			helpAs(k.Delete, "delete snapshot"), helpAs(k.Stop, "stop the job"),
		},
	}
}

// View returns the panel's lines, each exactly d.w cells wide.
func (d *detail) View() []string { return d.lines(d.w, d.h, d.draw) }

func (d *detail) draw(out []string) []string {
	d.labelW = defaultLabelW
	switch {
	case d.target != nil && isDisk(d.target.Target):
		d.labelW = diskLabelW
	case d.target != nil:
		for _, f := range d.target.Facts {
			d.labelW = max(d.labelW, min(16, width(f.Label)))
		}
	}
	var lines []string
	switch {
	case d.target != nil && kindOf(d.target.Target) == model.KindStore:
		lines = d.scrolled(d.storeLines(d.target))
	case d.target != nil && kindOf(d.target.Target) == model.KindDrive:
		lines = d.scrolled(d.driveLines(d.target))
	case d.target != nil && isDisk(d.target.Target):
		lines = d.diskView(d.target)
	case d.target != nil:
		lines = d.targetView(d.target)
	case d.concern != nil:
		lines = d.scrolled(d.concernLines(d.concern))
	default:
		lines = []string{d.c.theme.Muted.Render("nothing selected")}
	}
	for i := 0; i < min(d.h, len(lines)); i++ {
		out = append(out, fit(" "+lines[i], d.w))
	}
	return out
}

// scrolled is a body of lines with its first line (the title) fixed and
// the rest scrolled by d.offset.
func (d *detail) scrolled(body []string) []string {
	if len(body) == 0 || d.h <= 0 {
		return nil
	}
	lines := []string{body[0]}
	rest := body[1:]
	room := d.h - 1
	d.offset = max(0, min(d.offset, len(rest)-room))
	end := min(len(rest), d.offset+room)
	return append(lines, rest[d.offset:end]...)
}

// targetView lays out a target's pane in its fixed parts (see detail).
func (d *detail) targetView(t *model.TargetStatus) []string {
	guest := isGuest(t.Target)
	top := d.summaryLines(t)
	actions := d.actionLines(t)
	rpTitle, rpCols, rpRows := d.restorePointLines(t)
	var snapTitle string
	var snapRows []string
	if guest {
		snapTitle, snapRows = d.snapshotLines()
	}

	h := d.h
	if len(actions) > h-1 {
		actions = actions[:max(0, h-1)]
	}
	// The summary keeps room for the titles and one row of each list; it
	// is cut only on a pane too short for anything else.
	minMid := 2
	if guest {
		minMid += 2
	}
	if len(top) > h-len(actions)-minMid {
		top = top[:max(1, min(len(top), h-len(actions)-minMid))]
	}
	n := len(rpRows)
	if facts := shownFacts(&t.Target); len(facts) > 0 {
		top = append(top, d.fitFacts(facts, h-len(actions)-len(top)-rpMinLines(n))...)
	}
	room := max(0, h-len(top)-len(actions))

	snapNeed, seps := 0, 1
	if guest {
		snapNeed, seps = 1+len(snapRows), 2
	}
	var mid []string
	if 1+len(rpCols)+n+snapNeed+seps <= room {
		// Everything fits: a blank line before each section.
		d.rpOffset, d.snapOffset, d.rpPage = 0, 0, n
		mid = append(mid, "", rpTitle)
		mid = append(mid, rpCols...)
		mid = append(mid, rpRows...)
		if guest {
			mid = append(mid, "", snapTitle)
			mid = append(mid, snapRows...)
		}
	} else {
		// Tight: no blank lines; the snapshots show the selected one and
		// more while three restore points keep their room; the restore
		// points take the rest.
		snapShown := 0
		if guest {
			rpMin := 1 + len(rpCols) + min(n, 3)
			if n > 3 {
				rpMin++ // "… N older"
			}
			snapShown = max(1, min(len(snapRows), room-rpMin-1))
		}
		rpAvail := room - 1 // their title
		if guest {
			rpAvail -= 1 + snapShown
		}
		if len(rpCols) > 0 && rpAvail-len(rpCols) >= 3 {
			rpAvail -= len(rpCols)
		} else {
			rpCols = nil
		}
		mid = append(mid, rpTitle)
		mid = append(mid, rpCols...)
		mid = append(mid, d.rpWindow(rpRows, max(0, rpAvail))...)
		if guest {
			mid = append(mid, snapTitle)
			mid = append(mid, d.snapWindow(snapRows, snapShown)...)
		}
	}
	return stack(top, mid, room, actions)
}

// stack puts the pane together: the summary, the middle cut or padded to
// exactly room lines, and the action lines pinned at the bottom.
func stack(top, mid []string, room int, actions []string) []string {
	if len(mid) > room {
		mid = mid[:room]
	}
	for len(mid) < room {
		mid = append(mid, "")
	}
	lines := append(top, mid...)
	return append(lines, actions...)
}

// rpMinLines is the room the restore points keep when the pane is tight:
// their title, the three newest and "… N older".
func rpMinLines(n int) int {
	if n > 3 {
		return 5
	}
	return 1 + n
}

// shownFacts are the facts the pane shows: "online: yes" goes, the title
// says it already (an offline client's "no, last seen …" stays).
func shownFacts(t *model.Target) []model.Fact {
	out := make([]model.Fact, 0, len(t.Facts))
	for _, f := range t.Facts {
		if f.Label == "online" && !t.Offline {
			continue
		}
		out = append(out, f)
	}
	return out
}

// fitFacts is a client's facts in at most room lines: wrapped when they
// fit so, else one line each, else cut with a line that says how many
// more a taller terminal shows.
func (d *detail) fitFacts(facts []model.Fact, room int) []string {
	if room <= 0 {
		return nil
	}
	var lines []string
	for _, f := range facts {
		lines = append(lines, d.wrapField(f.Label, f.Value)...)
	}
	if len(lines) <= room {
		return lines
	}
	lines = lines[:0]
	for _, f := range facts {
		lines = append(lines, d.field(f.Label, f.Value))
	}
	if len(lines) <= room {
		return lines
	}
	keep := room - 1
	more := len(lines) - keep
	return append(lines[:keep], d.c.theme.Muted.Render(fmt.Sprintf("… %d more facts (taller terminal)", more)))
}

// rpWindow is the restore point rows that fit in avail lines from
// d.rpOffset, with "… N newer" above and "… N older" below when cut.
func (d *detail) rpWindow(rows []string, avail int) []string {
	th := d.c.theme
	n := len(rows)
	if n <= avail {
		d.rpOffset, d.rpPage = 0, n
		return rows
	}
	if avail <= 1 {
		d.rpOffset, d.rpPage = 0, 0
		if avail == 1 {
			return []string{th.Muted.Render(fmt.Sprintf("  … %d older", n))}
		}
		return nil
	}
	// With an offset, the last page fills the window: "… N newer" and the
	// oldest avail-1 rows.
	off := max(0, min(d.rpOffset, n-(avail-1)))
	if off == 1 {
		off = 0 // "… 1 newer" would take the line of the row it hides
	}
	d.rpOffset = off
	var out []string
	shown := avail
	if off > 0 {
		out = append(out, th.Muted.Render(fmt.Sprintf("  … %d newer", off)))
		shown--
	}
	if n-off > shown {
		shown--
	}
	shown = max(0, shown)
	out = append(out, rows[off:off+shown]...)
	if older := n - off - shown; older > 0 {
		out = append(out, th.Muted.Render(fmt.Sprintf("  … %d older", older)))
	}
	d.rpPage = max(1, shown)
	return out
}

// snapWindow is size snapshot rows that keep the cursor in view.
func (d *detail) snapWindow(rows []string, size int) []string {
	if len(rows) <= size || len(d.snaps.list) == 0 {
		d.snapOffset = 0
		return rows[:min(len(rows), size)]
	}
	if d.cursor < d.snapOffset {
		d.snapOffset = d.cursor
	}
	if d.cursor >= d.snapOffset+size {
		d.snapOffset = d.cursor - size + 1
	}
	d.snapOffset = max(0, min(d.snapOffset, len(rows)-size))
	return rows[d.snapOffset : d.snapOffset+size]
}

func (d *detail) title(s string) string {
	if d.focused {
		return d.c.theme.TitleFocus.Render(s)
	}
	return d.c.theme.Title.Render(s)
}

// field is one "label  value" line of the pane.
func (d *detail) field(label, value string) string {
	return d.c.theme.Muted.Render(fmt.Sprintf("%-*s", d.labelW, label)) + " " + value
}

// wrapField writes a long value over as many lines as it needs, indented
// under its label.
func (d *detail) wrapField(label, value string) []string {
	avail := d.w - 2 - d.labelW - 1
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
		res = append(res, strings.Repeat(" ", d.labelW+1)+l)
	}
	return res
}

// summaryLines is the top of a target's pane: the title, the verdict with
// the last backup, the max age, why, and the job that runs on it.
func (d *detail) summaryLines(t *model.TargetStatus) []string {
	th := d.c.theme
	if isClient(t.Target) {
		return d.clientSummary(t)
	}
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
	return d.verdictLines(t, lines, true)
}

// clientSummary is the top of an UrBackup client's pane: "k3sagent01 ·
// UrBackup client · online", then the verdict lines (its facts follow).
func (d *detail) clientSummary(t *model.TargetStatus) []string {
	th := d.c.theme
	title := d.title(t.Name + " · UrBackup client")
	if t.Found {
		state := th.OK.Render("online")
		if t.Offline {
			state = th.Warn.Render("offline")
		}
		title += th.Muted.Render(" · ") + state
	}
	// The backend's Detail line says what the title and the facts say.
	return d.verdictLines(t, []string{title}, len(t.Facts) == 0)
}

// verdictLines adds the verdict: last backup, max age, why, and the job
// that runs on the target.
func (d *detail) verdictLines(t *model.TargetStatus, lines []string, about bool) []string {
	c := d.c
	th := c.theme
	now := c.now()
	if !t.Found {
		lines = append(lines, d.field("status", c.badge(t.Status)))
	}
	last := "never"
	if t.HasBackup {
		rp, _ := t.Target.LastBackup()
		last = model.HumanAge(now.Sub(t.LastBackup)) + " ago   " + pointSize(rp, "deduplicated")
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
	if t.Detail != "" && about {
		lines = append(lines, d.wrapField("about", t.Detail)...)
	}
	if j := d.running; j != nil {
		p := ""
		if j.Progress.Percent >= 0 {
			p = fmt.Sprintf(" %.0f%%", j.Progress.Percent)
		}
		lines = append(lines, d.field("job", th.Accent.Render(c.jobGlyph(j.State)+" "+methodLabel(j.Method)+" "+string(j.State)+p)))
	}
	return lines
}

// restorePointLines is the restore points' title, their column header (none
// when there are no points) and one row per point, newest first.
func (d *detail) restorePointLines(t *model.TargetStatus) (title string, cols, rows []string) {
	c := d.c
	th := c.theme
	now := c.now()
	rps := t.RestorePoints // newest first, as model.Target says; made sure of
	if !sort.SliceIsSorted(rps, func(i, j int) bool { return rps[i].Time.After(rps[j].Time) }) {
		rps = append([]model.RestorePoint(nil), rps...)
		sort.SliceStable(rps, func(i, j int) bool { return rps[i].Time.After(rps[j].Time) })
	}
	head := fmt.Sprintf("Restore points (%d", len(rps))
	if len(rps) > 0 {
		head += ", " + model.HumanBytes(t.Target.TotalSize())
	}
	title = th.Bold.Render(head + ")")
	// Narrow panes drop the format column (nearly always vma.zst) and
	// shorten the date; the protected marker always shows.
	wide := d.w >= 70
	// UrBackup's points have no format and are never protected: their
	// columns go (PVE's keep theirs, empty or not).
	formats, protects := false, false
	for _, rp := range rps {
		formats = formats || rp.Format != ""
		protects = protects || rp.Protected
	}
	protCol := formats || protects
	if len(rps) > 0 {
		switch {
		case wide && !protCol:
			cols = []string{th.Muted.Render(fmt.Sprintf("  %-6s %-16s %9s  %s", "age", "date", "size", "notes"))}
		case wide && !formats:
			cols = []string{th.Muted.Render(fmt.Sprintf("  %-6s %-16s %9s  %-9s %s", "age", "date", "size", "", "notes"))}
		case wide:
			cols = []string{th.Muted.Render(fmt.Sprintf("  %-6s %-16s %9s  %-8s %-9s %s", "age", "date", "size", "format", "", "notes"))}
		default:
			cols = []string{th.Muted.Render(fmt.Sprintf("  %-6s %-11s %9s  %s", "age", "date", "size", "notes"))}
		}
	}
	rows = make([]string, 0, len(rps))
	for _, rp := range rps {
		prot := ""
		if rp.Protected {
			prot = "protected"
		}
		var row string
		switch {
		case wide:
			row = fmt.Sprintf("  %-6s %-16s %9s  ", model.HumanAge(now.Sub(rp.Time)), c.local(rp.Time).Format("2006-01-02 15:04"), pointSize(rp, "dedup"))
			if formats {
				row += fmt.Sprintf("%-8s ", trunc(rp.Format, 8))
			}
			if protCol {
				row += th.Accent.Render(fmt.Sprintf("%-9s", prot)) + " "
			}
			row += firstLine(rp.Notes)
		default:
			row = fmt.Sprintf("  %-6s %-11s %9s  ", model.HumanAge(now.Sub(rp.Time)), c.local(rp.Time).Format("01-02 15:04"), pointSize(rp, "dedup"))
			if prot != "" {
				row += th.Accent.Render(prot) + th.Muted.Render(" · ")
			}
			row += firstLine(rp.Notes)
		}
		rows = append(rows, row)
	}
	return title, cols, rows
}

// pointSize is a restore point's size, or the word for a deduplicated one:
// it stored nothing new, which is not an empty backup.
func pointSize(rp model.RestorePoint, dedup string) string {
	if rp.Deduplicated {
		return dedup
	}
	return model.HumanBytes(rp.Size)
}

// snapshotLines is the snapshots' title and their rows (newest first), or
// one line saying they are loading, there are none, or why they failed.
func (d *detail) snapshotLines() (title string, rows []string) {
	c := d.c
	th := c.theme
	title = th.Bold.Render(d.snapTitle())
	switch {
	case d.snaps.err != "":
		return title, []string{"  " + th.Critical.Render(c.glyph(model.StatusCritical)+" "+d.snaps.err)}
	case !d.snaps.loaded:
		return title, []string{"  " + th.Muted.Render("loading…")}
	case len(d.snaps.list) == 0:
		return title, []string{"  " + th.Muted.Render("none")}
	}
	now := c.now()
	for i, s := range d.snaps.list {
		rows = append(rows, d.snapRow(s, i == d.cursor, now))
	}
	return title, rows
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

// actionLines lists what can be done on the target, "b backup  s snapshot
// R rollback  D delete  x stop", on as many lines as the pane's width
// needs. Rollback and delete show when the guest has a snapshot: they act
// on the selected one.
func (d *detail) actionLines(t *model.TargetStatus) []string {
	k := d.c.keys
	th := d.c.theme
	var parts []string
	add := func(b key.Binding, desc string) {
		parts = append(parts, th.Key.Render(b.Help().Key)+" "+th.Desc.Render(desc))
	}
	if hasMethod(t.Target, model.MethodVzdump) {
		add(k.Backup, "backup")
	}
	if isClient(t.Target) {
		for _, x := range []struct {
			m    model.Method
			b    key.Binding
			desc string
		}{
			{model.MethodIncrFile, k.Incremental, "incremental"},
			{model.MethodFullFile, k.Full, "full"},
			{model.MethodIncrImage, k.IncrImage, "incr. image"},
			{model.MethodFullImage, k.FullImage, "full image"},
		} {
			if hasMethod(t.Target, x.m) {
				add(x.b, x.desc)
			}
		}
	}
	if hasMethod(t.Target, model.MethodSnapshot) {
		add(k.Snapshot, "snapshot")
	}
	if len(d.snaps.list) > 0 {
		if canAct(t.Target, model.MethodRollback) {
			add(k.Rollback, "rollback")
		}
		if canAct(t.Target, model.MethodDeleteSnapshot) {
			add(k.Delete, "delete")
		}
	}
	if isDisk(t.Target) {
		if hasMethod(t.Target, model.MethodVerify) && len(t.RestorePoints) > 0 {
			add(k.Verify, "verify image")
		}
		add(k.Preflight, "imaging preflight")
	}
	if d.running != nil {
		add(k.Stop, "stop")
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
