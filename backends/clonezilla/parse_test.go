package clonezilla

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math"
	"strings"
	"testing"
)

func TestParseStreamName(t *testing.T) {
	for _, c := range []struct {
		name                           string
		ok                             bool
		dev, fs, comp, format, base, s string
	}{
		{"sda1.ext4-ptcl-img.zst.aa", true, "sda1", "ext4", "zst", formatPartclone, "sda1.ext4-ptcl-img.zst", "aa"},
		{"loop0p2.ext4-ptcl-img.gz.ad", true, "loop0p2", "ext4", "gz", formatPartclone, "loop0p2.ext4-ptcl-img.gz", "ad"},
		{"loop0p1.vfat-ptcl-img.zst", true, "loop0p1", "vfat", "zst", formatPartclone, "loop0p1.vfat-ptcl-img.zst", ""},
		{"pve-vm-100-disk-0.dd-ptcl-img.zst.aa", true, "pve-vm-100-disk-0", "dd", "zst", formatRaw, "pve-vm-100-disk-0.dd-ptcl-img.zst", "aa"},
		{"nvme0n1p2.xfs-ptcl-img.uncomp.ab", true, "nvme0n1p2", "xfs", "uncomp", formatPartclone, "nvme0n1p2.xfs-ptcl-img.uncomp", "ab"},
		{"sda2.ntfs-img.aa", true, "sda2", "ntfs", "", formatNTFSClone, "sda2.ntfs-img", "aa"},
		{"sda3.dd-img.aa", true, "sda3", "dd", "", formatDDImg, "sda3.dd-img", "aa"},
		{"sda1.ext4-img.aa", true, "sda1", "ext4", "", formatPartclone, "sda1.ext4-img", "aa"},
		{"sda1.ext4-ptcl-img.rar.aa", false, "", "", "", "", "", ""},
		{"MD5SUMS", false, "", "", "", "", "", ""},
		{"lvm_pve.conf", false, "", "", "", "", "", ""},
		{"swappt-pve-swap.info", false, "", "", "", "", "", ""},
	} {
		s, ok := parseStreamName(c.name)
		if ok != c.ok || s.Dev != c.dev || s.FS != c.fs || s.Comp != c.comp || s.Format != c.format || s.Base != c.base || s.Suffix != c.s {
			t.Errorf("%s: %+v %v", c.name, s, ok)
		}
	}
	for i, s := range map[int]string{0: "aa", 1: "ab", 25: "az", 26: "ba", 675: "zz"} {
		if suffixAt(i) != s || suffixIndex(s) != i {
			t.Errorf("suffix %d ↔ %s: %s, %d", i, s, suffixAt(i), suffixIndex(s))
		}
	}
	for part, disk := range map[string]string{"sda1": "sda", "nvme0n1p2": "nvme0n1", "loop0p2": "loop0", "mmcblk0p1": "mmcblk0", "cciss-c0d0p1": "cciss-c0d0", "vdb12": "vdb"} {
		if got := parentDisk(part); got != disk {
			t.Errorf("parentDisk(%s) = %s, want %s", part, got, disk)
		}
	}
}

func TestSniff(t *testing.T) {
	for comp, head := range map[string][]byte{
		"zst": {0x28, 0xb5, 0x2f, 0xfd, 4}, "gz": {0x1f, 0x8b, 8}, "bz2": []byte("BZh9"),
		"xz": {0xfd, '7', 'z', 'X', 'Z', 0}, "lz4": {4, 0x22, 0x4d, 0x18}, "uncomp": []byte(ptclMagic), "": []byte("hello"),
	} {
		if got := sniff(head); got != comp {
			t.Errorf("sniff(%x) = %q, want %q", head, got, comp)
		}
	}
}

// An MBR disk's sfdisk dump (constructed in sfdisk -d's format).
const mbrDump = `label: dos
label-id: 0x1d2c3b4a
device: /dev/sdb
unit: sectors
sector-size: 512

/dev/sdb1 : start=        2048, size=     1048576, type=83, bootable
/dev/sdb2 : start=     1050624, size=     2097152, type=82
/dev/sdb3 : start=     3147776, size=     4194304, type=5
/dev/sdb5 : start=     3149824, size=     4192256, type=8e
`

