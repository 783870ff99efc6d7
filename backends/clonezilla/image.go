package clonezilla

import (
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// Mode is how ocs-sr made the image.
type Mode string

const (
	ModeSaveDisk  Mode = "savedisk"  // whole disks (the file "disk" is there)
	ModeSaveParts Mode = "saveparts" // some partitions (only the file "parts")
	// ModeUnknown is a directory with Clonezilla's files but neither "disk"
	// nor "parts": a broken image, which Verify reports.
	ModeUnknown Mode = "unknown"
)

// Where Image.Saved comes from, best first.
const (
	SavedFromLog     = "clonezilla-img"              // "This image was saved by Clonezilla at …"
	SavedFromCommand = "Info-saved-by-cmd.txt mtime" // written at the end of the save
	SavedFromDir     = "directory mtime"
)

// MethodClonezilla is the restore points' method: a Clonezilla image is made
// from Clonezilla Live while the host is down, never started by backdeck.
const MethodClonezilla model.Method = "clonezilla"

// Image is one Clonezilla image directory.
type Image struct {
	Path string // the directory
	Name string // its base name: the image name given to ocs-sr
	Mode Mode

	Saved     time.Time
	SavedFrom string // SavedFromLog, SavedFromCommand or SavedFromDir
	Command   string // the ocs-sr command line (Info-saved-by-cmd.txt)

	Disks []Disk   // the source disks: those of "disk", or the parents of "parts"
	Parts []Volume // partitions: imaged ones, and swap partitions (FS "swap", no files)
	LVs   []Volume // logical volumes: imaged ones, and swap LVs (FS "swap", no files)
	// PVs are the partitions that hold LVM volume groups: their content is in LVs.
	PVs []PV
	// Unimaged are LVs Clonezilla lists but saves no image of: thin pools
	// ("/dev/pve/data" on Proxmox), whose thin LVs are imaged one by one.
	Unimaged []string
	Swaps    []Swap

	SizeBytes   int64    // all files of the directory
	Compression string   // of the volume images: "zstd", "gzip", "zstd, gzip"
	Checksums   []string // which of MD5SUMS, SHA1SUMS, B2SUMS exist
	// SMARTAtSave is the health line of Info-smart.txt ("SMART
	// overall-health self-assessment test result: PASSED"), or why there is
	// none; "" when the image has no Info-smart.txt. One line per disk,
	// "sda: …; sdb: …", when the image has several.
	SMARTAtSave string
	// Stamp changes when a file of the image is rewritten, added or
	// removed (from the names, sizes and times of its files).
	Stamp string
}

// Disk is a source disk of an image, as it was when the image was saved.
type Disk struct {
	Name   string // the kernel name at save time: "sda", "nvme0n1"
	Model  string
	Serial string // from Info-smart.txt; "" when smartctl could not read it
	Size   int64  // bytes, 0 when unknown
	// SizeFrom says where Size comes from: "<disk>-pt.parted" (exact),
	// "Info-smart.txt" (exact) or "blkdev.list" (rounded by lsblk).
	SizeFrom string
	Table    string // "gpt" or "msdos"
	SMART    string // "PASSED", "FAILED!", "OK", or "no SMART data: …"
}

// Volume is a partition or logical volume of an image and its image files.
type Volume struct {
	Name string // file-name form: "sda1", "pve-root"
	Dev  string // "/dev/sda1", "/dev/pve/root"
	Disk string // the partition's disk ("" for LVs)
	VG   string // the LV's volume group ("" for partitions)
	// FS is the file system tag of the image file name ("ext4", "vfat",
	// "dd" for a raw copy), or "swap" for swap, which has no image.
	FS    string
	Comp  string   // compression: "zstd", "gzip" … ("" for swap)
	Files []string // the image files, in volume order (.aa, .ab …)
	Bytes int64    // their size on disk
	// Size is the partition's or LV's size from the partition table or the
	// LVM metadata, 0 when unknown.
	Size int64
}

// PV is an LVM physical volume partition of the image.
type PV struct {
	Dev  string // "sda3"
	VG   string
	UUID string
}

// Swap is a swap partition or LV: Clonezilla keeps only its UUID and label
// (swappt-<name>.info) to recreate it with mkswap.
type Swap struct {
	Name  string // "sda2", "pve-swap"
	File  string // "swappt-pve-swap.info"
	UUID  string
	Label string
}

// Covers reports whether the image holds the disk with this serial number.
func (img Image) Covers(serial string) bool {
	for _, d := range img.Disks {
		if sameSerial(d.Serial, serial) {
			return true
		}
	}
	return false
}

// RestorePoint is the image as a restore point of a host-disk target.
func (img Image) RestorePoint(targetID string) model.RestorePoint {
	return model.RestorePoint{
		ID:     img.Path,
		Target: targetID,
		Method: MethodClonezilla,
		Time:   img.Saved,
		Size:   img.SizeBytes,
		Format: img.format(),
		Notes:  img.Summary(),
		Stamp:  img.Stamp,
	}
}

// format is "clonezilla savedisk" plus the compression.
func (img Image) format() string {
	f := "clonezilla " + string(img.Mode)
	if img.Compression != "" {
		f += " " + img.Compression
	}
	return f
}

// Summary is one line for the detail pane:
// "sda · 2 partitions, 3 LVs · zstd · SHA1SUMS, MD5SUMS".
func (img Image) Summary() string {
	var disks []string
	for _, d := range img.Disks {
		disks = append(disks, d.Name)
	}
	parts := []string{}
	if len(disks) > 0 {
		parts = append(parts, strings.Join(disks, ", "))
	}
	vols := plural(len(img.Parts), "partition")
	if len(img.LVs) > 0 {
		vols += ", " + plural(len(img.LVs), "LV")
	}
	parts = append(parts, vols)
	if img.Compression != "" {
		parts = append(parts, img.Compression)
	}
	if len(img.Checksums) > 0 {
		parts = append(parts, strings.Join(img.Checksums, ", "))
	} else {
		parts = append(parts, "no checksums")
	}
	// A disk that was failing when it was saved may have given bad reads:
	// that belongs next to the image, not only in Info-smart.txt.
	for _, d := range img.Disks {
		if strings.HasPrefix(strings.ToUpper(d.SMART), "FAILED") {
			parts = append(parts, d.Name+" SMART FAILED at save")
		}
	}
	return strings.Join(parts, " · ")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
