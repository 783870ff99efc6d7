package smart

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// smartctlJSON is the part of `smartctl --json=o -a` that a reading needs;
// the rest is skipped. Counters that may overflow or change type are lenient.
type smartctlJSON struct {
	Smartctl struct {
		Argv     []string `json:"argv"`
		Messages []struct {
			String   string `json:"string"`
			Severity string `json:"severity"`
		} `json:"messages"`
		Output     []string   `json:"output"`
		ExitStatus lenientInt `json:"exit_status"`
	} `json:"smartctl"`
	Device struct {
		Name     string `json:"name"`
		InfoName string `json:"info_name"`
		Type     string `json:"type"`
		Protocol string `json:"protocol"`
	} `json:"device"`
	ModelName    string          `json:"model_name"`
	Vendor       string          `json:"vendor"`
	Product      string          `json:"product"`
	SerialNumber string          `json:"serial_number"`
	SmartSupport json.RawMessage `json:"smart_support"` // true, or {available, enabled}
	SmartStatus  *struct {
		Passed *bool `json:"passed"`
	} `json:"smart_status"`
	Temperature struct {
		Current lenientInt `json:"current"`
	} `json:"temperature"`
	PowerOnTime struct {
		Hours lenientInt `json:"hours"`
	} `json:"power_on_time"`
	ATASmartAttributes struct {
		Table []struct {
			ID         int    `json:"id"`
			Name       string `json:"name"`
			Value      int    `json:"value"`
			Worst      int    `json:"worst"`
			Thresh     int    `json:"thresh"`
			WhenFailed string `json:"when_failed"`
			Raw        struct {
				Value  lenientInt `json:"value"`
				String string     `json:"string"`
			} `json:"raw"`
		} `json:"table"`
	} `json:"ata_smart_attributes"`
	NVMeLog *struct {
		CriticalWarning         lenientInt `json:"critical_warning"`
		Temperature             lenientInt `json:"temperature"`
		AvailableSpare          lenientInt `json:"available_spare"`
		AvailableSpareThreshold lenientInt `json:"available_spare_threshold"`
		PercentageUsed          lenientInt `json:"percentage_used"`
		MediaErrors             lenientInt `json:"media_errors"`
		PowerOnHours            lenientInt `json:"power_on_hours"`
	} `json:"nvme_smart_health_information_log"`
	SCSIGrownDefects lenientInt `json:"scsi_grown_defect_list"`
	SCSIErrorLog     *struct {
		Read struct {
			Uncorrected lenientInt `json:"total_uncorrected_errors"`
		} `json:"read"`
		Write struct {
			Uncorrected lenientInt `json:"total_uncorrected_errors"`
		} `json:"write"`
	} `json:"scsi_error_counter_log"`
}

// ParseSmartctl reads the output of `smartctl --json=o -a [-n standby]
// [-d TYPE] DEV`. smartctl writes valid JSON whatever its exit status, so
// the reading always comes back, with smartctl's messages and its exit
// status in words; exitStatus 0 defers to the exit_status in the JSON. The
// error is ErrAsleep when smartctl left a sleeping drive alone
// (-n standby), and a parse error when data is not smartctl's JSON.
func ParseSmartctl(data []byte, exitStatus int, at time.Time) (*model.SMARTReading, error) {
	r, d, err := parseSmartctl(data, exitStatus, at, "")
	if err != nil {
		return nil, err
	}
	if d.asleep != "" {
		return r, ErrAsleep
	}
	return r, nil
}

