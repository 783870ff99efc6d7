package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// keepEnded is how long an ended job stays listed.
const keepEnded = 10 * time.Minute

// followPause is how long the cursor stays where the operator put it
// before a new job takes it again.
const followPause = 30 * time.Second

// jobsPanel lists the jobs: the running ones first with their progress,
// then the ended ones with their final word, for a while.
type jobsPanel struct {
	c       *common
	w, h    int
	jobs    []model.Job // display order
	cursor  int
	offset  int
	focused bool
	spin    spinner.Model
	methodW int            // the method column's width in the last frame
	moved   time.Time      // when the operator last put the cursor somewhere
	posture *model.Posture // names the disk and date of a verification's image
	lineCache
}

func newJobsPanel(c *common) jobsPanel {
	sp := spinner.MiniDot
	if c.ascii {
		sp = spinner.Line
	}
	return jobsPanel{c: c, spin: spinner.New(spinner.WithSpinner(sp), spinner.WithStyle(c.theme.Accent)), lineCache: lineCache{dirty: true}}
}

func (p *jobsPanel) SetSize(w, h int) {
	if w != p.w || h != p.h {
		p.w, p.h, p.dirty = w, h, true
		p.scroll()
	}
}

func (p *jobsPanel) SetFocused(f bool) {
	if f != p.focused {
		p.focused, p.dirty = f, true
	}
}

// jobEqual compares two job readings (times by instant).
func jobEqual(a, b model.Job) bool {
	return a.ID == b.ID && a.Target == b.Target && a.Name == b.Name && a.Method == b.Method &&
		a.Source == b.Source && a.Node == b.Node && a.TaskID == b.TaskID && a.State == b.State &&
		a.Started.Equal(b.Started) && a.Ended.Equal(b.Ended) && a.Progress == b.Progress &&
		a.Message == b.Message && a.Storage == b.Storage
}

func (p *jobsPanel) index(id string) int {
	for i := range p.jobs {
		if p.jobs[i].ID == id {
			return i
		}
	}
	return -1
}

// Has reports whether a job is listed.
func (p *jobsPanel) Has(id string) bool { return p.index(id) >= 0 }

// Upsert records a job's new reading; it reports whether anything shown
// changed. An ended job never goes back to running (a late progress
// reading after the end is dropped). A new job that has not ended takes
// the cursor, so that it is in view, unless the operator moved the cursor
// a moment ago.
func (p *jobsPanel) Upsert(j model.Job) bool {
	i := p.index(j.ID)
	if i < 0 {
		p.jobs = append(p.jobs, j)
		p.sort()
		if !j.State.Terminal() && p.c.now().Sub(p.moved) >= followPause {
			p.cursor = p.index(j.ID)
			p.scroll()
		}
		p.dirty = true
		return true
	}
	old := p.jobs[i]
	if old.State.Terminal() && !j.State.Terminal() {
		return false
	}
	if j.Name == "" {
		j.Name = old.Name
	}
	if jobEqual(old, j) {
		return false
	}
	p.jobs[i] = j
	if old.State != j.State {
		p.sort()
	}
	p.dirty = true
	return true
}

// sort puts jobs that have not ended first (newest first), then the ended
// ones, latest end first; the cursor stays on its job.
func (p *jobsPanel) sort() {
	sel := ""
	if p.cursor < len(p.jobs) {
		sel = p.jobs[p.cursor].ID
	}
	sort.SliceStable(p.jobs, func(i, k int) bool {
		a, b := p.jobs[i], p.jobs[k]
		at, bt := a.State.Terminal(), b.State.Terminal()
		if at != bt {
			return !at
		}
		if at && !a.Ended.Equal(b.Ended) {
			return a.Ended.After(b.Ended)
		}
		if !a.Started.Equal(b.Started) {
			return a.Started.After(b.Started)
		}
		return a.ID < b.ID
	})
	if i := p.index(sel); i >= 0 {
		p.cursor = i
	}
	p.cursor = max(0, min(p.cursor, len(p.jobs)-1))
	p.scroll()
}

// Prune forgets jobs that ended more than keepEnded ago.
func (p *jobsPanel) Prune(now time.Time) bool {
	kept := p.jobs[:0]
	for _, j := range p.jobs {
		if j.State.Terminal() && !j.Ended.IsZero() && now.Sub(j.Ended) > keepEnded {
			continue
		}
		kept = append(kept, j)
	}
	if len(kept) == len(p.jobs) {
		return false
	}
	p.jobs = kept
	p.cursor = max(0, min(p.cursor, len(p.jobs)-1))
	p.scroll()
	p.dirty = true
	return true
}

// Follow puts the cursor on a job the operator acts on (one they stop),
// so that its end shows, and keeps it there for a while.
func (p *jobsPanel) Follow(id string) {
	if i := p.index(id); i >= 0 {
		p.cursor, p.moved, p.dirty = i, p.c.now(), true
		p.scroll()
	}
}

