package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// treeRow is one line of the concern tree: a concern (ti < 0) or one of
// its targets.
type treeRow struct{ ci, ti int }

// selection names what the tree cursor is on, stable across postures.
type selection struct {
	concern model.ConcernID
	target  string // empty on a concern row
}

// tree is the left panel: concerns with their verdicts, their targets
// indented below them. It renders only the rows in view.
type tree struct {
	c        *common
	w, h     int
	concerns []model.ConcernStatus
	folded   map[model.ConcernID]bool
	query    query           // the filter; empty shows everything
	failed   map[string]bool // targets whose last job failed (!failed)
	header   string          // the title line (the filter's input while filtering)
	rows     []treeRow
	cursor   int
	offset   int
	focused  bool
	lineCache
}

func newTree(c *common) tree {
	return tree{c: c, folded: map[model.ConcernID]bool{}, lineCache: lineCache{dirty: true}}
}

func (t *tree) SetSize(w, h int) {
	if w != t.w || h != t.h {
		t.w, t.h = w, h
		t.scroll()
		t.dirty = true
	}
}

func (t *tree) SetFocused(f bool) {
	if f != t.focused {
		t.focused, t.dirty = f, true
	}
}

// SetHeader replaces the title line (a plain or styled string).
func (t *tree) SetHeader(s string) {
	if s != t.header {
		t.header, t.dirty = s, true
	}
}

// SetConcerns takes a new posture's concerns, keeping the cursor on the
// same concern or target.
func (t *tree) SetConcerns(cs []model.ConcernStatus) {
	sel := t.Selection()
	t.concerns = cs
	t.rebuild(sel)
}

// SetFilter narrows the targets to those that answer the query f (the
// filter's text: words of the name or id, and !states).
func (t *tree) SetFilter(f string) {
	q := parseQuery(f)
	if q.text == t.query.text {
		return
	}
	sel := t.Selection()
	t.query = q
	t.rebuild(sel)
}

// SetFailed says which targets' last job failed: a filter by !failed
// follows. It reports whether the rows changed.
func (t *tree) SetFailed(failed map[string]bool) bool {
	t.failed = failed
	if !t.query.has(stateFailed) {
		return false
	}
	t.rebuild(t.Selection())
	return true
}

func (t *tree) filtering() bool { return !t.query.empty() }

// rebuild recomputes the visible rows and puts the cursor back on sel (or
// on its concern, or as near as it was).
func (t *tree) rebuild(sel selection) {
	t.rows = t.rows[:0]
	for ci := range t.concerns {
		c := &t.concerns[ci]
		if t.filtering() {
			var matched []treeRow
			for ti := range c.Targets {
				if t.query.matches(&c.Targets[ti], t.failed) {
					matched = append(matched, treeRow{ci, ti})
				}
			}
			if len(matched) > 0 {
				t.rows = append(t.rows, treeRow{ci, -1})
				t.rows = append(t.rows, matched...)
			}
			continue
		}
		t.rows = append(t.rows, treeRow{ci, -1})
		if t.folded[c.ID] {
			continue
		}
		for ti := range c.Targets {
			t.rows = append(t.rows, treeRow{ci, ti})
		}
	}
	t.cursor = t.find(sel)
	t.scroll()
	t.dirty = true
}

// find returns the row of sel; else, while filtering, the first match;
// else the row of sel's concern; else the clamped old cursor.
func (t *tree) find(sel selection) int {
	concernRow, firstTarget := -1, -1
	for i, r := range t.rows {
		c := &t.concerns[r.ci]
		if r.ti >= 0 && firstTarget < 0 {
			firstTarget = i
		}
		if c.ID != sel.concern {
			continue
		}
		if r.ti < 0 {
			concernRow = i
			if sel.target == "" && !t.filtering() {
				return i
			}
			continue
		}
		if c.Targets[r.ti].ID == sel.target {
			return i
		}
	}
	// While filtering, the cursor goes to the first match.
	if t.filtering() && firstTarget >= 0 {
		return firstTarget
	}
	if concernRow >= 0 {
		return concernRow
	}
	return max(0, min(t.cursor, len(t.rows)-1))
}

