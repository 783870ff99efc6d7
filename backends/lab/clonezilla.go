package lab

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
	"github.com/klauspost/compress/zstd"
)

// WriteClonezillaImages writes into dir (made when missing) the seed host's
// Clonezilla images, as Clonezilla Live's ocs-sr writes them
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
// (BenchmarkWriteClonezillaImages).
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
func WriteClonezillaImages(dir string, now time.Time) ([]string, error) {
	plan := czPlan(now)
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
	corpus := czCorpus()
	hw := czHardware(now)
	var out []string
	for _, img := range plan {
		files := makeCzImage(img, hw, enc, corpus)
		path, err := writeCzImage(dir, img, files)
		if err != nil {
			return out, fmt.Errorf("lab clonezilla: %s: %w", img.name, err)
		}
		out = append(out, path)
	}
	return out, nil
}

// czImage is one imaging run of the plan.
type czImage struct {
	name    string
	disk    *czDisk
	start   time.Time // ocs-sr starts (UTC, Clonezilla Live's clock)
	damaged bool
}

// czPlan lists the images before now, oldest first, the SSD's before the
// HDD's of the same day (two boots of Clonezilla Live: one disk each).
func czPlan(now time.Time) []czImage {
	loc := now.Location()
	ssd, hdd := czDisks()
	var days []time.Time // 09:00 on the imaging days
	for k := 0; len(days) < 4; k++ {
		day := time.Date(now.Year(), now.Month()-time.Month(k), 1, 9, 0, 0, 0, loc)
		if day.Add(time.Hour).Before(now) { // both runs over
			days = append(days, day)
		}
	}
	upgrade := now.AddDate(0, 0, -10)
	upgrade = time.Date(upgrade.Year(), upgrade.Month(), upgrade.Day(), 19, 30, 0, 0, loc)
	if upgrade.Day() != 1 {
		days = append(days, upgrade)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	oldest := days[0]
	var plan []czImage
	for _, day := range days {
		date := day.Format("2006-01-02")
		for i, d := range []*czDisk{ssd, hdd} {
			name := czHost + "-" + d.key + "-" + date
			rng := czRand(name)
			// The HDD's run starts once the SSD's is over and the host booted
			// Clonezilla Live again.
			start := day.Add(time.Duration(4+14*i)*time.Minute + time.Duration(rng.IntN(120))*time.Second)
			plan = append(plan, czImage{name: name, disk: d, start: start.UTC(), damaged: d == hdd && day.Equal(oldest)})
		}
	}
	return plan
}

// The host's side of the images.
const (
	czHost = "pve"
	czRepo = "/home/partimag" // where Clonezilla Live mounts the image drive
	// The Live system: clonezilla's version is the demo config's
	// live_version; the others (and the kernel) are invented.
	czPartcloneVersion = "0.3.33"
	czPackages         = " drbl-5.7.4-drbl1 clonezilla-5.15.26-drbl1 partclone-0.3.33-drbl1 util-linux-2.40.4-3 gdisk-1.0.10-2"
	czKernel           = "6.12.12-amd64"
	czSmartctl         = "smartctl 7.4 2023-08-01 r5530 [x86_64-linux-" + czKernel + "] (local build)"
	czLVMVersion       = "2.03.16(2) (2022-05-18)"
	czStars            = "*****************************************************."
)

// czDisk is one of the host's internal disks as its images record it; its
// name, serial, model and partition sizes are the seed host's (lab/host).
type czDisk struct {
	key        string // the config's name of the disk: "pve-ssd"
	seed       host.Disk
	sectors    int64
	physical   int64  // physical sector size
	parted     string // parted's Model line
	sysModel   string // what sgdisk reads from sysfs (SCSI: 16 characters)
	heads, spt int64  // the geometry sfdisk reports
	labelID    string // the GPT disk GUID
	parts      []czPart
}

// czPart is a partition of a czDisk.
type czPart struct {
	name       string // "nvme0n1p1"
	start, len int64  // sectors
	typeGUID   string
	uuid       string // the partition's GUID
	code       string // sgdisk's type code
	partedFS   string
	flags      string
	devFS      string // dev-fs.list's file system ("" for an LVM PV)
}

const (
	gptBIOSBoot = "21686148-6449-6E6F-744E-656564454649"
	gptESP      = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	gptLVM      = "E6D6D379-F507-44C2-A23C-238F2A3DF928"
	gptLinux    = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
)

// czDisks are the SSD and the HDD. The SSD is laid out as the Proxmox VE
// installer does (BIOS boot from sector 34, a 1 GiB ESP, the rest LVM), the
// HDD has one partition from sector 2048.
func czDisks() (ssd, hdd *czDisk) {
	n, s := seedDisk("S5GXNX0T"), seedDisk("ZFL1ABCD")
	ssd = &czDisk{key: "pve-ssd", seed: n, sectors: n.Size / 512, physical: 512, parted: n.Model + " (nvme)", sysModel: n.Model,
		heads: 64, spt: 32, labelID: czGUID("nvme0n1 label")}
	meta := []struct{ typ, code, fs, flags, devFS string }{
		{gptBIOSBoot, "EF02", "", "bios_grub", "bios_grub"},
		{gptESP, "EF00", "fat32", "boot, esp", "vfat"},
		{gptLVM, "8E00", "", "lvm", ""},
	}
	start := int64(34)
	for i, p := range n.Parts {
		m := meta[i]
		ssd.parts = append(ssd.parts, czPart{name: p.Name, start: start, len: p.Size / 512, typeGUID: m.typ, uuid: czGUID(p.Name),
			code: m.code, partedFS: m.fs, flags: m.flags, devFS: m.devFS})
		start = (start + p.Size/512 + 2047) / 2048 * 2048
	}
	hdd = &czDisk{key: "pve-hdd", seed: s, sectors: s.Size / 512, physical: 4096, parted: "ATA " + s.Model[:16] + " (scsi)",
		sysModel: s.Model[:16], heads: 255, spt: 63, labelID: czGUID("sda label")}
	p := s.Parts[0]
	hdd.parts = []czPart{{name: p.Name, start: 2048, len: p.Size / 512, typeGUID: gptLinux, uuid: czGUID(p.Name),
		code: "8300", partedFS: "ext4", devFS: "ext4"}}
	return ssd, hdd
}

func (d *czDisk) name() string { return d.seed.Name }

// lastUsable is the GPT's last usable sector.
func (d *czDisk) lastUsable() int64 { return d.sectors - 34 }

// czRand is the image's generator, seeded by a name.
func czRand(name string) *rand.Rand { return rand.New(czSource(name)) }

func czSource(name string) *rand.ChaCha8 {
	return rand.NewChaCha8(sha256.Sum256([]byte("backdeck lab clonezilla " + name)))
}

// czGUID is a stable random-looking GUID (version 4), upper case as sfdisk
// and sgdisk print them.
func czGUID(seed string) string {
	b := sha256.Sum256([]byte("guid " + seed))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := strings.ToUpper(hex.EncodeToString(b[:16]))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// czLVMID is a stable LVM identifier (6-4-4-4-4-4-6 letters and digits).
func czLVMID(seed string) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := sha256.Sum256([]byte("lvm " + seed))
	var s strings.Builder
	for i, n := range []int{6, 4, 4, 4, 4, 4, 6} {
		if i > 0 {
			s.WriteByte('-')
		}
		for range n {
			s.WriteByte(chars[int(b[s.Len()%32])%len(chars)])
		}
	}
	return s.String()
}

// czFile is a file of an image, with the time ocs-sr wrote it.
type czFile struct {
	name  string
	data  []byte
	mode  os.FileMode
	mtime time.Time
}

// czBuild is one image being made: its files in the order ocs-sr writes
// them, its save log and its clock.
type czBuild struct {
	img    czImage
	hw     czHW
	rng    *rand.Rand
	src    *rand.ChaCha8 // fills the incompressible blocks
	enc    *zstd.Encoder
	corpus []byte
	clock  time.Time
	files  []czFile
	log    []string
	devfs  []string
}

func (b *czBuild) add(name string, data []byte, mode os.FileMode) {
	b.files = append(b.files, czFile{name: name, data: data, mode: mode, mtime: b.clock})
}

func (b *czBuild) addText(name, text string) { b.add(name, []byte(text), 0o644) }

func (b *czBuild) logf(format string, a ...any) { b.log = append(b.log, fmt.Sprintf(format, a...)) }

// tick advances the clock by whole seconds: the save log has no fractions.
func (b *czBuild) tick(min, max time.Duration) {
	b.clock = b.clock.Add(min + time.Duration(b.rng.Int64N(int64((max-min)/time.Second)+1))*time.Second)
}

func (b *czBuild) dir() string { return czRepo + "/" + b.img.name }

// makeCzImage makes all the files of an image.
func makeCzImage(img czImage, hw czHW, enc *zstd.Encoder, corpus []byte) []czFile {
	b := &czBuild{img: img, hw: hw, rng: czRand(img.name), src: czSource(img.name + " data"), enc: enc, corpus: corpus, clock: img.start}
	d := img.disk
	b.logf("Starting /usr/sbin/ocs-sr at %s UTC...", b.clock.Format("2006-01-02 15:04:05"))
	b.logf("%s", czStars)
	b.logf("Clonezilla image dir: %s", czRepo)
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
			b.ptclStream("/dev/"+p.name, "vfat", p.devFS, czFS{fs: "FAT32", blockSize: 512, total: 131040, used: 660 + uint64(b.rng.IntN(80))})
		case "nvme0n1p3":
			b.lvm(p)
		case "sda1":
			b.ptclStream("/dev/"+p.name, "ext4", p.devFS, czFS{fs: "EXTFS", blockSize: 4096, total: 262144, used: 340 + uint64(b.rng.IntN(100))})
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

// rawStream is partclone.dd's copy of the BIOS boot partition: GRUB's core
// image at its start (here invented bytes), zeros after.
func (b *czBuild) rawStream(p czPart) {
	dev := "/dev/" + p.name
	size := p.len * 512
	raw := make([]byte, size)
	core := 48<<10 + b.rng.IntN(24<<10)
	b.fillMixed(raw[:core], 0.7)
	copy(raw[0x1f0:], "GRUB \x00Geom\x00Hard Disk\x00Read\x00 Error\r\n")
	b.devfs = append(b.devfs, fmt.Sprintf("%s bios_grub %s\n", dev, lsblkSize(size)))
	b.logf("Starting saving %s as %s/%s.XXX...", dev, b.dir(), p.name)
	b.logf("%s filesystem: bios_grub.", dev)
	b.logf("%s", czStars)
	file := b.partcloneRun(dev, p.name, "dd")
	b.logf("Partclone v%s http://partclone.org", czPartcloneVersion)
	b.logf("Starting to clone/restore (%s) to (-) with dd mode", dev)
	b.logf("get device size %d by ioctl BLKGETSIZE64,", size)
	b.logf("get device size %d by ioctl BLKGETSIZE64,", size)
	b.logf("memory needed: %d bytes", 2*16777216+(size/512+7)/8)
	b.logf("bitmap %d bytes, blocks 2*16777216 bytes, checksum 0 bytes", (size/512+7)/8)
	b.logf("Calculating bitmap... Please wait... done!")
	b.logf("File system:  raw")
	b.partcloneSizes(uint64(size), uint64(size), 512)
	b.logf("Total block %d", size/512)
	b.logf("Syncing... OK!")
	b.stream(dev, file, raw)
}

// czFS is the small invented filesystem of a partclone stream.
type czFS struct {
	fs          string // partclone's name: "EXTFS", "FAT32"
	blockSize   uint32
	total, used uint64 // blocks
}

// ptclStream images a filesystem with partclone.<tag>.
func (b *czBuild) ptclStream(dev, tag, devFS string, f czFS) {
	name := strings.ReplaceAll(strings.TrimPrefix(dev, "/dev/"), "/", "-")
	var size int64
	if strings.Count(dev, "/") == 3 { // an LV
		size = host.LVNamed("pve", strings.TrimPrefix(name, "pve-")).Size
	} else {
		size = host.PartNamed(name).Size
	}
	b.devfs = append(b.devfs, fmt.Sprintf("%s %s %s\n", dev, devFS, lsblkSize(size)))
	b.logf("Starting saving %s as %s/%s.XXX...", dev, b.dir(), name)
	b.logf("%s filesystem: %s.", dev, tag)
	b.logf("%s", czStars)
	file := b.partcloneRun(dev, name, tag)
	bitmap := (f.total + 7) / 8
	b.logf("Partclone v%s http://partclone.org", czPartcloneVersion)
	b.logf("Starting to clone device (%s) to image (-)", dev)
	b.logf("Reading Super Block")
	b.logf("memory needed: %d bytes", 2*10485760+bitmap+4)
	b.logf("bitmap %d bytes, blocks 2*10485760 bytes, checksum 4 bytes", bitmap)
	b.logf("Calculating bitmap... Please wait... ")
	b.logf("done!")
	b.logf("File system:  %s", f.fs)
	b.partcloneSizes(f.total*uint64(f.blockSize), f.used*uint64(f.blockSize), f.blockSize)
	b.logf("Total block %d", f.total)
	b.logf("Syncing... OK!")
	b.logf("Partclone successfully cloned the device (%s) to the image (-)", dev)
	data := b.partclone(f)
	if b.img.damaged && name == "sda1" {
		// The demo's damage: one byte in the middle of the used blocks,
		// before compression (see WriteClonezillaImages).
		k := f.used / 2
		data[czDataStart(f)+int(k)*int(f.blockSize)+int(k/czBlocksPerCRC(f))*4+77] ^= 0xff
	}
	b.stream(dev, file, data)
}

// partcloneRun logs ocs-sr's lines before partclone runs and returns the
// stream's file name.
func (b *czBuild) partcloneRun(dev, name, tag string) string {
	file := name + "." + tag + "-ptcl-img.zst"
	b.logf("%s", czStars)
	b.logf("Use partclone with zstdmt to save the image.")
	b.logf("Image file will be split with size limit 4096 MB.")
	b.logf("%s", czStars)
	b.logf("If this action fails or hangs, check:")
	b.logf("* Is the disk full ?")
	b.logf("%s", czStars)
	// partclone.dd takes a bigger buffer and no -c (it writes no CRCs).
	opts := " -L /var/log/partclone.log -c"
	if tag == "dd" {
		opts = " --buffer_size 16777216 -L /var/log/partclone.log"
	}
	b.logf("Running: partclone.%s -z 10485760%s -s %s --output - | zstdmt -c -3 | split -a 2 -b 4096MB - %s/%s. 2> /tmp/img_out_err.%s",
		tag, opts, dev, b.dir(), file, b.tmpSuffix())
	return file
}

// partcloneSizes logs partclone's summary of the device.
func (b *czBuild) partcloneSizes(total, used uint64, bs uint32) {
	line := func(label string, n uint64) {
		num, unit := ptclReadable(n)
		b.logf("%s%*s = %d Blocks", label, 22-len(label), num+" "+unit, n/uint64(bs))
	}
	line("Device size:", total)
	line("Space in use:", used)
	line("Free Space:", total-used)
	b.logf("Block size:   %d Byte", bs)
}

// stream compresses a decoded stream into its one volume, and logs the end
// of the run.
func (b *czBuild) stream(dev, file string, data []byte) {
	var z bytes.Buffer
	b.enc.Reset(&z)
	_, _ = b.enc.Write(data) // a bytes.Buffer takes everything
	_ = b.enc.Close()
	secs := 1.2 + float64(len(data))/40e6 + b.rng.Float64()
	b.clock = b.clock.Add(time.Duration(secs * float64(time.Second))).Truncate(time.Second)
	b.add(file+".aa", z.Bytes(), 0o600)
	b.logf(">>> Time elapsed: %.2f secs (~ %s mins)", secs, bcMinutes(secs))
	b.logf("%s", czStars)
	b.logf("Finished saving %s as %s/%s", dev, b.dir(), file)
	b.logf("%s", czStars)
	b.tick(time.Second, 3*time.Second)
}

// bcMinutes is seconds in minutes as ocs-sr prints them with bc (scale 3,
// truncated, no leading zero).
func bcMinutes(secs float64) string {
	m := int64(secs * 1000 / 60)
	if m < 1000 {
		return fmt.Sprintf(".%03d", m)
	}
	return fmt.Sprintf("%d.%03d", m/1000, m%1000)
}

// ptclReadable is partclone's size in decimal units with one decimal.
func ptclReadable(n uint64) (string, string) {
	units := []string{"Byte", "KB", "MB", "GB", "TB"}
	v, i := float64(n), 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	if i == 0 {
		return strconv.FormatUint(n, 10), units[0]
	}
	return strconv.FormatFloat(v, 'f', 1, 64), units[i]
}

func (b *czBuild) tmpSuffix() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	s := make([]byte, 6)
	for i := range s {
		s[i] = chars[b.rng.IntN(len(chars))]
	}
	return string(s)
}

// The partclone image format v0002 (FORMAT.md §3.3).
const czHeaderSize = 110

// czDataStart is where the used blocks begin in a partclone stream.
func czDataStart(f czFS) int { return czHeaderSize + int((f.total+7)/8) + 4 }

// czBlocksPerCRC is partclone's CRC group with ocs-sr's -z 10485760.
func czBlocksPerCRC(f czFS) uint64 { return 10485760 / uint64(f.blockSize) }

// partclone writes a partclone v2 stream: header and its CRC, the bitmap
// and its CRC, the used blocks with a CRC after every group (reseeded).
func (b *czBuild) partclone(f czFS) []byte {
	per := czBlocksPerCRC(f)
	groups := (f.used + per - 1) / per
	out := make([]byte, czDataStart(f)+int(f.used)*int(f.blockSize)+int(groups)*4)
	h := out[:czHeaderSize]
	le := binary.LittleEndian
	copy(h, "partclone-image\x00")
	copy(h[16:30], czPartcloneVersion)
	copy(h[30:34], "0002")
	le.PutUint16(h[34:], 0xC0DE)
	copy(h[36:52], f.fs)
	le.PutUint64(h[52:], f.total*uint64(f.blockSize))
	le.PutUint64(h[60:], f.total)
	le.PutUint64(h[68:], f.used)
	le.PutUint64(h[76:], f.used)
	le.PutUint32(h[84:], f.blockSize)
	le.PutUint32(h[88:], 18) // the size of the options that follow
	le.PutUint16(h[92:], 2)  // image version
	le.PutUint16(h[94:], 64) // CPU bits
	le.PutUint16(h[96:], 32) // CRC32
	le.PutUint16(h[98:], 4)
	le.PutUint32(h[100:], uint32(per))
	h[104], h[105] = 1, 1 // reseed, bitmap mode BIT
	le.PutUint32(h[106:], ptclCRC(h[:106]))

	bm := out[czHeaderSize : czHeaderSize+int((f.total+7)/8)]
	b.usedBitmap(bm, f)
	le.PutUint32(out[czHeaderSize+len(bm):], ptclCRC(bm))

	pos := czDataStart(f)
	for left := f.used; left > 0; {
		n := min(left, per)
		group := out[pos : pos+int(n)*int(f.blockSize)]
		b.fillMixed(group, 0.45)
		le.PutUint32(out[pos+len(group):], ptclCRC(group))
		pos += len(group) + 4
		left -= n
	}
	return out
}

// ptclCRC is partclone's CRC-32: IEEE, without the final inversion.
func ptclCRC(p []byte) uint32 { return ^crc32.ChecksumIEEE(p) }

// usedBitmap marks f.used blocks: the filesystem's metadata at its start,
// then runs of files spread over the device.
func (b *czBuild) usedBitmap(bm []byte, f czFS) {
	set := func(from, n uint64) {
		for i := from; i < from+n; i++ {
			bm[i>>3] |= 1 << (i & 7)
		}
	}
	head := f.used / 4
	set(0, head)
	pos, left := head, f.used-head
	for left > 0 {
		run := min(left, 1+b.rng.Uint64N(24))
		free := f.total - pos - left
		gap := b.rng.Uint64N(2*free/(left/12+1) + 1)
		gap = min(gap, free)
		set(pos+gap, run)
		pos += gap + run
		left -= run
	}
}

// fillMixed fills p the way a filesystem's blocks look to a compressor:
// runs of incompressible bytes (a share random of them), of text, of zeros.
func (b *czBuild) fillMixed(p []byte, random float64) {
	for len(p) > 0 {
		n := min(len(p), 512*(1+b.rng.IntN(32)))
		switch r := b.rng.Float64(); {
		case r < random:
			_, _ = b.src.Read(p[:n]) // ChaCha8 never fails
		case r < random+(1-random)*0.8:
			for done := 0; done < n; {
				at := b.rng.IntN(len(b.corpus) - 4096)
				done += copy(p[done:n], b.corpus[at:at+64+b.rng.IntN(4000)])
			}
		}
		p = p[n:]
	}
}

// czCorpus is the text the filesystems hold: log and configuration lines
// made from a few words, so that zstd finds them again.
func czCorpus() []byte {
	rng := czRand("corpus")
	words := strings.Fields("pve pvedaemon pveproxy pvestatd systemd kernel zfs lvm vzdump qmeventd task starting finished " +
		"worker root@pam backup storage hddusb_bkpvzdumps local-lvm VM 411 421 422 431 k3sserver01 k3sagent01 k3sagent02 " +
		"bkpserver INFO: status OK update successful connection from 192.168.1.20 port session opened closed for user " +
		"/etc/pve/qemu-server/421.conf scsi0 local-lvm:vm-421-disk-0,size=32G memory 16384 cores 4 net0 virtio bridge=vmbr0 " +
		"apt-get upgrade Unpacking Setting up libc6 pve-manager proxmox-kernel 6.8.12 debian bookworm main contrib")
	var b strings.Builder
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for b.Len() < 192<<10 {
		t = t.Add(time.Duration(rng.IntN(90)) * time.Second)
		fmt.Fprintf(&b, "%s pve %s[%d]:", t.Format("Jan _2 15:04:05"), words[rng.IntN(6)], 1000+rng.IntN(3000))
		for range 4 + rng.IntN(9) {
			b.WriteString(" " + words[rng.IntN(len(words))])
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// lvm saves the PV partition: the LVM lists and metadata, the swap LV's
// info file and root's image; the thin pool cannot be opened.
func (b *czBuild) lvm(p czPart) {
	b.logf("Parsing LVM layout for %s ...", strings.Join(partNames(b.img.disk), " "))
	vgdev := fmt.Sprintf("pve /dev/%s %s", p.name, host.NVMePVUUID)
	b.logf("%s", vgdev)
	b.add("lvm_vg_dev.list", []byte(vgdev+"\n"), 0o644)
	b.logf("Parsing logical volumes...")
	swap := fmt.Sprintf("/dev/pve/swap  Linux swap file, 4k page size, little endian, version 1, size %d pages, 0 bad pages, no label, UUID=%s", host.LVNamed("pve", "swap").Size/4096-1, host.PVESwapUUID)
	root := fmt.Sprintf("/dev/pve/root  Linux rev 1.0 ext4 filesystem data, UUID=%s (extents) (64bit) (large files) (huge files)", host.PVERootUUID)
	logv := []string{"/dev/pve/data  cannot open `/dev/pve/data' (No such file or directory)", swap, root}
	for _, l := range logv {
		b.logf("%s", l)
	}
	b.add("lvm_logv.list", []byte(strings.Join(logv, "\n")+"\n"), 0o644)
	b.logf("Saving the VG config... ")
	b.logf("  Volume group \"pve\" successfully backed up.")
	b.add("lvm_pve.conf", []byte(b.vgConf(p)), 0o600)
	b.logf("done.")
	b.logf("Checking if the VG config was saved correctly... ")
	b.logf("done.")
	_, info, _ := strings.Cut(swap, "  ")
	b.logf("Saving /dev/pve/swap as filename: pve-swap. /dev/pve/swap info: %s", info)
	b.logf("Saving swap /dev/pve/swap info in %s/swappt-pve-swap.info... done!", b.dir())
	b.addText("swappt-pve-swap.info", fmt.Sprintf("UUID=\"%s\"\nLABEL=\"\"\n", host.PVESwapUUID))
	b.devfs = append(b.devfs, fmt.Sprintf("/dev/pve/swap swap %s\n", lsblkSize(host.LVNamed("pve", "swap").Size)))
	_, info, _ = strings.Cut(root, "  ")
	b.logf("Saving /dev/pve/root as filename: pve-root. /dev/pve/root info: %s", info)
	b.ptclStream("/dev/pve/root", "ext4", "ext4", czFS{fs: "EXTFS", blockSize: 4096, total: 131072, used: 440 + uint64(b.rng.IntN(120))})
	b.logf("%s", czStars)
}

func partNames(d *czDisk) []string {
	var out []string
	for _, p := range d.parts {
		out = append(out, p.name)
	}
	return out
}

// czLV is an LV of VG pve's metadata.
type czLV struct {
	name    string
	extents int64
	hidden  bool
	status  string // the status list
	skip    bool   // activation skip (PVE's templates and snapshots)
	created time.Time
	seg     string // the segment's type-specific lines
}

// vgConf is vgcfgbackup's text of VG pve at the save: swap, root, the thin
// pool and its thin LVs (the guests' disks, the templates', and VM 421's
// snapshot once the lab's PVE made it, 3 days 2 hours before now).
func (b *czBuild) vgConf(p czPart) string {
	const extent = 4 * mib
	hw := b.hw
	ext := func(bytes int64) int64 { return bytes / extent }
	rw, ro := `["READ", "WRITE", "VISIBLE"]`, `["READ", "VISIBLE"]`
	swap, root := ext(host.LVNamed("pve", "swap").Size), ext(host.LVNamed("pve", "root").Size)
	pool := ext(host.LVNamed("pve", "data").Size)
	meta := ext(host.PVETmetaSize)
	striped := func(at int64) string {
		return fmt.Sprintf("type = \"striped\"\n\t\t\t\tstripe_count = 1\t# linear\n\n\t\t\t\tstripes = [\n\t\t\t\t\t\"pv0\", %d\n\t\t\t\t]", at)
	}
	lvs := []czLV{
		{name: "swap", extents: swap, status: rw, created: hw.installed, seg: striped(0)},
		{name: "root", extents: root, status: rw, created: hw.installed.Add(2 * time.Second), seg: striped(swap)},
	}
	// The pool's thin LVs in the order PVE made them: the templates' and
	// the guests' disks a few days after the install, the snapshot when
	// the lab's PVE made it (none in an image saved before).
	var thins []host.LV
	var snaps []host.LV
	for _, r := range host.LVs() {
		switch {
		case r.VG != "pve" || r.Pool != "data":
		case r.Origin != "":
			if hw.snapshot.Before(b.clock) {
				snaps = append(snaps, r)
			}
		default:
			thins = append(thins, r)
		}
	}
	thins = append(thins, snaps...)
	lvs = append(lvs, czLV{name: "data", extents: pool, status: rw, created: hw.installed.Add(5 * time.Second),
		seg: fmt.Sprintf("type = \"thin-pool\"\n\t\t\t\tmetadata = \"data_tmeta\"\n\t\t\t\tpool = \"data_tdata\"\n\t\t\t\ttransaction_id = %d\n\t\t\t\tchunk_size = 128\t# 64 Kilobytes\n\t\t\t\tdiscards = \"passdown\"\n\t\t\t\tzero_new_blocks = 1", len(thins))})
	for i, t := range thins {
		// PVE makes templates' disks and snapshots read-only (lvs's "r")
		// and skipped at activation ("k").
		skip := strings.HasSuffix(t.Attr, "k")
		status := rw
		if strings.HasPrefix(t.Attr, "Vr") {
			status = ro
		}
		created := hw.installed.Add(time.Duration(26+12*i) * time.Hour)
		seg := fmt.Sprintf("type = \"thin\"\n\t\t\t\tthin_pool = \"data\"\n\t\t\t\ttransaction_id = %d\n\t\t\t\tdevice_id = %d", i, i+1)
		if t.Origin != "" {
			seg += fmt.Sprintf("\n\t\t\t\torigin = \"%s\"", t.Origin)
			created = hw.snapshot
		}
		lvs = append(lvs, czLV{name: t.LV, extents: ext(t.Size), status: status, skip: skip, created: created, seg: seg})
	}
	at := swap + root
	lvs = append(lvs,
		czLV{name: "data_tdata", extents: pool, hidden: true, status: `["READ", "WRITE"]`, created: hw.installed.Add(4 * time.Second), seg: striped(at)},
		czLV{name: "data_tmeta", extents: meta, hidden: true, status: `["READ", "WRITE"]`, created: hw.installed.Add(5 * time.Second), seg: striped(at + pool)},
		czLV{name: "lvol0_pmspare", extents: meta, hidden: true, status: `["READ", "WRITE"]`, created: hw.installed.Add(5 * time.Second), seg: striped(at + pool + meta)})

	now := b.clock.Add(-20 * time.Second)
	var s strings.Builder
	fmt.Fprintf(&s, "# Generated by LVM2 version %s: %s\n\n", czLVMVersion, now.Format("Mon Jan _2 15:04:05 2006"))
	fmt.Fprintf(&s, "contents = \"Text Format Volume Group\"\nversion = 1\n\n")
	fmt.Fprintf(&s, "description = \"vgcfgbackup -f /tmp/vgcfg_tmp.%s pve\"\n\n", b.tmpSuffix())
	fmt.Fprintf(&s, "creation_host = \"debian\"\t# Linux debian %s #1 SMP PREEMPT_DYNAMIC Debian %s (2025-02-08) x86_64\n", czKernel, strings.TrimSuffix(czKernel, "-amd64")+"-1")
	fmt.Fprintf(&s, "creation_time = %d\t# %s\n\n", now.Unix(), now.Format("Mon Jan _2 15:04:05 2006"))
	seqno := 13 + len(thins) // one more metadata change per thin LV
	fmt.Fprintf(&s, "pve {\n\tid = \"%s\"\n\tseqno = %d\n\tformat = \"lvm2\"\t\t\t# informational\n", czLVMID("vg pve"), seqno)
	fmt.Fprintf(&s, "\tstatus = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n\tflags = []\n\textent_size = 8192\t\t# 4 Megabytes\n")
	fmt.Fprintf(&s, "\tmax_lv = 0\n\tmax_pv = 0\n\tmetadata_copies = 0\n\n\tphysical_volumes {\n\n\t\tpv0 {\n")
	peCount := (p.len - 2048) / 8192
	fmt.Fprintf(&s, "\t\t\tid = \"%s\"\n\t\t\tdevice = \"/dev/%s\"\t# Hint only\n\n", host.NVMePVUUID, p.name)
	fmt.Fprintf(&s, "\t\t\tstatus = [\"ALLOCATABLE\"]\n\t\t\tflags = []\n\t\t\tdev_size = %d\t# %s\n\t\t\tpe_start = 2048\n\t\t\tpe_count = %d\t# %s\n\t\t}\n\t}\n\n",
		p.len, lvmHuman(p.len*512), peCount, lvmHuman(peCount*extent))
	fmt.Fprintf(&s, "\tlogical_volumes {\n")
	for _, lv := range lvs {
		flags := "[]"
		if lv.skip {
			flags = `["ACTIVATION_SKIP"]`
		}
		fmt.Fprintf(&s, "\n\t\t%s {\n\t\t\tid = \"%s\"\n\t\t\tstatus = %s\n\t\t\tflags = %s\n", lv.name, czLVMID("lv "+lv.name), lv.status, flags)
		fmt.Fprintf(&s, "\t\t\tcreation_time = %d\t# %s\n\t\t\tcreation_host = \"pve\"\n\t\t\tsegment_count = 1\n\n",
			lv.created.Unix(), lv.created.UTC().Format("2006-01-02 15:04:05 -0700"))
		fmt.Fprintf(&s, "\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = %d\t# %s\n\n\t\t\t\t%s\n\t\t\t}\n\t\t}\n",
			lv.extents, lvmHuman(lv.extents*extent), lv.seg)
	}
	s.WriteString("\t}\n\n}\n")
	return s.String()
}

// lvmHuman is a size as vgcfgbackup's comments give it: "958.984 Megabytes".
func lvmHuman(bytes int64) string {
	units := []string{"Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Petabytes"}
	v, i := float64(bytes)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'g', 6, 64) + " " + units[i]
}

// lsblkSize is a size as lsblk (and ocs-get-dev-info) prints it: binary
// units, one decimal unless whole ("1007K", "929.5G", "1.8T").
func lsblkSize(n int64) string {
	const units = "BKMGTPE"
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + "B"
	}
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + units[i:i+1]
}

// tables writes the block device lists and the disk's partition table in
// every form ocs-sr saves it.
func (b *czBuild) tables() {
	d := b.img.disk
	dir := b.dir()
	b.tick(time.Second, 2*time.Second)
	b.logf("Dumping the device mapper table in %s/dmraid.table...", dir)
	b.addText("dmraid.table", "# dmraid: dm\n")
	b.logf("Saving block devices info in %s/blkdev.list...", dir)
	b.addText("blkdev.list", czBlkdev())
	b.logf("Saving block devices attributes in %s/blkid.list...", dir)
	b.addText("blkid.list", czBlkid())
	b.logf("Checking the integrity of partition table in the disk /dev/%s... ", d.name())
	b.logf("Reading the partition table for /dev/%s...RETVAL=0", d.name())
	b.addText(d.name()+"-pt.sf", d.sfdisk())
	b.addText(d.name()+"-chs.sf", fmt.Sprintf("cylinders=%d\nheads=%d\nsectors=%d\n", d.sectors/(d.heads*d.spt), d.heads, d.spt))
	b.addText(d.name()+"-pt.parted", d.partedPrint(false))
	b.addText(d.name()+"-pt.parted.compact", d.partedPrint(true))
	mbr, first, second, backup := d.gpt()
	b.logf("%s", czStars)
	b.logf("Saving the primary GPT of %s as %s/%s-gpt-1st by dd...", d.name(), dir, d.name())
	b.logf("34+0 records in\n34+0 records out\n17408 bytes (17 kB, 17 KiB) copied, 0.000%d s, 70.1 MB/s", 100+b.rng.IntN(800))
	b.add(d.name()+"-gpt-1st", first, 0o644)
	b.logf("%s", czStars)
	b.logf("Saving the secondary GPT of %s as %s/%s-gpt-2nd by dd...", d.name(), dir, d.name())
	b.logf("32+0 records in\n32+0 records out\n16384 bytes (16 kB, 16 KiB) copied, 0.000%d s, 61.2 MB/s", 100+b.rng.IntN(800))
	b.add(d.name()+"-gpt-2nd", second, 0o644)
	b.logf("%s", czStars)
	b.logf("Saving the GPT of %s as %s/%s-gpt.gdisk by gdisk...", d.name(), dir, d.name())
	b.logf("The operation has completed successfully.")
	b.add(d.name()+"-gpt.gdisk", backup, 0o644)
	b.addText(d.name()+"-gpt.sgdisk", d.sgdisk())
	b.logf("%s", czStars)
	b.logf("done!")
	b.logf("Saving the MBR data for %s...", d.name())
	b.logf("1+0 records in\n1+0 records out\n512 bytes copied, 0.000%d s, 3.2 MB/s", 100+b.rng.IntN(800))
	b.add(d.name()+"-mbr", mbr, 0o644)
}

// sfdisk is `sfdisk -d` of the disk.
func (d *czDisk) sfdisk() string {
	var s strings.Builder
	fmt.Fprintf(&s, "label: gpt\nlabel-id: %s\ndevice: /dev/%s\nunit: sectors\nfirst-lba: 34\nlast-lba: %d\nsector-size: 512\n\n",
		d.labelID, d.name(), d.lastUsable())
	for _, p := range d.parts {
		fmt.Fprintf(&s, "/dev/%s : start=%12d, size=%12d, type=%s, uuid=%s\n", p.name, p.start, p.len, p.typeGUID, p.uuid)
	}
	return s.String()
}

// partedPrint is `parted -s DISK unit s print`, or `unit compact print`.
func (d *czDisk) partedPrint(compact bool) string {
	size := func(sectors int64) string { return strconv.FormatInt(sectors, 10) + "s" }
	disk := size(d.sectors)
	if compact {
		disk = partedCompact(d.sectors * 512)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Model: %s\nDisk /dev/%s: %s\nSector size (logical/physical): 512B/%dB\nPartition Table: gpt\nDisk Flags: \n\n",
		d.parted, d.name(), disk, d.physical)
	rows := [][]string{{"Number", "Start", "End", "Size", "File system", "Name", "Flags"}}
	for i, p := range d.parts {
		start, end, length := size(p.start), size(p.start+p.len-1), size(p.len)
		if compact {
			start, end, length = partedCompact(p.start*512), partedCompact((p.start+p.len)*512-1), partedCompact(p.len*512)
		}
		rows = append(rows, []string{fmt.Sprintf("%2d", i+1), start, end, length, p.partedFS, "", p.flags})
	}
	s.WriteString(columns(rows, "  "))
	s.WriteString("\n")
	return s.String()
}

// columnWidths is the widest cell of each column.
func columnWidths(rows [][]string) []int {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	return widths
}

// columns lays rows out as parted does: every column but the last padded
// to its widest cell, sep between them.
func columns(rows [][]string, sep string) string {
	widths := columnWidths(rows)
	var s strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i < len(r)-1 {
				fmt.Fprintf(&s, "%-*s%s", widths[i], c, sep)
			} else {
				s.WriteString(c)
			}
		}
		s.WriteString("\n")
	}
	return s.String()
}

