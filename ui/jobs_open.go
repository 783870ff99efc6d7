package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// What a job was about: the image a verification checks, named so that
// images tell apart in a short column; and enter on a job, which opens it.

// imageOf is the target and the restore point a verification checks, when
// the posture still lists them.
func imageOf(p *model.Posture, j model.Job) (model.TargetStatus, model.RestorePoint, bool) {
	if p == nil || j.Point == "" {
		return model.TargetStatus{}, model.RestorePoint{}, false
	}
	ts, ok := p.Target(j.Target)
	if !ok {
		return model.TargetStatus{}, model.RestorePoint{}, false
	}
	for _, rp := range ts.RestorePoints {
		if rp.ID == j.Point {
			return ts, rp, true
		}
	}
	return ts, model.RestorePoint{}, false
}

// imageLabel names a verification's image in w cells by what tells images
// apart, the disk and the date: "pve-hdd 2026-09-01", "pve-hdd 09-01";
// the image's own name, its middle taken out, when the posture does not
// list it.
func (p *jobsPanel) imageLabel(j model.Job, w int) string {
	ts, rp, ok := imageOf(p.posture, j)
	if !ok || ts.Name == "" {
		return elideMiddle(firstNonEmpty(j.Name, j.Target), w)
	}
	at := p.c.local(rp.Time)
	for _, date := range []string{at.Format("2006-01-02"), at.Format("01-02")} {
		if width(ts.Name)+1+width(date) <= w {
			return ts.Name + " " + date
		}
	}
	date := at.Format("01-02")
	return elideMiddle(ts.Name, max(5, w-1-width(date))) + " " + date
}

// jobLabel names a job in a sentence: "vzdump of k3sagent02", "verification
// of pve-pve-hdd-2026-09-01".
func jobLabel(j model.Job) string {
	name := firstNonEmpty(j.Name, j.Target)
	if j.Method == model.MethodVerify {
		return "verification of " + name
	}
	return methodLabel(j.Method) + " of " + name
}

// failureText is why a job failed, in full: its message and, for a
// verification, every problem it found (the message names the first).
func failureText(j model.Job) string {
	text := firstNonEmpty(j.Message, "no reason given")
	if v := j.Verification; v != nil && len(v.Problems) > 1 {
		text += "\n" + strings.Join(v.Problems[1:], "\n")
	}
	return text
}

// upsertJob records a job's reading in the jobs panel; a job that fails
// goes to the log (L) as well, once.
func (m *Model) upsertJob(j model.Job) bool {
	was, known := m.jobs.State(j.ID)
	if !m.jobs.Upsert(j) {
		return false
	}
	if j.State == model.JobFailed && (!known || was != model.JobFailed) {
		at := j.Ended
		if at.IsZero() {
			at = m.c.now()
		}
		m.log.Add(at, string(j.Source), jobLabel(j)+" failed: "+failureText(j))
	}
	return true
}

// openJob is enter on a job: its target in the tree and its pane, the
// image a verification checked under the cursor, and why a job failed in
// full (a damaged image's every problem).
func (m *Model) openJob(j model.Job) tea.Cmd {
	if !m.reveal(j.Target) {
		return m.say(firstNonEmpty(j.Name, j.Target)+" is not in the tree: no concern lists "+j.Target, false)
	}
	m.setFocus(focusDetail)
	cmd := m.syncSelection()
	if j.Point != "" {
		m.detail.SelectPoint(j.Point)
	}
	_, rp, found := imageOf(m.posture, j)
	switch {
	case found && damaged(rp):
		m.openProblems(rp)
	case j.State == model.JobFailed:
		m.openDialog(newNotice(m.c, strings.ToUpper(jobLabel(j)[:1])+jobLabel(j)[1:]+" failed", failureText(j), "also in the log: L"))
	}
	return cmd
}

// openProblems shows every problem of a damaged image in full.
func (m *Model) openProblems(rp model.RestorePoint) {
	v := rp.Verified
	lines := []string{fmt.Sprintf("Verified at level %d, %s: %s.", v.Level, m.c.ranAgo(v.At), problems(len(v.Problems)))}
	for _, p := range v.Problems {
		lines = append(lines, m.c.sym("•", "-")+" "+p)
	}
	lines = append(lines, rp.ID)
	m.openDialog(newNotice(m.c, imageName(rp)+" is damaged", strings.Join(lines, "\n"), ""))
}

// reveal puts the tree's cursor on a target, clearing the filter or
// unfolding its concern when they hide it; it reports whether the tree
// lists it.
func (m *Model) reveal(id string) bool {
	if m.tree.Select(id) {
		return true
	}
	if m.filter.Applied() {
		m.filter.Clear()
		m.tree.SetFilter("")
		m.updateTreeHeader()
	}
	return m.tree.Reveal(id)
}
