package clonezilla

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/backends/needs"
)

func verify(tb testing.TB, dir string, level int) Report {
	tb.Helper()
	img, err := ReadImage(dir)
	if err != nil {
		tb.Fatal(err)
	}
	r, err := Verify(context.Background(), img, level, nil)
	if err != nil {
		tb.Fatalf("Verify(%s, %d): %v", filepath.Base(dir), level, err)
	}
	if r.Level != level || r.Checked.IsZero() {
		tb.Fatalf("report of level %d checked at %v, want level %d", r.Level, r.Checked, level)
	}
	if r.OK != (len(r.Problems) == 0) {
		tb.Fatalf("OK is %v with %d problems", r.OK, len(r.Problems))
	}
	for _, p := range r.Problems {
		if p.File == "" || p.Level < 1 || p.Level > level {
			tb.Errorf("problem without a file or with a level outside 1..%d: %+v", level, p)
		}
	}
	return r
}

func describe(r Report) string {
	var b strings.Builder
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "\n  problem %s", p)
	}
	for _, n := range r.Notices {
		fmt.Fprintf(&b, "\n  notice  %s", n)
	}
	return b.String()
}

// TestPristineImagesPass: every image Clonezilla made passes every level.
func TestPristineImagesPass(t *testing.T) {
	f := images(t)
	for _, name := range []string{imgSums, imgNoSums, imgLVM, imgParts} {
		for level := 1; level <= 3; level++ {
			t.Run(fmt.Sprintf("%s/level%d", name, level), func(t *testing.T) {
				r := verify(t, f.image(name), level)
				if !r.OK {
					t.Fatalf("pristine image fails:%s", describe(r))
				}
			})
		}
	}
}

// want is a problem a damaged image must show: found by the check of level
// Level (when Verify runs at that level and above), in file File (or a file
// whose name starts with File when Prefix is set).
type want struct {
	Level  int
	File   string
	Prefix bool
}

func (w want) in(r Report) bool {
	for _, p := range r.Problems {
		if p.Level == w.Level && (p.File == w.File || (w.Prefix && strings.HasPrefix(p.File, w.File))) {
			return true
		}
	}
	return false
}

// damage is one corruption case: it damages a copy of an image and says
// which levels must still pass (all below clean) and which problems must show.
type damage struct {
	name  string
	image string
	apply func(tb testing.TB, dir string) (clean int, wants []want)
}

// diskName is the source disk's kernel name in an image (the loop device
// the fixture got).
func diskName(tb testing.TB, dir string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "disk"))
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Fields(string(b))[0]
}

// savedPart is the partition a saveparts image holds.
func savedPart(tb testing.TB, dir string) string {
	tb.Helper()
	return strings.Fields(readFile(tb, dir, "parts"))[0]
}

// dataOffset is where the used blocks start in a decoded partclone stream.
func dataOffset(tb testing.TB, plain []byte) int {
	tb.Helper()
	if len(plain) < ptclHeaderSize || string(plain[:16]) != ptclMagic {
		tb.Fatal("not a partclone stream")
	}
	h := parsePtclHeader(plain[:ptclHeaderSize])
	return ptclHeaderSize + int((h.TotalBlocks+7)/8) + 4
}