// SetPosture gives the panel what names a verification's image.
func (p *jobsPanel) SetPosture(pos *model.Posture) {
	p.posture = pos
	p.dirty = true
}

// State is a listed job's state.
func (p *jobsPanel) State(id string) (model.JobState, bool) {
	if i := p.index(id); i >= 0 {
		return p.jobs[i].State, true
	}
	return "", false
}

// FailedTargets are the targets whose last job that ended failed.
func (p *jobsPanel) FailedTargets() map[string]bool {
	out := map[string]bool{}
	seen := map[string]bool{}
	for _, j := range p.jobs { // the ended ones latest first
		if j.State.Terminal() && !seen[j.Target] {
			seen[j.Target] = true
			out[j.Target] = j.State == model.JobFailed
		}
	}
	return out
}

// Running counts the jobs that have not ended.
func (p *jobsPanel) Running() int {
	n := 0
	for _, j := range p.jobs {
		if !j.State.Terminal() {
			n++
		}
	}
	return n
}

// NeedsSpinner reports whether a running job has no percentage to show.
func (p *jobsPanel) NeedsSpinner() bool {
	for _, j := range p.jobs {
		if j.State == model.JobRunning && j.Progress.Percent < 0 {
			return true
		}
	}
	return false
}

// Spin advances the spinner one frame (on the console's own tick).
func (p *jobsPanel) Spin() {
	p.spin, _ = p.spin.Update(spinner.TickMsg{})
	p.dirty = true
}

// RunningOn is the job that has not ended on a target, if any.
func (p *jobsPanel) RunningOn(target string) *model.Job {
	for i := range p.jobs {
		if p.jobs[i].Target == target && !p.jobs[i].State.Terminal() {
			j := p.jobs[i]
			return &j
		}
	}
	return nil
}

// RunningVerifications counts the verifications that have not ended.
func (p *jobsPanel) RunningVerifications() int {
	n := 0
	for _, j := range p.jobs {
		if j.Method == model.MethodVerify && !j.State.Terminal() {
			n++
		}
	}
	return n
}

// VerifyingPoint reports whether a verification of a restore point is
// under way.
func (p *jobsPanel) VerifyingPoint(point string) bool {
	for _, j := range p.jobs {
		if j.Method == model.MethodVerify && j.Point == point && !j.State.Terminal() {
			return true
		}
	}
	return false
}

// Selected is the job under the cursor.
func (p *jobsPanel) Selected() (model.Job, bool) {
	if p.cursor < 0 || p.cursor >= len(p.jobs) {
		return model.Job{}, false
	}
	return p.jobs[p.cursor], true
}

// Len is the number of jobs listed.
func (p *jobsPanel) Len() int { return len(p.jobs) }

// scroll keeps the cursor's row in view.
func (p *jobsPanel) scroll() {
	p.offset, _ = listWindow(len(p.jobs), p.h, p.cursor, p.offset)
}

// listWindow is the rows [start, end) of n that h lines show from about
// off with the row cur in view: a hidden row is announced, "… N newer" in
// the first line and "… N older" in the last, each in the place of a row.
// The window never ends in blank lines while rows above it are hidden.
func listWindow(n, h, cur, off int) (start, end int) {
	if n <= h || h <= 0 {
		return 0, n
	}
	// span is the end of the rows shown from o.
	span := func(o int) int {
		rows := h
		if o > 0 {
			rows--
		}
		if o+rows < n {
			rows--
		}
		return min(n, o+max(1, rows))
	}
	cur = max(0, min(cur, n-1))
	off = max(0, min(off, cur))
	for span(off) <= cur {
		off++
	}
	for off > 0 && span(off-1) > cur && (off == 1 || span(off-1) >= n) {
		off--
	}
	return off, span(off)
}

func (p *jobsPanel) Update(msg tea.KeyPressMsg) bool {
	k := p.c.keys
	to := p.cursor
	switch {
	case key.Matches(msg, k.Up):
		to--
	case key.Matches(msg, k.Down):
		to++
	case key.Matches(msg, k.Top):
		to = 0
	case key.Matches(msg, k.Bottom):
		to = len(p.jobs) - 1
	default:
		return false
	}
	to = max(0, min(to, len(p.jobs)-1))
	p.moved = p.c.now()
	if to != p.cursor {
		p.cursor = to
		p.scroll()
		p.dirty = true
	}
	return true
}

func (p *jobsPanel) ShortHelp() []key.Binding {
	k := p.c.keys
	return []key.Binding{k.Down, k.Stop, k.Open}
}

func (p *jobsPanel) FullHelp() [][]key.Binding {
	k := p.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Stop, k.Open}}
}

// Title is the panel's name with its count, for the frame's divider.
func (p *jobsPanel) Title() string {
	n := p.Running()
	switch {
	case len(p.jobs) == 0:
		return "Jobs"
	case n == 0:
		return "Jobs (none running)"
	}
	return fmt.Sprintf("Jobs (%d running)", n)
}

