package clonezilla

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/bits"
	"strings"
)

// The partclone image format v0002 (FORMAT.md §3.3), all little endian.
const (
	ptclHeaderSize = 110
	ptclMagic      = "partclone-image\x00"
	ptclCRCMode    = 32 // CSM_CRC32
	ptclBitmapBit  = 1  // BM_BIT
	// ptclMaxReported bounds the CRC mismatches listed one by one.
	ptclMaxReported = 5
)

// ptclHeader is the image head partclone writes before the bitmap.
type ptclHeader struct {
	Version           string // partclone's, "0.3.23"
	Format            string // "0002"
	FS                string // "EXTFS", "FAT32" …
	DeviceSize        uint64
	TotalBlocks       uint64
	UsedBlocks        uint64
	UsedBitmap        uint64
	BlockSize         uint32
	ChecksumMode      uint16
	ChecksumSize      uint16
	BlocksPerChecksum uint32
	Reseed            bool
	BitmapMode        uint8
}

// StreamBytes is the exact length of the image the header announces.
func (h ptclHeader) StreamBytes() uint64 {
	n := uint64(ptclHeaderSize) + (h.TotalBlocks+7)/8 + 4 + h.UsedBlocks*uint64(h.BlockSize)
	if h.ChecksumSize > 0 && h.BlocksPerChecksum > 0 {
		n += (h.UsedBlocks + uint64(h.BlocksPerChecksum) - 1) / uint64(h.BlocksPerChecksum) * uint64(h.ChecksumSize)
	}
	return n
}

// partcloneCRC is partclone's CRC-32: IEEE polynomial, initial value
// 0xFFFFFFFF, no final inversion. Go's crc32 inverts both ways, so the
// running value kept with crc32.Update starts at 0 and is inverted once at
// the end.
func partcloneCRC(running uint32) uint32 { return ^running }

func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.TrimSpace(string(b))
}

func parsePtclHeader(b []byte) ptclHeader {
	le := binary.LittleEndian
	return ptclHeader{
		Version:           cstring(b[16:30]),
		Format:            string(b[30:34]),
		FS:                cstring(b[36:52]),
		DeviceSize:        le.Uint64(b[52:]),
		TotalBlocks:       le.Uint64(b[60:]),
		UsedBlocks:        le.Uint64(b[68:]),
		UsedBitmap:        le.Uint64(b[76:]),
		BlockSize:         le.Uint32(b[84:]),
		ChecksumMode:      le.Uint16(b[96:]),
		ChecksumSize:      le.Uint16(b[98:]),
		BlocksPerChecksum: le.Uint32(b[100:]),
		Reseed:            b[104] != 0,
		BitmapMode:        b[105],
	}
}

// ptclCheck is what checkPartclone found: problems (damage), notices (what
// it could not check) and the header.
type ptclCheck struct {
	Header   ptclHeader
	Problems []string
	Notices  []string
	Decoded  int64 // bytes of the decoded stream read
}