func damages() []damage {
	noSums := func(tb testing.TB, dir string) {
		for _, s := range checksumFiles() {
			os.Remove(filepath.Join(dir, s))
		}
	}
	return []damage{
		{"zst volume: byte flipped", imgSums, func(tb testing.TB, dir string) (int, []want) {
			v := volumesOf(tb, dir, diskName(tb, dir)+"p2")[0]
			flipByte(tb, filepath.Join(dir, v), -1)
			return 0, []want{{1, v, false}, {2, v, false}}
		}},
		{"gz middle volume: byte flipped", imgParts, func(tb testing.TB, dir string) (int, []want) {
			p2 := savedPart(tb, dir)
			vols := volumesOf(tb, dir, p2)
			flipByte(tb, filepath.Join(dir, vols[1]), -1)
			return 0, []want{{1, vols[1], false}, {2, p2 + ".ext4-ptcl-img.gz.", true}}
		}},
		{"partclone data: byte flipped before compression, checksums rewritten", imgSums, func(tb testing.TB, dir string) (int, []want) {
			v := volumesOf(tb, dir, diskName(tb, dir)+"p2")[0]
			recompressZstd(tb, filepath.Join(dir, v), func(b []byte) []byte {
				b[dataOffset(tb, b)+5000] ^= 1
				return b
			})
			resum(tb, dir, v)
			return 3, []want{{3, v, false}}
		}},
		{"partclone header: byte flipped before compression", imgNoSums, func(tb testing.TB, dir string) (int, []want) {
			v := volumesOf(tb, dir, diskName(tb, dir)+"p2")[0]
			recompressZstd(tb, filepath.Join(dir, v), func(b []byte) []byte { b[40] ^= 1; return b })
			return 3, []want{{3, v, false}}
		}},
		{"partclone bitmap: byte flipped before compression", imgNoSums, func(tb testing.TB, dir string) (int, []want) {
			v := volumesOf(tb, dir, diskName(tb, dir)+"p1")[0]
			recompressZstd(tb, filepath.Join(dir, v), func(b []byte) []byte { b[ptclHeaderSize+7] ^= 0x10; return b })
			return 3, []want{{3, v, false}}
		}},
		{"first volume deleted", imgParts, func(tb testing.TB, dir string) (int, []want) {
			vols := volumesOf(tb, dir, savedPart(tb, dir))
			remove(tb, dir, vols[0])
			return 0, []want{{1, vols[0], false}, {2, vols[0], false}}
		}},
		{"middle volume deleted", imgParts, func(tb testing.TB, dir string) (int, []want) {
			vols := volumesOf(tb, dir, savedPart(tb, dir))
			remove(tb, dir, vols[1])
			return 0, []want{{1, vols[1], false}, {2, vols[1], false}}
		}},
		{"last volume deleted", imgParts, func(tb testing.TB, dir string) (int, []want) {
			vols := volumesOf(tb, dir, savedPart(tb, dir))
			last := vols[len(vols)-1]
			remove(tb, dir, last)
			return 0, []want{{1, last, false}, {2, last, false}}
		}},
		{"last volume truncated to half", imgParts, func(tb testing.TB, dir string) (int, []want) {
			vols := volumesOf(tb, dir, savedPart(tb, dir))
			last := vols[len(vols)-1]
			truncateFile(tb, filepath.Join(dir, last), func(n int64) int64 { return n / 2 })
			return 0, []want{{1, last, false}, {2, last, false}}
		}},
		{"middle volume one byte short", imgParts, func(tb testing.TB, dir string) (int, []want) {
			vols := volumesOf(tb, dir, savedPart(tb, dir))
			truncateFile(tb, filepath.Join(dir, vols[1]), func(n int64) int64 { return n - 1 })
			return 0, []want{{1, vols[1], false}, {2, vols[1], false}}
		}},
		{"zeros appended to the last gz volume", imgParts, func(tb testing.TB, dir string) (int, []want) {
			vols := volumesOf(tb, dir, savedPart(tb, dir))
			last := vols[len(vols)-1]
			appendBytes(tb, filepath.Join(dir, last), make([]byte, 4096))
			return 0, []want{{1, last, false}, {2, last, false}}
		}},
		{"empty zst volume", imgLVM, func(tb testing.TB, dir string) (int, []want) {
			vols := volumesOf(tb, dir, vgName+"-root")
			truncateFile(tb, filepath.Join(dir, vols[1]), func(int64) int64 { return 0 })
			return 0, []want{{1, vols[1], false}, {2, vols[1], false}}
		}},
		{"zst volume truncated, no checksums", imgNoSums, func(tb testing.TB, dir string) (int, []want) {
			v := volumesOf(tb, dir, diskName(tb, dir)+"p2")[0]
			truncateFile(tb, filepath.Join(dir, v), func(n int64) int64 { return n / 2 })
			return 2, []want{{2, v, false}}
		}},
		{"byte flipped, no checksums", imgNoSums, func(tb testing.TB, dir string) (int, []want) {
			v := volumesOf(tb, dir, diskName(tb, dir)+"p2")[0]
			flipByte(tb, filepath.Join(dir, v), -1)
			return 2, []want{{2, v, false}}
		}},
		{"garbage appended to a zst volume, no checksums", imgNoSums, func(tb testing.TB, dir string) (int, []want) {
			v := volumesOf(tb, dir, diskName(tb, dir)+"p1")[0]
			appendBytes(tb, filepath.Join(dir, v), bytes.Repeat([]byte("garbage!"), 512))
			return 2, []want{{2, v, false}}
		}},
		{"partition table deleted", imgSums, func(tb testing.TB, dir string) (int, []want) {
			sf := diskName(tb, dir) + "-pt.sf"
			remove(tb, dir, sf)
			return 0, []want{{1, sf, false}, {2, sf, false}}
		}},
		{"partition table edited", imgSums, func(tb testing.TB, dir string) (int, []want) {
			sf := diskName(tb, dir) + "-pt.sf"
			text := strings.Replace(readFile(tb, dir, sf), "start=", "start=1", 1)
			writeFile(tb, dir, sf, text)
			return 0, []want{{1, sf, false}}
		}},
		{"partition image deleted", imgSums, func(tb testing.TB, dir string) (int, []want) {
			p1 := diskName(tb, dir) + "p1"
			remove(tb, dir, volumesOf(tb, dir, p1)...)
			return 0, []want{{2, p1 + ".vfat-ptcl-img.zst", false}}
		}},
		{"disk and parts deleted", imgSums, func(tb testing.TB, dir string) (int, []want) {
			remove(tb, dir, "disk", "parts")
			return 0, []want{{1, "parts", false}, {2, "parts", false}, {2, "disk", false}}
		}},
		{"MD5SUMS deleted", imgSums, func(tb testing.TB, dir string) (int, []want) {
			remove(tb, dir, "MD5SUMS")
			return 0, []want{{1, "MD5SUMS", false}}
		}},
		{"MD5SUMS: an entry changed", imgSums, func(tb testing.TB, dir string) (int, []want) {
			// MD5SUMS is not recomputed by default: SHA1SUMS proves it.
			text := readFile(tb, dir, "MD5SUMS")
			writeFile(tb, dir, "MD5SUMS", strings.Replace(text, text[:8], "00000000", 1))
			return 0, []want{{1, "MD5SUMS", false}}
		}},
		{"LV list deleted", imgLVM, func(tb testing.TB, dir string) (int, []want) {
			remove(tb, dir, "lvm_logv.list")
			return 0, []want{{1, "lvm_logv.list", false}, {2, "lvm_logv.list", false}}
		}},
		{"LV image deleted", imgLVM, func(tb testing.TB, dir string) (int, []want) {
			vols := volumesOf(tb, dir, vgName+"-root")
			remove(tb, dir, vols...)
			return 0, []want{{1, vols[0], false}, {2, vgName + "-root.ext4-ptcl-img.zst", true}}
		}},
		{"swap info deleted", imgLVM, func(tb testing.TB, dir string) (int, []want) {
			info := "swappt-" + vgName + "-swap.info"
			remove(tb, dir, info)
			return 0, []want{{1, info, false}, {2, info, false}}
		}},
		{"swap info deleted, no checksums", imgLVM, func(tb testing.TB, dir string) (int, []want) {
			noSums(tb, dir)
			info := "swappt-" + vgName + "-swap.info"
			remove(tb, dir, info)
			return 2, []want{{2, info, false}}
		}},
		{"partclone.dd image: byte flipped", imgLVM, func(tb testing.TB, dir string) (int, []want) {
			v := volumesOf(tb, dir, diskName(tb, dir)+"p1")[0]
			flipByte(tb, filepath.Join(dir, v), -1)
			return 0, []want{{1, v, false}, {2, v, false}}
		}},
		{"partclone.dd LV: byte flipped, no checksums", imgLVM, func(tb testing.TB, dir string) (int, []want) {
			noSums(tb, dir)
			v := volumesOf(tb, dir, vgName+"-vm-100-disk-0")[0]
			flipByte(tb, filepath.Join(dir, v), -1)
			return 2, []want{{2, v, false}}
		}},
		{"partclone.dd LV: shortened before compression, no checksums", imgLVM, func(tb testing.TB, dir string) (int, []want) {
			noSums(tb, dir)
			v := volumesOf(tb, dir, vgName+"-vm-100-disk-0")[0]
			recompressZstd(tb, filepath.Join(dir, v), func(b []byte) []byte { return b[:len(b)-4096] })
			return 3, []want{{3, v, false}}
		}},
	}
}