func TestParseSfdisk(t *testing.T) {
	pt, err := parseSfdisk(mbrDump)
	if err != nil || pt.Label != "dos" || pt.Device != "/dev/sdb" || len(pt.Parts) != 4 {
		t.Fatalf("%+v %v", pt, err)
	}
	if p := pt.Parts[0]; p.Name != "sdb1" || p.Start != 2048 || p.Bytes(pt.SectorSize) != 512<<20 || p.Swap() {
		t.Errorf("sdb1 %+v", p)
	}
	if !pt.Parts[1].Swap() || !pt.Parts[2].Extended() || !pt.Parts[3].LVM() {
		t.Errorf("types %+v", pt.Parts)
	}
	gpt, err := parseSfdisk(`label: gpt
sector-size: 4096

/dev/nvme0n1p1 : start=256, size=131072, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=X, name="EFI, system"
/dev/nvme0n1p2 : start=131328, size=262144, type=0657fd6d-a4ab-43c4-84e5-0933c84b4f4f
`)
	if err != nil || len(gpt.Parts) != 2 || gpt.Parts[0].Bytes(gpt.SectorSize) != 512<<20 || !gpt.Parts[1].Swap() {
		t.Errorf("gpt %+v %v", gpt, err)
	}
	if _, err := parseSfdisk("garbage\n"); err == nil {
		t.Error("garbage parsed as a partition table")
	}
}

// A healthy drive's smartctl -a (abridged, in smartctl 7.3's format).
const healthySMART = `This image was saved from this machine with hard drive S.M.A.R.T. info at 2026-1201-0400:
*****************************************************.
For the drive: /dev/sda
smartctl 7.3 2022-02-28 r5338 [x86_64-linux-6.1.0-27-amd64] (local build)
Copyright (C) 2002-22, Bruce Allen, Christian Franke, www.smartmontools.org

=== START OF INFORMATION SECTION ===
Model Family:     Samsung based SSDs
Device Model:     Samsung SSD 870 EVO 1TB
Serial Number:    S6PTNZ0R123456A
User Capacity:    1,000,204,886,016 bytes [1.00 TB]
Sector Size:      512 bytes logical/physical

=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED
*****************************************************.
For the drive: /dev/nvme0n1
smartctl 7.3 2022-02-28 r5338 [x86_64-linux-6.1.0-27-amd64] (local build)

=== START OF INFORMATION SECTION ===
Model Number:                       WD Red SN700 2000GB
Serial Number:                      22411N800123
Total NVM Capacity:                 2,000,398,934,016 [2.00 TB]

=== START OF SMART DATA SECTION ===
SMART overall-health self-assessment test result: FAILED!
`

func TestParseInfoSMART(t *testing.T) {
	s := parseInfoSMART(healthySMART)
	if len(s) != 2 {
		t.Fatalf("%+v", s)
	}
	if s[0].Drive != "sda" || s[0].Model != "Samsung SSD 870 EVO 1TB" || s[0].Serial != "S6PTNZ0R123456A" ||
		s[0].Bytes != 1000204886016 || s[0].Verdict != "PASSED" || s[0].Line() != "SMART overall-health self-assessment test result: PASSED" {
		t.Errorf("sda %+v", s[0])
	}
	if s[1].Drive != "nvme0n1" || s[1].Model != "WD Red SN700 2000GB" || s[1].Bytes != 2000398934016 || s[1].Summary() != "FAILED!" {
		t.Errorf("nvme %+v", s[1])
	}
	// What a loop device gives (FORMAT.md appendix).
	loop := parseInfoSMART("For the drive: /dev/loop0\nsmartctl 7.3 2022-02-28 r5338 [x86_64-linux-6.18.44-fc-v782] (local build)\n" +
		"Copyright (C) 2002-22, Bruce Allen, Christian Franke, www.smartmontools.org\n\n/dev/loop0: Unable to detect device type\n" +
		"Please specify device type with the -d option.\n\nUse smartctl -h to get a usage summary\n")
	if len(loop) != 1 || loop[0].Summary() != "no SMART data: Unable to detect device type" {
		t.Errorf("loop %+v", loop)
	}
	// An image whose disks a target knows by serial.
	img := Image{Disks: []Disk{{Name: "sda", Serial: "S6PTNZ0R123456A"}}}
	if !img.Covers("s6ptnz0r123456a") || img.Covers("") || img.Covers("OTHER") {
		t.Error("Covers")
	}
}

