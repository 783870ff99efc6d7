package smart

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/backdeck/backdeck/model"
)

const pveDir = "testdata/pve"

// pveData is the data object of a fixture recorded as {request, response: {data}}.
func pveData(t testing.TB, file string) []byte {
	t.Helper()
	var rec struct {
		Response struct {
			Data json.RawMessage `json:"data"`
		} `json:"response"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(pveDir, file)), &rec); err != nil || len(rec.Response.Data) == 0 {
		t.Fatalf("%s: %v", file, err)
	}
	return rec.Response.Data
}

// TestParsePVESmartMatchesSmartctl reads /dev/sda of the seed homelab through
// the PVE API and compares it with smartctl's JSON for the same disk
// (testdata/smartctl-sda-st2000.json): PVE lacks only the disk's identity.
func TestParsePVESmartMatchesSmartctl(t *testing.T) {
	pve, err := ParsePVESmart(pveData(t, "disks-smart-ata.json"), readAt)
	if err != nil {
		t.Fatal(err)
	}
	if a := pve.Attribute(5); a == nil || a.Raw != 0 || a.RawString != "0" || a.Thresh != 10 || a.WhenFailed != "" {
		t.Errorf("attribute 5 = %+v", a)
	}
	if pve.TemperatureC == nil || *pve.TemperatureC != 34 {
		t.Errorf("TemperatureC = %v, want 34", pve.TemperatureC)
	}
	if pve.Passed == nil || !*pve.Passed || pve.Protocol != "ATA" || pve.ExitStatus != 0 || pve.Messages != nil {
		t.Errorf("reading = %+v", pve)
	}

	sc, err := ParseSmartctl(readFile(t, "testdata/smartctl-sda-st2000.json"), 0, readAt)
	if err != nil {
		t.Fatal(err)
	}
	// What disks/list gives, the caller fills in.
	pve.Device, pve.Model, pve.Serial = "/dev/sda", "ST2000DM008-2FR102", "ZFL1ABCD"
	if !reflect.DeepEqual(pve, sc) {
		t.Errorf("PVE reading\n %+v\nsmartctl reading\n %+v", pve, sc)
	}
	h1, r1 := model.SMARTVerdict(pve, nil)
	h2, r2 := model.SMARTVerdict(sc, nil)
	if h1 != model.HealthPassed || h1 != h2 || !slices.Equal(r1, r2) {
		t.Errorf("verdicts: PVE %s %q, smartctl %s %q", h1, r1, h2, r2)
	}
}

func TestParsePVESmart(t *testing.T) {
	// The NVMe health log as PVE passes it on (the lab serves this text too).
	const nvmeText = "SMART/Health Information (NVMe Log 0x02)\n" +
		"Critical Warning:                   0x04\n" +
		"Temperature:                        41 Celsius\n" +
		"Available Spare:                    100%\n" +
		"Available Spare Threshold:          10%\n" +
		"Percentage Used:                    3%\n" +
		"Data Units Read:                    28,475,120 [14.5 TB]\n" +
		"Power On Hours:                     1,234\n" +
		"Media and Data Integrity Errors:    0\n" +
		"Warning  Comp. Temperature Time:    7\n" +
		"Temperature Sensor 1:               52 Celsius\n"
	const scsiText = "SMART Health Status: OK\n\n" +
		"Current Drive Temperature:     31 C\n" +
		"Drive Trip Temperature:        60 C\n\n" +
		"Accumulated power on time, hours:minutes 5675:39\n" +
		"Elements in grown defect list: 3\n"
	tru, fls := true, false
	i := func(n int) *int { return &n }
	i64 := func(n int64) *int64 { return &n }
	tests := []struct {
		name    string
		data    string
		want    model.SMARTReading
		health  model.Health
		reasons []string
	}{
		{"NVMe text", `{"health":"PASSED","type":"text","text":` + quote(nvmeText) + `}`,
			model.SMARTReading{At: readAt, Protocol: "NVMe", Passed: &tru, TemperatureC: i(41), PowerOnHours: i(1234),
				NVMe: &model.NVMeHealth{CriticalWarning: 4, AvailableSpare: 100, AvailableSpareThreshold: 10, PercentageUsed: 3}},
			model.HealthFailed, []string{"NVMe critical warning 0x04: reliability degraded"}},
		{"health from the text's self-assessment", `{"health":"","type":"text","text":"SMART overall-health self-assessment test result: FAILED!\nPercentage Used: 104%\n"}`,
			model.SMARTReading{At: readAt, Protocol: "NVMe", Passed: &fls, NVMe: &model.NVMeHealth{PercentageUsed: 104}},
			model.HealthFailed, []string{"SMART self-assessment: FAILED", "104 % of its rated endurance used (Percentage Used): the drive is worn out"}},
		{"SAS text", `{"health":"OK","type":"text","text":` + quote(scsiText) + `}`,
			model.SMARTReading{At: readAt, Protocol: "SCSI", Passed: &tru, TemperatureC: i(31), PowerOnHours: i(5675), SCSI: &model.SCSIHealth{GrownDefects: i64(3)}},
			model.HealthWarning, []string{"3 grown defects (remapped bad sectors): the drive is remapping bad sectors"}},
		{"a failing attribute in PVE's words, in the API envelope",
			`{"data":{"health":"FAILED","type":"ata","attributes":[` +
				`{"id":"  5","name":"Reallocated_Sector_Ct","value":1,"worst":1,"threshold":5,"fail":"FAILING_NOW","raw":"1975"},` +
				`{"id":"  9","name":"Power_On_Hours","value":"91","worst":"91","threshold":"0","fail":"-","raw":"65592"},` +
				`{"id":"190","name":"Airflow_Temperature_Cel","value":66,"worst":40,"threshold":45,"fail":"In_the_past","raw":"34 (Min/Max 22/60)"}]}}`,
			model.SMARTReading{At: readAt, Protocol: "ATA", Passed: &fls, TemperatureC: i(34), PowerOnHours: i(65592), Attributes: []model.SMARTAttribute{
				{ID: 5, Name: "Reallocated_Sector_Ct", Value: 1, Worst: 1, Thresh: 5, Raw: 1975, RawString: "1975", WhenFailed: "now"},
				{ID: 9, Name: "Power_On_Hours", Value: 91, Worst: 91, Raw: 65592, RawString: "65592"},
				{ID: 190, Name: "Airflow_Temperature_Cel", Value: 66, Worst: 40, Thresh: 45, Raw: 34, RawString: "34 (Min/Max 22/60)", WhenFailed: "past"},
			}},
			model.HealthFailed, []string{
				"SMART self-assessment: FAILED",
				"Reallocated_Sector_Ct (5) is at or below the drive's own failure threshold now: value 1, threshold 5",
				"1975 reallocated sectors (Reallocated_Sector_Ct): the drive is remapping bad sectors",
				"Airflow_Temperature_Cel (190) fell to the drive's own failure threshold in the past: worst 40, threshold 45",
			}},
		// What PVE (and the lab) answer for a USB bridge without SMART.
		{"USB bridge without SMART", `{"health":"UNKNOWN"}`,
			model.SMARTReading{At: readAt, Messages: []string{"PVE has no SMART data for the disk (health UNKNOWN): often a USB bridge that does not pass SMART through"}},
			model.HealthUnknown, []string{"no SMART data: PVE has no SMART data for the disk (health UNKNOWN): often a USB bridge that does not pass SMART through"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParsePVESmart([]byte(tc.data), readAt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*r, tc.want) {
				t.Errorf("reading\n %+v\nwant\n %+v", *r, tc.want)
			}
			h, reasons := model.SMARTVerdict(r, nil)
			if h != tc.health || !slices.Equal(reasons, tc.reasons) {
				t.Errorf("verdict = %s %q\nwant %s %q", h, reasons, tc.health, tc.reasons)
			}
		})
	}
	if _, err := ParsePVESmart([]byte(`<html>`), readAt); err == nil {
		t.Error("ParsePVESmart(<html>) gave no error")
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
