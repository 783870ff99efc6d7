package images

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/zstd"
)

// Write writes into dir (made when missing) the seed host's Clonezilla
// images, as Clonezilla Live's ocs-sr writes them
// (backends/clonezilla/testdata/FORMAT.md), and returns their directories,
// oldest first. Both internal disks of pve are imaged, each in an image of
// its own named {host}-{disk}-{date} ("pve-pve-ssd-2026-11-01",
// "pve-pve-hdd-2026-11-01"): on the 1st of each of the last four months
// whose imaging was over before now, and one pair ten days before now,
// before an upgrade (when that day is a 1st, its monthly pair is that day's
// only one).
//
// Everything is as ocs-sr -q2 -j2 -z9p -i 4096 -sfsck -senc -gs -gm -p
// poweroff savedisk NAME SERIALNO=… makes it: the lists, partition tables
// (sfdisk, parted, the GPT copies; no -hidden-data-after-mbr, which -j2
// writes for MBR disks only), the LVM lists and metadata of VG pve, the swap
// LV's info file, partclone v2 streams compressed with zstd into
// <dev>.<fs>-ptcl-img.zst.aa (the BIOS boot partition raw, by partclone.dd),
// MD5SUMS and SHA1SUMS over the files that exist when ocs-sr makes them, and
// the Info-* files and the save log. The SSD's image holds the BIOS boot
// partition, the ESP, swap (its info file) and root; the thin pool data
// (local-lvm) is listed the way Clonezilla lists it, unopenable, and its thin
// LVs are left out, since images of them could not be small. The HDD's holds
// its ext4 partition.
//
// The filesystems in the streams are invented and small (a few hundred KB to
// about 2 MB of used blocks on devices of 64 MiB to 1 GiB, whatever the
// partitions' real sizes), their content pseudo-random and repetitive so that
// zstd compresses it in part; everything is seeded by the image's name, so
// the same now writes the same bytes. It takes a fraction of a second
// (BenchmarkWrite).
//
// One image is damaged on purpose, for the demo's failed verification: in
// the HDD's image of the oldest month, one byte of the partclone data of
// sda1's stream is flipped before compression, and the checksum files are
// made after, over the damaged file. Checksums (level 1) and the zstd stream
// and the image's structure (level 2) are therefore fine; only partclone's
// own CRCs (level 3) find it.
//
// An image directory that already exists in dir is an error (fs.ErrExist),
// checked before anything is written: the images are not written over, so a
// caller that wants them fresh writes into a new directory. Other entries of
// dir are left alone.
func Write(dir string, now time.Time) ([]string, error) {
	plan := planImages(now)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lab clonezilla: %w", err)
	}
	for _, img := range plan {
		path := filepath.Join(dir, img.name)
		if _, err := os.Lstat(path); err == nil {
			return nil, fmt.Errorf("lab clonezilla: %s: %w", path, fs.ErrExist)
		}
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return nil, fmt.Errorf("lab clonezilla: %w", err)
	}
	defer enc.Close()
	corpus := makeCorpus()
	hw := hostHardware(now)
	var out []string
	for _, img := range plan {
		files := makeImage(img, hw, enc, corpus)
		path, err := writeImage(dir, img, files)
		if err != nil {
			return out, fmt.Errorf("lab clonezilla: %s: %w", img.name, err)
		}
		out = append(out, path)
	}
	return out, nil
}

// writeImage writes an image's files into a hidden directory beside the
// final one, then renames it, so that no half-written image is ever seen
// under the image's name. Files and directory get the modes and times
// ocs-sr gives them.
func writeImage(dir string, img image, files []imageFile) (string, error) {
	tmp, err := os.MkdirTemp(dir, "."+img.name+".")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // after the rename there is nothing left to remove
	for _, f := range files {
		path := filepath.Join(tmp, f.name)
		if err := os.WriteFile(path, f.data, f.mode); err != nil {
			return "", err
		}
		if err := os.Chmod(path, f.mode); err != nil { // whatever the umask
			return "", err
		}
		if err := os.Chtimes(path, f.mtime, f.mtime); err != nil {
			return "", err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	final := filepath.Join(dir, img.name)
	if err := os.Rename(tmp, final); err != nil {
		return "", err
	}
	last := files[len(files)-1].mtime
	return final, os.Chtimes(final, last, last)
}
