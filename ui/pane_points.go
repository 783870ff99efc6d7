package ui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// pointsPane is the layout a guest's and an UrBackup client's panes share,
// in fixed parts so that what matters most is never scrolled away: the
// title and the summary (last backup, max age, why) at the top, the
// target's facts, then the restore points newest first (as many as fit,
// "… N older" when cut), then a guest's snapshots (the selected one always
// in view), and the actions pinned at the bottom.
type pointsPane struct {
	sheet
	rpOffset int // newest restore points scrolled past
	rpPage   int // restore point rows shown in the last frame
}

// snapshotSection is the part a guest adds under its restore points.
type snapshotSection interface {
	snapshotLines() (title string, rows []string)
	// snapWindow is size of the rows, the selected one in view.
	snapWindow(rows []string, size int) []string
}

// scrollPoints moves the restore points by step rows. It is clamped to
// what is shown when the pane is drawn. An offset of 1 would show "… 1
// newer" in the place of the one row it hides: the first step down goes
// to 2.
func (p *pointsPane) scrollPoints(step int) {
	to := max(0, min(len(p.in.target.RestorePoints)-1, p.rpOffset+step))
	if to == 1 {
		to = 2
		if step < 0 {
			to = 0
		}
	}
	p.rpOffset = to
}

// fitLabels makes the field labels as wide as the target's facts need
// (within bounds); the summary's fields line up with them.
func (p *pointsPane) fitLabels() {
	p.labelW = defaultLabelW
	for _, f := range p.in.target.Facts {
		p.labelW = max(p.labelW, min(16, width(f.Label)))
	}
}

// layout puts the pane together from its summary (top) and, for a guest,
// its snapshots (nil for a client).
func (p *pointsPane) layout(top []string, snaps snapshotSection) []string {
	t := p.in.target
	guest := snaps != nil
	actions := p.actionLines()
	rpTitle, rpCols, rpRows := p.restorePointLines(t)
	var snapTitle string
	var snapRows []string
	if guest {
		snapTitle, snapRows = snaps.snapshotLines()
	}

	h := p.h
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
	// The calendar strip comes before more restore points: it draws them
	// all. The lists keep their titles, the newest point with "… N older"
	// and a guest's selected snapshot.
	top = append(top, p.fitCalendar(t, h-len(actions)-len(top)-min(n, 2)-minMid+1)...)
	if facts := shownFacts(&t.Target); len(facts) > 0 {
		top = append(top, p.fitFacts(facts, h-len(actions)-len(top)-rpMinLines(n))...)
	}
	room := max(0, h-len(top)-len(actions))

	snapNeed, seps := 0, 1
	if guest {
		snapNeed, seps = 1+len(snapRows), 2
	}
	var mid []string
	if 1+len(rpCols)+n+snapNeed+seps <= room {
		// Everything fits: a blank line before each section.
		p.rpOffset, p.rpPage = 0, n
		mid = append(mid, "", rpTitle)
		mid = append(mid, rpCols...)
		mid = append(mid, rpRows...)
		if guest {
			mid = append(mid, "", snapTitle)
			mid = append(mid, snapRows...)
		}
		return stack(top, mid, room, actions)
	}
	// Tight: no blank lines; the snapshots show the selected one and more
	// while three restore points keep their room; the restore points take
	// the rest.
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
	mid = append(mid, p.rpWindow(rpRows, max(0, rpAvail))...)
	if guest {
		mid = append(mid, snapTitle)
		mid = append(mid, snaps.snapWindow(snapRows, snapShown)...)
	}
	return stack(top, mid, room, actions)
}

// stack puts a pane together: the summary, the middle cut or padded to
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

// fitFacts is a target's facts in at most room lines: wrapped when they
// fit so, else one line each, else cut with a line that says how many
// more a taller terminal shows.
func (p *pointsPane) fitFacts(facts []model.Fact, room int) []string {
	if room <= 0 {
		return nil
	}
	var lines []string
	for _, f := range facts {
		lines = append(lines, p.wrapField(f.Label, f.Value)...)
	}
	if len(lines) <= room {
		return lines
	}
	lines = lines[:0]
	for _, f := range facts {
		lines = append(lines, p.field(f.Label, f.Value))
	}
	if len(lines) <= room {
		return lines
	}
	keep := room - 1
	more := len(lines) - keep
	return append(lines[:keep], p.c.theme.Muted.Render(fmt.Sprintf("… %d more facts (taller terminal)", more)))
}

// rpWindow is the restore point rows that fit in avail lines from
// rpOffset, with "… N newer" above and "… N older" below when cut.
func (p *pointsPane) rpWindow(rows []string, avail int) []string {
	th := p.c.theme
	n := len(rows)
	if n <= avail {
		p.rpOffset, p.rpPage = 0, n
		return rows
	}
	if avail <= 1 {
		p.rpOffset, p.rpPage = 0, 0
		if avail == 1 {
			return []string{th.Muted.Render(fmt.Sprintf("  … %d older", n))}
		}
		return nil
	}
	// With an offset, the last page fills the window: "… N newer" and the
	// oldest avail-1 rows.
	off := max(0, min(p.rpOffset, n-(avail-1)))
	if off == 1 {
		off = 0 // "… 1 newer" would take the line of the row it hides
	}
	p.rpOffset = off
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
	p.rpPage = max(1, shown)
	return out
}

// verdictLines adds the verdict to a pane's title: last backup, max age,
// why, what the source says of the target (when about), and the job that
// runs on it.
func (p *pointsPane) verdictLines(t *model.TargetStatus, lines []string, about bool) []string {
	c := p.c
	if !t.Found {
		lines = append(lines, p.field("status", c.badge(t.Status)))
	}
	lines = append(lines, p.field("last backup", p.lastText(t)+"   "+c.badge(t.Status)))
	lines = append(lines, p.ageLines(t)...)
	if t.Detail != "" && about {
		lines = append(lines, p.wrapField("about", t.Detail)...)
	}
	if j := p.in.running; j != nil {
		lines = append(lines, p.jobLine(j))
	}
	return lines
}

// restorePointLines is the restore points' title, their column header (none
// when there are no points) and one row per point, newest first.
func (p *pointsPane) restorePointLines(t *model.TargetStatus) (title string, cols, rows []string) {
	c := p.c
	th := c.theme
	now := c.now()
	rps := newestFirst(t.RestorePoints) // as model.Target says they are; made sure of
	head := fmt.Sprintf("Restore points (%d", len(rps))
	if len(rps) > 0 {
		head += ", " + model.HumanBytes(t.Target.TotalSize())
	}
	title = th.Bold.Render(head + ")")
	// Narrow panes drop the format column (nearly always vma.zst) and
	// shorten the date; the protected marker always shows.
	wide := p.w >= 70
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

// newestFirst is rps newest first (as model.Target says they are; copied and
// sorted only when they are not).
func newestFirst(rps []model.RestorePoint) []model.RestorePoint {
	if sort.SliceIsSorted(rps, func(i, j int) bool { return rps[i].Time.After(rps[j].Time) }) {
		return rps
	}
	out := append([]model.RestorePoint(nil), rps...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out
}

// pointSize is a restore point's size, or the word for a deduplicated one:
// it stored nothing new, which is not an empty backup.
func pointSize(rp model.RestorePoint, dedup string) string {
	if rp.Deduplicated {
		return dedup
	}
	return model.HumanBytes(rp.Size)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
