package model

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func smartBool(b bool) *bool  { return &b }
func smartInt(n int) *int     { return &n }
func smartI64(n int64) *int64 { return &n }
func ataAttr(id int, name string, raw int64) SMARTAttribute {
	return SMARTAttribute{ID: id, Name: name, Value: 100, Worst: 100, Thresh: 10, Raw: raw}
}

// healthyATA is a passing SATA disk with the judged attributes at zero.
func healthyATA(extra ...SMARTAttribute) *SMARTReading {
	r := &SMARTReading{
		Serial: "NA8F1234", Protocol: "ATA", Passed: smartBool(true), TemperatureC: smartInt(34),
		Attributes: []SMARTAttribute{
			ataAttr(5, "Reallocated_Sector_Ct", 0),
			ataAttr(187, "Reported_Uncorrect", 0),
			ataAttr(188, "Command_Timeout", 0),
			ataAttr(197, "Current_Pending_Sector", 0),
			ataAttr(198, "Offline_Uncorrectable", 0),
			ataAttr(199, "UDMA_CRC_Error_Count", 0),
		},
	}
	for _, e := range extra {
		if a := r.Attribute(e.ID); a != nil {
			*a = e
		} else {
			r.Attributes = append(r.Attributes, e)
		}
	}
	return r
}

func healthyNVMe(mod func(*NVMeHealth)) *SMARTReading {
	n := &NVMeHealth{AvailableSpare: 100, AvailableSpareThreshold: 10, PercentageUsed: 3}
	if mod != nil {
		mod(n)
	}
	return &SMARTReading{Protocol: "NVMe", Passed: smartBool(true), TemperatureC: smartInt(38), NVMe: n}
}

