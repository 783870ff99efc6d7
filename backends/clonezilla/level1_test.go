package clonezilla

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Level 1 on synthetic images: what it finds and says is the same whatever
// the number and size of the files, whichever digests run side by side.

// level1Image writes a synthetic image directory in tb.TempDir: disk,
// parts and n partclone volumes of size bytes of random-looking data, and
// the checksum files (writeSums).
func level1Image(tb testing.TB, n int, size int64, md5 bool) string {
	tb.Helper()
	dir := tb.TempDir()
	var parts []string
	for i := range n {
		parts = append(parts, fmt.Sprintf("sda%d", i+1))
	}
	writeFile(tb, dir, "disk", "sda\n")
	writeFile(tb, dir, "parts", strings.Join(parts, " ")+"\n")
	// One random MiB, each copy of it stamped with its offset: random to
	// any compression on the way, cheap to write.
	block := make([]byte, 1<<20)
	_, _ = rand.NewChaCha8([32]byte{'b', 'd'}).Read(block)
	for i, p := range parts {
		f, err := os.Create(filepath.Join(dir, p+".ext4-ptcl-img.zst.aa"))
		if err != nil {
			tb.Fatal(err)
		}
		for off := int64(0); off < size; off += int64(len(block)) {
			binary.LittleEndian.PutUint64(block, uint64(i)<<40|uint64(off))
			if _, err := f.Write(block[:min(int64(len(block)), size-off)]); err != nil {
				tb.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	writeSums(tb, dir, md5)
	return dir
}

// writeSums writes the SHA1SUMS ocs-sr -gs writes ("<hex>  <file>" for
// every file in the directory, sorted as the shell's glob sorts them); md5
// writes MD5SUMS first, as -gm -gs do, which SHA1SUMS then lists too.
func writeSums(tb testing.TB, dir string, md5 bool) {
	tb.Helper()
	for _, name := range []string{"MD5SUMS", "SHA1SUMS"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			tb.Fatal(err)
		}
	}
	sums := func(a algo) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			tb.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		var out strings.Builder
		for _, n := range names {
			f, err := os.Open(filepath.Join(dir, n))
			if err != nil {
				tb.Fatal(err)
			}
			h := a.new()
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				tb.Fatal(err)
			}
			out.WriteString(hex.EncodeToString(h.Sum(nil)) + "  " + n + "\n")
		}
		writeFile(tb, dir, a.sumsFile(), out.String())
	}
	if md5 {
		sums(algoMD5)
	}
	sums(algoSHA1)
}

func level1(tb testing.TB, dir string, opts Options) Report {
	tb.Helper()
	img, err := ReadImage(dir)
	if err != nil {
		tb.Fatal(err)
	}
	opts.Level = LevelChecksums
	r, err := VerifyWith(context.Background(), img, opts, nil)
	if err != nil {
		tb.Fatalf("level 1 of %s: %v", dir, err)
	}
	return r
}

func volumeOf(i int) string { return fmt.Sprintf("sda%d.ext4-ptcl-img.zst.aa", i) }

// TestLevel1Synthetic: more files than cores, files bigger and smaller than
// a read and an empty one: a pristine image passes having read every byte
// once; a flipped byte, a missing file and a file no checksum file lists
// are each named, with the words level 1 has always used.
func TestLevel1Synthetic(t *testing.T) {
	dir := level1Image(t, 9, 3<<20+123, false)
	writeFile(t, dir, "sda-chs.sf", "") // empty: a digest of nothing
	writeSums(t, dir, false)
	r := level1(t, dir, Options{})
	var size int64
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && e.Name() != "SHA1SUMS" {
			size += info.Size()
		}
	}
	if !r.OK || r.Bytes != size {
		t.Fatalf("pristine: ok %v, read %d bytes of %d:%s", r.OK, r.Bytes, size, describe(r))
	}

	flipByte(t, filepath.Join(dir, volumeOf(4)), 3<<20+7) // in the last, short read
	if err := os.Remove(filepath.Join(dir, volumeOf(7))); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "sda10.ext4-ptcl-img.zst.aa", "added later")
	r = level1(t, dir, Options{})
	want := []Problem{
		{File: volumeOf(4), Level: 1, Message: "content does not match SHA1SUMS: changed or damaged since the save"},
		{File: "sda10.ext4-ptcl-img.zst.aa", Level: 1, Message: "no checksum file lists this image file: it was added or renamed after the save"},
		{File: volumeOf(7), Level: 1, Message: "listed in SHA1SUMS but missing"},
	}
	sort.Slice(want, func(i, j int) bool { return want[i].File < want[j].File })
	if r.OK || fmt.Sprint(r.Problems) != fmt.Sprint(want) {
		t.Fatalf("damaged image:%s\nwant %v", describe(r), want)
	}
}