func TestParseSums(t *testing.T) {
	md5 := strings.Repeat("ab", 16)
	entries, bad := parseSums(md5+"  disk\n"+md5+" *parts\nMD5 (sda-mbr) = "+md5+"\n\nnot a line\n"+md5[:30]+"  short\n", algoMD5)
	if len(entries) != 3 || entries[0].file != "disk" || entries[1].file != "parts" || entries[2].file != "sda-mbr" {
		t.Errorf("entries %+v", entries)
	}
	if len(bad) != 2 || bad[0] != 5 || bad[1] != 6 {
		t.Errorf("bad lines %v", bad)
	}
	for name, ok := range map[string]bool{"disk": true, "sub/x": true, "../x": false, "/etc/passwd": false, "a/../../x": false} {
		if safeName(name) != ok {
			t.Errorf("safeName(%q) = %v", name, !ok)
		}
	}
}

// TestSumsPlan: a weaker checksum file is proved by a stronger one only when
// the stronger lists both it and the file.
func TestSumsPlan(t *testing.T) {
	d := []byte{1}
	p := &sumsPlan{want: map[string]*[numAlgos][]byte{
		"MD5SUMS":  {algoSHA1: d},
		"disk":     {algoMD5: d, algoSHA1: d},
		"late.txt": {algoMD5: d}, // only in MD5SUMS
	}, compute: map[string]algoSet{}, present: []algo{algoMD5, algoSHA1}}
	p.plan(false)
	if got := p.compute["disk"]; got.has(algoMD5) || !got.has(algoSHA1) {
		t.Errorf("disk computes %v", got.list())
	}
	if got := p.compute["late.txt"]; !got.has(algoMD5) {
		t.Errorf("late.txt computes %v", got.list())
	}
	if len(p.implied) != 0 {
		t.Errorf("MD5SUMS implied although it lists a file SHA1SUMS does not: %v", p.implied)
	}
	delete(p.want, "late.txt")
	p.compute, p.implied = map[string]algoSet{}, nil
	p.plan(false)
	if len(p.implied) != 1 || p.implied[0] != algoMD5 {
		t.Errorf("implied %v", p.implied)
	}
	p.compute, p.implied = map[string]algoSet{}, nil
	p.plan(true)
	if got := p.compute["disk"]; !got.has(algoMD5) || len(p.implied) != 0 {
		t.Errorf("every digest: disk computes %v, implied %v", got.list(), p.implied)
	}
}

// ptclStream builds a partclone v0002 image: 1024-byte blocks, used blocks
// given by the bitmap, a CRC every per blocks.
func ptclStream(total uint64, used []bool, per uint32, reseed bool) []byte {
	var h [ptclHeaderSize]byte
	copy(h[:], ptclMagic)
	copy(h[16:], "0.3.23")
	copy(h[30:], "0002")
	le := binary.LittleEndian
	le.PutUint16(h[34:], 0xC0DE)
	copy(h[36:], "EXTFS")
	n := uint64(0)
	bitmap := make([]byte, (total+7)/8)
	for i, u := range used {
		if u {
			n++
			bitmap[i/8] |= 1 << (i % 8)
		}
	}
	le.PutUint64(h[52:], total*1024)
	le.PutUint64(h[60:], total)
	le.PutUint64(h[68:], n)
	le.PutUint64(h[76:], n)
	le.PutUint32(h[84:], 1024)
	le.PutUint32(h[88:], 18)
	le.PutUint16(h[92:], 2)
	le.PutUint16(h[94:], 64)
	if per > 0 {
		le.PutUint16(h[96:], ptclCRCMode)
		le.PutUint16(h[98:], 4)
		le.PutUint32(h[100:], per)
	}
	if reseed {
		h[104] = 1
	}
	h[105] = ptclBitmapBit
	le.PutUint32(h[106:], ^crc32.ChecksumIEEE(h[:106]))
	var out bytes.Buffer
	out.Write(h[:])
	out.Write(bitmap)
	binary.Write(&out, le, ^crc32.ChecksumIEEE(bitmap))
	var crc uint32
	block := make([]byte, 1024)
	for i := uint64(0); i < n; i++ {
		if reseed && per > 0 && i%uint64(per) == 0 {
			crc = 0
		}
		for j := range block {
			block[j] = byte(i*7 + uint64(j))
		}
		out.Write(block)
		crc = crc32.Update(crc, crc32.IEEETable, block)
		if per > 0 && ((i+1)%uint64(per) == 0 || i == n-1) {
			binary.Write(&out, le, ^crc)
		}
	}
	return out.Bytes()
}

