package clonezilla

import (
	"fmt"
	"math"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// A preflight line and its states are the model's, so the console shows
// them as the preflight made them.
type (
	Check      = model.Check
	CheckState = model.CheckState
)

const (
	CheckPass    = model.CheckPass
	CheckWarn    = model.CheckWarn
	CheckFail    = model.CheckFail
	CheckUnknown = model.CheckUnknown
)

// Preflight is the checklist before the next imaging of the host, and what
// the plan needs from it.
type Preflight struct {
	// Preflight is what the console shows: the checks, and Expected, the
	// expected size of the images of all configured disks (bytes, with a
	// 5 % margin; 0 when unknown).
	model.Preflight
	Used  int64 // bytes counted on the configured disks
	Ratio float64
	// RatioFrom says where Ratio comes from: "learned from 3 earlier images
	// on the drive" or "no earlier image: counted uncompressed".
	RatioFrom string
	// ImageDrive is the image drive's filesystem when found.
	ImageDrive *BlockDev
	Disks      []PlanDisk // the configured disks, Dev filled in when found
}

// PlanDisk is an internal disk of the host to image.
type PlanDisk struct {
	Name   string // from the config: "pve-ssd"
	Serial string
	Dev    string // "/dev/nvme0n1" once found on the host
}

// PreflightInput is what RunPreflight judges.
type PreflightInput struct {
	Host  Host
	Disks []PlanDisk // from config: the internal disks to image
	// The image drive, by filesystem label or by disk serial (either may be "").
	DriveLabel, DriveSerial string
	// DriveHealth is the image drive as the SMART source reported it; nil
	// when not known.
	DriveHealth *model.Drive
	// VzdumpDrive is the USB drive that holds the vzdump backups; nil when
	// none is configured.
	VzdumpDrive *model.Drive
	Earlier     []Image // images already on the image drive
	// LiveVersion is the version of the clonezilla package of the Live USB
	// ("5.15.26"); "" when unknown.
	LiveVersion string
}

// Clonezilla images LVM-thin volumes from this version on, and skips the
// thin-pool container itself from thinSkipsPool on.
const (
	thinSupported = "5.15.11"
	thinSkipsPool = "5.15.26"
)

// expectedMargin covers what the estimate does not see: partition tables,
// Clonezilla's own files, and a little growth before the run.
const expectedMargin = 1.05

// RunPreflight checks that the next imaging can run and estimates its size.
// It reads nothing itself: the host, the drives and the earlier images come
// in with in.
func RunPreflight(in PreflightInput) Preflight {
	var p Preflight
	disks := map[string]string{} // top-level device name → configured disk name
	var found []BlockDev
	p.Checks = append(p.Checks, checkDisks(in, &p, disks, &found)...)

	fs, driveDisk, driveCheck := findImageDrive(in, disks)
	p.Checks = append(p.Checks, driveCheck)
	if fs != nil {
		c := *fs
		p.ImageDrive = &c
	}
	p.Checks = append(p.Checks, checkDriveHealth(in.DriveHealth, driveDisk))

	u := countUsage(in.Host, found)
	p.Used = u.used
	ratio, from, learnErr := LearnRatio(in.Earlier)
	switch {
	case from > 0:
		p.Ratio = ratio
		p.RatioFrom = fmt.Sprintf("learned from %s on the drive", plural(from, "earlier image"))
		if learnErr != nil {
			p.RatioFrom += fmt.Sprintf(" (%d could not be read)", len(in.Earlier)-from)
		}
	case len(in.Earlier) > 0:
		p.Ratio = 1
		p.RatioFrom = "no earlier image could be read: counted uncompressed"
	default:
		p.Ratio = 1
		p.RatioFrom = "no earlier image: counted uncompressed"
	}
	if len(found) > 0 {
		p.Expected = int64(math.Ceil(float64(p.Used) * p.Ratio * expectedMargin))
	}

	p.Checks = append(p.Checks, checkFreeSpace(p.ImageDrive, p.Expected, len(found) > 0))
	if p.ImageDrive != nil && p.ImageDrive.FSType == "vfat" {
		p.Checks = append(p.Checks, Check{Name: "image drive filesystem", State: CheckWarn,
			Reason: "vfat holds no file of 4 GiB or more: the plan splits the images into 4000 MB volumes (-i 4000); an ext4 image drive needs no split"})
	}
	p.Checks = append(p.Checks, checkExpected(p, u, len(found) > 0))
	if in.Host.LVsErr != nil {
		reason := in.Host.LVsErr.Error()
		if len(u.unreadPVs) > 0 {
			reason += "; counted at full size instead: " + strings.Join(u.unreadPVs, ", ")
		}
		p.Checks = append(p.Checks, Check{Name: "LVM volumes", State: CheckWarn, Reason: reason})
	}
	p.Checks = append(p.Checks, checkVzdumpDrive(in, driveDisk))
	p.Checks = append(p.Checks, checkSnapshots(in.Host, u))
	if c, ok := checkLiveThin(in.LiveVersion, u.thin); ok {
		p.Checks = append(p.Checks, c)
	}
	return p
}

// checkDisks finds each configured disk by serial; found collects their
// lsblk trees and disks maps their device names to the configured names.
func checkDisks(in PreflightInput, p *Preflight, disks map[string]string, found *[]BlockDev) []Check {
	if len(in.Disks) == 0 {
		return []Check{{Name: "disks", State: CheckFail,
			Reason: "no disk to image is configured: add a [[clonezilla.disk]] with name and serial (lsblk -o NAME,SERIAL lists them)"}}
	}
	var checks []Check
	for _, d := range in.Disks {
		name := "disk " + d.Name
		if strings.TrimSpace(d.Serial) == "" {
			checks = append(checks, Check{Name: name, State: CheckFail,
				Reason: "no serial configured: set [[clonezilla.disk]] serial (lsblk -o NAME,SERIAL lists them)"})
			p.Disks = append(p.Disks, d)
			continue
		}
		dev := diskBySerial(in.Host.Disks, d.Serial)
		if dev == nil {
			checks = append(checks, Check{Name: name, State: CheckFail,
				Reason: fmt.Sprintf("no disk with serial %s on this host: check [[clonezilla.disk]] serial (lsblk -o NAME,SERIAL lists them)", strings.TrimSpace(d.Serial))})
			p.Disks = append(p.Disks, d)
			continue
		}
		// The host's spelling of the serial goes into the plan.
		d.Dev, d.Serial = devPath(*dev), dev.Serial
		p.Disks = append(p.Disks, d)
		if other, dup := disks[dev.Name]; dup {
			checks = append(checks, Check{Name: name, State: CheckFail,
				Reason: fmt.Sprintf("the same disk as %s (%s): remove one of the two [[clonezilla.disk]]", other, dev.Name)})
			continue
		}
		disks[dev.Name] = d.Name
		*found = append(*found, *dev)
		checks = append(checks, Check{Name: name, State: CheckPass, Reason: describeDisk(*dev)})
	}
	return checks
}

// describeDisk: "nvme0n1 · Samsung SSD 980 PRO 1TB · 931.5 GiB".
func describeDisk(d BlockDev) string {
	parts := []string{d.Name}
	if d.Model != "" {
		parts = append(parts, d.Model)
	}
	if d.Tran == "usb" {
		parts = append(parts, "usb")
	}
	return strings.Join(append(parts, model.HumanBytes(d.Size)), " · ")
}

func devPath(d BlockDev) string {
	if d.Path != "" {
		return d.Path
	}
	return "/dev/" + d.Name
}

// sameSerial compares serials the way Clonezilla's SERIALNO= does: case
// aside, and with spaces taken as underscores.
func sameSerial(a, b string) bool {
	norm := func(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "_") }
	a, b = norm(a), norm(b)
	return a != "" && strings.EqualFold(a, b)
}

