package lab

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

// hostDisk is one of the seed homelab's physical disks as the Proxmox host
// sees it: its row in lsblk and how the lab's smartctl answers for it.
type hostDisk struct {
	name, tran, serial, model, vendor string // as lsblk prints them (vendor padded to 8)
	size                              int64
	rota                              bool // spins (lsblk ROTA)
	parts                             []hostPart
	// smart is the smartdata file smartctl prints for the disk when it
	// reads it; "" when the lab has no reading (the Run fails).
	smart string
	// noSAT: the USB bridge (a JMicron) passes no SAT commands: with -d sat
	// smartctl gets no answer (and reports SLEEP under -n standby), while
	// smartctl's own detection (-d usbjmicron) reads it.
	noSAT bool
	// standby: the drive sleeps; -n standby (or idle) leaves it alone.
	standby bool
}

type hostPart struct {
	name  string
	size  int64
	typ   string // part, lvm
	parts []hostPart
}

// hostDisks are the disks of the seed homelab's host, the same as the lab's
// PVE lists under /disks/list (seed.go), plus a third USB drive asleep that
// only the host path sees: the internal NVMe SSD and SATA HDD, the backup
// drive (usb-backups, healthy), the Clonezilla images drive (usb-images, a
// failing Hitachi behind a JMicron bridge) and a WD Elements in standby.
var hostDisks = []hostDisk{
	{name: "nvme0n1", tran: "nvme", serial: "S5GXNX0T", model: "Samsung SSD 980 PRO 1TB", size: 1000204886016,
		parts: []hostPart{{name: "nvme0n1p1", size: 1031168, typ: "part"}, {name: "nvme0n1p2", size: 1 << 30, typ: "part"},
			{name: "nvme0n1p3", size: 999129374720 - 1<<30, typ: "part", parts: []hostPart{
				{name: "pve-swap", size: 8 << 30, typ: "lvm"}, {name: "pve-root", size: 96 << 30, typ: "lvm"}}}}},
	{name: "sda", rota: true, tran: "sata", serial: "ZFL1ABCD", model: "ST2000DM008-2FR102", vendor: "ATA     ", size: 2000398934016,
		parts: []hostPart{{name: "sda1", size: 2000397868544, typ: "part"}}, smart: "internal-sda-ZFL1ABCD.json"},
	{name: "sdb", rota: true, tran: "usb", serial: "NA8F1234", model: "Expansion HDD", vendor: "Seagate ", size: 4000787030016,
		parts: []hostPart{{name: "sdb1", size: 4000785104896, typ: "part", parts: []hostPart{
			{name: "hddusb-bkpvzdumps", size: 3936820862976, typ: "lvm"}}}},
		smart: "usb-backups-NA8F1234.json"},
	{name: "sdc", rota: true, tran: "usb", serial: "NB2K5678", model: "HDS721050DLE630", vendor: "Hitachi ", size: 500107862016,
		parts: []hostPart{{name: "sdc1", size: 500105216000, typ: "part"}}, smart: "usb-images-NB2K5678.json", noSAT: true},
	{name: "sdd", rota: true, tran: "usb", serial: "WX12A3456789", model: "Elements 25A2", vendor: "WD      ", size: 2000365289472,
		parts: []hostPart{{name: "sdd1", size: 2000363192320, typ: "part"}}, standby: true},
}

func hostDiskByDev(dev string) *hostDisk {
	for i := range hostDisks {
		if "/dev/"+hostDisks[i].name == dev {
			return &hostDisks[i]
		}
	}
	return nil
}

func hostDiskBySerial(serial string) *hostDisk {
	for i := range hostDisks {
		if hostDisks[i].serial == serial {
			return &hostDisks[i]
		}
	}
	return nil
}

// SmartctlRunner is a fake smartctl and lsblk for the host path of
// backends/smart (its Reader.Run), for the demo and tests:
//
//   - lsblk -J prints the host's disks as util-linux 2.38 does, in the
//     columns NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR,ROTA whatever -o
//     asks: the NVMe SSD, the SATA HDD and three USB drives;
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
func SmartctlRunner() func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	return func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		if err := ctx.Err(); err != nil {
			return nil, -1, err
		}
		switch name {
		case "lsblk":
			return lsblkJSON(), 0, nil
		case "smartctl":
			return fakeSmartctl(args)
		}
		return nil, -1, &exec.Error{Name: name, Err: exec.ErrNotFound}
	}
}

type lsblkRow struct {
	Name     string     `json:"name"`
	Path     string     `json:"path"`
	Tran     *string    `json:"tran"`
	Serial   *string    `json:"serial"`
	Model    *string    `json:"model"`
	Size     int64      `json:"size"`
	Type     string     `json:"type"`
	Vendor   *string    `json:"vendor"`
	Rota     bool       `json:"rota"`
	Children []lsblkRow `json:"children,omitempty"`
}

// lsblkJSON is `lsblk -J -b -o NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR,ROTA`
// of util-linux 2.38 (the columns it prints whatever -o asks).
func lsblkJSON() []byte {
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var parts func(ps []hostPart, tran string, rota bool) []lsblkRow
	parts = func(ps []hostPart, tran string, rota bool) []lsblkRow {
		var out []lsblkRow
		for _, p := range ps {
			row := lsblkRow{Name: p.name, Path: "/dev/" + p.name, Size: p.size, Type: p.typ, Rota: rota}
			if p.typ == "lvm" {
				row.Path = "/dev/mapper/" + p.name
			} else {
				row.Tran = str(tran)
			}
			row.Children = parts(p.parts, tran, rota)
			out = append(out, row)
		}
		return out
	}
	rows := make([]lsblkRow, 0, len(hostDisks))
	for _, d := range hostDisks {
		rows = append(rows, lsblkRow{Name: d.name, Path: "/dev/" + d.name, Tran: str(d.tran), Serial: str(d.serial),
			Model: str(d.model), Size: d.size, Type: "disk", Vendor: str(d.vendor), Rota: d.rota, Children: parts(d.parts, d.tran, d.rota)})
	}
	b, err := json.MarshalIndent(map[string]any{"blockdevices": rows}, "", "   ")
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return append(b, '\n')
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
	d := hostDiskByDev(c.dev)
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
