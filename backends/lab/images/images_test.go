package images

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/needs"

	"github.com/klauspost/compress/zstd"

	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/backends/lab/host"
)

// testNow is a Saturday afternoon in November, in a zone ahead of UTC.
var testNow = time.Date(2026, 11, 14, 16, 20, 0, 0, time.FixedZone("CET", 3600))

// testNames are the images testNow gets, oldest first.
var testNames = []string{
	"pve-pve-ssd-2026-08-01", "pve-pve-hdd-2026-08-01",
	"pve-pve-ssd-2026-09-01", "pve-pve-hdd-2026-09-01",
	"pve-pve-ssd-2026-10-01", "pve-pve-hdd-2026-10-01",
	"pve-pve-ssd-2026-11-01", "pve-pve-hdd-2026-11-01",
	"pve-pve-ssd-2026-11-04", "pve-pve-hdd-2026-11-04",
}

// testDamaged is the image damaged on purpose: the HDD's of the oldest month.
const testDamaged = "pve-pve-hdd-2026-08-01"

func writeImages(t testing.TB, now time.Time) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	paths, err := Write(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	return dir, paths
}

// The images are where the plan says, named {host}-{disk}-{date}: the 1st
// of the last four months whose imaging was over, and a pair ten days ago;
// a 1st ten days ago is the month's pair; a run still to come on the 1st of
// this month is not there yet; years wrap.
func TestPlan(t *testing.T) {
	t.Parallel()
	names := func(now time.Time) []string {
		var out []string
		for _, img := range planImages(now) {
			out = append(out, img.name)
		}
		return out
	}
	if got := names(testNow); !slices.Equal(got, testNames) {
		t.Errorf("names %q", got)
	}
	pairs := func(dates ...string) []string {
		var out []string
		for _, d := range dates {
			out = append(out, "pve-pve-ssd-"+d, "pve-pve-hdd-"+d)
		}
		return out
	}
	cet := testNow.Location()
	for _, tc := range []struct {
		now  time.Time
		want []string
	}{
		{time.Date(2026, 11, 11, 12, 0, 0, 0, cet), pairs("2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01")},
		{time.Date(2026, 11, 1, 9, 30, 0, 0, cet), pairs("2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-10-22")},
		{time.Date(2027, 1, 5, 8, 0, 0, 0, cet), pairs("2026-10-01", "2026-11-01", "2026-12-01", "2026-12-26", "2027-01-01")},
	} {
		if got := names(tc.now); !slices.Equal(got, tc.want) {
			t.Errorf("%v: names %q\nwant %q", tc.now, got, tc.want)
		}
	}
	var damaged []string
	for _, img := range planImages(testNow) {
		if img.damaged {
			damaged = append(damaged, img.name)
		}
		if !img.start.Before(testNow) {
			t.Errorf("%s starts at %v, after now", img.name, img.start)
		}
	}
	if !slices.Equal(damaged, []string{testDamaged}) {
		t.Errorf("damaged %q", damaged)
	}
}

