package clonezilla

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/crypto/blake2b"
)

// Helpers that damage copies of the fixture's images the way FORMAT.md §4.4
// did.

// copyImage copies an image directory into a fresh temporary directory.
func copyImage(tb testing.TB, src string) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), filepath.Base(src))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		tb.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		in, err := os.Open(filepath.Join(src, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			tb.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return dst
}

// volumesOf lists the files of a device's image, in volume order.
func volumesOf(tb testing.TB, dir, dev string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if s, ok := parseStreamName(e.Name()); ok && s.Dev == dev {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		tb.Fatalf("no image of %s in %s", dev, dir)
	}
	return out
}

// flipByte flips one byte of a file, at an offset or (offset < 0) in its middle.
func flipByte(tb testing.TB, path string, offset int64) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if offset < 0 {
		fi, _ := f.Stat()
		offset = fi.Size() / 2
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, offset); err != nil {
		tb.Fatal(err)
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, offset); err != nil {
		tb.Fatal(err)
	}
}

// recompressZstd decodes a one-volume zstd image, lets change alter the
// decoded stream, and writes it back as a valid zstd frame: damage that
// happened before compression, which zstd's own checksum cannot see.
func recompressZstd(tb testing.TB, path string, change func([]byte) []byte) {
	tb.Helper()
	plain := decodeZstd(tb, path)
	e, err := zstd.NewWriter(nil, zstd.WithEncoderCRC(true))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, e.EncodeAll(change(plain), nil), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// decodeZstd returns the decoded content of a one-volume zstd image.
func decodeZstd(tb testing.TB, path string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := zstd.NewReader(nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	plain, err := d.DecodeAll(raw, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return plain
}

// resum rewrites the checksum files' entries of the changed files (and of
// the checksum files that list each other), as a save would have written
// them had the damage come before.
func resum(tb testing.TB, dir string, changed ...string) {
	tb.Helper()
	redo := map[string]bool{}
	for _, c := range changed {
		redo[c] = true
	}
	for _, s := range []struct {
		file string
		sum  func([]byte) string
	}{
		{"MD5SUMS", func(b []byte) string { h := md5.Sum(b); return hex.EncodeToString(h[:]) }},
		{"SHA1SUMS", func(b []byte) string { h := sha1.Sum(b); return hex.EncodeToString(h[:]) }},
		{"B2SUMS", func(b []byte) string { h := blake2b.Sum512(b); return hex.EncodeToString(h[:]) }},
	} {
		path := filepath.Join(dir, s.file)
		text, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		var out bytes.Buffer
		for _, line := range strings.SplitAfter(string(text), "\n") {
			if _, name, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "  "); ok && redo[name] {
				content, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					tb.Fatal(err)
				}
				line = s.sum(content) + "  " + name + "\n"
			}
			out.WriteString(line)
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			tb.Fatal(err)
		}
		redo[s.file] = true
	}
}

func remove(tb testing.TB, dir string, names ...string) {
	tb.Helper()
	for _, n := range names {
		if err := os.Remove(filepath.Join(dir, n)); err != nil {
			tb.Fatal(err)
		}
	}
}

func truncateFile(tb testing.TB, path string, size func(int64) int64) {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Truncate(path, size(fi.Size())); err != nil {
		tb.Fatal(err)
	}
}

func appendBytes(tb testing.TB, path string, b []byte) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		tb.Fatal(err)
	}
}
