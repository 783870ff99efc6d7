package clonezilla

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Fuzz targets for every decoder of what an image directory, a tool or the
// state directory hands this package. Each checks that any input ends
// without a panic, in time and memory bounded by the input, and, where it is
// cheap, an invariant of what was decoded. Seeds are the text files of the
// real images FORMAT.md lists verbatim, and small streams built here.

var reFormatFile = regexp.MustCompile(`^<details><summary><code>([^<]+)</code> \(\d+ bytes\)</summary>`)

// formatTexts returns every text file of FORMAT.md's appendix whose name
// matches, as the real images hold them.
func formatTexts(tb testing.TB, name *regexp.Regexp) []string {
	tb.Helper()
	doc, err := os.ReadFile(formatDoc)
	if err != nil {
		tb.Fatalf("testdata/FORMAT.md is missing: %v", err)
	}
	lines := strings.Split(string(doc), "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		m := reFormatFile.FindStringSubmatch(lines[i])
		if m == nil || !name.MatchString(m[1]) || i+2 >= len(lines) || lines[i+2] != "```" {
			continue
		}
		var text []string
		for i += 3; i < len(lines) && lines[i] != "```"; i++ {
			text = append(text, lines[i])
		}
		out = append(out, strings.Join(text, "\n")+"\n")
	}
	if len(out) == 0 {
		tb.Fatalf("no file matching %s in FORMAT.md", name)
	}
	return out
}

func addTexts(f *testing.F, name string) {
	for _, text := range formatTexts(f, regexp.MustCompile(name)) {
		f.Add(text)
	}
}

func FuzzParseSfdisk(f *testing.F) {
	addTexts(f, `-pt\.sf$`)
	f.Add(mbrDump)
	f.Add("label: gpt\nsector-size: 4096\n/dev/sda1 : start=9223372036854775807, size=9223372036854775807, type=x\n")
	f.Fuzz(func(t *testing.T, text string) {
		table, err := parseSfdisk(text)
		if err != nil {
			return
		}
		if table.SectorSize <= 0 {
			t.Fatalf("sector size %d", table.SectorSize)
		}
		for _, p := range table.Parts {
			if p.Start < 0 || p.Sectors < 0 || p.Bytes(table.SectorSize) < 0 {
				t.Fatalf("partition %+v of %d-byte sectors: %d bytes", p, table.SectorSize, p.Bytes(table.SectorSize))
			}
		}
	})
}

func FuzzParseParted(f *testing.F) {
	addTexts(f, `-pt\.parted$`)
	f.Add("Disk /dev/sda: 9223372036854775807s\nSector size (logical/physical): 4096B/4096B\n")
	f.Fuzz(func(t *testing.T, text string) {
		if p := parseParted(text); p.Bytes < 0 || p.SectorSize <= 0 {
			t.Fatalf("%+v", p)
		}
	})
}

func FuzzHumanSize(f *testing.F) {
	for _, s := range []string{"447M", "1007K", "1.7G", "2T", "512", "0B", "1,5G", "NaN", "-3M", "1e300P"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n := parseHumanSize(s); n < 0 {
			t.Fatalf("%q: %d bytes", s, n)
		}
	})
}

func FuzzDevFS(f *testing.F) {
	addTexts(f, `^dev-fs\.list$`)
	f.Fuzz(func(t *testing.T, text string) {
		for _, e := range parseDevFS(text) {
			if !strings.HasPrefix(e.Path, "/dev/") || e.Size < 0 {
				t.Fatalf("%+v", e)
			}
		}
	})
}

func FuzzBlkdev(f *testing.F) {
	for _, text := range formatTexts(f, regexp.MustCompile(`^blkdev\.list$`)) {
		f.Add(text, "loop0")
		f.Add(text, "sda")
	}
	f.Fuzz(func(t *testing.T, text, name string) {
		if size, _ := parseBlkdev(text, name); size < 0 {
			t.Fatalf("size %d", size)
		}
	})
}