// diskBySerial finds a top-level device (a disk) by serial.
func diskBySerial(devs []BlockDev, serial string) *BlockDev {
	for i := range devs {
		if sameSerial(devs[i].Serial, serial) {
			return &devs[i]
		}
	}
	return nil
}

// walk calls fn for every device of the tree, depth first, with the
// top-level device it belongs to.
func walk(devs []BlockDev, fn func(d, top *BlockDev)) {
	var rec func(ds []BlockDev, top *BlockDev)
	rec = func(ds []BlockDev, top *BlockDev) {
		for i := range ds {
			t := top
			if t == nil {
				t = &ds[i]
			}
			fn(&ds[i], t)
			rec(ds[i].Children, t)
		}
	}
	rec(devs, nil)
}

// writable reports whether a filesystem type can hold the images: not swap
// and not a container of other volumes.
func writable(fstype string) bool {
	switch fstype {
	case "", "swap", "LVM2_member", "crypto_LUKS", "linux_raid_member", "zfs_member", "bcache":
		return false
	}
	return true
}

// findImageDrive finds the image drive's filesystem and its disk.
func findImageDrive(in PreflightInput, imaged map[string]string) (*BlockDev, *BlockDev, Check) {
	const name = "image drive"
	label, serial := strings.TrimSpace(in.DriveLabel), strings.TrimSpace(in.DriveSerial)
	var keys []string
	if serial != "" {
		keys = append(keys, "serial "+serial)
	}
	if label != "" {
		keys = append(keys, "label "+label)
	}
	if len(keys) == 0 {
		return nil, nil, Check{Name: name, State: CheckFail,
			Reason: "no image drive configured: set [clonezilla] drive_label (its filesystem's label) or drive_serial (lsblk -o NAME,SERIAL,LABEL lists them)"}
	}
	which := strings.Join(keys, ", ")
	var fs, disk *BlockDev
	if serial != "" {
		disk = diskBySerial(in.Host.Disks, serial)
		if disk == nil {
			return nil, nil, Check{Name: name, State: CheckFail, Reason: "plug in the image drive (" + which + ")"}
		}
		var best *BlockDev
		walk([]BlockDev{*disk}, func(d, _ *BlockDev) {
			switch {
			case label != "" && d.Label == label:
				fs = d
			case writable(d.FSType) && (best == nil || d.Size > best.Size):
				best = d
			}
		})
		if fs == nil && label != "" {
			return nil, disk, Check{Name: name, State: CheckFail,
				Reason: fmt.Sprintf("the drive with serial %s (%s) has no filesystem labelled %s: check [clonezilla] drive_label (lsblk -o NAME,LABEL %s lists them)", serial, disk.Name, label, devPath(*disk))}
		}
		if fs == nil {
			fs = best
		}
		if fs == nil {
			return nil, disk, Check{Name: name, State: CheckFail,
				Reason: fmt.Sprintf("the image drive %s has no filesystem to hold the images: make one (mkfs.ext4 -L <label> on a partition of it)", disk.Name)}
		}
	} else {
		var hits []string
		walk(in.Host.Disks, func(d, top *BlockDev) {
			if d.Label == label {
				if fs == nil {
					fs, disk = d, top
				}
				hits = append(hits, d.Name)
			}
		})
		if fs == nil {
			return nil, nil, Check{Name: name, State: CheckFail, Reason: "plug in the image drive (" + which + ")"}
		}
		if len(hits) > 1 {
			return nil, nil, Check{Name: name, State: CheckFail,
				Reason: fmt.Sprintf("%d filesystems are labelled %s (%s): unplug the other drive, or set [clonezilla] drive_serial too", len(hits), label, strings.Join(hits, ", "))}
		}
	}
	if cfg, ok := imaged[disk.Name]; ok {
		return nil, disk, Check{Name: name, State: CheckFail,
			Reason: fmt.Sprintf("the image drive (%s) is %s, one of the disks to image: images must go to another drive", which, cfg)}
	}
	desc := fs.Name + " (" + fs.FSType
	if fs.Label != "" {
		desc += ", label " + fs.Label
	}
	desc += ")"
	if fs.Name != disk.Name {
		desc += " on " + describeDisk(*disk)
	} else {
		desc += " · " + model.HumanBytes(disk.Size)
	}
	if !writable(fs.FSType) {
		return nil, disk, Check{Name: name, State: CheckFail,
			Reason: desc + ": this cannot hold images: label a real filesystem, or format it (mkfs.ext4 -L <label>)"}
	}
	return fs, disk, Check{Name: name, State: CheckPass, Reason: desc}
}