func readFile(tb testing.TB, dir, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func writeFile(tb testing.TB, dir, name, text string) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestDamageIsFound: each corruption is caught by the level that can see it,
// naming the damaged (or missing) file, and by every level above; the levels
// below it still pass, which shows each level checks what it claims.
func TestDamageIsFound(t *testing.T) {
	f := images(t)
	for _, d := range damages() {
		t.Run(d.name, func(t *testing.T) {
			dir := copyImage(t, f.image(d.image))
			clean, wants := d.apply(t, dir)
			reports := map[int]Report{}
			for level := 1; level <= 3; level++ {
				reports[level] = verify(t, dir, level)
			}
			t.Logf("level 3 reports:%s", describe(reports[3]))
			for level := 1; level < clean; level++ {
				if !reports[level].OK {
					t.Errorf("level %d should not see this damage, yet reports:%s", level, describe(reports[level]))
				}
			}
			for _, w := range wants {
				for level := w.Level; level <= 3; level++ {
					if !w.in(reports[level]) {
						t.Errorf("level %d: want a level-%d problem in %s; got:%s", level, w.Level, w.File, describe(reports[level]))
					}
				}
			}
		})
	}
}

func TestVerifyRefuses(t *testing.T) {
	f := images(t)
	img, err := ReadImage(f.image(imgSums))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(context.Background(), img, 4, nil); err == nil {
		t.Error("level 4 accepted")
	}
	notImage := t.TempDir()
	writeFile(t, notImage, "README", "hello")
	if _, err := Verify(context.Background(), Image{Path: notImage}, 1, nil); err == nil {
		t.Error("a directory without Clonezilla files verified")
	}
	if _, err := Verify(context.Background(), Image{Path: filepath.Join(notImage, "gone")}, 1, nil); err == nil {
		t.Error("a missing directory verified")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r, err := Verify(ctx, img, 3, nil); !errors.Is(err, context.Canceled) || r.OK {
		t.Errorf("cancelled verification: err %v, ok %v; want context.Canceled, not ok", err, r.OK)
	}
}

// TestVerifyProgress: progress comes from one goroutine, grows, and ends at
// the total, which counts each file once.
func TestVerifyProgress(t *testing.T) {
	f := images(t)
	img, err := ReadImage(f.image(imgParts))
	if err != nil {
		t.Fatal(err)
	}
	var seen []Progress
	r, err := Verify(context.Background(), img, 3, func(p Progress) { seen = append(seen, p) })
	if err != nil || !r.OK {
		t.Fatalf("verify: %v%s", err, describe(r))
	}
	if len(seen) == 0 {
		t.Fatal("no progress reported")
	}
	var streams int64
	for _, v := range img.Parts {
		streams += v.Bytes
	}
	last := seen[len(seen)-1]
	if last.DoneBytes != last.TotalBytes || last.TotalBytes != r.Bytes || r.Bytes < streams {
		t.Errorf("last progress %+v, report read %d bytes, volumes hold %d", last, r.Bytes, streams)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].DoneBytes < seen[i-1].DoneBytes {
			t.Errorf("progress went back: %d after %d", seen[i].DoneBytes, seen[i-1].DoneBytes)
		}
	}
	if last.File == "" || last.Percent() != 100 {
		t.Errorf("last progress %+v: want a file and 100%%", last)
	}
	if m := last.Model(); m.DoneBytes != last.DoneBytes || m.Percent != 100 {
		t.Errorf("model progress %+v", m)
	}
}

// TestEveryDigest: with EveryDigest the weaker checksum files are recomputed
// too, and a damaged file is reported against each of them.
func TestEveryDigest(t *testing.T) {
	f := images(t)
	dir := copyImage(t, f.image(imgSums))
	img, err := ReadImage(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := VerifyWith(context.Background(), img, Options{Level: 1, EveryDigest: true}, nil)
	if err != nil || !r.OK {
		t.Fatalf("pristine: %v%s", err, describe(r))
	}
	for _, n := range r.Notices {
		if n.File == "MD5SUMS" {
			t.Errorf("MD5SUMS said to be proved by SHA1SUMS although every digest was asked for: %s", n)
		}
	}
	v := volumesOf(t, dir, diskName(t, dir)+"p2")[0]
	flipByte(t, filepath.Join(dir, v), -1)
	r, err = VerifyWith(context.Background(), img, Options{Level: 1, EveryDigest: true}, nil)
	if err != nil || len(r.Problems) != 1 || r.Problems[0].File != v ||
		!strings.Contains(r.Problems[0].Message, "MD5SUMS") || !strings.Contains(r.Problems[0].Message, "SHA1SUMS") {
		t.Fatalf("damaged: %v%s", err, describe(r))
	}
}

// TestOtherCompressions: the other compressions Clonezilla writes (-z0,
// -z2 bzip2, -z5 xz …): bzip2 and uncompressed streams are decoded and
// checked, xz is reported as not checked rather than passed off as checked,
// and a stream whose content does not match its name is a problem.
func TestOtherCompressions(t *testing.T) {
	needs.Command(t, "bzip2", "bzip2")
	needs.Command(t, "xz-utils", "xz")
	f := images(t)
	dir := copyImage(t, f.image(imgNoSums))
	disk := diskName(t, dir)
	p1, p2 := volumesOf(t, dir, disk+"p1")[0], volumesOf(t, dir, disk+"p2")[0]
	plain := func(name string) []byte {
		b := decodeZstd(t, filepath.Join(dir, name))
		remove(t, dir, name)
		return b
	}
	compress := func(b []byte, tool string, args ...string) []byte {
		cmd := exec.Command(tool, append(args, "-c")...)
		cmd.Stdin = bytes.NewReader(b)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v (install bzip2 xz-utils)", tool, err)
		}
		return out
	}
	// bzip2 on the small ESP stream: Go's bzip2 is slow under -race.
	p1plain, p2plain := plain(p1), plain(p2)
	bz2 := strings.TrimSuffix(p1, ".zst") + ".bz2"
	writeFile(t, dir, bz2, string(compress(p1plain, "bzip2")))
	xz := strings.TrimSuffix(p2, ".zst") + ".xz"
	writeFile(t, dir, xz, string(compress(p2plain, "xz", "-0", "-T2")))
	r := verify(t, dir, 3)
	if !r.OK {
		t.Fatalf("bzip2 and xz streams:%s", describe(r))
	}
	noted := false
	for _, n := range r.Notices {
		noted = noted || (n.File == xz && strings.Contains(n.Message, "compression xz is not checked by this version"))
	}
	if !noted {
		t.Errorf("no notice that xz is not checked:%s", describe(r))
	}

	// The same partclone stream uncompressed (-z0), then damaged.
	remove(t, dir, xz)
	uncomp := strings.TrimSuffix(p2, ".zst") + ".uncomp"
	writeFile(t, dir, uncomp, string(p2plain))
	if r := verify(t, dir, 3); !r.OK {
		t.Fatalf("uncompressed stream:%s", describe(r))
	}
	flipByte(t, filepath.Join(dir, uncomp), int64(dataOffset(t, p2plain)+100))
	if r := verify(t, dir, 3); !(want{3, uncomp, false}).in(r) {
		t.Errorf("damaged uncompressed stream:%s", describe(r))
	}

	// bzip2 data under a zstd name.
	remove(t, dir, bz2)
	writeFile(t, dir, p1, string(compress(p1plain, "bzip2")))
	if r := verify(t, dir, 2); !(want{2, p1, false}).in(r) {
		t.Errorf("bzip2 data named .zst:%s", describe(r))
	}
}