// partedCompact is parted's compact unit: decimal, the largest unit that
// leaves at least 10 of it, three significant digits at least.
func partedCompact(n int64) string {
	for _, u := range []struct {
		name string
		size float64
	}{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}} {
		if float64(n) >= 10*u.size {
			v := float64(n) / u.size
			if v < 100 {
				return strconv.FormatFloat(v, 'f', 1, 64) + u.name
			}
			return strconv.FormatFloat(v, 'f', 0, 64) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// sgdisk is `sgdisk -p` of the disk.
func (d *czDisk) sgdisk() string {
	var s strings.Builder
	fmt.Fprintf(&s, "Disk /dev/%s: %d sectors, %s\nModel: %s\nSector size (logical/physical): 512/%d bytes\n",
		d.name(), d.sectors, gdiskSize(d.sectors*512), d.sysModel, d.physical)
	fmt.Fprintf(&s, "Disk identifier (GUID): %s\nPartition table holds up to 128 entries\n", d.labelID)
	fmt.Fprintf(&s, "Main partition table begins at sector 2 and ends at sector 33\nFirst usable sector is 34, last usable sector is %d\n", d.lastUsable())
	align := int64(2048)
	free, next := int64(0), int64(34)
	for _, p := range d.parts {
		for align > 1 && p.start%align != 0 {
			align /= 2
		}
		free += p.start - next
		next = p.start + p.len
	}
	free += d.lastUsable() + 1 - next
	fmt.Fprintf(&s, "Partitions will be aligned on %d-sector boundaries\nTotal free space is %d sectors (%s)\n\n", align, free, gdiskSize(free*512))
	s.WriteString("Number  Start (sector)    End (sector)  Size       Code  Name\n")
	for i, p := range d.parts {
		fmt.Fprintf(&s, "%4d  %14d  %14d   %-10s  %-4s  \n", i+1, p.start, p.start+p.len-1, gdiskSize(p.len*512), p.code)
	}
	return s.String()
}

// gdiskSize is gdisk's IEEE size: "1007.0 KiB", "1024.7 MiB", "929.5 GiB".
// gdisk divides in integers and takes the tenths from the remainder, in
// single precision.
func gdiskSize(n int64) string {
	const units = " KMGTPEZ"
	size, prev, i := n, n, 0
	for size > 1024 && i < len(units)-1 {
		i++
		prev = size
		size /= 1024
	}
	if i == 0 {
		return strconv.FormatInt(size, 10) + " bytes"
	}
	tenths := (float32(prev) - float32(size)*1024 + 51.2) / 102.4
	if tenths >= 10 {
		tenths = 0
		size++
	}
	return fmt.Sprintf("%d.%d %ciB", size, int(tenths), units[i])
}

// gpt makes the disk's first sector (a protective MBR after GRUB's boot
// code), the primary GPT (sectors 0–33), the last 32 sectors (backup
// entries from the fifth on, backup header) and sgdisk's backup file
// (MBR, both headers, the entries).
func (d *czDisk) gpt() (mbr, first, second, backup []byte) {
	le := binary.LittleEndian
	mbr = make([]byte, 512)
	rng := czRand(d.name() + " boot code")
	for i := 0; i < 440; i++ {
		mbr[i] = byte(rng.IntN(256))
	}
	copy(mbr[0x180:], "GRUB \x00Geom\x00Hard Disk\x00Read\x00 Error\r\n")
	copy(mbr[446:], []byte{0x00, 0x00, 0x02, 0x00, 0xee, 0xfe, 0xff, 0xff})
	le.PutUint32(mbr[454:], 1)
	le.PutUint32(mbr[458:], uint32(min(d.sectors-1, 0xffffffff)))
	mbr[510], mbr[511] = 0x55, 0xaa

	entries := make([]byte, 128*128)
	for i, p := range d.parts {
		e := entries[i*128:]
		copy(e, guidBytes(p.typeGUID))
		copy(e[16:], guidBytes(p.uuid))
		le.PutUint64(e[32:], uint64(p.start))
		le.PutUint64(e[40:], uint64(p.start+p.len-1))
	}
	header := func(self, other, table int64) []byte {
		h := make([]byte, 512)
		copy(h, "EFI PART")
		le.PutUint32(h[8:], 0x00010000)
		le.PutUint32(h[12:], 92)
		le.PutUint64(h[24:], uint64(self))
		le.PutUint64(h[32:], uint64(other))
		le.PutUint64(h[40:], 34)
		le.PutUint64(h[48:], uint64(d.lastUsable()))
		copy(h[56:], guidBytes(d.labelID))
		le.PutUint64(h[72:], uint64(table))
		le.PutUint32(h[80:], 128)
		le.PutUint32(h[84:], 128)
		le.PutUint32(h[88:], crc32.ChecksumIEEE(entries))
		le.PutUint32(h[16:], crc32.ChecksumIEEE(h[:92]))
		return h
	}
	primary := header(1, d.sectors-1, 2)
	secondary := header(d.sectors-1, 1, d.sectors-33)
	first = append(append(append([]byte{}, mbr...), primary...), entries...)
	second = append(append([]byte{}, entries[512:]...), secondary...)
	backup = append(append(append(append([]byte{}, mbr...), primary...), secondary...), entries...)
	return mbr, first, second, backup
}

// guidBytes is a GUID as GPT stores it: the first three fields little endian.
func guidBytes(g string) []byte {
	b, _ := hex.DecodeString(strings.ReplaceAll(g, "-", "")) // the tables' GUIDs are well formed
	for _, r := range [][2]int{{0, 3}, {1, 2}, {4, 5}, {6, 7}} {
		b[r[0]], b[r[1]] = b[r[1]], b[r[0]]
	}
	return b
}

// czBlkdev is lsblk's listing of Clonezilla Live's machine (blkdev.list):
// the live system's loop device, the HDD, the Live USB stick, the images
// drive mounted on /home/partimag, and the SSD with the host's LVs active
// but for those that skip activation.
func czBlkdev() string {
	type dev struct {
		kname, name      string
		size             int64
		typ, fstype, mnt string
		model            string
		children         []dev
	}
	lvm := func(kname, name string, size int64, fstype string, kids ...dev) dev {
		return dev{kname: kname, name: name, size: size, typ: "lvm", fstype: fstype, children: kids}
	}
	pool := host.LVNamed("pve", "data").Size
	thin := []dev{lvm("dm-5", "pve-data", pool, "")}
	for _, r := range host.LVs() {
		if r.VG == "pve" && r.Pool == "data" && r.Attr[4] == 'a' { // active
			thin = append(thin, lvm(fmt.Sprintf("dm-%d", 5+len(thin)), "pve-"+strings.ReplaceAll(r.LV, "-", "--"), r.Size, ""))
		}
	}
	tpool := lvm("dm-4", "pve-data-tpool", pool, "", thin...)
	ssd := seedDisk("S5GXNX0T")
	hdd := seedDisk("ZFL1ABCD")
	images := seedDisk("NB2K5678")
	devs := []dev{
		{kname: "loop0", name: "loop0", size: 406519808, typ: "loop", fstype: "squashfs", mnt: "/usr/lib/live/mount/rootfs/filesystem.squashfs"},
		{kname: "sda", name: "sda", size: hdd.Size, typ: "disk", model: hdd.Model, children: []dev{
			{kname: "sda1", name: "sda1", size: hdd.Parts[0].Size, typ: "part", fstype: "ext4"}}},
		{kname: "sdb", name: "sdb", size: 15376318464, typ: "disk", fstype: "iso9660", model: "Cruzer Blade", children: []dev{
			{kname: "sdb1", name: "sdb1", size: 512753664, typ: "part", fstype: "iso9660", mnt: "/usr/lib/live/mount/medium"},
			{kname: "sdb2", name: "sdb2", size: 5242880, typ: "part", fstype: "vfat"}}},
		{kname: "sdc", name: "sdc", size: images.Size, typ: "disk", model: images.Model, children: []dev{
			{kname: "sdc1", name: "sdc1", size: images.Parts[0].Size, typ: "part", fstype: "ext4", mnt: czRepo}}},
		{kname: "nvme0n1", name: "nvme0n1", size: ssd.Size, typ: "disk", model: ssd.Model, children: []dev{
			{kname: "nvme0n1p1", name: "nvme0n1p1", size: ssd.Parts[0].Size, typ: "part"},
			{kname: "nvme0n1p2", name: "nvme0n1p2", size: ssd.Parts[1].Size, typ: "part", fstype: "vfat"},
			{kname: "nvme0n1p3", name: "nvme0n1p3", size: ssd.Parts[2].Size, typ: "part", fstype: "LVM2_member", children: []dev{
				lvm("dm-0", "pve-swap", host.LVNamed("pve", "swap").Size, "swap"),
				lvm("dm-1", "pve-root", host.LVNamed("pve", "root").Size, "ext4"),
				lvm("dm-2", "pve-data_tmeta", host.PVETmetaSize, "", tpool),
				lvm("dm-3", "pve-data_tdata", pool, "", tpool)}}}},
	}
	rows := [][]string{{"KNAME", "NAME", "SIZE", "TYPE", "FSTYPE", "MOUNTPOINT", "MODEL"}}
	var walk func(ds []dev, prefix string)
	walk = func(ds []dev, prefix string) {
		for i, d := range ds {
			branch, more := "", ""
			if prefix != "\x00" {
				branch, more = "|-", "| "
				if i == len(ds)-1 {
					branch, more = "`-", "  "
				}
			}
			p := strings.TrimPrefix(prefix, "\x00")
			rows = append(rows, []string{d.kname, p + branch + d.name, lsblkSize(d.size), d.typ, d.fstype, d.mnt, d.model})
			walk(d.children, p+more)
		}
	}
	walk(devs, "\x00")
	// lsblk right-aligns SIZE and pads every column but the last.
	widths := columnWidths(rows)
	var s strings.Builder
	for _, r := range rows {
		for i, c := range r {
			switch {
			case i == len(r)-1:
				s.WriteString(c)
			case i == 2:
				fmt.Fprintf(&s, "%*s ", widths[i], c)
			default:
				fmt.Fprintf(&s, "%-*s ", widths[i], c)
			}
		}
		s.WriteString("\n")
	}
	return s.String()
}

// czBlkid is blkid's listing of the same machine (blkid.list).
func czBlkid() string {
	guids := czDiskParts()
	esp := host.PartNamed("nvme0n1p2")
	lines := []string{
		fmt.Sprintf(`/dev/mapper/pve-root: UUID="%s" BLOCK_SIZE="4096" TYPE="ext4"`, host.PVERootUUID),
		fmt.Sprintf(`/dev/mapper/pve-swap: UUID="%s" TYPE="swap"`, host.PVESwapUUID),
	}
	for _, vm := range []int{411, 421, 422, 431} {
		lines = append(lines, fmt.Sprintf(`/dev/mapper/pve-vm--%d--disk--0: PTUUID="%s" PTTYPE="gpt"`, vm, strings.ToLower(czGUID(fmt.Sprintf("vm-%d-disk-0", vm)))))
	}
	lines = append(lines,
		fmt.Sprintf(`/dev/nvme0n1p1: PARTUUID="%s"`, strings.ToLower(guids["nvme0n1p1"])),
		fmt.Sprintf(`/dev/nvme0n1p2: UUID="%s" BLOCK_SIZE="512" TYPE="vfat" PARTUUID="%s"`, esp.UUID, strings.ToLower(guids["nvme0n1p2"])),
		fmt.Sprintf(`/dev/nvme0n1p3: UUID="%s" TYPE="LVM2_member" PARTUUID="%s"`, host.NVMePVUUID, strings.ToLower(guids["nvme0n1p3"])),
		fmt.Sprintf(`/dev/sda1: UUID="%s" BLOCK_SIZE="4096" TYPE="ext4" PARTUUID="%s"`, host.HDDFSUUID, strings.ToLower(guids["sda1"])),
		`/dev/sdb1: BLOCK_SIZE="2048" UUID="2025-02-10-07-52-19-00" LABEL="CLONEZILLA" TYPE="iso9660" PARTLABEL="ISO9660" PARTUUID="6e1b3c2a-0000-4d2e-9c11-5a7f3b2e9d40"`,
		`/dev/sdb2: SEC_TYPE="msdos" LABEL_FATBOOT="CZ-EFI" LABEL="CZ-EFI" UUID="67B4-1F2A" BLOCK_SIZE="512" TYPE="vfat" PARTLABEL="Appended2" PARTUUID="6e1b3c2a-0000-4d2e-9c11-5a7f3b2e9d41"`,
		`/dev/sdc1: LABEL="cz-images" UUID="5f0c2a1e-8b3d-4c7e-9a61-2d4f8e0b7c35" BLOCK_SIZE="4096" TYPE="ext4" PARTUUID="b7e1d3c4-01"`,
		`/dev/loop0: BLOCK_SIZE="131072" TYPE="squashfs"`,
	)
	return strings.Join(lines, "\n") + "\n"
}

// czDiskParts maps both disks' partitions to their GUIDs.
func czDiskParts() map[string]string {
	ssd, hdd := czDisks()
	out := map[string]string{}
	for _, d := range []*czDisk{ssd, hdd} {
		for _, p := range d.parts {
			out[p.name] = p.uuid
		}
	}
	return out
}

// sums writes MD5SUMS, then SHA1SUMS, over the files there are when ocs-sr
// makes them (`md5sum * > MD5SUMS` in the image directory: sorted, the
// checksum file itself not in it).
func (b *czBuild) sums() {
	for _, s := range []struct {
		file string
		sum  func([]byte) []byte
	}{
		{"MD5SUMS", func(p []byte) []byte { h := md5.Sum(p); return h[:] }},
		{"SHA1SUMS", func(p []byte) []byte { h := sha1.Sum(p); return h[:] }},
	} {
		b.logf("Generating %s for image %s. This might take a while...", s.file, b.img.name)
		files := append([]czFile{}, b.files...)
		sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
		var out strings.Builder
		for _, f := range files {
			fmt.Fprintf(&out, "%x  %s\n", s.sum(f.data), f.name)
		}
		secs := 0.05 + b.rng.Float64()/5
		b.logf("\nreal\t0m%.3fs\nuser\t0m%.3fs\nsys\t0m0.0%02ds", secs, secs*0.8, b.rng.IntN(60))
		b.tick(time.Second, 2*time.Second)
		b.addText(s.file, out.String())
	}
}

// infos writes the Info-* files, the save log and the image's size and id,
// last, as ocs-sr does.
func (b *czBuild) infos() {
	d := b.img.disk
	hw := b.hw
	stamp := b.clock.Format("2006-0102-1504")
	b.addText("Info-dmi.txt", "This image was saved from this machine with DMI info at "+stamp+":\n"+hw.dmi)
	b.addText("Info-lshw.txt", "This image was saved from this machine with hardware info at "+stamp+":\n"+hw.lshw)
	b.addText("Info-lspci.txt", "This image was saved from this machine with PCI info at "+stamp+":\n"+hw.lspci)
	b.addText("Info-smart.txt", "This image was saved from this machine with hard drive S.M.A.R.T. info at "+stamp+":\n"+
		czStars+"\nFor the drive: /dev/"+d.name()+"\n"+czSmart(d, b.clock, hw))
	b.addText("Info-OS-prober.txt", "This OS-related info was saved from this machine with os-prober at "+stamp+":\n"+
		"/dev/mapper/pve-root:Debian GNU/Linux 12 (bookworm):Debian:linux\n"+czStars+"\n"+
		"This Linux boot related info was saved from this machine with linux-boot-prober at "+stamp+":\n"+
		"/dev/mapper/pve-root:/dev/nvme0n1p2::/boot/vmlinuz-6.8.12-9-pve:/boot/initrd.img-6.8.12-9-pve:root=/dev/mapper/pve-root ro quiet\n")
	b.addText("Info-packages.txt", "Image was saved by these Clonezilla-related packages:\n"+czPackages+"\n")
	b.addText("Info-saved-by-cmd.txt", fmt.Sprintf("/usr/sbin/ocs-sr -q2 -j2 -z9p -i 4096 -sfsck -senc -gs -gm -p poweroff savedisk %s SERIALNO=%s\n",
		b.img.name, d.seed.Serial))
	b.tick(2*time.Second, 4*time.Second)
	b.logf("%s", czStars)
	b.logf("This image was saved successfully: %s", b.img.name)
	b.logf("Ending /usr/sbin/ocs-sr at %s UTC...", b.clock.Format("2006-01-02 15:04:05"))
	saved := fmt.Sprintf("This image was saved by Clonezilla at %s UTC.\nThe log during saving:\n----------------------------------------------------------\n",
		b.clock.Format("2006-01-02 15:04:05"))
	log := []byte(saved + strings.Join(b.log, "\n") + "\n")
	b.add("clonezilla-img", log, 0o644)
	var du int64 = 4096 // the directory itself
	for _, f := range b.files {
		du += (int64(len(f.data)) + 4095) / 4096 * 4096
	}
	b.addText("Info-img-size.txt", fmt.Sprintf("Image size (Bytes):\n%s\t%s\n", duHuman(du), b.dir()))
	id := sha512.Sum512(log)
	b.addText("Info-img-id.txt", "# This checksum is only for identifying the image. Created by the command: sha512sum clonezilla-img\nIMG_ID="+hex.EncodeToString(id[:])+"\n")
}

// duHuman is `du -h`: binary units rounded up, one decimal below 10.
func duHuman(n int64) string {
	const units = "KMGTPE"
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v < 10 {
		v = float64(int64(v*10+0.999999)) / 10
		if v < 10 {
			return strconv.FormatFloat(v, 'f', 1, 64) + units[i:i+1]
		}
	}
	return strconv.FormatInt(int64(v+0.999999), 10) + units[i:i+1]
}

// czHW is what the images say of the host beyond its disks.
type czHW struct {
	installed time.Time // Proxmox VE was installed (the LVs' creation)
	snapshot  time.Time // the lab's PVE made VM 421's snapshot
	dmi       string
	lshw      string
	lspci     string
}

// czHardware is the host: a small-form-factor office PC (invented),
// installed a year and a quarter before now.
func czHardware(now time.Time) czHW {
	inst := now.AddDate(-1, -3, 0).UTC()
	inst = time.Date(inst.Year(), inst.Month(), inst.Day(), 10, 32, 5, 0, time.UTC)
	return czHW{
		installed: inst,
		snapshot:  now.Add(-3*24*time.Hour - 2*time.Hour),
		dmi: `# dmidecode 3.6
Getting SMBIOS data from sysfs.
SMBIOS 3.2.0 present.

Handle 0x0000, DMI type 0, 26 bytes
BIOS Information
	Vendor: LENOVO
	Version: M1UKT4BA
	Release Date: 06/27/2024
	ROM Size: 16 MB
	BIOS Revision: 4.11

Handle 0x0001, DMI type 1, 27 bytes
System Information
	Manufacturer: LENOVO
	Product Name: 10ST001QGE
	Version: ThinkCentre M720s
	Serial Number: PC1K7Q2M
	UUID: 5a3e1c4d-2b6f-11ea-8c1d-98fa9b4e2c71
	Wake-up Type: Power Switch
	SKU Number: LENOVO_MT_10ST_BU_Think_FM_ThinkCentre M720s
	Family: ThinkCentre M720s

Handle 0x0002, DMI type 2, 15 bytes
Base Board Information
	Manufacturer: LENOVO
	Product Name: 3132
	Version: SDK0J40697 WIN 3305209010451
	Serial Number: L1HF9AB01CE

Handle 0x0004, DMI type 4, 48 bytes
Processor Information
	Socket Designation: U3E1
	Type: Central Processor
	Family: Core i5
	Manufacturer: Intel(R) Corporation
	Version: Intel(R) Core(TM) i5-9500 CPU @ 3.00GHz
	Max Speed: 4400 MHz
	Current Speed: 3000 MHz
	Core Count: 6
	Core Enabled: 6
	Thread Count: 6
`,
		lshw: `pve
    description: Desktop Computer
    product: 10ST001QGE (LENOVO_MT_10ST_BU_Think_FM_ThinkCentre M720s)
    vendor: LENOVO
    version: ThinkCentre M720s
    serial: PC1K7Q2M
    width: 64 bits
  *-core
       description: Motherboard
       product: 3132
       vendor: LENOVO
     *-memory
          description: System Memory
          size: 64GiB
     *-cpu
          product: Intel(R) Core(TM) i5-9500 CPU @ 3.00GHz
          vendor: Intel Corp.
          size: 3000MHz
          configuration: cores=6 enabledcores=6 threads=6
     *-nvme
          description: NVMe device
          product: Samsung SSD 980 PRO 1TB
          serial: S5GXNX0T
          logical name: /dev/nvme0
     *-sata
          description: SATA controller
          product: Cannon Lake PCH SATA AHCI Controller
        *-disk
             description: ATA Disk
             product: ST2000DM008-2FR1
             serial: ZFL1ABCD
             logical name: /dev/sda
     *-network
          description: Ethernet interface
          product: Ethernet Connection (7) I219-V
          logical name: eth0
`,
		lspci: `'lspci' results:
00:00.0 Host bridge: Intel Corporation 8th/9th Gen Core 8-core Desktop Processor Host Bridge/DRAM Registers [Coffee Lake S] (rev 0d)
00:02.0 VGA compatible controller: Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630] (rev 02)
00:14.0 USB controller: Intel Corporation Cannon Lake PCH USB 3.1 xHCI Host Controller (rev 10)
00:17.0 SATA controller: Intel Corporation Cannon Lake PCH SATA AHCI Controller (rev 10)
00:1b.0 PCI bridge: Intel Corporation Cannon Lake PCH PCI Express Root Port #21 (rev f0)
00:1f.0 ISA bridge: Intel Corporation Q370 Chipset LPC/eSPI Controller (rev 10)
00:1f.6 Ethernet controller: Intel Corporation Ethernet Connection (7) I219-V (rev 10)
01:00.0 Non-Volatile memory controller: Samsung Electronics Co Ltd NVMe SSD Controller PM9A1/PM9A3/980PRO
*****************************************************.
'lspci -n' results:
00:00.0 0600: 8086:3e31 (rev 0d)
00:02.0 0300: 8086:3e92 (rev 02)
00:14.0 0c03: 8086:a36d (rev 10)
00:17.0 0106: 8086:a352 (rev 10)
00:1b.0 0604: 8086:a32c (rev f0)
00:1f.0 0601: 8086:a306 (rev 10)
00:1f.6 0200: 8086:15bc (rev 10)
01:00.0 0108: 144d:a80a
`,
	}
}

// czSmart is `smartctl -a` of the disk at the save: a healthy reading,
// its power-on hours counted from the install.
func czSmart(d *czDisk, at time.Time, hw czHW) string {
	hours := int(at.Sub(hw.installed).Hours()) + 1712 // used before the install
	local := at.Format("Mon Jan _2 15:04:05 2006 UTC")
	head := czSmartctl + "\nCopyright (C) 2002-23, Bruce Allen, Christian Franke, www.smartmontools.org\n\n=== START OF INFORMATION SECTION ===\n"
	if d.seed.Tran == "nvme" {
		return head + fmt.Sprintf(`Model Number:                       %s
Serial Number:                      %s
Firmware Version:                   5B2QGXA7
PCI Vendor/Subsystem ID:            0x144d
IEEE OUI Identifier:                0x002538
Total NVM Capacity:                 1,000,204,886,016 [1.00 TB]
Unallocated NVM Capacity:           0
Controller ID:                      6
NVMe Version:                       1.3
Number of Namespaces:               1
Namespace 1 Size/Capacity:          1,000,204,886,016 [1.00 TB]
Namespace 1 Utilization:            331,708,219,392 [331 GB]
Namespace 1 Formatted LBA Size:     512
Namespace 1 IEEE EUI-64:            002538 5b11a0e1b2
Local Time is:                      %s
Firmware Updates (0x16):            3 Slots, no Reset required
Optional Admin Commands (0x0017):   Security Format Frmw_DL Self_Test
Optional NVM Commands (0x0057):     Comp Wr_Unc DS_Mngmt Sav/Sel_Feat Timestmp
Log Page Attributes (0x2f):         S/H_per_NS Cmd_Eff_Lg Ext_Get_Lg Telmtry_Lg Log0_FISE_MI
Maximum Data Transfer Size:         128 Pages
Warning  Comp. Temp. Threshold:     82 Celsius
Critical Comp. Temp. Threshold:     85 Celsius

=== START OF SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED

SMART/Health Information (NVMe Log 0x02)
Critical Warning:                   0x00
Temperature:                        36 Celsius
Available Spare:                    100%%
Available Spare Threshold:          10%%
Percentage Used:                    3%%
Data Units Read:                    41,825,117 [21.4 TB]
Data Units Written:                 58,204,963 [29.8 TB]
Host Read Commands:                 402,117,806
Host Write Commands:                1,104,391,275
Controller Busy Time:               2,214
Power Cycles:                       61
Power On Hours:                     %d
Unsafe Shutdowns:                   9
Media and Data Integrity Errors:    0
Error Information Log Entries:      0
Warning  Comp. Temperature Time:    0
Critical Comp. Temperature Time:    0

Error Information (NVMe Log 0x01, 16 of 64 entries)
No Errors Logged

`, d.seed.Model, d.seed.Serial, local, hours)
	}
	return head + fmt.Sprintf(`Model Family:     Seagate BarraCuda 3.5 (SMR)
Device Model:     %s
Serial Number:    %s
LU WWN Device Id: 5 000c50 0c1234567
Firmware Version: 0001
User Capacity:    2,000,398,934,016 bytes [2.00 TB]
Sector Sizes:     512 bytes logical, 4096 bytes physical
Rotation Rate:    7200 rpm
Form Factor:      3.5 inches
Device is:        In smartctl database 7.3/5528
ATA Version is:   ACS-4 T13/BSR INCITS 529 revision 5
SATA Version is:  SATA 3.1, 6.0 Gb/s (current: 6.0 Gb/s)
Local Time is:    %s
SMART support is: Available - device has SMART capability.
SMART support is: Enabled

=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED

SMART Attributes Data Structure revision number: 10
Vendor Specific SMART Attributes with Thresholds:
ID# ATTRIBUTE_NAME          FLAG     VALUE WORST THRESH TYPE      UPDATED  WHEN_FAILED RAW_VALUE
  1 Raw_Read_Error_Rate     0x000f   080   064   006    Pre-fail  Always       -       104831552
  3 Spin_Up_Time            0x0003   097   096   000    Pre-fail  Always       -       0
  4 Start_Stop_Count        0x0032   100   100   020    Old_age   Always       -       74
  5 Reallocated_Sector_Ct   0x0033   100   100   010    Pre-fail  Always       -       0
  7 Seek_Error_Rate         0x000f   087   060   045    Pre-fail  Always       -       482113906
  9 Power_On_Hours          0x0032   %03d   %03d   000    Old_age   Always       -       %d
 10 Spin_Retry_Count        0x0013   100   100   097    Pre-fail  Always       -       0
 12 Power_Cycle_Count       0x0032   100   100   020    Old_age   Always       -       74
187 Reported_Uncorrect      0x0032   100   100   000    Old_age   Always       -       0
188 Command_Timeout         0x0032   100   100   000    Old_age   Always       -       0 0 0
190 Airflow_Temperature_Cel 0x0022   066   054   040    Old_age   Always       -       34 (Min/Max 22/46)
194 Temperature_Celsius     0x0022   034   046   000    Old_age   Always       -       34 (0 20 0 0 0)
197 Current_Pending_Sector  0x0012   100   100   000    Old_age   Always       -       0
198 Offline_Uncorrectable   0x0010   100   100   000    Old_age   Offline      -       0
199 UDMA_CRC_Error_Count    0x003e   200   200   000    Old_age   Always       -       0

SMART Error Log Version: 1
No Errors Logged

`, d.seed.Model, d.seed.Serial, local, 100-hours/876, 100-hours/876, hours)
}

// writeCzImage writes an image's files into a hidden directory beside the
// final one, then renames it, so that no half-written image is ever seen
// under the image's name. Files and directory get the modes and times
// ocs-sr gives them.
func writeCzImage(dir string, img czImage, files []czFile) (string, error) {
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

// seedDisk is a disk of the seed host; the images name only those it has.
func seedDisk(serial string) host.Disk {
	d, ok := host.DiskBySerial(serial)
	if !ok {
		panic("lab: no host disk " + serial) // the seed tables name them
	}
	return d
}