// checkDriveHealth judges the image drive by its SMART verdict.
func checkDriveHealth(d *model.Drive, disk *BlockDev) Check {
	const name = "image drive SMART"
	if d == nil {
		how := "smartctl -a /dev/<drive>"
		if disk != nil {
			how = "smartctl -a " + devPath(*disk)
		}
		return Check{Name: name, State: CheckUnknown,
			Reason: "backdeck has no SMART reading of the image drive: check it yourself (" + how + ") before trusting new images to it"}
	}
	reasons := strings.Join(d.Reasons, "; ")
	if d.Asleep {
		return Check{Name: name, State: CheckUnknown,
			Reason: "the drive was asleep and was not woken to read SMART: look again once it is awake (verdict so far: " + string(d.Health) + ")"}
	}
	switch d.Health {
	case model.HealthFailed:
		return Check{Name: name, State: CheckFail, Reason: "SMART failed: " + reasons + ": do not trust new images to it: replace it"}
	case model.HealthWarning:
		return Check{Name: name, State: CheckWarn, Reason: "SMART warning: " + reasons + ": keep a second copy of the images and plan to replace it"}
	case model.HealthPassed:
		return Check{Name: name, State: CheckPass, Reason: "SMART passed"}
	}
	if reasons == "" {
		reasons = "no verdict"
	}
	return Check{Name: name, State: CheckUnknown, Reason: "SMART unknown (" + reasons + "): check the drive with smartctl -a before trusting new images to it"}
}

