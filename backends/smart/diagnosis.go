package smart

import (
	"fmt"
	"slices"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// diagnosis is what smartctl's own words say about a read.
type diagnosis struct {
	asleep        string // the power mode smartctl found and left alone: STANDBY, SLEEP…
	permission    bool
	unknownBridge string // "[0x152d:0x0578 (0x0214)]"
	noDeviceType  bool   // "Unable to detect device type"
	commandFailed bool   // the identify or a mandatory SMART command failed
	suggested     []string
	hasData       bool
}

// maxToolLines is how many of smartctl's own messages and output lines a
// reading keeps.
const maxToolLines = 32

// usbTypes are the device types worth naming when a USB bridge does not
// answer SAT commands (smartctl(8), -d).
const usbTypes = "-d sat,12, -d usbjmicron, -d usbcypress, -d usbprolific or -d usbsunplus"

// smartctlMessages explains the read in words: backdeck's explanation of
// what went wrong first, then smartctl's messages, the lines of its text
// output that say why there is no data (never the whole report of a good
// read), and the exit status decoded.
func smartctlMessages(j *smartctlJSON, r *model.SMARTReading, d *diagnosis) []string {
	var texts []string
	for _, m := range j.Smartctl.Messages {
		texts = append(texts, strings.TrimSpace(m.String))
	}
	var output []string
	for _, l := range j.Smartctl.Output {
		if l = strings.TrimSpace(l); significantLine(l) {
			output = append(output, l)
		}
	}
	available, enabled := smartSupport(j.SmartSupport)
	suggested := map[string]bool{}
	for _, l := range slices.Concat(texts, output) {
		if mode := asleepMode(l); mode != "" {
			d.asleep = mode
		}
		if strings.Contains(l, "Permission denied") || strings.Contains(l, "Operation not permitted") {
			d.permission = true
		}
		if b := unknownBridge(l); b != "" {
			d.unknownBridge = b
		}
		if strings.Contains(l, "Unable to detect device type") || strings.Contains(l, "Please specify device type") {
			d.noDeviceType = true
		}
		if strings.Contains(l, "Read Device Identity failed") || strings.Contains(l, "A mandatory SMART command failed") ||
			strings.Contains(l, "--device=TYPE variants") {
			d.commandFailed = true
		}
		if strings.Contains(l, "SMART support is:") {
			switch {
			case strings.Contains(l, "Unavailable"):
				available = false
			case strings.Contains(l, "Disabled"):
				enabled = false
			}
		}
		for _, t := range namedDeviceTypes(l) {
			if usbDeviceType(t) && !suggested[t] {
				suggested[t] = true
				d.suggested = append(d.suggested, t)
			}
		}
	}

	if d.hasData { // a good read's text report is not a diagnosis
		d.asleep, d.permission = "", false
	}
	dev := r.Device
	if dev == "" {
		dev = "the drive"
	}
	var msgs []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			msgs = append(msgs, s)
		}
	}
	// smartctl's own lines are kept up to maxToolLines: a reading is kept
	// in the history on every refresh, and a broken tool may print without end.
	toolLines, dropped := 0, 0
	addTool := func(s string) {
		if s == "" || seen[s] {
			return
		}
		if toolLines++; toolLines > maxToolLines {
			seen[s] = true
			dropped++
			return
		}
		add(s)
	}
	switch {
	case d.asleep == "SLEEP":
		// smartctl also says SLEEP when the power-mode check gets no answer
		// at all, as from a USB bridge that passes no ATA commands.
		add("smartctl did not wake " + dev + ": it reports SLEEP mode (-n standby), which it also reports when the drive " +
			"or its USB bridge does not answer ATA commands; if the drive is awake, its bridge needs another -d type: " + usbTypes)
	case d.asleep != "":
		add(fmt.Sprintf("%s is asleep (%s): smartctl did not wake it (-n standby)", dev, d.asleep))
	}
	if d.permission {
		add(permissionMessage(dev))
	}
	if d.unknownBridge != "" {
		add(fmt.Sprintf("smartctl does not know the USB bridge %s of %s: most USB-SATA enclosures work with -d sat, others need %s",
			d.unknownBridge, dev, usbTypes))
	}
	if !available {
		add("the drive offers no SMART (SMART support is: Unavailable), or its USB bridge hides it")
	} else if !enabled {
		add("SMART is switched off on the drive: smartctl -s on " + dev + " switches it on")
	}
	for _, t := range texts {
		addTool(t)
	}
	if !d.hasData {
		for _, l := range output {
			addTool(l)
		}
	}
	if dropped > 0 {
		add(fmt.Sprintf("… and %d more lines from smartctl", dropped))
	}
	if r.ExitStatus != 0 {
		add(exitMessage(r.ExitStatus))
	}
	if !d.hasData && len(msgs) == 0 {
		add("smartctl's output has no SMART section, only the drive's identity")
	}
	return msgs
}

