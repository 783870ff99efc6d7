package images

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// rawStream is partclone.dd's copy of the BIOS boot partition: GRUB's core
// image at its start (here invented bytes), zeros after.
func (b *build) rawStream(p partition) {
	dev := "/dev/" + p.name
	size := p.len * 512
	raw := make([]byte, size)
	core := 48<<10 + b.rng.IntN(24<<10)
	b.fillMixed(raw[:core], 0.7)
	copy(raw[0x1f0:], "GRUB \x00Geom\x00Hard Disk\x00Read\x00 Error\r\n")
	b.devfs = append(b.devfs, fmt.Sprintf("%s bios_grub %s\n", dev, lsblkSize(size)))
	b.logf("Starting saving %s as %s/%s.XXX...", dev, b.dir(), p.name)
	b.logf("%s filesystem: bios_grub.", dev)
	b.logf("%s", stars)
	file := b.partcloneRun(dev, p.name, "dd")
	b.logf("Partclone v%s http://partclone.org", partcloneVersion)
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

// filesystem is the small invented filesystem of a partclone stream.
type filesystem struct {
	fs          string // partclone's name: "EXTFS", "FAT32"
	blockSize   uint32
	total, used uint64 // blocks
}

// ptclStream images a filesystem with partclone.<tag>.
func (b *build) ptclStream(dev, tag, devFS string, f filesystem) {
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
	b.logf("%s", stars)
	file := b.partcloneRun(dev, name, tag)
	bitmap := (f.total + 7) / 8
	b.logf("Partclone v%s http://partclone.org", partcloneVersion)
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
		// before compression (see Write).
		k := f.used / 2
		data[dataStart(f)+int(k)*int(f.blockSize)+int(k/blocksPerCRC(f))*4+77] ^= 0xff
	}
	b.stream(dev, file, data)
}

// partcloneRun logs ocs-sr's lines before partclone runs and returns the
// stream's file name.
func (b *build) partcloneRun(dev, name, tag string) string {
	file := name + "." + tag + "-ptcl-img.zst"
	b.logf("%s", stars)
	b.logf("Use partclone with zstdmt to save the image.")
	b.logf("Image file will be split with size limit 4096 MB.")
	b.logf("%s", stars)
	b.logf("If this action fails or hangs, check:")
	b.logf("* Is the disk full ?")
	b.logf("%s", stars)
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
func (b *build) partcloneSizes(total, used uint64, bs uint32) {
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
func (b *build) stream(dev, file string, data []byte) {
	var z bytes.Buffer
	b.enc.Reset(&z)
	_, _ = b.enc.Write(data) // a bytes.Buffer takes everything
	_ = b.enc.Close()
	secs := 1.2 + float64(len(data))/40e6 + b.rng.Float64()
	b.clock = b.clock.Add(time.Duration(secs * float64(time.Second))).Truncate(time.Second)
	b.add(file+".aa", z.Bytes(), 0o600)
	b.logf(">>> Time elapsed: %.2f secs (~ %s mins)", secs, bcMinutes(secs))
	b.logf("%s", stars)
	b.logf("Finished saving %s as %s/%s", dev, b.dir(), file)
	b.logf("%s", stars)
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
