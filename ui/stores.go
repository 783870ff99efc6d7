package ui

import (
	"fmt"
	"sort"

	"github.com/backdeck/backdeck/model"
)

// storesPanel shows where backups land: each store's usage and forecast,
// then each drive's health, the space of the stores on it and when the
// first of them fills, and the errors of the sources that report them.
// When it has more rows than lines, the worst rows come first and the last
// line says how many more the Backups concern lists.
type storesPanel struct {
	c      *common
	w, h   int
	stores []model.Store // the stores shown
	all    []model.Store // every store, for the drives' sums
	drives []model.Drive
	errs   []model.SourceError
	listed bool // the tree has the Backups concern, which lists them all
	nameW  int  // the longest name, within bounds
	lineCache
}

func newStoresPanel(c *common) storesPanel {
	return storesPanel{c: c, lineCache: lineCache{dirty: true}}
}

func (p *storesPanel) SetSize(w, h int) {
	if w != p.w || h != p.h {
		p.w, p.h, p.dirty = w, h, true
	}
}

// SetPosture keeps the stores of the backups (those the Backups concern
// lists: they take backups or sit on a backup drive), the drives, and the
// errors of the sources that report them.
func (p *storesPanel) SetPosture(pos *model.Posture) {
	p.stores = p.stores[:0]
	for _, s := range pos.Stores {
		if s.OfBackups() {
			p.stores = append(p.stores, s)
		}
	}
	p.listed = false
	for _, c := range pos.Concerns {
		p.listed = p.listed || c.ID == model.ConcernBackups
	}
	p.all = pos.Stores
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
		if e.Source == model.SourceProxmox || e.Source == model.SourceSMART || e.Source == model.SourceHost {
			p.errs = append(p.errs, e)
		}
	}
	p.dirty = true
}

// Rows is how many lines the panel would like.
func (p *storesPanel) Rows() int { return max(1, len(p.stores)+len(p.drives)+len(causes(p.errs))) }

// panelRow is a row to draw: an error, a store or a drive (by index).
type panelRow struct {
	st    model.Status
	store int // -1 unless a store
	drive int // -1 unless a drive
}

// View returns the panel's lines, each exactly p.w cells wide.
func (p *storesPanel) View() []string { return p.lines(p.w, p.h, p.draw) }

func (p *storesPanel) draw(lines []string) []string {
	for _, e := range causes(p.errs) {
		lines = append(lines, p.errRow(e))
	}
	rows := make([]panelRow, 0, len(p.stores)+len(p.drives))
	for i := range p.stores {
		rows = append(rows, panelRow{p.stores[i].UsageStatus(), i, -1})
	}
	for i := range p.drives {
		rows = append(rows, panelRow{p.drives[i].Health.Status(), -1, i})
	}
	room := p.h - len(lines)
	more := 0
	if len(rows) > room && room > 1 {
		// Cut: the worst first, and a line that says where the rest are.
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].st > rows[j].st })
		more = len(rows) - (room - 1)
		rows = rows[:room-1]
	}
	var shown []*model.Drive
	for _, r := range rows {
		if r.drive >= 0 {
			shown = append(shown, &p.drives[r.drive])
		}
	}
	dl := p.driveLayout(shown)
	for _, r := range rows {
		if r.store >= 0 {
			lines = append(lines, p.storeRow(&p.stores[r.store]))
		} else {
			lines = append(lines, p.driveRow(&p.drives[r.drive], dl))
		}
	}
	if more > 0 {
		where := "the Backups concern in the tree lists every store and drive"
		if !p.listed {
			where = "a taller terminal shows them"
		}
		lines = append(lines, fit("   "+p.c.theme.Muted.Render(fmt.Sprintf("… %d more: %s", more, where)), p.w))
	}
	if len(lines) == 0 {
		lines = append(lines, fit("   "+p.c.theme.Muted.Render("no backup stores or drives reported yet"), p.w))
	}
	return lines
}

func (p *storesPanel) errRow(e *logEntry) string {
	c := p.c
	return fit(" "+fit(c.badge(model.StatusUnknown), c.badgeW())+" "+c.theme.Unknown.Render(e.text()), p.w)
}

// forecastText is a forecast for a row: "full in 94 d", a muted "not
// filling", or nothing while the history is too short.
func (c *common) forecastText(f model.Forecast) string {
	switch f.State {
	case model.ForecastFilling:
		return f.String(c.now())
	case model.ForecastNotFilling:
		return c.theme.Muted.Render(f.String(c.now()))
	}
	return ""
}

// storeRow: "✓ ok       hddusb_bkpvzdumps online  ██████░░░░  61%  610/1000 GiB  full in 94 d".
func (p *storesPanel) storeRow(s *model.Store) string {
	c := p.c
	th := c.theme
	st := s.UsageStatus()
	online := th.OK.Render("online ")
	if !s.Online {
		online = th.Warn.Render("offline")
	}
	head := " " + fit(c.badge(st), c.badgeW()) + " " + fit(s.Name, p.nameW) + " " + online + " "
	if !s.Online {
		return fit(head+th.Muted.Render("not mounted: the drive is unplugged or the storage is inactive"), p.w)
	}
	used := ""
	if s.Total > 0 {
		used = ofTotal(s.Used, s.Total)
	}
	// Every store's bar has the same width: room is kept for the forecast.
	tail := fmt.Sprintf("  %-12s  ", used)
	barW := max(6, min(30, p.w-width(head)-barPercentW-width(tail)-12))
	tail += c.forecastText(storeForecast(s))
	return fit(head+c.usageBar(s.UsedFraction(), barW, st)+tail, p.w)
}

