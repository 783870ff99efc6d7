package ui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// concernPane is a concern's pane: its verdict, why, and the targets that
// need attention, worst first; the host platform's lists its disks and the
// imaging preflight. j/k scroll it (scrollPane).
type concernPane struct {
	scrollPane
}

func (d *concernPane) View() []string {
	if d.in.concern == nil {
		return []string{d.c.theme.Muted.Render("nothing selected")}
	}
	return d.scrolled(d.concernLines(d.in.concern))
}

func (d *concernPane) concernLines(cs *model.ConcernStatus) []string {
	c := d.c
	th := c.theme
	lines := []string{d.title(cs.Name) + th.Muted.Render(" · ") + c.badge(cs.Status)}
	if cs.MaxAge > 0 {
		lines = append(lines, d.field("max age", model.HumanAge(cs.MaxAge)))
	}
	counts := map[model.Status]int{}
	var bad []*model.TargetStatus
	for i := range cs.Targets {
		t := &cs.Targets[i]
		counts[t.Status]++
		if t.Status != model.StatusOK {
			bad = append(bad, t)
		}
	}
	reason := cs.Reason
	if reason == "" && len(bad) > 0 {
		worst := bad[0]
		for _, t := range bad {
			if t.Status > worst.Status {
				worst = t
			}
		}
		reason = worst.Name + ": " + worst.Reason
	}
	if reason == "" && len(cs.Targets) > 0 {
		reason = "every target is within its max age"
	}
	if reason != "" {
		lines = append(lines, d.wrapField("why", reason)...)
	}
	var sum []string
	for _, st := range []model.Status{model.StatusOK, model.StatusWarning, model.StatusCritical, model.StatusUnknown} {
		if n := counts[st]; n > 0 {
			sum = append(sum, th.Status(st).Render(fmt.Sprintf("%d %s", n, statusWord(st))))
		}
	}
	lines = append(lines, d.field("targets", fmt.Sprintf("%d", len(cs.Targets))+"  "+strings.Join(sum, th.Muted.Render(" · "))))
	lines = append(lines, d.concernCalendar(cs)...)
	if cs.ID == model.ConcernHost {
		// Its disks, each with a mark, say what needs attention. The
		// preflight the operator asked for comes first, to be seen without
		// scrolling; the hint to run one comes last.
		if d.in.pre == (preflightView{}) {
			return append(append(lines, d.hostDiskLines(cs)...), d.preflightLines()...)
		}
		return append(append(lines, d.preflightLines()...), d.hostDiskLines(cs)...)
	}
	if len(bad) > 0 {
		sort.SliceStable(bad, func(i, j int) bool { return bad[i].Status > bad[j].Status })
		lines = append(lines, "", th.Bold.Render("Needs attention"))
		for i, t := range bad {
			if len(lines) >= d.h-1 && i < len(bad)-1 {
				lines = append(lines, th.Muted.Render(fmt.Sprintf("… and %d more", len(bad)-i)))
				break
			}
			lines = append(lines, c.mark(t.Status)+" "+fmt.Sprintf("%-14s", trunc(t.Name, 14))+" "+t.Reason)
		}
	}
	return lines
}

