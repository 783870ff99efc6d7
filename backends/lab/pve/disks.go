package pve

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// GET /nodes/{node}/disks/list: rpm and wearout keep PVE's mixed types
// (7200 as a string, "N/A" beside numbers).
func (w *world) diskList(r *request, now time.Duration) (any, error) {
	skipSmart, err := r.boolParam("skipsmart", false)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, d := range w.disks {
		if !d.present || d.node != r.param("node") {
			continue
		}
		m := map[string]any{
			"devpath": d.devpath, "type": d.typ, "size": d.size, "model": d.model, "serial": d.serial,
			"vendor": d.vendor, "wwn": d.wwn, "rpm": d.rpm, "wearout": d.wearout, "gpt": 1, "used": d.used,
			"osdid": -1, "osdid-list": nil,
		}
		if !skipSmart {
			m["health"] = d.health
		}
		if d.byID != "" {
			m["by_id_link"] = d.byID
		}
		out = append(out, m)
	}
	return out, nil
}

// GET /nodes/{node}/disks/smart?disk=/dev/sdX: PVE parses smartctl's text
// output: ATA disks get attributes (padded string ids, string raw values),
// NVMe disks the health log as text, the USB drives the same reading the
// lab's fake smartctl prints for them (lab/host), and a USB disk without
// one only health UNKNOWN, as from a bridge without SMART passthrough.
func (w *world) diskSmart(r *request, now time.Duration) (any, error) {
	dev := r.form.Get("disk")
	if dev == "" {
		return nil, missing("disk")
	}
	healthOnly, err := r.boolParam("healthonly", false)
	if err != nil {
		return nil, err
	}
	var d *disk
	for _, x := range w.disks {
		if x.present && x.node == r.param("node") && (x.devpath == dev || (x.byID != "" && x.byID == dev)) {
			d = x
		}
	}
	if d == nil {
		return nil, serverError("not a valid block device")
	}
	if healthOnly {
		return map[string]any{"health": d.health}, nil
	}
	switch d.typ {
	case "hdd":
		return map[string]any{"health": d.health, "type": "ata", "attributes": ataAttributes()}, nil
	case "nvme":
		return map[string]any{"health": d.health, "type": "text", "text": nvmeHealthLog}, nil
	case "usb":
		if raw, ok := host.SmartJSON(d.serial); ok {
			return smartFromSmartctl(raw)
		}
	}
	return map[string]any{"health": "UNKNOWN"}, nil
}