// checkPartclone checks a decoded partclone stream the way partclone.chkimg
// does — header CRC, bitmap CRC, every block group's CRC — and its exact
// length, without writing anything. partBytes is the size of the partition
// or LV when known (0 otherwise). The error is the reader's (a damaged
// compressed stream, a read error); damage to the partclone image itself is
// in the problems.
func checkPartclone(r io.Reader, partBytes int64) (ptclCheck, error) {
	var c ptclCheck
	cr := &countingReader{r: r}
	head := make([]byte, ptclHeaderSize)
	if n, err := io.ReadFull(cr, head); err != nil {
		if isEnd(err) {
			c.Problems = append(c.Problems, fmt.Sprintf("the stream ends inside the partclone header (%d of %d bytes)", n, ptclHeaderSize))
			c.Decoded = cr.n
			return c, nil
		}
		return c, err
	}
	if string(head[:16]) != ptclMagic {
		c.Problems = append(c.Problems, fmt.Sprintf("no partclone image: the stream starts with %q", printable(head[:16])))
		return c.finish(cr)
	}
	h := parsePtclHeader(head)
	c.Header = h
	if h.Format != "0002" || binary.LittleEndian.Uint16(head[34:]) != 0xC0DE {
		c.Notices = append(c.Notices, fmt.Sprintf("partclone image format %q (by partclone %s) is not checked natively; only decoded", h.Format, h.Version))
		return c.finish(cr)
	}
	stored := binary.LittleEndian.Uint32(head[106:])
	if got := partcloneCRC(crc32.Update(0, crc32.IEEETable, head[:106])); got != stored {
		c.Problems = append(c.Problems, fmt.Sprintf("partclone header checksum mismatch (stored 0x%08X, computed 0x%08X): the header is damaged", stored, got))
		return c.finish(cr)
	}
	if why := h.implausible(); why != "" {
		c.Problems = append(c.Problems, "partclone header: "+why)
		return c.finish(cr)
	}
	if h.BitmapMode != ptclBitmapBit || (h.ChecksumMode != ptclCRCMode && h.ChecksumMode != 0) {
		c.Notices = append(c.Notices, fmt.Sprintf("partclone bitmap mode %d / checksum mode %d are not checked natively; only decoded", h.BitmapMode, h.ChecksumMode))
		return c.finish(cr)
	}
	if partBytes > 0 && h.DeviceSize > uint64(partBytes) {
		c.Problems = append(c.Problems, fmt.Sprintf("partclone says the device had %d bytes, more than the %d of the partition or LV it belongs to", h.DeviceSize, partBytes))
	}
	// The decoder hands 64 KiB at a time (decodeStream's reader): a larger
	// buffer reads no faster, and a stream smaller than that needs less.
	size := uint64(64 << 10)
	if n := h.StreamBytes(); n < size {
		size = max(n, 4)
	}
	buf := make([]byte, size)
	if !c.bitmap(cr, h, buf) || !c.blocks(cr, h, buf) {
		c.Decoded = cr.n
		return c, cr.err
	}
	return c.finish(cr)
}

// implausible rejects headers whose CRC matches but whose numbers cannot be
// (a partclone bug, or a forged header): reading on would go astray.
func (h ptclHeader) implausible() string {
	hi, bytes := bits.Mul64(h.TotalBlocks, uint64(h.BlockSize))
	switch {
	case h.BlockSize < 512 || h.BlockSize&(h.BlockSize-1) != 0 || h.BlockSize > 1<<26:
		return fmt.Sprintf("block size %d is not a power of two from 512 bytes to 64 MiB", h.BlockSize)
	case hi != 0 || bytes > math.MaxInt64:
		// Also keeps the stream's announced length within uint64.
		return fmt.Sprintf("%d blocks of %d bytes: more than any device holds", h.TotalBlocks, h.BlockSize)
	case h.UsedBlocks > h.TotalBlocks:
		return fmt.Sprintf("%d used blocks of %d", h.UsedBlocks, h.TotalBlocks)
	case h.ChecksumMode == ptclCRCMode && (h.ChecksumSize != 4 || h.BlocksPerChecksum == 0):
		return fmt.Sprintf("CRC-32 with checksum size %d every %d blocks", h.ChecksumSize, h.BlocksPerChecksum)
	case h.ChecksumMode == 0 && h.ChecksumSize != 0:
		return fmt.Sprintf("no checksums, yet %d-byte checksums", h.ChecksumSize)
	}
	return ""
}