// View returns the panel's lines, each exactly p.w cells wide.
func (p *jobsPanel) View() []string { return p.lines(p.w, p.h, p.draw) }

func (p *jobsPanel) draw(lines []string) []string {
	// The method column is as wide as the longest label listed, at least
	// "vzdump  " (UrBackup's "incr image" is wider).
	p.methodW = 8
	for _, j := range p.jobs {
		p.methodW = max(p.methodW, min(12, width(methodLabel(j.Method))))
	}
	start, end := listWindow(len(p.jobs), p.h, p.cursor, p.offset)
	th := p.c.theme
	if start > 0 {
		lines = append(lines, fit("   "+th.Muted.Render(fmt.Sprintf("… %d newer", start)), p.w))
	}
	for i := start; i < end; i++ {
		lines = append(lines, p.row(p.jobs[i], i == p.cursor && p.focused))
	}
	if end < len(p.jobs) {
		lines = append(lines, fit("   "+th.Muted.Render(fmt.Sprintf("… %d older", len(p.jobs)-end)), p.w))
	}
	if len(p.jobs) == 0 && p.h > 0 {
		lines = append(lines, fit("   "+p.c.theme.Muted.Render("no jobs: b backs up the selected guest, i or f the selected UrBackup client"), p.w))
	}
	return lines
}

// row draws one job:
// "⟳ vzdump   k3sagent02    ██████░░░░   45%   4.5/10.0 GiB   152 MiB/s   36 s".
func (p *jobsPanel) row(j model.Job, selected bool) string {
	c := p.c
	th := c.theme
	cursor := " "
	if selected {
		cursor = c.sym("›", ">")
	}
	nameW := max(10, min(24, p.w/6))
	name := j.Name
	if name == "" {
		name = j.Target
	}
	glyph := c.jobGlyph(j.State)
	sty := th.Accent
	if j.State.Terminal() {
		sty = th.Status(jobStatus(j.State))
	}
	if j.Method == model.MethodVerify {
		name = p.imageLabel(j, nameW)
	}
	left := fit(methodLabel(j.Method), p.methodW) + " " + fit(name, nameW)
	avail := p.w - 1 - width(glyph) - 1 - width(left) - 1 - 1 // cursor, glyph and space, left, gap, margin
	var rest string
	switch {
	case j.State.Terminal():
		rest = sty.Render(jobOutcome(j))
		if d := j.Elapsed(c.now()); d > 0 {
			rest += th.Muted.Render(" · took " + model.HumanAge(d))
		}
		if !j.Ended.IsZero() {
			rest += th.Muted.Render(" · ended " + c.local(j.Ended).Format("15:04"))
		}
		rest = trunc(rest, avail)
	case j.State == model.JobQueued:
		rest = th.Muted.Render("queued")
	default:
		rest = p.progress(j, avail)
	}
	if selected {
		plain := glyph + " " + left + " " + stripStyles(rest)
		return cursor + th.Selected.Render(fit(plain, p.w-2)) + " "
	}
	return fit(cursor+sty.Render(glyph)+" "+left+" "+rest, p.w)
}

// progress is the running part of a row: bar (or spinner), percent,
// done/total, speed, ETA, and the last log line when there is room.
func (p *jobsPanel) progress(j model.Job, avail int) string {
	c := p.c
	pr := j.Progress
	bytes := doneOfTotal(pr.DoneBytes, pr.TotalBytes)
	speed := humanRate(pr.ReadBytesPerS)
	if speed == "" {
		speed = humanRate(pr.WriteBytesPerS)
	}
	eta := ""
	if pr.ETAKnown {
		eta = model.HumanAge(pr.ETA)
	}
	tail := fmt.Sprintf("  %13s  %10s  %6s", bytes, speed, eta)
	if pr.Phase != "" && pr.Percent >= 0 {
		// The phase in place of speed and ETA, which it has none of: a
		// bare 99 % would read as stuck.
		tail = fmt.Sprintf("  %13s  %s", bytes, pr.Phase)
	}
	var head string
	if pr.Percent >= 0 {
		barW := max(6, min(40, avail-width(tail)-5))
		head = c.jobBar(pr.Percent/100, barW)
	} else {
		head = p.spin.View() + " " + fmt.Sprintf("%-8s", firstNonEmpty(pr.Phase, "working"))
	}
	s := head + tail
	if pr.LastLine != "" && (pr.Phase == "" || !strings.HasPrefix(pr.LastLine, pr.Phase)) && avail-width(s) > 12 {
		s += "  " + c.theme.Muted.Render(trunc(pr.LastLine, avail-width(s)-2))
	}
	return s
}

// stripStyles drops ANSI sequences, for rows drawn in the selection style.
func stripStyles(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	return ansiStrip(s)
}