// significantLine drops smartctl's banner, blank lines and the aligned
// "Vendor:     Generic" lines of its information section from its output.
func significantLine(l string) bool {
	switch {
	case l == "",
		strings.Contains(l, ":  "),
		strings.HasPrefix(l, "Copyright (C)"),
		strings.HasPrefix(l, "Use smartctl -h"),
		strings.HasPrefix(l, "=== START OF"),
		strings.HasPrefix(l, "smartctl ") && len(l) > 9 && isDigit(rune(l[9])):
		return false
	}
	return true
}

func permissionMessage(dev string) string {
	return "smartctl needs root to read " + dev + `: run backdeck as root on the host, or use mode = "laptop" to read SMART through the PVE API`
}

// asleepMode is the power mode in smartctl's "Device is in STANDBY mode,
// exit(2)", the line it prints when -n left the drive alone; "" otherwise.
func asleepMode(l string) string {
	_, rest, ok := strings.Cut(l, "Device is in ")
	if !ok || !strings.Contains(rest, "mode, exit(") {
		return ""
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return (r < 'A' || r > 'Z') && r != '_' })
	if end <= 0 {
		return ""
	}
	return rest[:end]
}

// unknownBridge is the "[0x152d:0x0578 (0x0214)]" of "Unknown USB bridge
// [0x152d:0x0578 (0x0214)]"; "" when the line says nothing of the kind.
func unknownBridge(l string) string {
	_, rest, ok := strings.Cut(l, "Unknown USB bridge ")
	if !ok || !strings.HasPrefix(rest, "[") {
		return ""
	}
	if end := strings.IndexByte(rest, ']'); end > 0 {
		return rest[:end+1]
	}
	return rest
}

// namedDeviceTypes are the TYPEs a line names as "-d TYPE" or
// "--device=TYPE" (lower case: smartctl's placeholder "TYPE" is not one).
func namedDeviceTypes(l string) []string {
	var out []string
	for _, marker := range []string{"-d ", "--device="} {
		for rest := l; ; {
			i := strings.Index(rest, marker)
			if i < 0 {
				break
			}
			rest = strings.TrimLeft(rest[i+len(marker):], " ")
			end := strings.IndexFunc(rest, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || isDigit(r) || r == ',' || r == '_' || r == '+')
			})
			if end < 0 {
				end = len(rest)
			}
			if t := strings.TrimRight(rest[:end], ","); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// usbDeviceType reports whether t is a device type for USB bridges: SAT
// (with its command sizes) or one of the vendor pass-throughs.
func usbDeviceType(t string) bool {
	switch t {
	case "sat", "sat,12", "sat,16", "sat,auto":
		return true
	}
	return (strings.HasPrefix(t, "usb") || strings.HasPrefix(t, "snt")) && len(t) > 3 && !strings.ContainsAny(t, ",+")
}