// Selection is what the cursor is on.
func (t *tree) Selection() selection {
	if t.cursor < 0 || t.cursor >= len(t.rows) {
		return selection{}
	}
	r := t.rows[t.cursor]
	c := &t.concerns[r.ci]
	if r.ti < 0 {
		return selection{concern: c.ID}
	}
	return selection{concern: c.ID, target: c.Targets[r.ti].ID}
}

// Selected returns the concern under the cursor and the target (nil on a
// concern row). The pointers are into the current posture: read only.
func (t *tree) Selected() (*model.ConcernStatus, *model.TargetStatus) {
	if t.cursor < 0 || t.cursor >= len(t.rows) {
		return nil, nil
	}
	r := t.rows[t.cursor]
	c := &t.concerns[r.ci]
	if r.ti < 0 {
		return c, nil
	}
	return c, &c.Targets[r.ti]
}

// Select puts the cursor on a target by id; it reports whether it is shown.
func (t *tree) Select(targetID string) bool {
	for i, r := range t.rows {
		if r.ti >= 0 && t.concerns[r.ci].Targets[r.ti].ID == targetID {
			t.move(i)
			return true
		}
	}
	return false
}

// Reveal unfolds the concern that lists a target and puts the cursor on
// it; it reports whether the tree shows it.
func (t *tree) Reveal(id string) bool {
	for _, c := range t.concerns {
		for _, ts := range c.Targets {
			if ts.ID == id {
				t.folded[c.ID] = false
				t.rebuild(selection{concern: c.ID, target: id})
				return t.Select(id)
			}
		}
	}
	return false
}

// Len is the number of rows shown.
func (t *tree) Len() int { return len(t.rows) }

func (t *tree) visible() int { return max(1, t.h-1) }

func (t *tree) scroll() {
	v := t.visible()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+v {
		t.offset = t.cursor - v + 1
	}
	t.offset = max(0, min(t.offset, len(t.rows)-v))
}

func (t *tree) move(to int) {
	to = max(0, min(to, len(t.rows)-1))
	if to != t.cursor {
		t.cursor = to
		t.scroll()
		t.dirty = true
	}
}

// fold collapses or expands the concern under the cursor; on a target row,
// collapsing goes to its concern first.
func (t *tree) fold(collapse bool) {
	if t.cursor >= len(t.rows) || t.filtering() {
		return
	}
	r := t.rows[t.cursor]
	id := t.concerns[r.ci].ID
	if collapse && r.ti >= 0 {
		t.rebuild(selection{concern: id})
		return
	}
	if r.ti >= 0 || t.folded[id] == collapse {
		return
	}
	t.folded[id] = collapse
	t.rebuild(selection{concern: id})
}

// Update moves the cursor and folds concerns; it reports whether the key
// was the tree's.
func (t *tree) Update(msg tea.KeyPressMsg) bool {
	k := t.c.keys
	switch {
	case key.Matches(msg, k.Up):
		t.move(t.cursor - 1)
	case key.Matches(msg, k.Down):
		t.move(t.cursor + 1)
	case key.Matches(msg, k.Top):
		t.move(0)
	case key.Matches(msg, k.Bottom):
		t.move(len(t.rows) - 1)
	case key.Matches(msg, k.Collapse):
		t.fold(true)
	case key.Matches(msg, k.Expand):
		t.fold(false)
	default:
		return false
	}
	return true
}

func (t *tree) ShortHelp() []key.Binding {
	k := t.c.keys
	return []key.Binding{k.Down, k.Collapse, k.Expand, k.Open}
}

func (t *tree) FullHelp() [][]key.Binding {
	k := t.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Collapse, k.Expand, k.Open}}
}

// View returns the panel's lines, each exactly t.w cells wide.
func (t *tree) View() []string { return t.lines(t.w, t.h, t.draw) }