// Every image is read back by the scanner as what it is: the disk with its
// serial, model and size (the fake lsblk's), its partitions and LVs with
// their image files, the thin pool listed but not imaged, the swap LV's
// info, the save time from the save log, zstd, both checksum files, the
// health from Info-smart.txt.
func TestScan(t *testing.T) {
	t.Parallel()
	dir, paths := writeImages(t, testNow)
	var want []string
	for _, n := range testNames {
		want = append(want, filepath.Join(dir, n))
	}
	if !slices.Equal(paths, want) {
		t.Errorf("paths %q", paths)
	}
	imgs, errs := clonezilla.Scan([]string{dir})
	if len(errs) > 0 || len(imgs) != len(testNames) {
		t.Fatalf("%d images, errors %v", len(imgs), errs)
	}
	type vol struct {
		Name, FS string
		Files    []string
		Size     int64
	}
	vols := func(vs []clonezilla.Volume) []vol {
		var out []vol
		for _, v := range vs {
			out = append(out, vol{v.Name, v.FS, v.Files, v.Size})
		}
		return out
	}
	for _, img := range imgs {
		ssd := strings.Contains(img.Name, "-ssd-")
		disk := clonezilla.Disk{Name: "sda", Model: "ST2000DM008-2FR102", Serial: "ZFL1ABCD", Size: 2000398934016,
			SizeFrom: "sda-pt.parted", Table: "gpt", SMART: "PASSED"}
		parts := []vol{{"sda1", "ext4", []string{"sda1.ext4-ptcl-img.zst.aa"}, 2000397868544}}
		var lvs []vol
		var pvs []clonezilla.PV
		var unimaged []string
		var swaps []clonezilla.Swap
		if ssd {
			disk = clonezilla.Disk{Name: "nvme0n1", Model: "Samsung SSD 980 PRO 1TB", Serial: "S5GXNX0T", Size: 1000204886016,
				SizeFrom: "nvme0n1-pt.parted", Table: "gpt", SMART: "PASSED"}
			parts = []vol{{"nvme0n1p1", "dd", []string{"nvme0n1p1.dd-ptcl-img.zst.aa"}, 1031168},
				{"nvme0n1p2", "vfat", []string{"nvme0n1p2.vfat-ptcl-img.zst.aa"}, 1 << 30}}
			lvs = []vol{{"pve-swap", "swap", nil, 8 << 30}, {"pve-root", "ext4", []string{"pve-root.ext4-ptcl-img.zst.aa"}, 96 << 30}}
			pvs = []clonezilla.PV{{Dev: "nvme0n1p3", VG: "pve", UUID: host.PartNamed("nvme0n1p3").UUID}}
			unimaged = []string{"/dev/pve/data"}
			swaps = []clonezilla.Swap{{Name: "pve-swap", File: "swappt-pve-swap.info", UUID: host.PartNamed("pve-swap").UUID}}
		}
		if img.Mode != clonezilla.ModeSaveDisk || !reflect.DeepEqual(img.Disks, []clonezilla.Disk{disk}) || !img.Covers(disk.Serial) {
			t.Errorf("%s: mode %s, disks %+v", img.Name, img.Mode, img.Disks)
		}
		if !reflect.DeepEqual(vols(img.Parts), parts) || !reflect.DeepEqual(vols(img.LVs), lvs) ||
			!reflect.DeepEqual(img.PVs, pvs) || !reflect.DeepEqual(img.Unimaged, unimaged) || !reflect.DeepEqual(img.Swaps, swaps) {
			t.Errorf("%s: parts %+v\nLVs %+v\nPVs %+v, unimaged %q, swaps %+v", img.Name, img.Parts, img.LVs, img.PVs, img.Unimaged, img.Swaps)
		}
		if img.Compression != "zstd" || !slices.Equal(img.Checksums, []string{"SHA1SUMS", "MD5SUMS"}) ||
			img.SMARTAtSave != "SMART overall-health self-assessment test result: PASSED" || img.SizeBytes < 300<<10 || img.SizeBytes > 3<<20 {
			t.Errorf("%s: %s, %q, %d bytes", img.Name, img.Compression, img.SMARTAtSave, img.SizeBytes)
		}
		// Saved at the time of the plan: 09:04 on the 1st (the HDD's run
		// 14 minutes after the SSD's), 19:34 on the upgrade's day, in a
		// couple of minutes (the log's own words, in UTC).
		date, _ := time.ParseInLocation("2006-01-02", img.Name[len(img.Name)-10:], testNow.Location())
		from := date.Add(9*time.Hour + 4*time.Minute)
		if date.Day() != 1 {
			from = date.Add(19*time.Hour + 34*time.Minute)
		}
		if !ssd {
			from = from.Add(14 * time.Minute)
		}
		if img.SavedFrom != clonezilla.SavedFromLog || img.Saved.Location() != time.UTC ||
			img.Saved.Before(from) || img.Saved.After(from.Add(4*time.Minute)) {
			t.Errorf("%s: saved %v (%s), want within 4 minutes from %v", img.Name, img.Saved, img.SavedFrom, from)
		}
		if want := "ocs-sr -q2 -j2 -z9p -i 4096 -sfsck -senc -gs -gm -p poweroff savedisk " + img.Name + " SERIALNO=" + disk.Serial; img.Command != "/usr/sbin/"+want {
			t.Errorf("%s: command %q", img.Name, img.Command)
		}
		checkFiles(t, img)
	}
	// The earlier images teach the preflight how much Clonezilla compresses.
	ratio, from, err := clonezilla.LearnRatio(imgs)
	if err != nil || from != len(imgs) || ratio < 0.3 || ratio > 0.8 {
		t.Errorf("learned ratio %.2f from %d images, %v", ratio, from, err)
	}
}