// driveStateText is the drive's state column: "drive", or what keeps it
// from being read ("asleep · read 3 h ago", "not plugged in").
func (p *storesPanel) driveStateText(d *model.Drive) string {
	th := p.c.theme
	switch s := driveState(d, p.c.now()); {
	case s == "":
		return th.Muted.Render("drive")
	case d.Asleep:
		return th.Accent.Render(s)
	default:
		return th.Warn.Render(s)
	}
}

// driveCols are the columns the drive rows shown share, so that their
// bars line up.
type driveCols struct {
	stateW int  // "drive", "asleep · read 3 h ago", "not plugged in"
	barW   int  // the usage bar
	used   bool // room for "910/1800 GiB"
	foreW  int  // the forecast column ("full in 94 d"); 0 when no drive has one
}

// usedW is the width of the used/total column: "  1300/1800 GiB".
const usedW = 2 + 12

// driveLayout shares the row out for the drives shown: the bar takes what
// the other columns leave, from 6 to 30 cells; the used/total figures go
// first when the row is narrow.
func (p *storesPanel) driveLayout(ds []*model.Drive) driveCols {
	// At least as wide as the stores' "online ": the bars line up when no
	// drive sleeps.
	l := driveCols{used: true, stateW: 7}
	extrasW := 0
	for _, d := range ds {
		l.stateW = max(l.stateW, width(p.driveStateText(d)))
		w := 0
		for _, e := range p.driveExtras(d) {
			w += width(e) + 2
		}
		extrasW = max(extrasW, w)
		l.foreW = max(l.foreW, width(p.c.forecastText(soonestForecast(driveStores(d, p.all)))))
	}
	rest := p.w - 1 - p.c.badgeW() - 1 - p.nameW - 1 - l.stateW - 1 - 1
	fore := 2
	if l.foreW > 0 {
		fore += l.foreW + 2
	}
	if rest-usedW-fore-barPercentW < 6 {
		l.used = false
	}
	used := 0
	if l.used {
		used = usedW
	}
	l.barW = max(6, min(30, rest-barPercentW-used-fore-extrasW))
	return l
}

// driveExtras are what identifies a drive after its usage: its
// temperature, model and serial (and when it was last read, when it is
// not plugged in).
func (p *storesPanel) driveExtras(d *model.Drive) []string {
	c := p.c
	name := firstNonEmpty(d.Name, d.Model, d.Serial)
	var extras []string
	if !d.Present && !d.Asleep && d.Reading != nil && !d.Reading.At.IsZero() {
		extras = append(extras, "last read "+model.HumanAge(c.now().Sub(d.Reading.At))+" ago")
	}
	if d.TemperatureC != nil {
		extras = append(extras, fmt.Sprintf("%d %s", *d.TemperatureC, c.sym("°C", "C")))
	}
	if d.Model != "" && d.Model != name {
		extras = append(extras, d.Model)
	}
	if d.Serial != "" && d.Serial != name {
		extras = append(extras, d.Serial)
	}
	return extras
}

// driveRow: "✓ passed   usb-backups   drive  ██████░░░░  49%  910/1863 GiB  full in 94 d    34 °C  Seagate Expansion HDD  NA8F1234".
// The total is the drive's size, the used space that of the stores on it,
// the forecast that of the one that fills first. What does not fit goes,
// the least needed first: the serial, the model, the temperature.
func (p *storesPanel) driveRow(d *model.Drive, l driveCols) string {
	c := p.c
	th := c.theme
	st := d.Health.Status()
	badge := th.Status(st).Render(c.glyph(st) + " " + healthWord(d.Health))
	name := firstNonEmpty(d.Name, d.Model, d.Serial)
	line := " " + fit(badge, c.badgeW()) + " " + fit(name, p.nameW) + " " + fit(p.driveStateText(d), l.stateW) + " "
	stores := driveStores(d, p.all)
	sp := driveUsage(d, stores)
	switch {
	case !d.Present && !d.Asleep:
		// its stores are offline: nothing to add up
	case len(stores) == 0:
		line += th.Muted.Render("no store on it") + "  "
	case !sp.sized:
		line += th.Muted.Render("its stores report no size") + "  "
	case sp.size <= 0:
		// The stores' sizes added up are not the drive's: say what is known.
		line += th.Warn.Render("drive size unknown") + th.Muted.Render(" · "+model.HumanBytes(sp.used)+" used by its stores") + "  "
	default:
		frac := sp.fraction()
		line += c.usageBar(frac, l.barW, usageStatus(frac))
		if l.used {
			line += fmt.Sprintf("  %-12s", ofTotal(sp.used, sp.size))
		}
		line += "  "
		if l.foreW > 0 {
			line += fit(c.forecastText(soonestForecast(stores)), l.foreW) + "  "
		}
	}
	for _, e := range p.driveExtras(d) {
		if width(line)+width(e) > p.w-1 {
			break
		}
		line += e + "  "
	}
	return fit(line, p.w)
}

// usageStatus rates a used fraction as model.Store does: 70 % warns, 90 %
// is critical.
func usageStatus(frac float64) model.Status {
	switch {
	case frac >= 0.9:
		return model.StatusCritical
	case frac >= 0.7:
		return model.StatusWarning
	}
	return model.StatusOK
}