func (t *tree) draw(lines []string) []string {
	th := t.c.theme
	title := t.header
	if title == "" {
		title = "Concerns & targets"
		if t.focused {
			title = th.TitleFocus.Render(title)
		} else {
			title = th.Title.Render(title)
		}
	}
	lines = append(lines, fit(" "+title, t.w))
	now := t.c.now()
	for i := t.offset; i < len(t.rows) && len(lines) < t.h; i++ {
		lines = append(lines, t.row(t.rows[i], i == t.cursor, now))
	}
	if len(t.rows) == 0 && len(lines) < t.h {
		msg := "no concerns yet"
		if t.filtering() {
			msg = "nothing matches the filter"
		}
		lines = append(lines, fit("   "+th.Muted.Render(msg), t.w))
	}
	return lines
}

// row draws one line: cursor mark, fold mark or indent, glyph, name, and
// on the right the concern's word or the target's age.
func (t *tree) row(r treeRow, selected bool, now time.Time) string {
	c := t.c
	concern := &t.concerns[r.ci]
	cursor := " "
	if selected {
		cursor = c.sym("›", ">")
	}
	var (
		st         model.Status
		lead, name string
		rightText  string
	)
	if r.ti < 0 {
		st, name = concern.Status, concern.Name
		fold := " "
		if len(concern.Targets) > 0 {
			fold = c.sym("▾", "-")
			if t.folded[concern.ID] && !t.filtering() {
				fold = c.sym("▸", "+")
			}
		}
		lead = fold + " "
		rightText = statusWord(st)
	} else {
		ts := &concern.Targets[r.ti]
		st, name = ts.Status, ts.Name
		lead = strings.Repeat(" ", 5-c.glyphW()) // ASCII's wider glyph takes a cell of the indent
		rightText = t.targetAside(ts, now)
	}
	avail := t.w - 1 - width(lead) - c.glyphW() - 1 - 1 // cursor, lead, glyph and space, right margin
	if selected && t.focused {
		text := lead + c.glyph(st) + " " + spread(name, rightText, avail)
		return cursor + c.theme.Selected.Render(text) + " "
	}
	sty := c.theme.Status(st)
	var rt string
	if r.ti < 0 || st == model.StatusUnknown {
		rt = sty.Render(rightText)
	} else {
		rt = rightText
	}
	nameText := name
	if r.ti < 0 {
		nameText = c.theme.Bold.Render(name)
	}
	return cursor + lead + sty.Render(c.glyph(st)) + " " + spread(nameText, rt, avail) + " "
}

// targetAside is what a target row shows on the right: the age of its last
// backup, a store's usage, a drive's health, or why it is not known.
func (t *tree) targetAside(ts *model.TargetStatus, now time.Time) string {
	switch {
	case ts.Kind == model.KindStore && ts.Store != nil:
		if !ts.Store.Online {
			return "offline"
		}
		return fmt.Sprintf("%.0f%%", ts.Store.UsedFraction()*100)
	case ts.Kind == model.KindDrive:
		return t.driveAside(ts)
	case ts.Status == model.StatusUnknown:
		return "unknown"
	}
	age := "never"
	if ts.HasBackup {
		age = model.HumanAge(now.Sub(ts.LastBackup))
	}
	if ts.Offline {
		// In words, not only in colour: the client cannot be backed up now.
		return "offline " + age
	}
	return age
}

// driveAside is a drive row's word: its health, or "asleep" (the glyph
// keeps the health of the last reading), or "unplugged".
func (t *tree) driveAside(ts *model.TargetStatus) string {
	d := ts.Drive
	switch {
	case d == nil:
		return statusWord(ts.Status)
	case d.Asleep:
		return "asleep"
	case !d.Present:
		return "unplugged"
	}
	return healthWord(d.Health)
}

// Targets is how many target rows are shown (the filter's count).
func (t *tree) Targets() int {
	n := 0
	for _, r := range t.rows {
		if r.ti >= 0 {
			n++
		}
	}
	return n
}
