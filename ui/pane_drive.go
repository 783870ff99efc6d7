package ui

import (
	"fmt"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// drivePane is the pane of a drive row of the backups concern: its verdict
// and the reasons in words, what it is and how it is attached, when it was
// read (a sleeping drive is not woken: its last reading shows), the stores
// on it, its ATA attribute table with the rows that matter marked (or the
// NVMe or SCSI health figures), and the tool's messages. j/k scroll it
// (scrollPane).
type drivePane struct {
	scrollPane
}

func (d *drivePane) View() []string { return d.scrolled(d.driveLines(d.in.target)) }

func (d *drivePane) driveLines(t *model.TargetStatus) []string {
	c := d.c
	th := c.theme
	now := c.now()
	dr := t.Drive
	if dr == nil {
		return d.unknownRow(t)
	}
	st := dr.Health.Status()
	health := th.Status(st).Render(c.glyph(st) + " " + healthWord(dr.Health))
	title := d.title(firstNonEmpty(dr.Name, t.Name, dr.Model, dr.Serial)) + th.Muted.Render(" · ") + health
	switch {
	case dr.Asleep:
		title += th.Muted.Render(" · ") + th.Accent.Render("asleep")
	case !dr.Present:
		title += th.Muted.Render(" · ") + th.Warn.Render("not plugged in")
	}
	lines := []string{title}
	r := dr.Reading

	verdict := health + " (SMART)"
	if dr.Asleep {
		verdict = health + " (SMART, last reading)"
	}
	lines = append(lines, d.field("health", verdict))
	for i, reason := range dr.Reasons {
		label := ""
		if i == 0 {
			label = "why"
		}
		lines = append(lines, d.bulletField(label, reason)...)
	}
	switch {
	case dr.Asleep:
		lines = append(lines, d.wrapField("state", "asleep: not woken to read it; the figures below are from its last reading")...)
	case !dr.Present:
		lines = append(lines, d.field("state", th.Warn.Render(c.glyph(model.StatusWarning)+" not plugged in")))
	}
	if r != nil && !r.At.IsZero() {
		lines = append(lines, d.field("read", c.local(r.At).Format("2006-01-02 15:04")+" ("+model.HumanAge(now.Sub(r.At))+" ago)"))
	} else {
		lines = append(lines, d.field("read", th.Muted.Render("never: no SMART reading of it")))
	}

	product := dr.Model
	if r != nil && r.Model != "" && r.Model != product {
		if product == "" {
			product = r.Model
		} else {
			product += " (" + r.Model + ")"
		}
	}
	if product != "" {
		lines = append(lines, d.wrapField("model", product)...)
	}
	lines = append(lines, d.field("serial", firstNonEmpty(dr.Serial, dr.ID)))
	dev := dr.DevPath
	if r != nil && r.Device != "" {
		dev = r.Device
	}
	var devParts []string
	if dev != "" {
		devParts = append(devParts, dev)
	}
	if dr.Size > 0 {
		devParts = append(devParts, model.HumanBytes(dr.Size))
	}
	proto := dr.Type
	if r != nil && (r.Protocol != "" || r.Transport != "") {
		proto = r.Protocol
		if r.Transport != "" {
			proto = strings.TrimSpace(proto + " over " + r.Transport)
		}
	}
	if proto != "" {
		devParts = append(devParts, proto)
	}
	if len(devParts) > 0 {
		lines = append(lines, d.wrapField("device", strings.Join(devParts, " · "))...)
	}
	temp := dr.TemperatureC
	if r != nil && r.TemperatureC != nil {
		temp = r.TemperatureC
	}
	if temp != nil {
		lines = append(lines, d.field("temperature", fmt.Sprintf("%d %s", *temp, c.sym("°C", "C"))))
	}
	if r != nil && r.PowerOnHours != nil {
		h := *r.PowerOnHours
		lines = append(lines, d.field("power-on", fmt.Sprintf("%d h (%.1f years)", h, float64(h)/8766)))
	}
	if r != nil && r.ExitStatus != 0 {
		lines = append(lines, d.field("smartctl", fmt.Sprintf("exit status %d", r.ExitStatus)))
	}

	lines = append(lines, d.heldStoreLines(dr)...)
	if r != nil {
		lines = append(lines, d.attributeLines(r, dr.Reasons)...)
		lines = append(lines, d.nvmeLines(r.NVMe)...)
		lines = append(lines, d.scsiLines(r.SCSI)...)
		if len(r.Messages) > 0 {
			lines = append(lines, "", th.Bold.Render("Messages of the tool"))
			bullet := c.sym("•", "-") + " "
			for _, m := range r.Messages {
				for i, l := range wrapText(m, max(10, d.w-2-4)) {
					if i == 0 {
						lines = append(lines, "  "+bullet+l)
					} else {
						lines = append(lines, "    "+l)
					}
				}
			}
		}
	}
	return lines
}

// unknownRow is a row of the backups concern whose store or drive the
// posture does not hold: its name, its verdict and why.
func (d *scrollPane) unknownRow(t *model.TargetStatus) []string {
	lines := []string{d.title(t.Name) + d.c.theme.Muted.Render(" · ") + d.c.badge(t.Status)}
	if t.Reason != "" {
		lines = append(lines, d.wrapField("why", t.Reason)...)
	}
	return lines
}

// heldStoreLines lists the stores on a drive with their usage and forecast.
func (d *drivePane) heldStoreLines(dr *model.Drive) []string {
	c := d.c
	th := c.theme
	var stores []*model.Store
	if d.in.posture != nil {
		stores = driveStores(dr, d.in.posture.Stores)
	}
	if len(stores) == 0 && len(dr.Holds) == 0 {
		return nil
	}
	head, notes := d.driveSpace(dr, stores)
	lines := []string{"", th.Bold.Render(fmt.Sprintf("Stores on it (%d)", max(len(stores), len(dr.Holds)))) + head}
	lines = append(lines, notes...)
	nameW := 10
	for _, s := range stores {
		nameW = max(nameW, min(24, width(s.Name)))
	}
	for _, s := range stores {
		st := s.UsageStatus()
		row := "  " + c.mark(st) + " " + fit(s.Name, nameW) + " "
		if !s.Online {
			lines = append(lines, row+th.Warn.Render("offline"))
			continue
		}
		f := c.forecastText(storeForecast(s))
		// The bar gives way to the forecast on a narrow pane.
		barW := max(6, min(10, d.w-2-width(row)-barPercentW-2-width(f)))
		row += c.usageBar(s.UsedFraction(), barW, st)
		if f != "" {
			row += "  " + f
		}
		if s.Total > 0 {
			row += "  " + th.Muted.Render(ofTotal(s.Used, s.Total))
		}
		lines = append(lines, row)
	}
	if len(stores) == 0 {
		// The config names them, no source reported them.
		for _, h := range dr.Holds {
			lines = append(lines, "  "+c.mark(model.StatusUnknown)+" "+h+th.Muted.Render("  not reported by any source"))
		}
	}
	return lines
}

// driveSpace is what the heading of a drive's stores adds: how much of
// the drive they use (" · 2.6/3.6 TiB used (71%)"), or that the drive's
// size is unknown; and, when the stores add up to more than the drive,
// lines that say one of them is not on it.
func (d *drivePane) driveSpace(dr *model.Drive, stores []*model.Store) (string, []string) {
	th := d.c.theme
	sp := driveUsage(dr, stores)
	switch {
	case !sp.sized:
		return "", nil
	case sp.size <= 0:
		return th.Muted.Render(" · ") + th.Warn.Render("drive size unknown") + th.Muted.Render(", its stores use "+model.HumanBytes(sp.used)), nil
	}
	head := th.Muted.Render(fmt.Sprintf(" · %s used (%.0f%%)", ofTotal(sp.used, sp.size), sp.fraction()*100))
	if !sp.excess {
		return head, nil
	}
	var notes []string
	for _, l := range wrapText(d.c.glyph(model.StatusWarning)+" they add up to "+model.HumanBytes(sp.parts)+
		", more than the drive: is one of them on another disk? Check the drive's holds in the config.", max(10, d.w-2-2)) {
		notes = append(notes, "  "+th.Warn.Render(l))
	}
	return head, notes
}

// attributeFlag says whether an ATA attribute row needs a mark, and in
// which words: the model's own rules judge the attribute alone (so the
// thresholds live in one place), and an attribute a reason names is marked
// too.
func attributeFlag(a model.SMARTAttribute, reasons []string) (model.Status, string) {
	h, _ := model.SMARTVerdict(&model.SMARTReading{Attributes: []model.SMARTAttribute{a}}, nil)
	st := h.Status()
	if st == model.StatusUnknown {
		st = model.StatusOK
	}
	if st == model.StatusOK && a.Name != "" {
		for _, r := range reasons {
			if strings.Contains(r, a.Name) {
				st = model.StatusWarning
			}
		}
	}
	switch {
	case st == model.StatusOK:
		return st, ""
	case strings.EqualFold(a.WhenFailed, "now"):
		return st, "failing now"
	case strings.EqualFold(a.WhenFailed, "past"):
		return st, "failed before"
	case st == model.StatusCritical:
		return st, "failed"
	}
	return st, "warning"
}

// attributeLines is the ATA attribute table: ID, name, value, worst,
// thresh, raw; a row that fails or warns starts with a glyph and a word.
func (d *drivePane) attributeLines(r *model.SMARTReading, reasons []string) []string {
	if len(r.Attributes) == 0 {
		return nil
	}
	c := d.c
	th := c.theme
	type row struct {
		a    model.SMARTAttribute
		st   model.Status
		word string
	}
	rows := make([]row, 0, len(r.Attributes))
	flagged := 0
	for _, a := range r.Attributes {
		st, word := attributeFlag(a, reasons)
		if word != "" {
			flagged++
		}
		rows = append(rows, row{a, st, word})
	}
	title := fmt.Sprintf("ATA attributes (%d", len(rows))
	if flagged > 0 {
		title += fmt.Sprintf(", %d marked", flagged)
	}
	lines := []string{"", th.Bold.Render(title + ")")}

	cw := d.w - 2
	wide := cw >= 76
	flagW := 5 + c.glyphW() // "✗ fail"
	if wide {
		flagW = 14 + c.glyphW() // "! failed before"
	}
	raw := func(a model.SMARTAttribute, w int) string {
		s := a.RawString
		if s == "" || (width(s) > w && !wide) {
			s = fmt.Sprint(a.Raw)
		}
		return s
	}
	var head, nums func(a model.SMARTAttribute) string
	numsW := 11
	if wide {
		numsW = 18
		nums = func(a model.SMARTAttribute) string {
			return fmt.Sprintf("%5d %5d %6d", a.Value, a.Worst, a.Thresh)
		}
	} else {
		nums = func(a model.SMARTAttribute) string {
			return fmt.Sprintf("%3d %3d %3d", a.Value, a.Worst, a.Thresh)
		}
	}
	_ = head
	rawW := 3
	for _, x := range rows {
		rawW = max(rawW, width(raw(x.a, 8)))
	}
	rawW = min(rawW, 24)
	nameW := 24
	if !wide {
		nameW = max(8, cw-flagW-1-3-1-numsW-1-rawW-1)
	}
	cols := fmt.Sprintf("%-*s %3s %-*s ", flagW, "", "ID", nameW, "name")
	if wide {
		cols += fmt.Sprintf("%5s %5s %6s", "value", "worst", "thresh")
	} else {
		cols += fmt.Sprintf("%3s %3s %3s", "val", "wst", "thr")
	}
	lines = append(lines, th.Muted.Render(cols+" raw"))
	for _, x := range rows {
		flag := strings.Repeat(" ", flagW)
		if x.word != "" {
			w := x.word
			if !wide {
				w = map[model.Status]string{model.StatusCritical: "fail", model.StatusWarning: "warn"}[x.st]
			}
			flag = th.Status(x.st).Render(fit(c.glyph(x.st)+" "+w, flagW))
		}
		name := x.a.Name
		if name == "" {
			name = "attribute " + fmt.Sprint(x.a.ID)
		}
		line := flag + " " + fmt.Sprintf("%3d", x.a.ID) + " " + fit(name, nameW) + " " + nums(x.a) + " " + trunc(raw(x.a, rawW), max(rawW, cw-flagW-nameW-numsW-7))
		if x.word != "" {
			line = flag + th.Status(x.st).Render(strings.TrimPrefix(ansiStrip(line), ansiStrip(flag)))
		}
		lines = append(lines, line)
	}
	return lines
}

// nvmeLines are the NVMe health figures instead of an attribute table.
func (d *drivePane) nvmeLines(n *model.NVMeHealth) []string {
	if n == nil {
		return nil
	}
	c := d.c
	th := c.theme
	mark := func(st model.Status, text string) string {
		if st == model.StatusOK {
			return text
		}
		return text + "  " + th.Status(st).Render(c.glyph(st)+" "+map[model.Status]string{model.StatusCritical: "failed", model.StatusWarning: "warning"}[st])
	}
	crit := "none"
	critSt := model.StatusOK
	if n.CriticalWarning != 0 {
		crit, critSt = fmt.Sprintf("0x%02x (the reasons above say which)", n.CriticalWarning), model.StatusCritical
	}
	spareSt := model.StatusOK
	if n.AvailableSpareThreshold > 0 && n.AvailableSpare < n.AvailableSpareThreshold {
		spareSt = model.StatusCritical
	}
	usedSt := model.StatusOK
	switch {
	case n.PercentageUsed > 100:
		usedSt = model.StatusCritical
	case n.PercentageUsed >= 90:
		usedSt = model.StatusWarning
	}
	mediaSt := model.StatusOK
	if n.MediaErrors > 0 {
		mediaSt = model.StatusCritical
	}
	return []string{
		"", th.Bold.Render("NVMe health"),
		d.field("critical", mark(critSt, crit)),
		d.field("spare", mark(spareSt, fmt.Sprintf("%d %% (threshold %d %%)", n.AvailableSpare, n.AvailableSpareThreshold))),
		d.field("worn", mark(usedSt, fmt.Sprintf("%d %% of its rated endurance used", n.PercentageUsed))),
		d.field("media errors", mark(mediaSt, fmt.Sprint(n.MediaErrors))),
	}
}

// scsiLines are a SCSI drive's error counters.
func (d *drivePane) scsiLines(s *model.SCSIHealth) []string {
	if s == nil {
		return nil
	}
	th := d.c.theme
	lines := []string{"", th.Bold.Render("SCSI health")}
	add := func(label string, v *int64) {
		if v == nil {
			lines = append(lines, d.field(label, th.Muted.Render("not reported")))
			return
		}
		text := fmt.Sprint(*v)
		if *v > 0 {
			text += "  " + d.c.theme.Warn.Render(d.c.glyph(model.StatusWarning)+" see the reasons")
		}
		lines = append(lines, d.field(label, text))
	}
	add("grown defects", s.GrownDefects)
	add("read errors", s.UncorrectedReadErrors)
	add("write errors", s.UncorrectedWriteErrors)
	return lines
}