func TestSMARTVerdict(t *testing.T) {
	const realloc = "the drive is remapping bad sectors"
	tests := []struct {
		name    string
		cur     *SMARTReading
		want    Health
		reasons []string
	}{
		{"nil reading", nil, HealthUnknown, []string{"no SMART reading"}},
		{"empty reading", &SMARTReading{}, HealthUnknown, []string{"no SMART data in the reading"}},
		{"no data, the tool's words", &SMARTReading{Messages: []string{
			"smartctl does not know this USB bridge [0x152d:0x0578]: try -d sat",
			"smartctl exit status 1: smartctl's command line was not understood",
		}}, HealthUnknown, []string{
			"no SMART data: smartctl does not know this USB bridge [0x152d:0x0578]: try -d sat",
			"smartctl exit status 1: smartctl's command line was not understood",
		}},
		{"temperature alone is no SMART data", &SMARTReading{TemperatureC: smartInt(30)}, HealthUnknown, []string{"no SMART data in the reading"}},
		{"self-assessment only", &SMARTReading{Passed: smartBool(true)}, HealthPassed, nil},
		{"healthy ATA", healthyATA(), HealthPassed, nil},
		{"attributes without self-assessment", &SMARTReading{Attributes: []SMARTAttribute{ataAttr(5, "Reallocated_Sector_Ct", 0)}}, HealthPassed, nil},
		{"self-assessment FAILED", &SMARTReading{Passed: smartBool(false)}, HealthFailed, []string{"SMART self-assessment: FAILED"}},

		{"1 reallocated sector warns", healthyATA(ataAttr(5, "Reallocated_Sector_Ct", 1)), HealthWarning,
			[]string{"1 reallocated sector (Reallocated_Sector_Ct): " + realloc}},
		{"16 reallocated sectors warn", healthyATA(ataAttr(5, "Reallocated_Sector_Ct", 16)), HealthWarning,
			[]string{"16 reallocated sectors (Reallocated_Sector_Ct): " + realloc}},
		{"17 reallocated sectors fail", healthyATA(ataAttr(5, "Reallocated_Sector_Ct", 17)), HealthFailed,
			[]string{"17 reallocated sectors (Reallocated_Sector_Ct): " + realloc}},
		{"an attribute without a name gets the standard one", &SMARTReading{Attributes: []SMARTAttribute{{ID: 5, Raw: 5}}}, HealthWarning,
			[]string{"5 reallocated sectors (Reallocated_Sector_Ct): " + realloc}},
		{"187 fails at 1", healthyATA(ataAttr(187, "Reported_Uncorrect", 1)), HealthFailed,
			[]string{"1 uncorrectable error (Reported_Uncorrect): the drive could not read back data"}},
		{"188 at 100 passes", healthyATA(ataAttr(188, "Command_Timeout", 100)), HealthPassed, nil},
		{"188 above 100 fails", healthyATA(ataAttr(188, "Command_Timeout", 101)), HealthFailed,
			[]string{"101 command timeouts (Command_Timeout): the drive stopped answering; a failing drive, or a bad cable or power supply"}},
		{"1 pending sector warns", healthyATA(ataAttr(197, "Current_Pending_Sector", 1)), HealthWarning,
			[]string{"1 sector pending reallocation (Current_Pending_Sector): the drive could not read them"}},
		{"2 pending sectors fail", healthyATA(ataAttr(197, "Current_Pending_Sector", 2)), HealthFailed,
			[]string{"2 sectors pending reallocation (Current_Pending_Sector): the drive could not read them"}},
		{"198 fails at 1", healthyATA(ataAttr(198, "Offline_Uncorrectable", 1)), HealthFailed,
			[]string{"1 uncorrectable sector (Offline_Uncorrectable): the drive's own scan could not read them"}},
		{"CRC errors alone do not warn", healthyATA(ataAttr(199, "UDMA_CRC_Error_Count", 108)), HealthPassed, nil},
		{"an attribute failing now", healthyATA(SMARTAttribute{ID: 10, Name: "Spin_Retry_Count", Value: 96, Worst: 96, Thresh: 97, WhenFailed: "now"}), HealthFailed,
			[]string{"Spin_Retry_Count (10) is at or below the drive's own failure threshold now: value 96, threshold 97"}},
		{"an attribute failing in the past", healthyATA(SMARTAttribute{ID: 190, Name: "Airflow_Temperature_Cel", Value: 66, Worst: 40, Thresh: 45, Raw: 34, WhenFailed: "past"}), HealthWarning,
			[]string{"Airflow_Temperature_Cel (190) fell to the drive's own failure threshold in the past: worst 40, threshold 45"}},
		{"failures come before warnings", &SMARTReading{Passed: smartBool(false), TemperatureC: smartInt(61), Attributes: []SMARTAttribute{
			ataAttr(5, "Reallocated_Sector_Ct", 3), ataAttr(197, "Current_Pending_Sector", 8),
		}}, HealthFailed, []string{
			"SMART self-assessment: FAILED",
			"8 sectors pending reallocation (Current_Pending_Sector): the drive could not read them",
			"3 reallocated sectors (Reallocated_Sector_Ct): " + realloc,
			"temperature 61 °C: 60 °C or more shortens a drive's life; check the airflow around it",
		}},

		{"59 °C passes", &SMARTReading{Passed: smartBool(true), TemperatureC: smartInt(59)}, HealthPassed, nil},
		{"60 °C warns", &SMARTReading{Passed: smartBool(true), TemperatureC: smartInt(60)}, HealthWarning,
			[]string{"temperature 60 °C: 60 °C or more shortens a drive's life; check the airflow around it"}},

		{"healthy NVMe", healthyNVMe(nil), HealthPassed, nil},
		{"NVMe at 65 °C passes", func() *SMARTReading { r := healthyNVMe(nil); r.TemperatureC = smartInt(65); return r }(), HealthPassed, nil},
		{"NVMe at 70 °C warns", func() *SMARTReading { r := healthyNVMe(nil); r.TemperatureC = smartInt(70); return r }(), HealthWarning,
			[]string{"temperature 70 °C: 70 °C or more shortens a drive's life; check the airflow around it"}},
		{"NVMe critical warning", healthyNVMe(func(n *NVMeHealth) { n.CriticalWarning = 0x04 }), HealthFailed,
			[]string{"NVMe critical warning 0x04: reliability degraded"}},
		{"NVMe critical warning, two bits", healthyNVMe(func(n *NVMeHealth) { n.CriticalWarning = 0x0a }), HealthFailed,
			[]string{"NVMe critical warning 0x0a: temperature beyond its limit, media read-only"}},
		{"NVMe spare below threshold", healthyNVMe(func(n *NVMeHealth) { n.AvailableSpare = 5; n.CriticalWarning = 0x01 }), HealthFailed, []string{
			"NVMe critical warning 0x01: available spare below threshold",
			"available spare 5 % is below the drive's threshold of 10 %: it has run out of spare blocks",
		}},
		{"NVMe spare at threshold passes", healthyNVMe(func(n *NVMeHealth) { n.AvailableSpare = 10 }), HealthPassed, nil},
		{"NVMe without a spare threshold", healthyNVMe(func(n *NVMeHealth) { n.AvailableSpare = 0; n.AvailableSpareThreshold = 0 }), HealthPassed, nil},
		{"NVMe 89 % used passes", healthyNVMe(func(n *NVMeHealth) { n.PercentageUsed = 89 }), HealthPassed, nil},
		{"NVMe 90 % used warns", healthyNVMe(func(n *NVMeHealth) { n.PercentageUsed = 90 }), HealthWarning,
			[]string{"90 % of its rated endurance used (Percentage Used): the drive is nearing the end of its rated life"}},
		{"NVMe 100 % used warns", healthyNVMe(func(n *NVMeHealth) { n.PercentageUsed = 100 }), HealthWarning,
			[]string{"100 % of its rated endurance used (Percentage Used): the drive is nearing the end of its rated life"}},
		{"NVMe 101 % used fails", healthyNVMe(func(n *NVMeHealth) { n.PercentageUsed = 101 }), HealthFailed,
			[]string{"101 % of its rated endurance used (Percentage Used): the drive is worn out"}},
		{"NVMe media errors", healthyNVMe(func(n *NVMeHealth) { n.MediaErrors = 7 }), HealthFailed,
			[]string{"7 media and data integrity errors: the drive could not read back data"}},

		{"SCSI without defects", &SMARTReading{Protocol: "SCSI", SCSI: &SCSIHealth{GrownDefects: smartI64(0)}}, HealthPassed, nil},
		{"SCSI 1 grown defect warns", &SMARTReading{Protocol: "SCSI", SCSI: &SCSIHealth{GrownDefects: smartI64(1)}}, HealthWarning,
			[]string{"1 grown defect (remapped bad sectors): the drive is remapping bad sectors"}},
		{"SCSI 99 grown defects warn", &SMARTReading{Protocol: "SCSI", SCSI: &SCSIHealth{GrownDefects: smartI64(99)}}, HealthWarning,
			[]string{"99 grown defects (remapped bad sectors): the drive is remapping bad sectors"}},
		{"SCSI 100 grown defects fail", &SMARTReading{Protocol: "SCSI", SCSI: &SCSIHealth{GrownDefects: smartI64(100)}}, HealthFailed,
			[]string{"100 grown defects (remapped bad sectors): the drive is remapping bad sectors"}},
		{"SCSI uncorrected errors warn", &SMARTReading{Protocol: "SCSI", SCSI: &SCSIHealth{UncorrectedReadErrors: smartI64(2), UncorrectedWriteErrors: smartI64(1)}}, HealthWarning, []string{
			"2 uncorrected read errors: the drive could not read back data",
			"1 uncorrected write error: the drive could not write data",
		}},

		{"exit bit 8 with a PASSED status", &SMARTReading{Passed: smartBool(true), ExitStatus: 8}, HealthFailed,
			[]string{"smartctl: the drive reports it is failing"}},
		{"exit bit 8 is not repeated after FAILED", &SMARTReading{Passed: smartBool(false), ExitStatus: 8}, HealthFailed,
			[]string{"SMART self-assessment: FAILED"}},
		{"exit bit 16 alone", &SMARTReading{Passed: smartBool(true), ExitStatus: 16}, HealthFailed,
			[]string{"smartctl: a prefail attribute is at or below its threshold now"}},
		{"exit bit 16 is not repeated after an attribute", &SMARTReading{Passed: smartBool(true), ExitStatus: 16, Attributes: []SMARTAttribute{
			{ID: 3, Name: "Spin_Up_Time", Value: 20, Thresh: 21, WhenFailed: "now"},
		}}, HealthFailed, []string{"Spin_Up_Time (3) is at or below the drive's own failure threshold now: value 20, threshold 21"}},
		{"exit bit 32", &SMARTReading{Passed: smartBool(true), ExitStatus: 32}, HealthWarning,
			[]string{"smartctl: an attribute was at or below its threshold in the past"}},
		{"exit bit 128", &SMARTReading{Passed: smartBool(true), ExitStatus: 128}, HealthWarning,
			[]string{"the self-test log has errors: a self-test could not read the whole disk (smartctl -l selftest)"}},
		{"exit bits 4 and 64 do not count", &SMARTReading{Passed: smartBool(true), ExitStatus: 4 | 64}, HealthPassed, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, reasons := SMARTVerdict(tc.cur, nil)
			if got != tc.want || !slices.Equal(reasons, tc.reasons) {
				t.Errorf("SMARTVerdict = %s %q\nwant %s %q", got, reasons, tc.want, tc.reasons)
			}
		})
	}
}

