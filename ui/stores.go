package ui

import (
	"fmt"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// storesPanel shows where backups land: each store's usage and each
// drive's health, and the errors of the sources that report them.
type storesPanel struct {
	c      *common
	w, h   int
	stores []model.Store
	drives []model.Drive
	errs   []model.SourceError
	nameW  int // the longest name, within bounds

	cache   []string
	dirty   bool
	renders int
}

func newStoresPanel(c *common) storesPanel { return storesPanel{c: c, dirty: true} }

func (p *storesPanel) SetSize(w, h int) {
	if w != p.w || h != p.h {
		p.w, p.h, p.dirty = w, h, true
	}
}

// SetPosture keeps the stores that hold backups (or sit on a backup
// drive), the drives, and the errors of the sources that report them.
func (p *storesPanel) SetPosture(pos *model.Posture) {
	p.stores = p.stores[:0]
	held := map[string]bool{}
	for _, d := range pos.Drives {
		for _, h := range d.Holds {
			held[h] = true
		}
	}
	for _, s := range pos.Stores {
		if s.Backup || s.Drive != "" || held[s.ID] {
			p.stores = append(p.stores, s)
		}
	}
	p.drives = pos.Drives
	p.nameW = 10
	for _, s := range p.stores {
		p.nameW = max(p.nameW, width(s.Name))
	}
	for _, d := range p.drives {
		p.nameW = max(p.nameW, width(firstNonEmpty(d.Name, d.Model, d.Serial)))
	}
	p.nameW = min(p.nameW, 24)
	p.errs = p.errs[:0]
	for _, e := range pos.Errors {
		if e.Source == model.SourceProxmox || e.Source == model.SourceSMART {
			p.errs = append(p.errs, e)
		}
	}
	p.dirty = true
}

// Rows is how many lines the panel would like.
func (p *storesPanel) Rows() int { return max(1, len(p.stores)+len(p.drives)+len(p.errs)) }

// View returns the panel's lines, each exactly p.w cells wide.
func (p *storesPanel) View() []string {
	if !p.dirty && len(p.cache) == p.h {
		return p.cache
	}
	p.renders++
	p.dirty = false
	lines := p.cache[:0]
	for _, e := range p.errs {
		lines = append(lines, p.errRow(e))
	}
	for i := range p.stores {
		lines = append(lines, p.storeRow(&p.stores[i]))
	}
	for i := range p.drives {
		lines = append(lines, p.driveRow(&p.drives[i]))
	}
	if len(lines) == 0 {
		lines = append(lines, fit("   "+p.c.theme.Muted.Render("no backup stores or drives reported yet"), p.w))
	}
	if len(lines) > p.h {
		lines = lines[:p.h]
	}
	for len(lines) < p.h {
		lines = append(lines, blank(p.w))
	}
	p.cache = lines
	return lines
}

// badgeW is the width of a "✗ critical" badge column.
const badgeW = 10

func (p *storesPanel) errRow(e model.SourceError) string {
	c := p.c
	return fit(" "+fit(c.badge(model.StatusUnknown), badgeW)+" "+c.theme.Unknown.Render(string(e.Source)+": "+e.Message), p.w)
}

// storeRow: "✓ ok       hddusb_bkpvzdumps  online   ██████░░░░  61%  610/1000 GiB  full in 94 d".
func (p *storesPanel) storeRow(s *model.Store) string {
	c := p.c
	th := c.theme
	st := s.UsageStatus()
	online := th.OK.Render("online ")
	if !s.Online {
		online = th.Warn.Render("offline")
	}
	head := " " + fit(c.badge(st), badgeW) + " " + fit(s.Name, p.nameW) + " " + online + " "
	if !s.Online {
		return fit(head+th.Muted.Render("not mounted: the drive is unplugged or the storage is inactive"), p.w)
	}
	used := ""
	if s.Total > 0 {
		used = ofTotal(s.Used, s.Total)
	}
	full := ""
	if s.FullAt != nil {
		full = "full in " + model.HumanAge(s.FullAt.Sub(c.now()))
	}
	// Every store's bar has the same width: room is kept for the forecast.
	tail := fmt.Sprintf("  %-12s  ", used)
	barW := max(6, min(30, p.w-width(head)-barPercentW-width(tail)-12))
	tail += th.Muted.Render(full)
	return fit(head+c.usageBar(s.UsedFraction(), barW, st)+tail, p.w)
}

// driveRow: "✓ passed   usb-backups   Seagate Expansion 4TB   NA8F1234   34 °C".
func (p *storesPanel) driveRow(d *model.Drive) string {
	c := p.c
	th := c.theme
	st := d.Health.Status()
	word := string(d.Health)
	if word == "" {
		word = "unknown"
	}
	badge := th.Status(st).Render(c.glyph(st) + " " + word)
	name := firstNonEmpty(d.Name, d.Model, d.Serial)
	parts := []string{" " + fit(badge, badgeW) + " " + fit(name, p.nameW) + " " + th.Muted.Render("drive  ")}
	if d.Model != "" && d.Model != name {
		parts = append(parts, d.Model)
	}
	if d.Serial != "" {
		parts = append(parts, d.Serial)
	}
	if d.TemperatureC != nil {
		parts = append(parts, fmt.Sprintf("%d %s", *d.TemperatureC, c.sym("°C", "C")))
	}
	if !d.Present {
		parts = append(parts, th.Warn.Render("not present"))
	}
	if len(d.Reasons) > 0 {
		parts = append(parts, th.Status(st).Render(d.Reasons[0]))
	}
	s := strings.Join(parts, "  ")
	return fit(s, p.w)
}
