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
	name string
	size int64
	typ  string // part, lvm
	// The filesystem or volume signature as lsblk shows it (FSTYPE, LABEL,
	// UUID; "" prints null). mountpoint, fsused and fsavail only for a
	// mounted filesystem: FSUSED is what statfs counts used, FSAVAIL what is
	// left to users (ext4's reserved blocks are in neither).
	fstype, label, uuid, mountpoint string
	fsused, fsavail                 int64
	parts                           []hostPart
}

// thinPool is how lsblk shows an active LVM thin pool: its metadata and data
// LVs each hold the pool device ("-tpool"), which holds the pool's own LV and
// its active thin LVs, so the tree lists those twice. Names are
// device-mapper names (dashes inside a VG or LV name doubled).
func thinPool(vgPool string, meta, data int64, thins ...hostPart) []hostPart {
	lvm := func(name string, size int64, parts []hostPart) hostPart {
		return hostPart{name: name, size: size, typ: "lvm", parts: parts}
	}
	tpool := []hostPart{lvm(vgPool+"-tpool", data, append([]hostPart{lvm(vgPool, data, nil)}, thins...))}
	return []hostPart{lvm(vgPool+"_tmeta", meta, tpool), lvm(vgPool+"_tdata", data, tpool)}
}

// thinLV is an active thin LV holding a guest's disk (a partition table, so
// no FSTYPE).
func thinLV(dmName string, size int64) hostPart {
	return hostPart{name: dmName, size: size, typ: "lvm"}
}

// hostDisks are the disks of the seed homelab's host, the same as the lab's
// PVE lists under /disks/list (seed.go), plus a third USB drive asleep that
// only the host path sees: the internal NVMe SSD and SATA HDD, the backup
// drive (usb-backups, healthy), the Clonezilla images drive (usb-images, a
// failing Hitachi behind a JMicron bridge) and a WD Elements in standby.
var hostDisks = []hostDisk{
	{name: "nvme0n1", tran: "nvme", serial: "S5GXNX0T", model: "Samsung SSD 980 PRO 1TB", size: 1000204886016,
		parts: []hostPart{{name: "nvme0n1p1", size: 1031168, typ: "part"},
			{name: "nvme0n1p2", size: 1 << 30, typ: "part", fstype: "vfat", uuid: "7A2C-91E4", mountpoint: "/boot/efi",
				fsused: 356352, fsavail: 1071271936},
			{name: "nvme0n1p3", size: 999129374720 - 1<<30, typ: "part", fstype: "LVM2_member", uuid: nvmePVUUID,
				parts: append([]hostPart{
					{name: "pve-swap", size: 8 << 30, typ: "lvm", fstype: "swap", uuid: pveSwapUUID},
					// The root filesystem's figures are the lab's PVE node's
					// (/nodes/pve/status rootfs: 94 GiB, 17.3 GiB used).
					{name: "pve-root", size: 96 << 30, typ: "lvm", fstype: "ext4", uuid: pveRootUUID, mountpoint: "/",
						fsused: 18568183808, fsavail: 77316964352}},
					thinPool("pve-data", pveTmetaSize, 794*gib+300*mib,
						thinLV("pve-vm--411--disk--0", 32*gib), thinLV("pve-vm--421--disk--0", 32*gib),
						thinLV("pve-vm--422--disk--0", 32*gib), thinLV("pve-vm--431--disk--0", 32*gib))...)}}},
	{name: "sda", rota: true, tran: "sata", serial: "ZFL1ABCD", model: "ST2000DM008-2FR102", vendor: "ATA     ", size: 2000398934016,
		parts: []hostPart{{name: "sda1", size: 2000397868544, typ: "part", fstype: "ext4", uuid: hddFSUUID,
			mountpoint: "/mnt/pve-hdd", fsused: 640 * gib, fsavail: 1181985603584}},
		smart: "internal-sda-ZFL1ABCD.json"},
	// The vzdump drive's filesystem: the lab's PVE storage hddusb_bkpvzdumps
	// as the seed makes it (no reserved blocks; the archives of its history
	// are not counted: this fake does not follow the PVE world).
	{name: "sdb", rota: true, tran: "usb", serial: "NA8F1234", model: "Expansion HDD", vendor: "Seagate ", size: 4000787030016,
		parts: []hostPart{{name: "sdb1", size: 4000785104896, typ: "part", fstype: "LVM2_member", uuid: "Vd2kQm-8Hn4-pL0s-Zt7R-c3Wx-Jy6F-a1Bq9e",
			parts: append([]hostPart{
				{name: "hddusb-bkpvzdumps", size: 3936820862976, typ: "lvm", fstype: "ext4", uuid: "0b8e4d2a-6c1f-4f3e-9d57-b2a8c61e0f94",
					mountpoint: "/mnt/hddusb_bkpvzdumps", fsused: 2*tib + 96*gib, fsavail: 3936820862976 - (2*tib + 96*gib)}},
				thinPool("hddusb-bkpdata", 96*mib, 1536*gib, thinLV("hddusb-vm--431--disk--0", 1536*gib))...)}},
		smart: "usb-backups-NA8F1234.json"},
	// The Clonezilla images drive (made with mkfs.ext4 -m 0: no reserved
	// blocks, so used and available add up to the filesystem).
	{name: "sdc", rota: true, tran: "usb", serial: "NB2K5678", model: "HDS721050DLE630", vendor: "Hitachi ", size: 500107862016,
		parts: []hostPart{{name: "sdc1", size: 500105216000, typ: "part", fstype: "ext4", label: "cz-images", uuid: "5f0c2a1e-8b3d-4c7e-9a61-2d4f8e0b7c35",
			mountpoint: "/mnt/cz-images", fsused: 180 * gib, fsavail: 298830004224}},
		smart: "usb-images-NB2K5678.json", noSAT: true},
	{name: "sdd", rota: true, tran: "usb", serial: "WX12A3456789", model: "Elements 25A2", vendor: "WD      ", size: 2000365289472,
		parts:   []hostPart{{name: "sdd1", size: 2000363192320, typ: "part", fstype: "ntfs", label: "WD Elements", uuid: "6A2C4B1F2C4AEA8F"}},
		standby: true},
}