// checkFiles checks what the scanner does not: the files' modes, the
// image id and size files, and that the checksum files list what ocs-sr's
// would (every file but the Info-* files, the log and themselves).
func checkFiles(t *testing.T, img clonezilla.Image) {
	t.Helper()
	entries, err := os.ReadDir(img.Path)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		mode := fs.FileMode(0o644)
		if strings.Contains(e.Name(), "-ptcl-img.") || e.Name() == "lvm_pve.conf" {
			mode = 0o600
		}
		if info.Mode() != mode {
			t.Errorf("%s/%s: mode %v", img.Name, e.Name(), info.Mode())
		}
		if !strings.HasPrefix(e.Name(), "Info-") && e.Name() != "clonezilla-img" && e.Name() != "MD5SUMS" && e.Name() != "SHA1SUMS" {
			listed = append(listed, e.Name())
		}
		// Written during the save, the log when it ended.
		if info.ModTime().After(img.Saved) || (e.Name() == "clonezilla-img" && !info.ModTime().Equal(img.Saved)) {
			t.Errorf("%s/%s: written %v, the image saved %v", img.Name, e.Name(), info.ModTime(), img.Saved)
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(img.Path, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	names := func(sums string) []string {
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(sums), "\n") {
			out = append(out, line[strings.Index(line, "  ")+2:])
		}
		return out
	}
	if got := names(read("MD5SUMS")); !slices.Equal(got, listed) {
		t.Errorf("%s: MD5SUMS lists %q, want %q", img.Name, got, listed)
	}
	if got := names(read("SHA1SUMS")); !slices.Equal(got, append([]string{"MD5SUMS"}, listed...)) {
		t.Errorf("%s: SHA1SUMS lists %q", img.Name, got)
	}
	id := sha512.Sum512([]byte(read("clonezilla-img")))
	if !strings.HasSuffix(read("Info-img-id.txt"), "\nIMG_ID="+hex.EncodeToString(id[:])+"\n") {
		t.Errorf("%s: Info-img-id.txt %q", img.Name, read("Info-img-id.txt"))
	}
	if size := read("Info-img-size.txt"); !strings.HasPrefix(size, "Image size (Bytes):\n") || !strings.HasSuffix(size, "\t/home/partimag/"+img.Name+"\n") {
		t.Errorf("%s: Info-img-size.txt %q", img.Name, size)
	}
}

// Every pristine image passes the native verification up to partclone's
// CRCs; the damaged one passes the checksums and the streams' decoding, and
// only partclone's CRCs find the flipped byte, in sda1's image file.
func TestVerify(t *testing.T) {
	t.Parallel()
	dir, _ := writeImages(t, testNow)
	imgs, errs := clonezilla.Scan([]string{dir})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ctx := context.Background()
	for _, img := range imgs {
		for level := clonezilla.LevelChecksums; level <= clonezilla.LevelPartclone; level++ {
			r, err := clonezilla.Verify(ctx, img, level, nil)
			if err != nil {
				t.Fatalf("%s level %d: %v", img.Name, level, err)
			}
			bad := img.Name == testDamaged && level == clonezilla.LevelPartclone
			if r.OK == bad {
				t.Errorf("%s level %d: ok %v, problems %v", img.Name, level, r.OK, r.Problems)
			}
			if bad && (len(r.Problems) != 1 || r.Problems[0].File != "sda1.ext4-ptcl-img.zst.aa" || r.Problems[0].Level != 3 ||
				!strings.Contains(r.Problems[0].Message, "CRC")) {
				t.Errorf("%s: problems %v", img.Name, r.Problems)
			}
		}
	}
}

// The same now writes the same bytes, modes and times; another month other
// images.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	a, _ := writeImages(t, testNow)
	b, _ := writeImages(t, testNow)
	snapshot := func(root string) map[string]string {
		out := map[string]string{}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if rel == "." {
				return nil // the temporary directories themselves
			}
			entry := info.Mode().String() + " " + info.ModTime().UTC().String()
			if !d.IsDir() {
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				entry += " " + string(data)
			}
			out[rel] = entry
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	sa, sb := snapshot(a), snapshot(b)
	if len(sa) < 300 {
		t.Fatalf("%d entries", len(sa))
	}
	for k, v := range sa {
		if sb[k] != v {
			t.Errorf("%s differs", k)
		}
	}
	if len(sa) != len(sb) {
		t.Errorf("%d entries, then %d", len(sa), len(sb))
	}
	later := planImages(testNow.AddDate(0, 1, 0))
	if later[len(later)-1].name != "pve-pve-hdd-2026-12-04" {
		t.Errorf("a month later: %s", later[len(later)-1].name)
	}
}

// Writing where the images already are is refused, before anything is
// written; a directory holding other things is fine.
func TestExisting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "other"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, testNow); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(dir)
	stamp := func() time.Time {
		info, err := os.Stat(filepath.Join(dir, testNames[0], "clonezilla-img"))
		if err != nil {
			t.Fatal(err)
		}
		return info.ModTime()
	}
	was := stamp()
	paths, err := Write(dir, testNow)
	if !errors.Is(err, fs.ErrExist) || paths != nil || !strings.Contains(err.Error(), testNames[0]) {
		t.Errorf("second write: %q, %v", paths, err)
	}
	// A month later only some names are new: still nothing is written.
	if _, err := Write(dir, testNow.AddDate(0, 1, 0)); !errors.Is(err, fs.ErrExist) {
		t.Errorf("a month later: %v", err)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) || len(after) != len(testNames)+2 || !stamp().Equal(was) {
		t.Errorf("%d entries before, %d after", len(before), len(after))
	}
}