// bitmap reads the used-block bitmap and its CRC and counts its used bits;
// false when the stream ended or failed (recorded).
func (c *ptclCheck) bitmap(r *countingReader, h ptclHeader, buf []byte) bool {
	left := (h.TotalBlocks + 7) / 8
	var crc uint32
	var used, bit uint64
	for left > 0 {
		n := min(uint64(len(buf)), left)
		if !c.fill(r, h, buf[:n]) {
			return false
		}
		crc = crc32.Update(crc, crc32.IEEETable, buf[:n])
		// Bits past TotalBlocks pad the last byte; partclone may set them.
		for i := uint64(0); i < n; i++ {
			b := buf[i]
			if bit+8 > h.TotalBlocks {
				b &= byte(1<<(h.TotalBlocks-bit)) - 1
			}
			used += uint64(bits.OnesCount8(b))
			bit += 8
		}
		left -= n
	}
	sum := buf[:4]
	if !c.fill(r, h, sum) {
		return false
	}
	if stored, got := binary.LittleEndian.Uint32(sum), partcloneCRC(crc); stored != got {
		c.Problems = append(c.Problems, fmt.Sprintf("partclone bitmap checksum mismatch (stored 0x%08X, computed 0x%08X): the bitmap is damaged", stored, got))
	}
	if used != h.UsedBlocks {
		c.Problems = append(c.Problems, fmt.Sprintf("the partclone bitmap marks %d blocks used, the header says %d", used, h.UsedBlocks))
	}
	return true
}

// blocks reads the used blocks group by group and checks each group's CRC.
func (c *ptclCheck) blocks(r *countingReader, h ptclHeader, buf []byte) bool {
	bs := uint64(h.BlockSize)
	per := h.UsedBlocks // no checksums: one group, no CRC
	if h.ChecksumSize > 0 {
		per = uint64(h.BlocksPerChecksum)
	}
	var crc uint32
	var bad, groups uint64
	for done := uint64(0); done < h.UsedBlocks; done += per {
		nb := min(per, h.UsedBlocks-done)
		if h.Reseed {
			crc = 0
		}
		for left := nb * bs; left > 0; {
			n := min(uint64(len(buf)), left)
			if !c.fill(r, h, buf[:n]) {
				return false
			}
			crc = crc32.Update(crc, crc32.IEEETable, buf[:n])
			left -= n
		}
		groups++
		if h.ChecksumSize == 0 {
			continue
		}
		sum := buf[:4]
		if !c.fill(r, h, sum) {
			return false
		}
		if binary.LittleEndian.Uint32(sum) != partcloneCRC(crc) {
			bad++
			if bad <= ptclMaxReported {
				c.Problems = append(c.Problems, fmt.Sprintf("partclone CRC error in block group %d (used blocks %d–%d of %d, %d-byte blocks): the data is damaged",
					groups, done, done+nb-1, h.UsedBlocks, bs))
			}
		}
	}
	if bad > ptclMaxReported {
		c.Problems = append(c.Problems, fmt.Sprintf("partclone CRC errors in %d more block groups (%d of %d groups bad)", bad-ptclMaxReported, bad, groups))
	}
	return true
}

// fill reads exactly len(p) bytes; at a premature end it records the
// truncation and returns false (as on a read failure, left in r.err).
func (c *ptclCheck) fill(r *countingReader, h ptclHeader, p []byte) bool {
	if _, err := io.ReadFull(r, p); err != nil {
		if isEnd(err) {
			c.Problems = append(c.Problems, fmt.Sprintf("partclone image truncated: the stream ends after %d bytes, its header announces %d", r.n, h.StreamBytes()))
		} else {
			r.err = err
		}
		return false
	}
	return true
}

// finish reads to the end of the stream: anything after the announced end is
// a problem (when the header was understood), and the decoder must still see
// its own end to check its checksum.
func (c *ptclCheck) finish(r *countingReader) (ptclCheck, error) {
	before := r.n
	_, err := io.Copy(io.Discard, r)
	c.Decoded = r.n
	if err != nil {
		return *c, err
	}
	if extra := r.n - before; extra > 0 && c.Header.Format == "0002" && len(c.Problems) == 0 && len(c.Notices) == 0 {
		c.Problems = append(c.Problems, fmt.Sprintf("%d bytes after the end of the partclone image (%d bytes)", extra, before))
	}
	return *c, nil
}

// isEnd reports a clean premature end of the decoded stream (the decoder
// itself found nothing wrong).
func isEnd(err error) bool { return errors.Is(err, io.EOF) || err == io.ErrUnexpectedEOF }

// countingReader counts what it reads and keeps the first failure.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 32 || c > 126 {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
