package ui

import (
	"fmt"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// storePane is the pane of a store row of the backups concern: usage,
// forecast and the chart of its usage, the drive under it. j/k scroll it
// (scrollPane).
type storePane struct {
	scrollPane
	chart *chartCache // the detail's: drawn once per posture, store and size
}

func (d *storePane) View() []string { return d.scrolled(d.storeLines(d.in.target)) }

func (d *storePane) storeLines(t *model.TargetStatus) []string {
	c := d.c
	th := c.theme
	s := t.Store
	if s == nil {
		return d.unknownRow(t)
	}
	online := th.OK.Render("online")
	if !s.Online {
		online = th.Warn.Render(c.glyph(model.StatusWarning) + " offline")
	}
	head := []string{d.title(s.Name)}
	if s.Type != "" || s.Node != "" {
		head = append(head, strings.TrimSpace(s.Type+" on "+s.Node))
	}
	lines := []string{strings.Join(head, th.Muted.Render(" · ")) + th.Muted.Render(" · ") + online}
	st := s.UsageStatus()
	barW := max(10, min(30, d.w-35))
	lines = append(lines, d.field("usage", c.usageBar(s.UsedFraction(), barW, st)+"  "+c.badge(st)))
	if s.Total > 0 {
		lines = append(lines, d.wrapField("used", ofTotal(s.Used, s.Total)+", "+model.HumanBytes(s.Avail)+" free")...)
	}
	lines = append(lines, d.wrapField("forecast", c.forecastWords(storeForecast(s)))...)
	if len(s.Usage) > 0 {
		lines = append(lines, "")
		lines = append(lines, d.chartLines(s)...)
	} else {
		// No chart, whose legend would say the levels.
		lines = append(lines, d.field("warns at", "70% used; critical at 90%"))
	}
	if s.Drive != "" {
		lines = append(lines, d.field("drive", d.driveOf(s.Drive)))
	}
	if len(s.Content) > 0 {
		lines = append(lines, d.field("content", strings.Join(s.Content, ", ")))
	}
	if t.Reason != "" {
		lines = append(lines, d.wrapField("why", t.Reason)...)
	}
	return lines
}

// chartLines is the usage chart of a store with its title; the chart
// takes the pane's width and what height the pane can spare (4 to 12 rows).
func (d *storePane) chartLines(s *model.Store) []string {
	h := max(4, min(12, d.h-13))
	return append([]string{d.c.theme.Bold.Render(fmt.Sprintf("Usage (%d readings)", len(s.Usage)))}, d.chart.chart(d.c, d.in.posture, s, d.w-2, h)...)
}

// driveOf names the drive under a store with its SMART verdict:
// "usb-backups (NA8F1234) ✓ passed"; the serial goes when the line is
// short (the drive's pane has it).
func (d *storePane) driveOf(serial string) string {
	dr := findDrive(d.in.posture, serial)
	if dr == nil {
		return serial
	}
	name := firstNonEmpty(dr.Name, dr.Model, dr.Serial)
	st := dr.Health.Status()
	verdict := d.c.theme.Status(st).Render(d.c.glyph(st) + " " + string(dr.Health))
	if withSerial := name + " (" + dr.Serial + ")"; name != dr.Serial && dr.Serial != "" &&
		width(withSerial)+1+width(verdict) <= d.w-1-d.labelW-1 {
		name = withSerial
	}
	return name + " " + verdict
}
