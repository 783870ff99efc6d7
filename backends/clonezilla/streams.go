package clonezilla

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// sniff names the compression a stream's first bytes show ("" when unknown).
func sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zst"
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "gz"
	case bytes.HasPrefix(head, []byte("BZh")):
		return "bz2"
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return "xz"
	case bytes.HasPrefix(head, []byte{0x04, 0x22, 0x4d, 0x18}):
		return "lz4"
	case bytes.HasPrefix(head, []byte{0x89, 'L', 'Z', 'O', 0}):
		return "lzo"
	case bytes.HasPrefix(head, []byte("LZIP")):
		return "lzip"
	case bytes.HasPrefix(head, []byte("LRZI")):
		return "lrz"
	case bytes.HasPrefix(head, []byte("partclone-image")):
		return "uncomp"
	case bytes.HasPrefix(head, []byte{0x5d, 0, 0}):
		return "lzma"
	}
	return ""
}

// decodeError is a damaged compressed stream: the decompressor's own check
// (zstd's XXH64, gzip's CRC-32, bzip2's CRC) or its format failed.
type decodeError struct {
	comp string
	err  error
}

func (e *decodeError) Error() string {
	name, _ := compressionName(e.comp)
	if errors.Is(e.err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("%s stream ends early: truncated", name)
	}
	msg := e.err.Error()
	if strings.HasPrefix(msg, e.comp+":") || strings.HasPrefix(msg, name+":") {
		return msg
	}
	return name + ": " + msg
}

func (e *decodeError) Unwrap() error { return e.err }

// decoded wraps a decompressor so its failures are told apart from the
// content checks' and from read errors.
type decoded struct {
	r    io.Reader
	comp string
}

func (d decoded) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		var re *readError
		if !errors.As(err, &re) {
			err = &decodeError{comp: d.comp, err: err}
		}
	}
	return n, err
}

// openDecoder returns the decompressed stream of src for a compression tag,
// a closer to release the decoder, and ok=false when this version cannot
// decode that compression.
func openDecoder(src *bufio.Reader, comp string) (io.Reader, func(), bool, error) {
	switch comp {
	case "zst":
		// One goroutine: the pool already runs a stream per core, and zstd's
		// frame checksum is verified all the same.
		d, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(false))
		if err != nil {
			return nil, func() {}, true, &decodeError{comp: comp, err: err}
		}
		return decoded{r: d, comp: comp}, d.Close, true, nil
	case "gz":
		g := &gzipStream{src: src}
		return decoded{r: g, comp: comp}, func() {}, true, nil
	case "bz2":
		return decoded{r: bzip2.NewReader(src), comp: comp}, func() {}, true, nil
	case "uncomp":
		return src, func() {}, true, nil
	}
	return nil, func() {}, false, nil
}

// gzipStream decodes all the gzip members of a stream and, unlike pigz,
// refuses anything after the last one: Clonezilla never writes it there.
type gzipStream struct {
	src     *bufio.Reader
	z       *gzip.Reader
	members int
}

func (g *gzipStream) Read(p []byte) (int, error) {
	for {
		if g.z == nil {
			if g.members > 0 {
				if _, err := g.src.Peek(1); err == io.EOF {
					return 0, io.EOF
				}
			}
			z, err := gzip.NewReader(g.src)
			if err != nil {
				if g.members > 0 {
					return 0, errors.New("data after the end of the gzip stream (Clonezilla writes none)")
				}
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return 0, err
			}
			z.Multistream(false)
			g.z = z
		}
		n, err := g.z.Read(p)
		if err == io.EOF {
			g.members++
			g.z = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}