// hostDiskLines lists the host concern's disks, one line each: the verdict,
// the name, the age of the newest image not known damaged and its verified
// state, and how many of the disk's images are damaged.
func (d *concernPane) hostDiskLines(cs *model.ConcernStatus) []string {
	c := d.c
	th := c.theme
	now := c.now()
	lines := []string{"", th.Bold.Render(fmt.Sprintf("Disks (%d)", len(cs.Targets)))}
	if len(cs.Targets) == 0 {
		return append(lines, th.Muted.Render("none: add a [[clonezilla.disk]] to the config"))
	}
	ages := make([]string, len(cs.Targets))
	nameW, ageW := 8, 0
	for i := range cs.Targets {
		t := &cs.Targets[i]
		nameW = max(nameW, min(16, width(t.Name)))
		switch {
		case t.HasBackup:
			ages[i] = model.HumanAge(now.Sub(t.LastBackup))
		case t.Status == model.StatusUnknown:
			ages[i] = "unknown"
		default:
			ages[i] = "never"
		}
		ageW = max(ageW, width(ages[i]))
	}
	avail := d.w - 2
	for i := range cs.Targets {
		t := &cs.Targets[i]
		row := c.mark(t.Status) + " " + fit(t.Name, nameW) + " " + right(ages[i], ageW) + "  "
		var long, short string
		if rp, ok := t.Target.LastBackup(); ok {
			long, short = c.verifiedState(rp.Verified)
		}
		bad := 0
		for _, rp := range t.RestorePoints {
			if damaged(rp) {
				bad++
			}
		}
		tail := ""
		if bad > 0 {
			tail = th.Muted.Render(" · ") + th.Critical.Render(fmt.Sprintf("%s %d damaged", c.glyph(model.StatusCritical), bad))
		}
		state := long
		if width(row)+width(long)+width(tail) > avail {
			state = short
		}
		lines = append(lines, trunc(row+state+tail, avail))
	}
	return lines
}

// preflightLines is the imaging preflight in the host concern's pane: a
// hint when none ran, "checking …", the engine's error in words, or the
// checklist: the headline and when it ran, each line (worst first) with a
// glyph, a word, its name and why, the expected size, and the commands.
func (d *concernPane) preflightLines() []string {
	c := d.c
	th := c.theme
	avail := max(10, d.w-2)
	lines := []string{""}
	pv := d.in.pre
	switch {
	case pv.running:
		return append(lines, th.Bold.Render("Imaging preflight"), th.Accent.Render("checking … (lsblk and lvs on the host)"))
	case pv.err != "":
		lines = append(lines, th.Bold.Render("Imaging preflight"))
		for _, l := range wrapText(c.glyph(model.StatusCritical)+" could not check: "+pv.err, avail) {
			lines = append(lines, th.Critical.Render(l))
		}
		return lines
	case pv.res == nil:
		lines = append(lines, th.Bold.Render("Imaging preflight"))
		hint := []string{"p: check the host for the next imaging run", "backdeck clonezilla prepare writes the unattended run"}
		if whole := strings.Join(hint, " · "); width(whole) <= avail {
			hint = []string{whole}
		}
		for _, h := range hint {
			for _, l := range wrapText(h, avail) {
				lines = append(lines, th.Muted.Render(l))
			}
		}
		return lines
	}
	p := *pv.res
	lines = append(lines, th.Bold.Render("Imaging preflight")+th.Muted.Render(" · ran "+c.ranAgo(p.At)))
	lines = append(lines, c.joinWrap(c.preflightHeadline(p), avail)...)
	wordW := c.checkWordW()
	hang := strings.Repeat(" ", wordW+1)
	for _, ch := range worstChecksFirst(p.Checks) {
		st := ch.State.Status()
		badge := th.Status(st).Render(fit(c.glyph(st)+" "+checkWord(ch.State), wordW))
		text := ch.Name
		if ch.Reason != "" {
			text += ": " + ch.Reason
		}
		for i, l := range wrapText(text, max(10, avail-wordW-1)) {
			if i == 0 {
				lines = append(lines, badge+" "+l)
				continue
			}
			lines = append(lines, hang+l)
		}
	}
	expected := "unknown"
	if p.Expected > 0 {
		expected = "about " + model.HumanBytes(p.Expected) + " of new images"
	}
	lines = append(lines, d.field("expected", expected))
	if len(p.Commands) > 0 {
		lines = append(lines, "", th.Bold.Render("Commands of the run (ocs-sr, one per disk)"))
		for _, cmd := range p.Commands {
			for i, l := range wrapText(cmd, max(10, avail-4)) {
				if i == 0 {
					lines = append(lines, "  "+l)
					continue
				}
				lines = append(lines, "    "+l)
			}
		}
	}
	return lines
}
