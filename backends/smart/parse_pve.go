package smart

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// pveSmart is the data of GET /nodes/{n}/disks/smart?disk=…: PVE's own
// parse of smartctl's text, with padded-string ids and string raw values.
type pveSmart struct {
	Health     string `json:"health"`
	Type       string `json:"type"` // "ata" or "text"
	Attributes []struct {
		ID        lenientInt    `json:"id"` // "  5"
		Name      lenientString `json:"name"`
		Value     lenientInt    `json:"value"`
		Worst     lenientInt    `json:"worst"`
		Threshold lenientInt    `json:"threshold"`
		Fail      lenientString `json:"fail"` // "-", "FAILING_NOW", "In_the_past"
		Raw       lenientString `json:"raw"`  // "34 (0 20 0 0 0)"
	} `json:"attributes"`
	Text string `json:"text"`
}

// ParsePVESmart reads the data of the PVE disks/smart call (the bare object
// or the API's {"data": …} envelope) into the reading smartctl would give
// for the same disk. PVE says nothing of the disk itself: Device, Model,
// Serial and Transport are the caller's to fill from disks/list.
func ParsePVESmart(data []byte, at time.Time) (*model.SMARTReading, error) {
	var doc struct {
		pveSmart
		Data *pveSmart `json:"data"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("PVE SMART data does not decode: %w", err)
	}
	p := doc.pveSmart
	if doc.Data != nil {
		p = *doc.Data
	}
	r := &model.SMARTReading{At: at, Passed: pveHealth(p.Health)}
	if len(p.Attributes) > 0 {
		r.Protocol = "ATA"
		r.Attributes = make([]model.SMARTAttribute, 0, len(p.Attributes))
		for _, a := range p.Attributes {
			raw := string(a.Raw)
			n, _ := firstNumber(raw)
			r.Attributes = append(r.Attributes, model.SMARTAttribute{
				ID: int(a.ID.V), Name: string(a.Name), Value: int(a.Value.V), Worst: int(a.Worst.V),
				Thresh: int(a.Threshold.V), Raw: n, RawString: raw, WhenFailed: normalizeWhenFailed(string(a.Fail)),
			})
		}
	} else if p.Type == "ata" {
		r.Protocol = "ATA"
	}
	if p.Text != "" {
		parseSmartText(r, p.Text)
	}
	attributeFallbacks(r)
	if r.Passed == nil && len(r.Attributes) == 0 && r.NVMe == nil && r.SCSI == nil {
		health := p.Health
		if health == "" {
			health = "none"
		}
		r.Messages = []string{fmt.Sprintf("PVE has no SMART data for the disk (health %s): often a USB bridge that does not pass SMART through", health)}
	}
	return r, nil
}

// pveHealth maps PVE's health word to the self-assessment.
func pveHealth(h string) *bool {
	var v bool
	switch strings.ToUpper(strings.Trim(h, " !")) { // smartctl writes "FAILED!"
	case "PASSED", "OK":
		v = true
	case "FAILED":
		v = false
	default:
		return nil
	}
	return &v
}

// parseSmartText reads the health lines of smartctl's text output, which
// PVE passes on for NVMe and SCSI disks ("type": "text").
func parseSmartText(r *model.SMARTReading, text string) {
	var nvme model.NVMeHealth
	var sawNVMe bool
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "Accumulated power on time, hours:minutes"); ok {
			if h, ok := firstNumber(rest); ok && r.PowerOnHours == nil {
				setInt(&r.PowerOnHours, h)
			}
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "SMART overall-health self-assessment test result", "SMART Health Status":
			if r.Passed == nil {
				word, _, _ := strings.Cut(val, " ")
				r.Passed = pveHealth(word)
			}
		case "Critical Warning":
			if w, err := strconv.ParseInt(val, 0, 64); err == nil {
				nvme.CriticalWarning, sawNVMe = int(w), true
			}
		case "Available Spare":
			if n, ok := firstNumber(val); ok {
				nvme.AvailableSpare, sawNVMe = int(n), true
			}
		case "Available Spare Threshold":
			if n, ok := firstNumber(val); ok {
				nvme.AvailableSpareThreshold, sawNVMe = int(n), true
			}
		case "Percentage Used":
			if n, ok := firstNumber(val); ok {
				nvme.PercentageUsed, sawNVMe = int(n), true
			}
		case "Media and Data Integrity Errors":
			if n, ok := firstNumber(val); ok {
				nvme.MediaErrors, sawNVMe = n, true
			}
		case "Temperature", "Current Drive Temperature":
			if n, ok := firstNumber(val); ok && n > 0 && r.TemperatureC == nil {
				setInt(&r.TemperatureC, n)
			}
		case "Power On Hours":
			if n, ok := firstNumber(val); ok {
				setInt(&r.PowerOnHours, n)
			}
		case "Elements in grown defect list":
			if n, ok := firstNumber(val); ok {
				if r.SCSI == nil {
					r.SCSI = &model.SCSIHealth{}
				}
				r.SCSI.GrownDefects = &n
				r.Protocol = "SCSI"
			}
		}
	}
	if sawNVMe {
		r.NVMe = &nvme
		r.Protocol = "NVMe"
	}
}

func setInt(p **int, n int64) {
	v := int(n)
	*p = &v
}