func FuzzLVMLists(f *testing.F) {
	vgdev := formatTexts(f, regexp.MustCompile(`^lvm_vg_dev\.list$`))
	logv := formatTexts(f, regexp.MustCompile(`^lvm_logv\.list$`))
	conf := formatTexts(f, regexp.MustCompile(`^lvm_.*\.conf$`))
	for i := range conf {
		f.Add(vgdev[i%len(vgdev)], logv[i%len(logv)], conf[i])
	}
	f.Fuzz(func(t *testing.T, vgdev, logv, conf string) {
		for _, e := range parseVGDev(vgdev) {
			if e.VG == "" || e.Dev == "" {
				t.Fatalf("%+v", e)
			}
		}
		c := parseVGConf(conf)
		for _, e := range parseLogv(logv) {
			if !strings.HasPrefix(e.Path, "/dev/") {
				t.Fatalf("%+v", e)
			}
			if n := c.Bytes(e.LV); n < 0 {
				t.Fatalf("LV %s: %d bytes", e.LV, n)
			}
		}
		for lv := range c.LVs {
			if n := c.Bytes(lv); n < 0 {
				t.Fatalf("LV %s: %d bytes (%+v)", lv, n, c)
			}
		}
	})
}

func FuzzInfoSMART(f *testing.F) {
	addTexts(f, `^Info-smart\.txt$`)
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range parseInfoSMART(text) {
			if s.Bytes < 0 {
				t.Fatalf("%+v", s)
			}
			_ = s.Line()
		}
	})
}

func FuzzSwapInfo(f *testing.F) {
	addTexts(f, `^swappt-.*\.info$`)
	f.Fuzz(func(t *testing.T, text string) {
		s := parseSwapInfo(text)
		if strings.ContainsAny(s.UUID+s.Label, "\n") {
			t.Fatalf("%+v", s)
		}
	})
}

// FuzzSums: every entry has a digest of the algorithm's size and a file
// name; an entry written back in sha1sum's form reads back the same.
func FuzzSums(f *testing.F) {
	for i, name := range []string{`^MD5SUMS$`, `^SHA1SUMS$`, `^B2SUMS$`} {
		for _, text := range formatTexts(f, regexp.MustCompile(name)) {
			f.Add(text, uint8(i))
		}
	}
	f.Add("MD5 (disk) = d41d8cd98f00b204e9800998ecf8427e\n\\d41d8cd98f00b204e9800998ecf8427e  a\\nb\n", uint8(0))
	f.Fuzz(func(t *testing.T, text string, which uint8) {
		a := algo(which % uint8(numAlgos))
		entries, bad := parseSums(text, a)
		for i := 1; i < len(bad); i++ {
			if bad[i] <= bad[i-1] {
				t.Fatalf("bad lines out of order: %v", bad)
			}
		}
		for _, e := range entries {
			if len(e.sum) != a.size() || e.file == "" {
				t.Fatalf("%+v", e)
			}
			if strings.ContainsAny(e.file, "\\\n\r") || strings.TrimSpace(e.file) != e.file || strings.HasPrefix(e.file, "./") {
				continue // written back only in an escaped form
			}
			line := hexString(e.sum) + "  " + e.file + "\n"
			back, bad := parseSums(line, a)
			if len(bad) != 0 || len(back) != 1 || back[0].file != e.file || !bytes.Equal(back[0].sum, e.sum) {
				t.Fatalf("%q read back as %+v (bad %v)", line, back, bad)
			}
		}
	})
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// FuzzStreamName: a recognised name splits into a base and a suffix that
// make it up again.
func FuzzStreamName(f *testing.F) {
	for _, s := range []string{"sda1.ext4-ptcl-img.zst.aa", "pve-root.ext4-ptcl-img.zst", "sda2.ntfs-img.ab", "sda3.dd-img",
		"sda1.ext4-img.aa", "MD5SUMS", ".ext4-ptcl-img.zst.aa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s, ok := parseStreamName(name)
		if !ok {
			return
		}
		whole := s.Base
		if s.Suffix != "" {
			whole += "." + s.Suffix
			if i := suffixIndex(s.Suffix); i < 0 || suffixAt(i) != s.Suffix {
				t.Fatalf("suffix %q ↔ %d", s.Suffix, i)
			}
		}
		if whole != name || s.Dev == "" || s.FS == "" {
			t.Fatalf("%q → %+v", name, s)
		}
	})
}