func TestCheckPartclone(t *testing.T) {
	used := make([]bool, 100)
	for i := range used {
		used[i] = i%3 != 0
	}
	used = append(used, true, true, true) // 103 blocks: the last byte of the bitmap is padded
	for _, c := range []struct {
		name   string
		per    uint32
		reseed bool
	}{{"reseed", 16, true}, {"running CRC", 16, false}, {"no checksums", 0, false}} {
		t.Run(c.name, func(t *testing.T) {
			good := ptclStream(uint64(len(used)), used, c.per, c.reseed)
			res, err := checkPartclone(bytes.NewReader(good), 0)
			if err != nil || len(res.Problems) != 0 || res.Decoded != int64(len(good)) || uint64(len(good)) != res.Header.StreamBytes() {
				t.Fatalf("good stream: %v %+v (len %d)", err, res, len(good))
			}
			dataAt := ptclHeaderSize + (len(used)+7)/8 + 4
			for _, d := range []struct {
				what   string
				change func([]byte) []byte
				want   string
			}{
				{"header", func(b []byte) []byte { b[40] ^= 1; return b }, "header checksum mismatch"},
				{"bitmap", func(b []byte) []byte { b[ptclHeaderSize+1] ^= 4; return b }, "bitmap checksum mismatch"},
				{"block", func(b []byte) []byte { b[dataAt+5000] ^= 1; return b }, "CRC error in block group 1"},
				{"truncated", func(b []byte) []byte { return b[:len(b)-10] }, "truncated"},
				{"trailing", func(b []byte) []byte { return append(b, 0, 0, 0) }, "3 bytes after the end"},
				{"not partclone", func(b []byte) []byte { return bytes.Repeat([]byte{0}, 200) }, "no partclone image"},
			} {
				if c.per == 0 && d.what == "block" {
					continue // no CRC to see it
				}
				bad := d.change(bytes.Clone(good))
				res, err := checkPartclone(bytes.NewReader(bad), 0)
				if err != nil || len(res.Problems) == 0 || !strings.Contains(strings.Join(res.Problems, "\n"), d.want) {
					t.Errorf("%s: %v %q, want %q", d.what, err, res.Problems, d.want)
				}
			}
		})
	}
	// A decoder failure is the caller's, not a partclone problem.
	good := ptclStream(uint64(len(used)), used, 16, true)
	boom := io.MultiReader(bytes.NewReader(good[:500]), errReader{})
	if _, err := checkPartclone(boom, 0); err == nil || err.Error() != "boom" {
		t.Errorf("reader error: %v", err)
	}
	// A partition smaller than partclone's device.
	res, _ := checkPartclone(bytes.NewReader(good), 1024)
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "more than") {
		t.Errorf("device larger than its partition: %q", res.Problems)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBoom }

var errBoom = errorString("boom")

type errorString string

func (e errorString) Error() string { return string(e) }

// Numbers in an image's files that cannot be sizes (negative, NaN, past
// int64) count as unknown, never as a negative or wrapped size (found by
// the fuzz targets).
func TestSizesThatCannotBeAreUnknown(t *testing.T) {
	for _, s := range []string{"NaN", "-3M", "1e300P", "+Inf", "9223372036854775807P"} {
		if n := parseHumanSize(s); n != 0 {
			t.Errorf("parseHumanSize(%q) = %d, want 0", s, n)
		}
	}
	if n := parseHumanSize("1.5K"); n != 1536 {
		t.Errorf("1.5K = %d", n)
	}
	table, err := parseSfdisk("label: gpt\n/dev/sda1 : start=-5, size=-1\n/dev/sda2 : start=2048, size=9223372036854775807\n")
	if err != nil || len(table.Parts) != 2 {
		t.Fatalf("%+v %v", table, err)
	}
	for _, p := range table.Parts {
		if p.Start < 0 || p.Sectors < 0 || p.Bytes(table.SectorSize) != 0 {
			t.Errorf("%+v: %d bytes, want unknown", p, p.Bytes(table.SectorSize))
		}
	}
	if p := parseParted("Disk /dev/sda: 9223372036854775807s\nSector size (logical/physical): 4096B/4096B\n"); p.Bytes != 0 {
		t.Errorf("parted size past int64: %d", p.Bytes)
	}
	if p := parseParted("Disk /dev/sda: 2048s\nSector size (logical/physical): -512B/512B\n"); p.Bytes != 2048*512 {
		t.Errorf("negative sector size not ignored: %+v", p)
	}
}