// TestLevel1TwoDigests: under MD5SUMS and SHA1SUMS (which lists MD5SUMS)
// only SHA-1 is computed and MD5SUMS is said proved; with EveryDigest both
// are, side by side, and a damaged file fails both.
func TestLevel1TwoDigests(t *testing.T) {
	dir := level1Image(t, 3, 2<<20, true)
	r := level1(t, dir, Options{})
	if !r.OK || len(r.Notices) != 1 || r.Notices[0].File != "MD5SUMS" || !strings.Contains(r.Notices[0].Message, "proved by SHA1SUMS") {
		t.Fatalf("pristine:%s", describe(r))
	}
	if r := level1(t, dir, Options{EveryDigest: true}); !r.OK || len(r.Notices) != 0 {
		t.Fatalf("pristine, every digest:%s", describe(r))
	}
	flipByte(t, filepath.Join(dir, volumeOf(2)), 100)
	for _, every := range []bool{false, true} {
		msg := "content does not match SHA1SUMS: changed or damaged since the save"
		if every {
			msg = "content does not match MD5SUMS and SHA1SUMS: changed or damaged since the save"
		}
		r := level1(t, dir, Options{EveryDigest: every})
		if len(r.Problems) != 1 || r.Problems[0] != (Problem{File: volumeOf(2), Level: 1, Message: msg}) {
			t.Errorf("every digest %v:%s", every, describe(r))
		}
	}
}

// TestLevel1Cancelled: a verification cancelled while it reads stops, says
// so and proves nothing.
func TestLevel1Cancelled(t *testing.T) {
	dir := level1Image(t, 4, 16<<20, false)
	img, err := ReadImage(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Verify(ctx, img, LevelChecksums, func(p Progress) {
		if p.DoneBytes > 0 {
			cancel()
		}
	})
	cancel()
	if err == nil {
		// Read to its end before the first progress report: cancel first.
		r, err = Verify(ctx, img, LevelChecksums, nil)
	}
	if !errors.Is(err, context.Canceled) || r.OK {
		t.Fatalf("cancelled: err %v, ok %v; want context.Canceled, not ok", err, r.OK)
	}
}

// TestDigestsInlineOrSpread: the reader's own hashing and the hashing spread
// over goroutines give the same digests, file by file, for several files
// read in one go (a stream's volumes) with MD5 and SHA-1 both asked for;
// a damaged file fails the same way.
func TestDigestsInlineOrSpread(t *testing.T) {
	dir := level1Image(t, 3, 1<<20+5, true)
	files := []string{volumeOf(1), "disk", volumeOf(2), volumeOf(3)}
	check := func(spread bool) []Problem {
		l, ok, err := readListing(dir)
		if err != nil || !ok {
			t.Fatalf("listing: %v %v", ok, err)
		}
		v := &verification{l: l, level: LevelChecksums, chunks: newChunkPool(1), meter: newMeter(0, nil)}
		v.sums = l.readSums(v.problem, true)
		v.readFiles(context.Background(), files, nil, spread)
		v.meter.finish()
		return v.report().Problems
	}
	for _, spread := range []bool{false, true} {
		if p := check(spread); len(p) != 0 {
			t.Fatalf("spread %v, pristine: %v", spread, p)
		}
	}
	flipByte(t, filepath.Join(dir, volumeOf(2)), 1<<20+2)
	want := fmt.Sprint([]Problem{{File: volumeOf(2), Level: 1, Message: "content does not match MD5SUMS and SHA1SUMS: changed or damaged since the save"}})
	for _, spread := range []bool{false, true} {
		if p := check(spread); fmt.Sprint(p) != want {
			t.Errorf("spread %v, damaged: %v", spread, p)
		}
	}
}