func TestSMARTVerdictGrowth(t *testing.T) {
	day := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	scsi := func(g, r int64) *SMARTReading {
		return &SMARTReading{Serial: "Z1Z5", At: day, Protocol: "SCSI", Passed: smartBool(true),
			SCSI: &SCSIHealth{GrownDefects: smartI64(g), UncorrectedReadErrors: smartI64(r)}}
	}
	tests := []struct {
		name      string
		cur, prev *SMARTReading
		want      Health
		reasons   []string
	}{
		{"reallocated grew from 0 to 1", healthyATA(ataAttr(5, "Reallocated_Sector_Ct", 1)), healthyATA(), HealthWarning, []string{
			"1 reallocated sector (Reallocated_Sector_Ct): the drive is remapping bad sectors",
			"reallocated sectors grew from 0 to 1 since 2026-11-20",
		}},
		{"unchanged counts pass", healthyATA(), healthyATA(), HealthPassed, nil},
		{"pending sectors going down is normal", healthyATA(), healthyATA(ataAttr(197, "Current_Pending_Sector", 3)), HealthPassed, nil},
		{"uncorrectable counts that grew", healthyATA(ataAttr(187, "Reported_Uncorrect", 1), ataAttr(198, "Offline_Uncorrectable", 2)), healthyATA(), HealthFailed, []string{
			"1 uncorrectable error (Reported_Uncorrect): the drive could not read back data",
			"2 uncorrectable sectors (Offline_Uncorrectable): the drive's own scan could not read them",
			"offline uncorrectable sectors grew from 0 to 2 since 2026-11-20",
			"reported uncorrectable errors grew from 0 to 1 since 2026-11-20",
		}},
		{"CRC errors that grow point at the cable", healthyATA(ataAttr(199, "UDMA_CRC_Error_Count", 110)), healthyATA(ataAttr(199, "UDMA_CRC_Error_Count", 108)), HealthWarning,
			[]string{"interface CRC errors grew from 108 to 110 since 2026-11-20: usually the cable or the USB enclosure, not the disk"}},
		{"another drive's reading is not compared", healthyATA(ataAttr(199, "UDMA_CRC_Error_Count", 110)), func() *SMARTReading {
			r := healthyATA()
			r.Serial = "OTHER"
			return r
		}(), HealthPassed, nil},
		{"an undated earlier reading", healthyATA(ataAttr(197, "Current_Pending_Sector", 1)), func() *SMARTReading {
			r := healthyATA()
			r.At = time.Time{}
			return r
		}(), HealthWarning, []string{
			"1 sector pending reallocation (Current_Pending_Sector): the drive could not read them",
			"pending sectors grew from 0 to 1 since the last reading",
		}},
		{"NVMe media errors grew", healthyNVMe(func(n *NVMeHealth) { n.MediaErrors = 9 }), func() *SMARTReading {
			r := healthyNVMe(func(n *NVMeHealth) { n.MediaErrors = 7 })
			r.At = day
			return r
		}(), HealthFailed, []string{
			"9 media and data integrity errors: the drive could not read back data",
			"media errors grew from 7 to 9 since 2026-11-20",
		}},
		{"SCSI grown defects grew", scsi(5, 0), scsi(3, 0), HealthWarning, []string{
			"5 grown defects (remapped bad sectors): the drive is remapping bad sectors",
			"grown defects grew from 3 to 5 since 2026-11-20",
		}},
		{"SCSI uncorrected errors grew", scsi(0, 1), scsi(0, 0), HealthWarning, []string{
			"1 uncorrected read error: the drive could not read back data",
			"uncorrected read errors grew from 0 to 1 since 2026-11-20",
		}},
		{"no earlier reading of an attribute", healthyATA(), &SMARTReading{At: day, Passed: smartBool(true)}, HealthPassed, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prev.At.IsZero() && !strings.Contains(tc.name, "undated") {
				tc.prev.At = day
			}
			got, reasons := SMARTVerdict(tc.cur, tc.prev)
			if got != tc.want || !slices.Equal(reasons, tc.reasons) {
				t.Errorf("SMARTVerdict = %s %q\nwant %s %q", got, reasons, tc.want, tc.reasons)
			}
		})
	}
}

func TestSMARTReadingAttribute(t *testing.T) {
	r := healthyATA()
	if a := r.Attribute(197); a == nil || a.Name != "Current_Pending_Sector" {
		t.Errorf("Attribute(197) = %+v", a)
	}
	if a := r.Attribute(9); a != nil {
		t.Errorf("Attribute(9) = %+v, want nil", a)
	}
}
