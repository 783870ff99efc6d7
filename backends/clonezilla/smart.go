package clonezilla

import (
	"strconv"
	"strings"
)

// smartAtSave is one drive's section of Info-smart.txt (Clonezilla appends
// "smartctl -a /dev/<disk>" for every disk of the image).
type smartAtSave struct {
	Drive  string // "sda"
	Model  string
	Serial string
	Bytes  int64
	// Health is smartctl's health line ("SMART overall-health self-assessment
	// test result: PASSED"); Verdict is its value ("PASSED", "FAILED!", "OK").
	Health  string
	Verdict string
	// Why is smartctl's reason when it gave no health (a USB bridge or loop
	// device: "Unable to detect device type").
	Why string
}

// Summary is the health in a few words: the verdict, or why there is none.
func (s smartAtSave) Summary() string {
	switch {
	case s.Verdict != "":
		return s.Verdict
	case s.Why != "":
		return "no SMART data: " + s.Why
	}
	return "no SMART data"
}

// Line is the health line as Info-smart.txt has it, or why there is none.
func (s smartAtSave) Line() string {
	if s.Health != "" {
		return s.Health
	}
	return s.Summary()
}

func parseInfoSMART(text string) []smartAtSave {
	var out []smartAtSave
	var cur *smartAtSave
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "For the drive:") {
			out = append(out, smartAtSave{Drive: toFilename(strings.TrimSpace(strings.TrimPrefix(line, "For the drive:")))})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil || line == "" {
			continue
		}
		key, val, hasColon := strings.Cut(line, ":")
		val = strings.TrimSpace(val)
		switch {
		case hasColon && (key == "Device Model" || key == "Model Number" || key == "Product"):
			cur.Model = val
		case hasColon && key == "Vendor" && cur.Model == "":
			cur.Model = val
		case hasColon && strings.EqualFold(key, "Serial Number"):
			cur.Serial = val
		case hasColon && (key == "User Capacity" || key == "Total NVM Capacity" || key == "Namespace 1 Size/Capacity"):
			if cur.Bytes == 0 {
				cur.Bytes = leadingNumber(val)
			}
		case strings.HasPrefix(line, "SMART overall-health self-assessment test result:"),
			strings.HasPrefix(line, "SMART Health Status:"):
			cur.Health = line
			cur.Verdict = strings.TrimSpace(line[strings.LastIndex(line, ":")+1:])
		case cur.Why == "" && cur.Health == "" && !boilerplate(line):
			cur.Why = strings.TrimSpace(strings.TrimPrefix(line, "/dev/"+cur.Drive+":"))
		}
	}
	return out
}

// boilerplate is smartctl's banner and section lines, which say nothing about
// the drive.
func boilerplate(line string) bool {
	for _, p := range []string{"smartctl ", "Copyright", "=== ", "***", "This image was saved", "Use smartctl -h", "Please specify", "Try an additional"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// leadingNumber reads "1,000,204,886,016 bytes [1.00 TB]" as 1000204886016.
func leadingNumber(s string) int64 {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ',' || r == '.' || r == '\u00a0' || r == '\'':
		default:
			n, _ := strconv.ParseInt(b.String(), 10, 64)
			return n
		}
	}
	n, _ := strconv.ParseInt(b.String(), 10, 64)
	return n
}