// The identifiers of the host's internal disks that its Clonezilla images
// (clonezilla.go) record too.
const (
	nvmePVUUID  = "xQ3fRk-2LmV-8cTz-Wn4P-d7Ys-H1bJ-eK9o0u"
	pveSwapUUID = "3e9a71c4-0b5d-4f2a-8c63-e1d94f7b2a05"
	pveRootUUID = "c41b7e92-5a3f-4d08-b6e1-9f2c8a7d4b63"
	hddFSUUID   = "9d5e2f70-1c84-4b3a-a6f9-57e0c2d18b4e"
)

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
		case "lvs":
			return fakeLvs(args)
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
	FSType   *string    `json:"fstype"`
	Label    *string    `json:"label"`
	UUID     *string    `json:"uuid"`
	Mount    *string    `json:"mountpoint"`
	FSUsed   *int64     `json:"fsused"`
	FSAvail  *int64     `json:"fsavail"`
	Children []lsblkRow `json:"children,omitempty"`
}

// lsblkJSON is `lsblk -J -b -o NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR,ROTA,FSTYPE,LABEL,UUID,MOUNTPOINT,FSUSED,FSAVAIL`
// of util-linux 2.38 (the columns it prints whatever -o asks): with -b the
// sizes are JSON numbers, and a column that does not apply is null (FSUSED
// and FSAVAIL of a filesystem not mounted too).
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
			row := lsblkRow{Name: p.name, Path: "/dev/" + p.name, Size: p.size, Type: p.typ, Rota: rota,
				FSType: str(p.fstype), Label: str(p.label), UUID: str(p.uuid), Mount: str(p.mountpoint)}
			if p.mountpoint != "" {
				row.FSUsed, row.FSAvail = &p.fsused, &p.fsavail
			}
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