// Real tools accept what the lab writes: md5sum -c and sha1sum -c in every
// image directory (the damaged one too: its sums were made after the
// damage), partclone.chkimg on the partclone streams (and it finds the
// damage), sgdisk -v on the disks rebuilt from the saved GPT copies.
func TestWithRealTools(t *testing.T) {
	t.Parallel()
	needs.Command(t, "coreutils", "md5sum", "sha1sum")
	needs.Command(t, "partclone", "partclone.chkimg")
	needs.Command(t, "gdisk", "sgdisk")
	dir, paths := writeImages(t, testNow)
	run := func(dir, name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, p := range paths {
		for _, c := range []string{"md5sum", "sha1sum"} {
			file := strings.ToUpper(strings.TrimSuffix(c, "sum")) + "SUMS"
			if out, err := run(p, c, "--strict", "-c", file); err != nil {
				t.Errorf("%s: %s -c %s: %v\n%s", filepath.Base(p), c, file, err, out)
			}
		}
	}
	scratch := t.TempDir()
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	for _, name := range []string{"pve-pve-ssd-2026-11-04", "pve-pve-hdd-2026-11-04", testDamaged} {
		files, _ := filepath.Glob(filepath.Join(dir, name, "*.*-ptcl-img.zst.aa"))
		for _, f := range files {
			if strings.Contains(f, ".dd-ptcl-img.") {
				continue // raw: no partclone image to check
			}
			z, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := dec.DecodeAll(z, nil)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			img := filepath.Join(scratch, "stream.img")
			if err := os.WriteFile(img, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			// -f 0: no progress refresh, which would wait two seconds at the end.
			out, err := run(scratch, "partclone.chkimg", "-f", "0", "-s", img, "-L", filepath.Join(scratch, "chkimg.log"))
			damaged := name == testDamaged
			if (err != nil) != damaged || strings.Contains(out, "CRC error") != damaged {
				t.Errorf("%s/%s: partclone.chkimg: %v\n%s", name, filepath.Base(f), err, lastLines(out, 3))
			}
		}
	}
	ssd, hdd := imagedDisks()
	for _, d := range []*disk{ssd, hdd} {
		img := filepath.Join(dir, "pve-"+d.key+"-2026-11-01")
		disk := filepath.Join(scratch, d.name()+".img")
		f, err := os.Create(disk)
		if err != nil {
			t.Fatal(err)
		}
		// Sparse: the saved sectors in place, the backup entries (which the
		// -gpt-2nd copy starts just after) from sgdisk's backup file.
		read := func(n string) []byte {
			b, err := os.ReadFile(filepath.Join(img, n))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		backup := read(d.name() + "-gpt.gdisk")
		for _, w := range []struct {
			at   int64
			data []byte
		}{{0, read(d.name() + "-gpt-1st")}, {(d.sectors - 33) * 512, backup[len(backup)-16384:]}, {(d.sectors - 32) * 512, read(d.name() + "-gpt-2nd")}} {
			if _, err := f.WriteAt(w.data, w.at); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Truncate(d.sectors * 512); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := run(scratch, "sgdisk", "-v", disk)
		if err != nil || !strings.Contains(out, "No problems found") {
			t.Errorf("%s: sgdisk -v: %v\n%s", d.name(), err, out)
		}
		out, _ = run(scratch, "sgdisk", "-p", disk)
		saved := string(read(d.name() + "-gpt.sgdisk"))
		for _, line := range []string{"Disk identifier (GUID): " + d.labelID, "Total free space is", "   1   "} {
			i, j := strings.Index(out, line), strings.Index(saved, line)
			if i < 0 || j < 0 || firstLine(out[i:]) != firstLine(saved[j:]) {
				t.Errorf("%s: sgdisk -p says %q, the image %q", d.name(), firstLine(out[max(i, 0):]), firstLine(saved[max(j, 0):]))
			}
		}
		os.Remove(disk)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// The demo writes the images at every start: all of them together should
// take well under 300 ms of one core.
func BenchmarkWrite(b *testing.B) {
	root := b.TempDir()
	i := 0
	for b.Loop() {
		dir := filepath.Join(root, strconv.Itoa(i))
		i++
		if _, err := Write(dir, testNow); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
