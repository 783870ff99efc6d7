package host

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"os/exec"
	"path"
	"slices"
	"strings"
)

// smartData holds what the fake smartctl prints (see smartdata/README.md).
//
//go:embed smartdata/*.json
var smartData embed.FS

// Runner is a fake smartctl, lsblk and lvs for the host path of
// backends/smart (its Reader.Run), for the demo and tests:
//
//   - lsblk -J prints the host's disks as util-linux 2.38 does, in the
//     columns NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR,ROTA,FSTYPE,
//     LABEL,UUID,MOUNTPOINT,FSUSED,FSAVAIL whatever -o asks: the NVMe SSD
//     (ESP, LVM with swap, root and the local-lvm thin pool), the SATA HDD
//     and three USB drives (the vzdump drive's LVM, the images drive's ext4
//     labelled cz-images, the sleeping drive's NTFS);
//   - lvs --reportformat json --units b --nosuffix prints the LVs of the
//     host's two volume groups (lvs.go);
//   - smartctl --json=o … DEV prints what smartmontools prints for each:
//     /dev/sdb (NA8F1234) a healthy reading through -d sat or its own
//     detection; /dev/sdc (NB2K5678) a failing one through its own detection
//     (-d usbjmicron), while -d sat gets no answer from that bridge (SLEEP
//     under -n standby, "Read Device Identity failed" without -n); /dev/sdd
//     (WX12A3456789) is in standby: under -n standby smartctl leaves it
//     alone ("Device is in STANDBY mode, exit(2)", exit status 2); /dev/sda
//     a healthy reading. A device that does not exist fails to open.
//
// Invented where the lab has no capture: waking the sleeping drive (no -n,
// or -n sleep/never) and reading the NVMe SSD fail with an error from Run.
// Any other command is not installed (exec.ErrNotFound). The answers never
// change: unplugging a drive in the lab's PVE (SetDrivePresent) does not
// reach this fake.
func Runner() func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	return func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		if err := ctx.Err(); err != nil {
			return nil, -1, err
		}
		switch name {
		case "lsblk":
			return lsblkJSON(), 0, nil
		case "smartctl":
			return fakeSmartctl(args)
		case "lvs":
			return fakeLvs(args)
		}
		return nil, -1, &exec.Error{Name: name, Err: exec.ErrNotFound}
	}
}

// smartctlCall is a smartctl command line as the fake understands it.
type smartctlCall struct {
	argv       []string
	json       bool
	deviceType string // -d
	noWake     string // -n
	dev        string
}

func parseSmartctlArgs(args []string) smartctlCall {
	c := smartctlCall{argv: append([]string{"smartctl"}, args...)}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-j" || a == "--json" || strings.HasPrefix(a, "--json="):
			c.json = true
		case (a == "-d" || a == "-n") && i+1 < len(args):
			if a == "-d" {
				c.deviceType = args[i+1]
			} else {
				c.noWake = args[i+1]
			}
			i++
		case strings.HasPrefix(a, "--device="):
			c.deviceType = strings.TrimPrefix(a, "--device=")
		case strings.HasPrefix(a, "--nocheck="):
			c.noWake = strings.TrimPrefix(a, "--nocheck=")
		case !strings.HasPrefix(a, "-"):
			c.dev = a
		}
	}
	return c
}

func fakeSmartctl(args []string) ([]byte, int, error) {
	c := parseSmartctlArgs(args)
	if !c.json {
		return nil, -1, fmt.Errorf("lab smartctl: only --json output is simulated: %q", c.argv)
	}
	if c.dev == "" {
		return nil, -1, fmt.Errorf("lab smartctl: no device in %q", c.argv)
	}
	d := diskByDev(c.dev)
	satType := c.deviceType == "sat" || strings.HasPrefix(c.deviceType, "sat,")
	switch {
	case d == nil:
		return smartctlOpenFailed(c)
	case d.standby && (c.noWake == "standby" || c.noWake == "idle"):
		return smartctlFile(c, "smartctl-7.3-standby.json", true)
	case d.standby:
		return nil, -1, fmt.Errorf("lab smartctl: %s is in standby and the lab has no reading of it awake; read it with -n standby", c.dev)
	case d.noSAT && satType && c.noWake != "" && c.noWake != "never":
		// The power-mode check gets no answer through the bridge.
		return smartctlFile(c, "smartctl-7.3-sleep.json", true)
	case d.noSAT && c.deviceType != "" && c.deviceType != "usbjmicron":
		return smartctlFile(c, "smartctl-7.3-sat-identity-failed.json", true)
	case d.smart == "":
		return nil, -1, fmt.Errorf("lab smartctl: the lab has no SMART reading of %s", c.dev)
	}
	return smartctlFile(c, d.smart, false)
}

// smartctlOpenFailed is smartctl's answer for a device it cannot open, in
// the shape of the captured permission failure: the line in the output and
// in the messages, no device section, exit status 2.
func smartctlOpenFailed(c smartctlCall) ([]byte, int, error) {
	out, code, err := smartctlFile(c, "smartctl-7.3-sat-identity-failed.json", true)
	if err != nil {
		return nil, -1, err
	}
	doc, err := decodeJSON(out)
	if err != nil {
		return nil, -1, err
	}
	line := "Smartctl open device: " + c.dev + " failed: No such device"
	sc := doc["smartctl"].(map[string]any)
	lines, _ := sc["output"].([]any)
	sc["output"] = append(lines[:min(len(lines), 3)], line) // banner, copyright, blank
	sc["messages"] = []any{map[string]any{"string": line, "severity": "error"}}
	delete(doc, "device")
	return encodeJSON(doc, code)
}

// smartctlFile prints a smartdata file with the call's argv (and, for a
// template, its device) and smartctl's exit status from the file.
func smartctlFile(c smartctlCall, file string, template bool) ([]byte, int, error) {
	raw, err := smartData.ReadFile(path.Join("smartdata", file))
	if err != nil {
		return nil, -1, fmt.Errorf("lab smartctl: %w", err)
	}
	doc, err := decodeJSON(raw)
	if err != nil {
		return nil, -1, fmt.Errorf("lab smartctl: %s: %w", file, err)
	}
	sc, _ := doc["smartctl"].(map[string]any)
	if sc == nil {
		return nil, -1, fmt.Errorf("lab smartctl: %s has no smartctl section", file)
	}
	sc["argv"] = slices.Clone(c.argv)
	if dev, _ := doc["device"].(map[string]any); template && dev != nil {
		dev["name"] = c.dev
		dev["info_name"] = c.dev + " [SAT]"
	}
	code := 0
	if n, ok := sc["exit_status"].(json.Number); ok {
		v, err := n.Int64()
		if err != nil {
			return nil, -1, fmt.Errorf("lab smartctl: %s: exit_status %s", file, n)
		}
		code = int(v)
	}
	return encodeJSON(doc, code)
}

func decodeJSON(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // raw values beyond 2^53 stay exact
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

func encodeJSON(doc map[string]any, code int) ([]byte, int, error) {
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, -1, err
	}
	return append(out, '\n'), code, nil
}

// SmartJSON is the smartctl JSON the fake prints for the disk with that
// serial when it reads it (the lab's PVE serves the same reading from its
// disks API); false when the lab has no reading of it.
func SmartJSON(serial string) ([]byte, bool) {
	d := diskBySerial(serial)
	if d == nil || d.smart == "" {
		return nil, false
	}
	raw, err := smartData.ReadFile(path.Join("smartdata", d.smart))
	return raw, err == nil
}
