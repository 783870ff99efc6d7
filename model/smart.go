package model

import (
	"fmt"
	"strings"
)

// SMART thresholds. The ATA counts follow the Backblaze failure statistics
// as Scrutiny applies them; the rest are deliberately modest so that a
// warning is always worth the operator's attention.
const (
	reallocatedFail   = 17  // attr 5: 1..16 warn
	commandTimeoutMax = 100 // attr 188: more than this fails
	pendingFail       = 2   // attr 197: 1 warns
	// SAS drives remap into the grown defect list and trip their own SMART
	// status when the spare pool runs low; a few dozen entries on an old
	// enterprise drive is common, so only 100 or more fails.
	grownDefectsFail = 100
	nvmeWornWarn     = 90 // percentage used
	hotHDD           = 60 // °C, ATA and SCSI drives
	// NVMe controllers run hotter and report their own over-temperature in
	// critical_warning bit 1.
	hotNVMe = 70
)

// smartFindings collects a verdict's reasons by severity.
type smartFindings struct{ failed, warned []string }

func (f *smartFindings) fail(format string, a ...any) {
	f.failed = append(f.failed, fmt.Sprintf(format, a...))
}

func (f *smartFindings) warn(format string, a ...any) {
	f.warned = append(f.warned, fmt.Sprintf(format, a...))
}

// SMARTVerdict rates a drive from its newest SMART reading. prev, when not
// nil, is an earlier reading of the same drive: a reallocated, pending or
// uncorrectable count that grew since then warns even below the thresholds.
// The reasons are in words an operator understands, failures first.
//
// Rules:
//   - failed: the self-assessment is FAILED; an attribute is at its
//     threshold now (when_failed "now"); attr 5 raw ≥ 17, 187 ≥ 1,
//     188 > 100, 197 ≥ 2, 198 ≥ 1; NVMe critical_warning ≠ 0, available
//     spare below its threshold, percentage used > 100, media errors > 0;
//     SCSI grown defects ≥ 100; smartctl's exit bits 8 (drive failing) or
//     16 (prefail attribute at threshold now) when nothing above said so.
//   - warning: attr 5 raw 1..16, 197 raw 1; an attribute at its threshold
//     in the past; NVMe percentage used ≥ 90; SCSI grown defects 1..99 or
//     uncorrected read/write errors; temperature ≥ 60 °C (≥ 70 °C for
//     NVMe); exit bit 128 (self-test log has errors); growth since prev of
//     attrs 5, 187, 197, 198, 199 (CRC errors: a cable sign, which only
//     warns when it grows because the counter never resets), NVMe media
//     errors, SCSI grown defects and uncorrected errors.
//   - unknown: no reading, or a reading without any SMART data (no
//     self-assessment, attributes, NVMe log or SCSI counters); the reasons
//     are then the reading's messages.
//   - passed: otherwise.
func SMARTVerdict(cur *SMARTReading, prev *SMARTReading) (Health, []string) {
	if cur == nil {
		return HealthUnknown, []string{"no SMART reading"}
	}
	if !cur.hasData() {
		return HealthUnknown, noDataReasons(cur)
	}
	if prev != nil && prev.Serial != "" && cur.Serial != "" && prev.Serial != cur.Serial {
		prev = nil // another drive: nothing to compare with
	}
	var f smartFindings
	if cur.Passed != nil && !*cur.Passed {
		f.fail("SMART self-assessment: FAILED")
	}
	now, past := ataFindings(&f, cur)
	nvmeFindings(&f, cur)
	scsiFindings(&f, cur)
	exitFindings(&f, cur, now, past)
	temperatureFindings(&f, cur)
	if prev != nil {
		growthFindings(&f, cur, prev)
	}
	reasons := append(f.failed, f.warned...)
	switch {
	case len(f.failed) > 0:
		return HealthFailed, reasons
	case len(f.warned) > 0:
		return HealthWarning, reasons
	}
	return HealthPassed, nil
}

// hasData reports whether the reading holds anything to judge the drive by.
func (r *SMARTReading) hasData() bool {
	return r.Passed != nil || len(r.Attributes) > 0 || r.NVMe != nil || r.SCSI != nil
}

func noDataReasons(r *SMARTReading) []string {
	if len(r.Messages) == 0 {
		return []string{"no SMART data in the reading"}
	}
	reasons := make([]string, 0, len(r.Messages))
	reasons = append(reasons, "no SMART data: "+r.Messages[0])
	return append(reasons, r.Messages[1:]...)
}