// checkFreeSpace compares the image drive's free space with the estimate.
func checkFreeSpace(fs *BlockDev, expected int64, estimated bool) Check {
	const name = "free space"
	need := "about " + model.HumanBytes(expected)
	switch {
	case fs == nil:
		return Check{Name: name, State: CheckUnknown, Reason: "the image drive was not found"}
	case !fs.FSKnown:
		if !estimated {
			return Check{Name: name, State: CheckUnknown, Reason: fs.Name + " is not mounted: mount it to check"}
		}
		return Check{Name: name, State: CheckUnknown, Reason: fmt.Sprintf("%s is not mounted: mount it to check (images need %s)", fs.Name, need)}
	case !estimated:
		return Check{Name: name, State: CheckUnknown,
			Reason: model.HumanBytes(fs.FSAvail) + " free; the images' size is not known (no disk to image was found)"}
	case fs.FSAvail >= expected:
		return Check{Name: name, State: CheckPass, Reason: fmt.Sprintf("%s free, images need %s", model.HumanBytes(fs.FSAvail), need)}
	}
	return Check{Name: name, State: CheckFail,
		Reason: fmt.Sprintf("needs %s, %s free: remove old images (backdeck clonezilla prune) or use a bigger drive", need, model.HumanBytes(fs.FSAvail))}
}

// checkExpected explains the estimate.
func checkExpected(p Preflight, u usage, estimated bool) Check {
	const name = "expected size"
	if !estimated {
		return Check{Name: name, State: CheckUnknown, Reason: "no disk to image was found on this host"}
	}
	reason := fmt.Sprintf("about %s: %s used × %.2f (%s) + 5 %%", model.HumanBytes(p.Expected), model.HumanBytes(p.Used), p.Ratio, p.RatioFrom)
	if len(u.upper) > 0 {
		reason += "; not mounted, so counted at full size (an upper bound): " + strings.Join(u.upper, ", ")
	}
	return Check{Name: name, State: CheckPass, Reason: reason}
}

// Clonezilla runs, so that it cannot be picked by mistake.
func checkVzdumpDrive(in PreflightInput, imageDisk *BlockDev) Check {
	const name = "vzdump drive"
	d := in.VzdumpDrive
	if d == nil {
		return Check{Name: name, State: CheckWarn,
			Reason: "unplug the USB drive that holds the vzdump backups before booting Clonezilla (the guide requires it)"}
	}
	what := "the vzdump drive"
	if d.Name != "" {
		what += " " + d.Name
	}
	if strings.TrimSpace(d.Serial) == "" {
		return Check{Name: name, State: CheckWarn,
			Reason: what + " has no serial configured, so backdeck cannot tell whether it is plugged in: unplug it before you boot Clonezilla (the guide requires it)"}
	}
	what += " (serial " + strings.TrimSpace(d.Serial) + ")"
	if imageDisk != nil && sameSerial(imageDisk.Serial, d.Serial) {
		return Check{Name: name, State: CheckFail,
			Reason: what + " is the image drive: the guide requires it unplugged during imaging: use another drive for the images"}
	}
	if dev := diskBySerial(in.Host.Disks, d.Serial); dev != nil {
		return Check{Name: name, State: CheckWarn,
			Reason: fmt.Sprintf("%s is plugged in now (%s): unplug it before you boot Clonezilla", what, dev.Name)}
	}
	return Check{Name: name, State: CheckPass, Reason: what + " is not plugged in"}
}
