package ui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// concernLines is the detail of a concern: its verdict, why, and the
// targets that need attention, worst first.
func (d *detail) concernLines(cs *model.ConcernStatus) []string {
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