// Attribute returns the ATA attribute with that id, nil when absent.
func (r *SMARTReading) Attribute(id int) *SMARTAttribute {
	for i := range r.Attributes {
		if r.Attributes[i].ID == id {
			return &r.Attributes[i]
		}
	}
	return nil
}

// ataFindings applies the attribute rules; it reports whether any attribute
// was failing now or in the past, so that the exit bits do not repeat them.
func ataFindings(f *smartFindings, r *SMARTReading) (now, past bool) {
	for _, a := range r.Attributes {
		switch strings.ToLower(a.WhenFailed) {
		case "now":
			now = true
			f.fail("%s (%d) is at or below the drive's own failure threshold now: value %d, threshold %d", a.label(), a.ID, a.Value, a.Thresh)
		case "past":
			past = true
			f.warn("%s (%d) fell to the drive's own failure threshold in the past: worst %d, threshold %d", a.label(), a.ID, a.Worst, a.Thresh)
		}
		n := a.Raw
		switch a.ID {
		case 5:
			switch {
			case n >= reallocatedFail:
				f.fail("%s", attributeWords(a))
			case n >= 1:
				f.warn("%s", attributeWords(a))
			}
		case 187, 198:
			if n >= 1 {
				f.fail("%s", attributeWords(a))
			}
		case 188:
			if n > commandTimeoutMax {
				f.fail("%s", attributeWords(a))
			}
		case 197:
			switch {
			case n >= pendingFail:
				f.fail("%s", attributeWords(a))
			case n >= 1:
				f.warn("%s", attributeWords(a))
			}
		}
	}
	return now, past
}

// label is the attribute's name, or a standard one when the tool gave none.
func (a SMARTAttribute) label() string {
	if a.Name != "" {
		return a.Name
	}
	switch a.ID {
	case 5:
		return "Reallocated_Sector_Ct"
	case 187:
		return "Reported_Uncorrect"
	case 188:
		return "Command_Timeout"
	case 197:
		return "Current_Pending_Sector"
	case 198:
		return "Offline_Uncorrectable"
	case 199:
		return "UDMA_CRC_Error_Count"
	}
	return fmt.Sprintf("attribute %d", a.ID)
}

