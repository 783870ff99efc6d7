package clonezilla

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
)

// UsedAtSave is how many bytes the image's volumes held when it was saved:
// for each imaged partition and LV, the used blocks its partclone header
// announces (only the first bytes of the first file are decompressed), or
// the whole volume for a raw (partclone.dd) copy. Swap has no image and
// counts nothing.
func UsedAtSave(img Image) (int64, error) {
	var total int64
	var counted int
	for _, v := range append(append([]Volume{}, img.Parts...), img.LVs...) {
		if v.FS == "swap" || len(v.Files) == 0 {
			continue
		}
		n, err := volumeUsedAtSave(img.Path, v)
		if err != nil {
			return 0, fmt.Errorf("%s: %s: %w", img.Name, v.Files[0], err)
		}
		total += n
		counted++
	}
	if counted == 0 {
		return 0, fmt.Errorf("%s: no imaged volume", img.Name)
	}
	return total, nil
}

// LearnRatio is how much Clonezilla compressed earlier images: their bytes
// over the bytes their volumes held, summed over the images that could be
// read. from counts those images; err names each image that could not be
// read (the ratio still stands when from > 0). No image read: 0, 0.
func LearnRatio(images []Image) (ratio float64, from int, err error) {
	var stored, used int64
	var errs []error
	for _, img := range images {
		u, uerr := UsedAtSave(img)
		if uerr != nil {
			errs = append(errs, uerr)
			continue
		}
		if u <= 0 || img.SizeBytes <= 0 {
			errs = append(errs, fmt.Errorf("%s: nothing to learn from (%d bytes held, %d stored)", img.Name, u, img.SizeBytes))
			continue
		}
		stored += img.SizeBytes
		used += u
		from++
	}
	if from == 0 {
		return 0, 0, errors.Join(errs...)
	}
	return float64(stored) / float64(used), from, errors.Join(errs...)
}

// volumeUsedAtSave reads the partclone header of a volume's first file.
func volumeUsedAtSave(dir string, v Volume) (int64, error) {
	if v.FS == "dd" {
		// partclone.dd copies every byte of the device and writes no header.
		if v.Size <= 0 {
			return 0, errors.New("raw (dd) image of a volume whose size is not known")
		}
		return v.Size, nil
	}
	f, err := os.Open(filepath.Join(dir, v.Files[0]))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 4096)
	head, _ := br.Peek(16)
	comp := sniff(head)
	if comp == "" {
		comp = compressionTag(v.Comp)
	}
	dec, closeDec, ok, err := openDecoder(br, comp)
	defer closeDec()
	if err != nil {
		return 0, err
	}
	if !ok {
		name, _ := compressionName(comp)
		return 0, fmt.Errorf("compression %s is not read by this version", name)
	}
	h := make([]byte, ptclHeaderSize)
	if _, err := io.ReadFull(dec, h); err != nil {
		return 0, fmt.Errorf("reading the partclone header: %w", err)
	}
	if string(h[:16]) != ptclMagic {
		return 0, fmt.Errorf("no partclone image: the stream starts with %q", printable(h[:16]))
	}
	ph := parsePtclHeader(h)
	if ph.Format != "0002" || binary.LittleEndian.Uint16(h[34:]) != 0xC0DE {
		return 0, fmt.Errorf("partclone image format %q (by partclone %s) is not read by this version", ph.Format, ph.Version)
	}
	if stored, got := binary.LittleEndian.Uint32(h[106:]), partcloneCRC(crc32.Update(0, crc32.IEEETable, h[:106])); stored != got {
		return 0, errors.New("partclone header checksum mismatch: the header is damaged")
	}
	if why := ph.implausible(); why != "" {
		return 0, errors.New("partclone header: " + why)
	}
	if ph.UsedBlocks > uint64(math.MaxInt64)/uint64(ph.BlockSize) {
		return 0, fmt.Errorf("partclone header: %d used blocks of %d bytes cannot be", ph.UsedBlocks, ph.BlockSize)
	}
	return int64(ph.UsedBlocks) * int64(ph.BlockSize), nil
}

// compressionTag is the file-name tag of a compression's common name
// (Volume.Comp keeps the name): "zstd" → "zst".
func compressionTag(name string) string {
	for _, tag := range []string{"zst", "gz", "bz2", "lzo", "lzma", "xz", "lzip", "lz4", "lrz", "uncomp"} {
		if n, _ := compressionName(tag); n == name {
			return tag
		}
	}
	return ""
}