// FuzzPartclone: checkPartclone reads any stream to its end, in memory
// bounded by its chunk buffer; a stream it finds nothing wrong with is
// exactly as long as its header announces. With fix set the header's and
// the bitmap's CRCs are made right, so that the fuzzer reaches what lies
// behind them (a forged header).
func FuzzPartclone(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input it finds, and a
	// large one takes it minutes.
	used := []bool{true, false, false, true, false, false, false, false, true, false, false}
	f.Add(ptclStream(uint64(len(used)), used, 4, true), int64(0), false)
	f.Add(ptclStream(uint64(len(used)), used, 0, false), int64(1<<20), true)
	f.Add(ptclStream(uint64(len(used)), used, 3, false), int64(1024), true)
	for _, seed := range partcloneSeeds(f) {
		f.Add(seed, int64(0), false)
	}
	f.Fuzz(func(t *testing.T, stream []byte, partBytes int64, fix bool) {
		if fix {
			stream = fixPtclCRCs(stream)
		}
		c, err := checkPartclone(bytes.NewReader(stream), partBytes)
		if err != nil {
			t.Fatalf("a byte slice cannot fail to read: %v", err)
		}
		if c.Decoded != int64(len(stream)) {
			t.Fatalf("read %d of %d bytes", c.Decoded, len(stream))
		}
		if len(c.Problems) == 0 && len(c.Notices) == 0 && c.Header.StreamBytes() != uint64(len(stream)) {
			t.Fatalf("passed a stream of %d bytes whose header announces %d", len(stream), c.Header.StreamBytes())
		}
	})
}

// fixPtclCRCs gives a partclone stream right header and bitmap CRCs.
func fixPtclCRCs(stream []byte) []byte {
	if len(stream) < ptclHeaderSize || string(stream[:16]) != ptclMagic {
		return stream
	}
	stream = bytes.Clone(stream)
	le := binary.LittleEndian
	le.PutUint32(stream[106:], ^crc32.ChecksumIEEE(stream[:106]))
	h := parsePtclHeader(stream)
	if n := (h.TotalBlocks + 7) / 8; h.TotalBlocks < 1<<24 && uint64(len(stream)) >= ptclHeaderSize+n+4 {
		le.PutUint32(stream[ptclHeaderSize+n:], ^crc32.ChecksumIEEE(stream[ptclHeaderSize:ptclHeaderSize+n]))
	}
	return stream
}

