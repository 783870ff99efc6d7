package images

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"time"
)

// The partclone image format v0002 (FORMAT.md §3.3).
const headerSize = 110

// dataStart is where the used blocks begin in a partclone stream.
func dataStart(f filesystem) int { return headerSize + int((f.total+7)/8) + 4 }

// blocksPerCRC is partclone's CRC group with ocs-sr's -z 10485760.
func blocksPerCRC(f filesystem) uint64 { return 10485760 / uint64(f.blockSize) }

// partclone writes a partclone v2 stream: header and its CRC, the bitmap
// and its CRC, the used blocks with a CRC after every group (reseeded).
func (b *build) partclone(f filesystem) []byte {
	per := blocksPerCRC(f)
	groups := (f.used + per - 1) / per
	out := make([]byte, dataStart(f)+int(f.used)*int(f.blockSize)+int(groups)*4)
	h := out[:headerSize]
	le := binary.LittleEndian
	copy(h, "partclone-image\x00")
	copy(h[16:30], partcloneVersion)
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

	bm := out[headerSize : headerSize+int((f.total+7)/8)]
	b.usedBitmap(bm, f)
	le.PutUint32(out[headerSize+len(bm):], ptclCRC(bm))

	pos := dataStart(f)
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
func (b *build) usedBitmap(bm []byte, f filesystem) {
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
func (b *build) fillMixed(p []byte, random float64) {
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

// makeCorpus is the text the filesystems hold: log and configuration lines
// made from a few words, so that zstd finds them again.
func makeCorpus() []byte {
	rng := newRand("corpus")
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
