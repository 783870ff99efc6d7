package images

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"time"
)

// tables writes the block device lists and the disk's partition table in
// every form ocs-sr saves it.
func (b *build) tables() {
	d := b.img.disk
	dir := b.dir()
	b.tick(time.Second, 2*time.Second)
	b.logf("Dumping the device mapper table in %s/dmraid.table...", dir)
	b.addText("dmraid.table", "# dmraid: dm\n")
	b.logf("Saving block devices info in %s/blkdev.list...", dir)
	b.addText("blkdev.list", blkdevList())
	b.logf("Saving block devices attributes in %s/blkid.list...", dir)
	b.addText("blkid.list", blkidList())
	b.logf("Checking the integrity of partition table in the disk /dev/%s... ", d.name())
	b.logf("Reading the partition table for /dev/%s...RETVAL=0", d.name())
	b.addText(d.name()+"-pt.sf", d.sfdisk())
	b.addText(d.name()+"-chs.sf", fmt.Sprintf("cylinders=%d\nheads=%d\nsectors=%d\n", d.sectors/(d.heads*d.spt), d.heads, d.spt))
	b.addText(d.name()+"-pt.parted", d.partedPrint(false))
	b.addText(d.name()+"-pt.parted.compact", d.partedPrint(true))
	mbr, first, second, backup := d.gpt()
	b.logf("%s", stars)
	b.logf("Saving the primary GPT of %s as %s/%s-gpt-1st by dd...", d.name(), dir, d.name())
	b.logf("34+0 records in\n34+0 records out\n17408 bytes (17 kB, 17 KiB) copied, 0.000%d s, 70.1 MB/s", 100+b.rng.IntN(800))
	b.add(d.name()+"-gpt-1st", first, 0o644)
	b.logf("%s", stars)
	b.logf("Saving the secondary GPT of %s as %s/%s-gpt-2nd by dd...", d.name(), dir, d.name())
	b.logf("32+0 records in\n32+0 records out\n16384 bytes (16 kB, 16 KiB) copied, 0.000%d s, 61.2 MB/s", 100+b.rng.IntN(800))
	b.add(d.name()+"-gpt-2nd", second, 0o644)
	b.logf("%s", stars)
	b.logf("Saving the GPT of %s as %s/%s-gpt.gdisk by gdisk...", d.name(), dir, d.name())
	b.logf("The operation has completed successfully.")
	b.add(d.name()+"-gpt.gdisk", backup, 0o644)
	b.addText(d.name()+"-gpt.sgdisk", d.sgdisk())
	b.logf("%s", stars)
	b.logf("done!")
	b.logf("Saving the MBR data for %s...", d.name())
	b.logf("1+0 records in\n1+0 records out\n512 bytes copied, 0.000%d s, 3.2 MB/s", 100+b.rng.IntN(800))
	b.add(d.name()+"-mbr", mbr, 0o644)
}

// sfdisk is `sfdisk -d` of the disk.
func (d *disk) sfdisk() string {
	var s strings.Builder
	fmt.Fprintf(&s, "label: gpt\nlabel-id: %s\ndevice: /dev/%s\nunit: sectors\nfirst-lba: 34\nlast-lba: %d\nsector-size: 512\n\n",
		d.labelID, d.name(), d.lastUsable())
	for _, p := range d.parts {
		fmt.Fprintf(&s, "/dev/%s : start=%12d, size=%12d, type=%s, uuid=%s\n", p.name, p.start, p.len, p.typeGUID, p.uuid)
	}
	return s.String()
}

// partedPrint is `parted -s DISK unit s print`, or `unit compact print`.
func (d *disk) partedPrint(compact bool) string {
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
func (d *disk) sgdisk() string {
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
func (d *disk) gpt() (mbr, first, second, backup []byte) {
	le := binary.LittleEndian
	mbr = make([]byte, 512)
	rng := newRand(d.name() + " boot code")
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