// partcloneSeeds are the heads of real partclone streams: header, bitmap
// and the first blocks (testdata/seeds, see its README).
func partcloneSeeds(tb testing.TB) [][]byte {
	names, _ := filepath.Glob("testdata/seeds/*.ptcl")
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzCompressedStream: what the verification does with a volume's bytes,
// decompression included. The decompressed stream is cut at 64 MiB: a
// small input may expand far, which a real verification reads through.
func FuzzCompressedStream(f *testing.F) {
	used := []bool{true, true, false, true, true, true, false, false, true}
	plain := ptclStream(uint64(len(used)), used, 4, true)
	f.Add(plain, "uncomp")
	f.Add(zstdBytes(f, plain), "zst")
	gz := gzipBytes(f, plain)
	f.Add(gz, "gz")
	f.Add(append(bytes.Clone(gz), gzipBytes(f, []byte("x"))...), "gz")
	f.Add(append(bytes.Clone(gz), 0, 0, 0), "gz")
	f.Add([]byte("BZh91AY&SY"), "bz2")
	f.Fuzz(func(t *testing.T, data []byte, comp string) {
		br := bufio.NewReader(bytes.NewReader(data))
		if found := sniff(data); found != "" {
			comp = found
		}
		dec, closeDec, ok, err := openDecoder(br, comp)
		defer closeDec()
		if err != nil || !ok {
			return
		}
		c, err := checkPartclone(io.LimitReader(dec, 64<<20), 0)
		if err == nil && c.Decoded > 64<<20 {
			t.Fatalf("read %d bytes through a 64 MiB limit", c.Decoded)
		}
	})
}

// FuzzLsblk: lsblk's JSON, any shape.
func FuzzLsblk(f *testing.F) {
	f.Add([]byte(lsblkCaptured))
	f.Add([]byte(`{"blockdevices":[{"name":"sda","size":"1000","children":[{"name":"sda1","size":null,"fsused":"12","fsavail":7}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		devs, err := ParseLsblk(b)
		if err != nil {
			return
		}
		var walk func([]BlockDev, int)
		walk = func(ds []BlockDev, depth int) {
			if depth > len(b) {
				t.Fatalf("nesting deeper than the input is long")
			}
			for _, d := range ds {
				walk(d.Children, depth+1)
			}
		}
		walk(devs, 0)
	})
}

// FuzzCache: the images-last-seen record; what decodes re-encodes to
// something that decodes the same.
func FuzzCache(f *testing.F) {
	b, _ := json.Marshal(cachedInventory{Dirs: []string{"/mnt/images"}, Images: []Image{{Path: "/mnt/images/a", Name: "a", Stamp: "v1-00"}}})
	f.Add(b)
	f.Add([]byte(`{"seen":"2026-11-19T10:00:00Z","images":[{"Path":"/x","Parts":[{"Name":"sda1","Files":["a"]}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeCache(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(c)
		if err != nil {
			return // a time outside JSON's years, kept as read
		}
		back, err := decodeCache(again)
		if err != nil || len(back.Images) != len(c.Images) || len(back.Dirs) != len(c.Dirs) {
			t.Fatalf("re-encoded record reads back as %+v (%v), was %+v", back, err, c)
		}
		_ = c.within([]string{"/mnt/images"}).covers("/mnt/images")
	})
}

// FuzzImageDir: an image directory whose lists are anything at all; reading
// it, its summary, its structure check and what it held at save never fail
// by a panic, and every size is a size.
func FuzzImageDir(f *testing.F) {
	for _, image := range []string{"pve-host-lvm", "simple-part-ext4", "pve-vm-sda-lvmthin"} {
		texts := func(name string) string {
			all := formatTextsOf(f, image, name)
			if len(all) == 0 {
				return ""
			}
			return all[0]
		}
		disk := strings.TrimSpace(texts("disk"))
		f.Add(texts("disk"), texts("parts"), texts(disk+"-pt.sf"), texts("dev-fs.list"), texts("lvm_vg_dev.list"),
			texts("lvm_logv.list"), texts("lvm_pve.conf"), texts("Info-saved-by-cmd.txt"))
	}
	f.Fuzz(func(t *testing.T, disk, parts, sf, devfs, vgdev, logv, conf, cmd string) {
		dir := filepath.Join(t.TempDir(), "img")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		name := "sda"
		if f := strings.Fields(disk); len(f) > 0 && filepath.Base(f[0]) == f[0] && f[0] != "." && f[0] != ".." {
			name = f[0]
		}
		for file, text := range map[string]string{"disk": disk, "parts": parts, name + "-pt.sf": sf, "dev-fs.list": devfs,
			"lvm_vg_dev.list": vgdev, "lvm_logv.list": logv, "lvm_pve.conf": conf, "Info-saved-by-cmd.txt": cmd,
			"sda1.ext4-ptcl-img.zst.aa": "x", "sda1.ext4-ptcl-img.zst.ac": "", "pve-root.dd-ptcl-img.gz": ""} {
			if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
				return // a name the file system refuses
			}
		}
		img, err := ReadImage(dir)
		if err != nil {
			t.Fatal(err)
		}
		_ = img.Summary()
		for _, v := range append(append([]Volume{}, img.Parts...), img.LVs...) {
			if v.Size < 0 || v.Bytes < 0 {
				t.Fatalf("volume %+v", v)
			}
		}
		for _, d := range img.Disks {
			if d.Size < 0 {
				t.Fatalf("disk %+v", d)
			}
		}
		_, _ = UsedAtSave(img)
		l, _, err := readListing(dir)
		if err != nil {
			t.Fatal(err)
		}
		v := &verification{l: l, level: LevelStreams, skipDecode: map[*stream]bool{}}
		v.sums = l.readSums(v.problem, false)
		v.checkCoverage()
		v.checkStructure()
	})
}

// formatTextsOf returns the text file name of one image of FORMAT.md.
func formatTextsOf(tb testing.TB, image, name string) []string {
	tb.Helper()
	doc, err := os.ReadFile(formatDoc)
	if err != nil {
		tb.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "### Image `"+image+"`")
	if !ok {
		tb.Fatalf("image %s not in FORMAT.md", image)
	}
	if end := strings.Index(rest, "\n### Image `"); end >= 0 {
		rest = rest[:end]
	}
	head := "<details><summary><code>" + name + "</code>"
	_, after, ok := strings.Cut(rest, head)
	if !ok {
		return nil
	}
	_, after, _ = strings.Cut(after, "```\n")
	text, _, _ := strings.Cut(after, "\n```")
	return []string{text + "\n"}
}
