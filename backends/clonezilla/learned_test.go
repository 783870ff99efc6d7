package clonezilla

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// learnedStream is a partclone image of 200 blocks of 1 KiB, 150 used.
func learnedStream() []byte {
	used := make([]bool, 200)
	for i := range used {
		used[i] = i%4 != 0
	}
	return ptclStream(200, used, 64, false)
}

const learnedUsed = 150 * 1024

func zstdBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	e, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	return e.EncodeAll(b, nil)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// learnedImage writes an image directory holding the given volume files
// and returns its inventory entry, as Scan would give it for these fields.
func learnedImage(t *testing.T, name string, size int64, files map[string][]byte, vols ...Volume) Image {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for f, b := range files {
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return Image{Path: dir, Name: name, SizeBytes: size, Parts: vols}
}

func TestLearnedUsedAtSave(t *testing.T) {
	stream := learnedStream()
	damaged := bytes.Clone(stream)
	damaged[70] ^= 0xff // inside the header: its CRC no longer matches
	for _, c := range []struct {
		name  string
		files map[string][]byte
		vols  []Volume
		lvs   []Volume
		want  int64
		err   string
	}{
		{name: "zstd",
			files: map[string][]byte{"sda1.ext4-ptcl-img.zst": zstdBytes(t, stream)},
			vols:  []Volume{{Name: "sda1", FS: "ext4", Comp: "zstd", Files: []string{"sda1.ext4-ptcl-img.zst"}}},
			want:  learnedUsed},
		{name: "gzip split: only the first volume is read",
			files: func() map[string][]byte {
				z := gzipBytes(t, stream)
				return map[string][]byte{"sda1.ext4-ptcl-img.gz.aa": z[:len(z)/2]} // .ab is not even there
			}(),
			vols: []Volume{{Name: "sda1", FS: "ext4", Comp: "gzip", Files: []string{"sda1.ext4-ptcl-img.gz.aa", "sda1.ext4-ptcl-img.gz.ab"}}},
			want: learnedUsed},
		{name: "uncompressed",
			files: map[string][]byte{"sda1.ext4-ptcl-img.uncomp": stream},
			vols:  []Volume{{Name: "sda1", FS: "ext4", Comp: "none", Files: []string{"sda1.ext4-ptcl-img.uncomp"}}},
			want:  learnedUsed},
		{name: "dd counts the volume, swap nothing, LVs too",
			files: map[string][]byte{"sda2.ext4-ptcl-img.zst": zstdBytes(t, stream)},
			vols: []Volume{
				{Name: "sda1", FS: "dd", Comp: "zstd", Files: []string{"sda1.dd-ptcl-img.zst"}, Size: 1 << 20},
				{Name: "sda2", FS: "ext4", Comp: "zstd", Files: []string{"sda2.ext4-ptcl-img.zst"}},
				{Name: "sda3", FS: "swap", Size: 8 << 30},
			},
			lvs: []Volume{
				{Name: "pve-vm-100-disk-0", FS: "dd", Comp: "zstd", Files: []string{"pve-vm-100-disk-0.dd-ptcl-img.zst"}, Size: 512 << 20},
				{Name: "pve-swap", FS: "swap", Size: 64 << 20},
			},
			want: 1<<20 + learnedUsed + 512<<20},
		{name: "damaged header",
			files: map[string][]byte{"sda1.ext4-ptcl-img.zst": zstdBytes(t, damaged)},
			vols:  []Volume{{Name: "sda1", FS: "ext4", Comp: "zstd", Files: []string{"sda1.ext4-ptcl-img.zst"}}},
			err:   "partclone header checksum mismatch"},
		{name: "not partclone",
			files: map[string][]byte{"sda1.ext4-ptcl-img.zst": zstdBytes(t, bytes.Repeat([]byte("x"), 500))},
			vols:  []Volume{{Name: "sda1", FS: "ext4", Comp: "zstd", Files: []string{"sda1.ext4-ptcl-img.zst"}}},
			err:   "no partclone image"},
		{name: "too short",
			files: map[string][]byte{"sda1.ext4-ptcl-img.zst": zstdBytes(t, stream[:50])},
			vols:  []Volume{{Name: "sda1", FS: "ext4", Comp: "zstd", Files: []string{"sda1.ext4-ptcl-img.zst"}}},
			err:   "reading the partclone header"},
		{name: "file missing",
			vols: []Volume{{Name: "sda1", FS: "ext4", Comp: "zstd", Files: []string{"sda1.ext4-ptcl-img.zst"}}},
			err:  "no such file"},
		{name: "dd of unknown size",
			vols: []Volume{{Name: "sda1", FS: "dd", Comp: "zstd", Files: []string{"sda1.dd-ptcl-img.zst"}}},
			err:  "size is not known"},
		{name: "lzo is not read",
			files: map[string][]byte{"sda1.ext4-ptcl-img.lzo": append([]byte{0x89, 'L', 'Z', 'O', 0}, stream...)},
			vols:  []Volume{{Name: "sda1", FS: "ext4", Comp: "lzop", Files: []string{"sda1.ext4-ptcl-img.lzo"}}},
			err:   "compression lzop is not read"},
		{name: "only swap",
			vols: []Volume{{Name: "sda3", FS: "swap"}},
			err:  "no imaged volume"},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := learnedImage(t, "img", 1000, c.files, c.vols...)
			img.LVs = c.lvs
			got, err := UsedAtSave(img)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("used %d, want %d", got, c.want)
			}
		})
	}
}