// parseSmartctl is ParseSmartctl with smartctl's own diagnosis; dev, when
// known, names the device where smartctl's JSON does not.
func parseSmartctl(data []byte, exitStatus int, at time.Time, dev string) (*model.SMARTReading, diagnosis, error) {
	var d diagnosis
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, d, errors.New("smartctl printed nothing")
	}
	var j smartctlJSON
	if err := json.Unmarshal(data, &j); err != nil {
		first, _, _ := strings.Cut(string(data), "\n")
		if data[0] != '{' {
			return nil, d, fmt.Errorf("smartctl printed no JSON (smartmontools 7.0 or later is needed for --json): %q", first)
		}
		return nil, d, fmt.Errorf("smartctl's JSON does not decode: %w", err)
	}
	if exitStatus == 0 && j.Smartctl.ExitStatus.Valid {
		exitStatus = int(j.Smartctl.ExitStatus.V)
	}
	r := &model.SMARTReading{
		At:         at,
		Device:     j.Device.Name,
		Model:      strings.TrimSpace(j.ModelName),
		Serial:     strings.TrimSpace(j.SerialNumber),
		Protocol:   j.Device.Protocol,
		Transport:  transport(j.Device.Type),
		ExitStatus: exitStatus,
	}
	if r.Device == "" {
		r.Device = dev
	}
	if r.Device == "" {
		r.Device = argvDevice(j.Smartctl.Argv)
	}
	if r.Model == "" {
		r.Model = strings.TrimSpace(strings.TrimSpace(j.Vendor) + " " + strings.TrimSpace(j.Product))
	}
	if j.SmartStatus != nil {
		r.Passed = j.SmartStatus.Passed
	}
	if t := j.Temperature.Current; t.Valid && t.V > 0 { // 0 is "not reported" (RAID volumes)
		r.TemperatureC = t.intPtr()
	}
	r.PowerOnHours = j.PowerOnTime.Hours.intPtr()

	if n := len(j.ATASmartAttributes.Table); n > 0 {
		r.Attributes = make([]model.SMARTAttribute, 0, n)
		for _, a := range j.ATASmartAttributes.Table {
			// The raw string's first number is the count; raw.value packs
			// min/max temperatures or Seagate's three 16-bit timeout
			// counters into one 48-bit number.
			raw, ok := firstNumber(a.Raw.String)
			if !ok {
				raw = a.Raw.Value.V
			}
			r.Attributes = append(r.Attributes, model.SMARTAttribute{
				ID: a.ID, Name: a.Name, Value: a.Value, Worst: a.Worst, Thresh: a.Thresh,
				Raw: raw, RawString: a.Raw.String, WhenFailed: normalizeWhenFailed(a.WhenFailed),
			})
		}
	}
	if n := j.NVMeLog; n != nil {
		r.NVMe = &model.NVMeHealth{
			CriticalWarning:         int(n.CriticalWarning.V),
			AvailableSpare:          int(n.AvailableSpare.V),
			AvailableSpareThreshold: int(n.AvailableSpareThreshold.V),
			PercentageUsed:          int(n.PercentageUsed.V),
			MediaErrors:             n.MediaErrors.V,
		}
		if r.TemperatureC == nil && n.Temperature.Valid && n.Temperature.V > 0 {
			r.TemperatureC = n.Temperature.intPtr()
		}
		if r.PowerOnHours == nil {
			r.PowerOnHours = n.PowerOnHours.intPtr()
		}
	}
	if j.SCSIGrownDefects.Valid || j.SCSIErrorLog != nil {
		s := &model.SCSIHealth{GrownDefects: j.SCSIGrownDefects.ptr()}
		if e := j.SCSIErrorLog; e != nil {
			s.UncorrectedReadErrors = e.Read.Uncorrected.ptr()
			s.UncorrectedWriteErrors = e.Write.Uncorrected.ptr()
		}
		r.SCSI = s
	}
	attributeFallbacks(r)

	d.hasData = r.Passed != nil || len(r.Attributes) > 0 || r.NVMe != nil || r.SCSI != nil
	r.Messages = smartctlMessages(&j, r, &d)
	return r, d, nil
}

// smartSupport reads smart_support, a boolean in some smartctl versions and
// {available, enabled} in others; absent means nothing is known against it.
func smartSupport(raw json.RawMessage) (available, enabled bool) {
	available, enabled = true, true
	if len(raw) == 0 {
		return
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, b
	}
	var o struct{ Available, Enabled *bool }
	if json.Unmarshal(raw, &o) == nil {
		if o.Available != nil {
			available = *o.Available
		}
		if o.Enabled != nil {
			enabled = *o.Enabled
		}
	}
	return
}

// attributeFallbacks fills the temperature and power-on hours from the ATA
// attributes when smartctl's summary has none (old versions, attribute-only
// output).
func attributeFallbacks(r *model.SMARTReading) {
	if r.TemperatureC == nil {
		for _, id := range []int{194, 190} {
			if a := r.Attribute(id); a != nil && a.Raw > 0 && a.Raw < 200 {
				t := int(a.Raw)
				r.TemperatureC = &t
				break
			}
		}
	}
	if r.PowerOnHours == nil {
		if a := r.Attribute(9); a != nil {
			h := int(a.Raw)
			r.PowerOnHours = &h
		}
	}
}

// transport is how the drive is attached, as far as the device type tells:
// "sat" is both internal SATA and most USB enclosures, so it says nothing.
func transport(deviceType string) string {
	switch {
	case strings.HasPrefix(deviceType, "usb"):
		return "usb"
	case deviceType == "nvme":
		return "nvme"
	case deviceType == "ata":
		return "sata"
	}
	return ""
}

// normalizeWhenFailed maps smartctl's JSON ("now", "past", "") and text
// ("FAILING_NOW", "In_the_past", "-") columns to the model's words.
func normalizeWhenFailed(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "now", "failing_now":
		return "now"
	case "past", "in_the_past":
		return "past"
	}
	return ""
}

// argvDevice is the device smartctl was run on: its last argument.
func argvDevice(argv []string) string {
	if n := len(argv); n > 1 && !strings.HasPrefix(argv[n-1], "-") {
		return argv[n-1]
	}
	return ""
}