// attributeWords says what a count of one of the judged attributes means.
func attributeWords(a SMARTAttribute) string {
	n := a.Raw
	switch a.ID {
	case 5:
		return fmt.Sprintf("%d %s (%s): the drive is remapping bad sectors", n, plural(n, "reallocated sector", "reallocated sectors"), a.label())
	case 187:
		return fmt.Sprintf("%d %s (%s): the drive could not read back data", n, plural(n, "uncorrectable error", "uncorrectable errors"), a.label())
	case 188:
		return fmt.Sprintf("%d %s (%s): the drive stopped answering; a failing drive, or a bad cable or power supply", n, plural(n, "command timeout", "command timeouts"), a.label())
	case 197:
		return fmt.Sprintf("%d %s (%s): the drive could not read them", n, plural(n, "sector pending reallocation", "sectors pending reallocation"), a.label())
	case 198:
		return fmt.Sprintf("%d %s (%s): the drive's own scan could not read them", n, plural(n, "uncorrectable sector", "uncorrectable sectors"), a.label())
	}
	return fmt.Sprintf("%s (%d): raw %d", a.label(), a.ID, n)
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// nvmeCriticalWords names the bits of the NVMe critical warning byte.
func nvmeCriticalWords(w int) string {
	words := []string{
		"available spare below threshold",
		"temperature beyond its limit",
		"reliability degraded",
		"media read-only",
		"volatile memory backup failed",
		"persistent memory region read-only",
	}
	var set []string
	for bit, word := range words {
		if w&(1<<bit) != 0 {
			set = append(set, word)
		}
	}
	if len(set) == 0 {
		return "unknown condition"
	}
	return strings.Join(set, ", ")
}

func nvmeFindings(f *smartFindings, r *SMARTReading) {
	n := r.NVMe
	if n == nil {
		return
	}
	if n.CriticalWarning != 0 {
		f.fail("NVMe critical warning 0x%02x: %s", n.CriticalWarning, nvmeCriticalWords(n.CriticalWarning))
	}
	if n.AvailableSpareThreshold > 0 && n.AvailableSpare < n.AvailableSpareThreshold {
		f.fail("available spare %d %% is below the drive's threshold of %d %%: it has run out of spare blocks", n.AvailableSpare, n.AvailableSpareThreshold)
	}
	switch {
	case n.PercentageUsed > 100:
		f.fail("%d %% of its rated endurance used (Percentage Used): the drive is worn out", n.PercentageUsed)
	case n.PercentageUsed >= nvmeWornWarn:
		f.warn("%d %% of its rated endurance used (Percentage Used): the drive is nearing the end of its rated life", n.PercentageUsed)
	}
	if n.MediaErrors > 0 {
		f.fail("%d media and data integrity %s: the drive could not read back data", n.MediaErrors, plural(n.MediaErrors, "error", "errors"))
	}
}

func scsiFindings(f *smartFindings, r *SMARTReading) {
	s := r.SCSI
	if s == nil {
		return
	}
	if g := s.GrownDefects; g != nil && *g > 0 {
		msg := fmt.Sprintf("%d grown %s (remapped bad sectors): the drive is remapping bad sectors", *g, plural(*g, "defect", "defects"))
		if *g >= grownDefectsFail {
			f.fail("%s", msg)
		} else {
			f.warn("%s", msg)
		}
	}
	if e := s.UncorrectedReadErrors; e != nil && *e > 0 {
		f.warn("%d uncorrected read %s: the drive could not read back data", *e, plural(*e, "error", "errors"))
	}
	if e := s.UncorrectedWriteErrors; e != nil && *e > 0 {
		f.warn("%d uncorrected write %s: the drive could not write data", *e, plural(*e, "error", "errors"))
	}
}

// exitFindings reads smartctl's verdict bits for what the data above did not
// already say (bit 64, error log entries, is left out: old transient errors
// are common on healthy drives).
func exitFindings(f *smartFindings, r *SMARTReading, now, past bool) {
	x := r.ExitStatus
	if x&8 != 0 && (r.Passed == nil || *r.Passed) {
		f.fail("smartctl: the drive reports it is failing")
	}
	if x&16 != 0 && !now {
		f.fail("smartctl: a prefail attribute is at or below its threshold now")
	}
	if x&32 != 0 && !past {
		f.warn("smartctl: an attribute was at or below its threshold in the past")
	}
	if x&128 != 0 {
		f.warn("the self-test log has errors: a self-test could not read the whole disk (smartctl -l selftest)")
	}
}

func temperatureFindings(f *smartFindings, r *SMARTReading) {
	if r.TemperatureC == nil {
		return
	}
	t, limit := *r.TemperatureC, hotHDD
	if r.NVMe != nil || strings.EqualFold(r.Protocol, "NVMe") {
		limit = hotNVMe
	}
	if t >= limit {
		f.warn("temperature %d °C: %d °C or more shortens a drive's life; check the airflow around it", t, limit)
	}
}

// growthFindings warns about error counts that grew since prev.
func growthFindings(f *smartFindings, cur, prev *SMARTReading) {
	since := "the last reading"
	if !prev.At.IsZero() {
		since = prev.At.Format("2006-01-02")
	}
	grew := func(what string, was, is int64, advice string) {
		if is > was {
			f.warn("%s grew from %d to %d since %s%s", what, was, is, since, advice)
		}
	}
	for _, c := range []struct {
		id     int
		what   string
		advice string
	}{
		{5, "reallocated sectors", ""},
		{197, "pending sectors", ""},
		{198, "offline uncorrectable sectors", ""},
		{187, "reported uncorrectable errors", ""},
		{199, "interface CRC errors", ": usually the cable or the USB enclosure, not the disk"},
	} {
		a, b := cur.Attribute(c.id), prev.Attribute(c.id)
		if a != nil && b != nil {
			grew(c.what, b.Raw, a.Raw, c.advice)
		}
	}
	if cur.NVMe != nil && prev.NVMe != nil {
		grew("media errors", prev.NVMe.MediaErrors, cur.NVMe.MediaErrors, "")
	}
	if cur.SCSI != nil && prev.SCSI != nil {
		for _, c := range []struct {
			what     string
			was, now *int64
		}{
			{"grown defects", prev.SCSI.GrownDefects, cur.SCSI.GrownDefects},
			{"uncorrected read errors", prev.SCSI.UncorrectedReadErrors, cur.SCSI.UncorrectedReadErrors},
			{"uncorrected write errors", prev.SCSI.UncorrectedWriteErrors, cur.SCSI.UncorrectedWriteErrors},
		} {
			if c.was != nil && c.now != nil {
				grew(c.what, *c.was, *c.now, "")
			}
		}
	}
}