func TestLearnedRatio(t *testing.T) {
	vol := func(file string) Volume {
		return Volume{Name: "sda1", FS: "ext4", Comp: "zstd", Files: []string{file}}
	}
	good := func(name string, size int64) Image {
		return learnedImage(t, name, size, map[string][]byte{"sda1.ext4-ptcl-img.zst": zstdBytes(t, learnedStream())}, vol("sda1.ext4-ptcl-img.zst"))
	}
	broken := learnedImage(t, "broken", 5000, nil, vol("sda1.ext4-ptcl-img.zst"))

	ratio, from, err := LearnRatio([]Image{good("a", 60000), broken, good("b", 30000)})
	if from != 2 {
		t.Fatalf("from %d, want 2", from)
	}
	if want := float64(90000) / float64(2*learnedUsed); math.Abs(ratio-want) > 1e-12 {
		t.Errorf("ratio %v, want %v (sum over sum)", ratio, want)
	}
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("the unreadable image is named: %v", err)
	}

	ratio, from, err = LearnRatio([]Image{broken})
	if ratio != 0 || from != 0 || err == nil {
		t.Errorf("none readable: %v %d %v", ratio, from, err)
	}
	ratio, from, err = LearnRatio(nil)
	if ratio != 0 || from != 0 || err != nil {
		t.Errorf("no images: %v %d %v", ratio, from, err)
	}
}

// The preflight's estimate with a ratio learned from earlier images: used
// bytes × ratio + 5 %.
func TestLearnedExpectedSize(t *testing.T) {
	earlier := []Image{}
	for _, size := range []int64{40000, 50000, 63600} {
		earlier = append(earlier, learnedImage(t, "earlier", size,
			map[string][]byte{"sda1.ext4-ptcl-img.zst": zstdBytes(t, learnedStream())},
			Volume{Name: "sda1", FS: "ext4", Comp: "zstd", Files: []string{"sda1.ext4-ptcl-img.zst"}}))
	}
	in := pveInput(t)
	in.Earlier = earlier
	p := RunPreflight(in)
	ratio := float64(40000+50000+63600) / float64(3*learnedUsed)
	if math.Abs(p.Ratio-ratio) > 1e-12 || p.RatioFrom != "learned from 3 earlier images on the drive" {
		t.Errorf("ratio %v %q, want %v", p.Ratio, p.RatioFrom, ratio)
	}
	if want := int64(math.Ceil(float64(pveUsed()) * ratio * 1.05)); p.Expected != want {
		t.Errorf("expected %d, want %d", p.Expected, want)
	}
	if c := checkNamed(t, p, "expected size"); !strings.Contains(c.Reason, "× 0.33 (learned from 3 earlier images on the drive) + 5 %") {
		t.Errorf("expected line: %q", c.Reason)
	}

	in.Earlier = append(earlier[:1], learnedImage(t, "gone", 10, nil,
		Volume{Name: "sda1", FS: "ext4", Comp: "zstd", Files: []string{"x.ext4-ptcl-img.zst"}}))
	if p := RunPreflight(in); p.RatioFrom != "learned from 1 earlier image on the drive (1 could not be read)" {
		t.Errorf("partly read: %q", p.RatioFrom)
	}
	in.Earlier = in.Earlier[1:]
	if p := RunPreflight(in); p.Ratio != 1 || p.RatioFrom != "no earlier image could be read: counted uncompressed" {
		t.Errorf("none read: %v %q", p.Ratio, p.RatioFrom)
	}
}

// UsedAtSave on the images Clonezilla itself made (built once per test
// binary, as root): every volume's header is read, zstd and gzip alike, and
// the stored bytes are fewer than the used ones on these compressible disks.
func TestUsedAtSaveOnRealImages(t *testing.T) {
	f := images(t)
	for _, name := range []string{imgSums, imgLVM, imgParts} {
		img, err := ReadImage(f.image(name))
		if err != nil {
			t.Fatal(err)
		}
		used, err := UsedAtSave(img)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var ddBytes int64
		for _, v := range append(append([]Volume{}, img.Parts...), img.LVs...) {
			if v.FS == "dd" {
				ddBytes += v.Size
			}
		}
		// Used space holds at least the random data written on the source
		// disk and the raw (dd) volumes whole, and is below the disk's size.
		random, disk := int64(rootRandom), int64(simpleDiskMiB<<20)
		if name == imgLVM {
			random, disk = lvRoot, pveDiskMiB<<20
		}
		if used < random+ddBytes || used > disk {
			t.Errorf("%s: used %d (random data %d, dd volumes %d, disk %d)", name, used, random, ddBytes, disk)
		}
	}
	ratio, from, err := LearnRatio(func() []Image {
		var imgs []Image
		for _, name := range []string{imgSums, imgParts} {
			img, _ := ReadImage(f.image(name))
			imgs = append(imgs, img)
		}
		return imgs
	}())
	if err != nil || from != 2 || ratio <= 0 || ratio > 1.2 {
		t.Errorf("ratio %v from %d err %v", ratio, from, err)
	}
}
