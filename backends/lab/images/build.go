package images

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
)

// The host's side of the images.
const (
	hostName = "pve"
	repo     = "/home/partimag" // where Clonezilla Live mounts the image drive
	// The Live system: clonezilla's version is the demo config's
	// live_version; the others (and the kernel) are invented.
	partcloneVersion = "0.3.33"
	packages         = " drbl-5.7.4-drbl1 clonezilla-5.15.26-drbl1 partclone-0.3.33-drbl1 util-linux-2.40.4-3 gdisk-1.0.10-2"
	kernel           = "6.12.12-amd64"
	smartctlBanner   = "smartctl 7.4 2023-08-01 r5530 [x86_64-linux-" + kernel + "] (local build)"
	lvmVersion       = "2.03.16(2) (2022-05-18)"
	stars            = "*****************************************************."
)

// imageFile is a file of an image, with the time ocs-sr wrote it.
type imageFile struct {
	name  string
	data  []byte
	mode  os.FileMode
	mtime time.Time
}

// build is one image being made: its files in the order ocs-sr writes
// them, its save log and its clock.
type build struct {
	img    image
	hw     hardware
	rng    *rand.Rand
	src    *rand.ChaCha8 // fills the incompressible blocks
	enc    *zstd.Encoder
	corpus []byte
	clock  time.Time
	files  []imageFile
	log    []string
	devfs  []string
}

func (b *build) add(name string, data []byte, mode os.FileMode) {
	b.files = append(b.files, imageFile{name: name, data: data, mode: mode, mtime: b.clock})
}

func (b *build) addText(name, text string) { b.add(name, []byte(text), 0o644) }

func (b *build) logf(format string, a ...any) { b.log = append(b.log, fmt.Sprintf(format, a...)) }

// tick advances the clock by whole seconds: the save log has no fractions.
func (b *build) tick(min, max time.Duration) {
	b.clock = b.clock.Add(min + time.Duration(b.rng.Int64N(int64((max-min)/time.Second)+1))*time.Second)
}

func (b *build) dir() string { return repo + "/" + b.img.name }

// makeImage makes all the files of an image.
func makeImage(img image, hw hardware, enc *zstd.Encoder, corpus []byte) []imageFile {
	b := &build{img: img, hw: hw, rng: newRand(img.name), src: newSource(img.name + " data"), enc: enc, corpus: corpus, clock: img.start}
	d := img.disk
	b.logf("Starting /usr/sbin/ocs-sr at %s UTC...", b.clock.Format("2006-01-02 15:04:05"))
	b.logf("%s", stars)
	b.logf("Clonezilla image dir: %s", repo)
	b.logf("Shutting down the Logical Volume Manager")
	b.logf("  Shutting Down volume group: pve ")
	b.logf("Finished Shutting down the Logical Volume Manager")
	b.logf("Found SERIALNO=%s is device: %s", d.seed.Serial, d.name())
	b.logf("The selected devices: %s", d.name())
	b.logf("The selected devices: %s", d.name())
	b.logf("Searching for data/swap/extended partition(s)...")
	names := partNames(d)
	b.logf("The data partition to be saved: %s", strings.Join(names, " "))
	b.logf("The selected devices: %s", strings.Join(names, " "))
	b.tick(8*time.Second, 15*time.Second)
	for _, p := range d.parts {
		switch p.name {
		case "nvme0n1p1":
			b.rawStream(p)
		case "nvme0n1p2":
			b.ptclStream("/dev/"+p.name, "vfat", p.devFS, filesystem{fs: "FAT32", blockSize: 512, total: 131040, used: 660 + uint64(b.rng.IntN(80))})
		case "nvme0n1p3":
			b.lvm(p)
		case "sda1":
			b.ptclStream("/dev/"+p.name, "ext4", p.devFS, filesystem{fs: "EXTFS", blockSize: 4096, total: 262144, used: 340 + uint64(b.rng.IntN(100))})
		}
	}
	b.addText("dev-fs.list", "# <Device name>   <File system>   <Size>\n"+
		"# File system is got from ocs-get-dev-info. It might be different from that of blkid or parted.\n"+strings.Join(b.devfs, ""))
	b.tables()
	b.addText("parts", strings.Join(names, " ")+"\n")
	b.addText("disk", d.name()+"\n")
	b.sums()
	b.infos()
	return b.files
}

func (b *build) tmpSuffix() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	s := make([]byte, 6)
	for i := range s {
		s[i] = chars[b.rng.IntN(len(chars))]
	}
	return string(s)
}