// A dev-fs.list line cut after the device name (found by FuzzDevFS: it
// panicked).
func TestDevFSLineCutShort(t *testing.T) {
	got := parseDevFS("/dev/sda1 ext4 447M\n/dev/sda2\n/dev/pve/vm-100-disk-0 512M\n")
	if len(got) != 3 || got[1].Path != "/dev/sda2" || got[1].FS != "" || got[1].Size != 0 ||
		got[0].FS != "ext4" || got[0].Size != 447<<20 || got[2].FS != "" || got[2].Size != 512<<20 {
		t.Errorf("%+v", got)
	}
}

// LV sizes from lvm_<vg>.conf that cannot be (an extent count past int64, a
// negative one) are unknown, not wrapped.
func TestVGConfSizesThatCannotBe(t *testing.T) {
	conf := func(extentSize, count1, count2 string) vgConf {
		return parseVGConf("pve {\nextent_size = " + extentSize + "\nlogical_volumes {\nroot {\nstatus = [\"READ\", \"VISIBLE\"]\n" +
			"segment1 {\nextent_count = " + count1 + "\ntype = \"striped\"\n}\nsegment2 {\nextent_count = " + count2 + "\n}\n}\n}\n}\n")
	}
	if c := conf("8192", "10", "6"); c.Bytes("root") != 16*8192*512 || !c.LVs["root"].Visible || c.LVs["root"].Type != "striped" {
		t.Errorf("plain LV: %+v, %d bytes", c, c.Bytes("root"))
	}
	for _, c := range []struct{ size, n1, n2 string }{
		{"8192", "9223372036854775807", "1"},
		{"8192", "-10", "6"},
		{"9223372036854775807", "2", "0"},
		{"8192", "4503599627370496", "0"}, // 2^52 extents of 4 MiB
	} {
		if n := conf(c.size, c.n1, c.n2).Bytes("root"); n != 0 {
			t.Errorf("extent size %s, counts %s + %s: %d bytes, want unknown", c.size, c.n1, c.n2, n)
		}
	}
}

// A forged partclone header (its CRC right) whose numbers cannot be: the
// stream is not walked as if they were, and the problem says why.
func TestPartcloneHeaderThatCannotBe(t *testing.T) {
	used := []bool{true, true, false, true}
	le := binary.LittleEndian
	for _, c := range []struct {
		name   string
		change func(h []byte)
		want   string
	}{
		{"2^60 blocks", func(h []byte) { le.PutUint64(h[60:], 1<<60); le.PutUint64(h[68:], 1<<60) }, "more than any device holds"},
		{"bitmap length past uint64", func(h []byte) { le.PutUint64(h[60:], math.MaxUint64) }, "more than any device holds"},
		{"1-byte blocks", func(h []byte) { le.PutUint32(h[84:], 1) }, "block size 1"},
		{"checksums of no mode", func(h []byte) { le.PutUint16(h[96:], 0); le.PutUint16(h[98:], 2) }, "no checksums, yet 2-byte checksums"},
	} {
		stream := ptclStream(uint64(len(used)), used, 2, true)
		c.change(stream[:ptclHeaderSize])
		le.PutUint32(stream[106:], ^crc32.ChecksumIEEE(stream[:106]))
		res, err := checkPartclone(bytes.NewReader(stream), 0)
		if err != nil || len(res.Problems) != 1 || !strings.Contains(res.Problems[0], c.want) || res.Decoded != int64(len(stream)) {
			t.Errorf("%s: %v %q (read %d of %d)", c.name, err, res.Problems, res.Decoded, len(stream))
		}
	}
}