// smartFromSmartctl is PVE's disks/smart answer for a disk whose
// smartctl JSON the host path of the lab prints (host.SmartJSON): PVE runs
// `smartctl -H` and `smartctl -A -f brief` and parses their text, so the
// same reading comes out in PVE's shape: health as smartctl words it
// ("PASSED", "FAILED!"), ids padded to three characters, the FAIL column
// ("-", "FAILING_NOW", "In_the_past") and the raw value as printed.
func smartFromSmartctl(raw []byte) (map[string]any, error) {
	var doc struct {
		SmartStatus *struct {
			Passed bool `json:"passed"`
		} `json:"smart_status"`
		Attributes struct {
			Table []struct {
				ID         int    `json:"id"`
				Name       string `json:"name"`
				Value      int    `json:"value"`
				Worst      int    `json:"worst"`
				Thresh     int    `json:"thresh"`
				WhenFailed string `json:"when_failed"`
				Flags      struct {
					String string `json:"string"`
				} `json:"flags"`
				Raw struct {
					String string `json:"string"`
				} `json:"raw"`
			} `json:"table"`
		} `json:"ata_smart_attributes"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, serverError("%s", err)
	}
	health := "UNKNOWN"
	if st := doc.SmartStatus; st != nil {
		health = "PASSED"
		if !st.Passed {
			health = "FAILED!"
		}
	}
	attrs := make([]map[string]any, 0, len(doc.Attributes.Table))
	for _, a := range doc.Attributes.Table {
		fail := "-"
		switch a.WhenFailed {
		case "now":
			fail = "FAILING_NOW"
		case "past":
			fail = "In_the_past"
		}
		attrs = append(attrs, map[string]any{"id": fmt.Sprintf("%3d", a.ID), "name": a.Name,
			"flags": strings.TrimSpace(a.Flags.String), "value": a.Value, "normalized": a.Value, "worst": a.Worst,
			"threshold": a.Thresh, "fail": fail, "raw": a.Raw.String})
	}
	return map[string]any{"health": health, "type": "ata", "attributes": attrs}, nil
}

// ataAttributes is `smartctl -A -f brief` of a healthy 2 TB Seagate Barracuda.
func ataAttributes() []map[string]any {
	rows := []struct {
		id, name, flags         string
		value, worst, threshold int
		raw                     string
	}{
		{"  1", "Raw_Read_Error_Rate", "POSR--", 80, 64, 6, "98765432"},
		{"  3", "Spin_Up_Time", "PO----", 97, 96, 0, "0"},
		{"  4", "Start_Stop_Count", "-O--CK", 99, 99, 20, "1523"},
		{"  5", "Reallocated_Sector_Ct", "PO--CK", 100, 100, 10, "0"},
		{"  7", "Seek_Error_Rate", "POSR--", 86, 60, 45, "412345678"},
		{"  9", "Power_On_Hours", "-O--CK", 75, 75, 0, "22134 (60 143 0)"},
		{" 10", "Spin_Retry_Count", "PO--C-", 100, 100, 97, "0"},
		{" 12", "Power_Cycle_Count", "-O--CK", 99, 99, 20, "1498"},
		{"183", "Runtime_Bad_Block", "-O--CK", 100, 100, 0, "0"},
		{"184", "End-to-End_Error", "-O--CK", 100, 100, 99, "0"},
		{"187", "Reported_Uncorrect", "-O--CK", 100, 100, 0, "0"},
		{"188", "Command_Timeout", "-O--CK", 100, 100, 0, "0 0 0"},
		{"189", "High_Fly_Writes", "-O-RCK", 100, 100, 0, "0"},
		{"190", "Airflow_Temperature_Cel", "-O---K", 66, 54, 40, "34 (Min/Max 22/46)"},
		{"192", "Power-Off_Retract_Count", "-O--CK", 100, 100, 0, "211"},
		{"193", "Load_Cycle_Count", "-O--CK", 91, 91, 0, "18432"},
		{"194", "Temperature_Celsius", "-O---K", 34, 46, 0, "34 (0 20 0 0 0)"},
		{"197", "Current_Pending_Sector", "-O--C-", 100, 100, 0, "0"},
		{"198", "Offline_Uncorrectable", "----C-", 100, 100, 0, "0"},
		{"199", "UDMA_CRC_Error_Count", "-OSRCK", 200, 200, 0, "0"},
		{"240", "Head_Flying_Hours", "------", 100, 253, 0, "21987h+12m+08.456s"},
		{"241", "Total_LBAs_Written", "------", 100, 253, 0, "38472819234"},
		{"242", "Total_LBAs_Read", "------", 100, 253, 0, "91827364512"},
	}
	out := make([]map[string]any, 0, len(rows))
	for _, a := range rows {
		out = append(out, map[string]any{"id": a.id, "name": a.name, "flags": a.flags, "value": a.value,
			"normalized": a.value, "worst": a.worst, "threshold": a.threshold, "fail": "-", "raw": a.raw})
	}
	return out
}

// nvmeHealthLog is the text smartctl prints for a healthy NVMe SSD.
const nvmeHealthLog = "SMART/Health Information (NVMe Log 0x02)\n" +
	"Critical Warning:                   0x00\n" +
	"Temperature:                        38 Celsius\n" +
	"Available Spare:                    100%\n" +
	"Available Spare Threshold:          10%\n" +
	"Percentage Used:                    3%\n" +
	"Data Units Read:                    28,475,120 [14.5 TB]\n" +
	"Data Units Written:                 41,209,337 [21.0 TB]\n" +
	"Host Read Commands:                 301,224,518\n" +
	"Host Write Commands:                812,633,471\n" +
	"Controller Busy Time:               1,204\n" +
	"Power Cycles:                       212\n" +
	"Power On Hours:                     9,871\n" +
	"Unsafe Shutdowns:                   31\n" +
	"Media and Data Integrity Errors:    0\n" +
	"Error Information Log Entries:      0\n" +
	"Warning  Comp. Temperature Time:    0\n" +
	"Critical Comp. Temperature Time:    0\n" +
	"Temperature Sensor 1:               38 Celsius\n" +
	"Temperature Sensor 2:               44 Celsius\n"
