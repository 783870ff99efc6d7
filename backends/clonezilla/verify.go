package clonezilla

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backdeck/backdeck/model"
)

// The verification levels; each includes the ones below it.
const (
	LevelChecksums = model.VerifyChecksums // every checksum file, file by file
	LevelStreams   = model.VerifyStreams   // the image's structure, every compressed stream decoded to its end
	LevelPartclone = model.VerifyPartclone // every partclone stream checked like partclone.chkimg, raw streams' lengths
)

// Report is the outcome of a verification.
type Report struct {
	Image    string // the image directory
	Level    int
	OK       bool // no problem found
	Problems []Problem
	// Notices say what could not be checked (a compression this version
	// does not decode, no checksum files) without being damage.
	Notices  []Notice
	Checked  time.Time // when the verification ended
	Bytes    int64     // bytes of the image read
	Duration time.Duration
	// Stamp is the image's stamp as the verification found it when it
	// started (Image.Stamp): what it says holds for that content only.
	Stamp string
}

// Problem is one thing wrong, named by the file it is in (or the file that
// should be there).
type Problem struct {
	File    string `json:"file"`
	Level   int    `json:"level"` // the level whose check found it
	Message string `json:"message"`
}

func (p Problem) String() string { return fmt.Sprintf("%s: %s (level %d)", p.File, p.Message, p.Level) }

// Notice is something verification could not check, or worth knowing.
type Notice struct {
	File    string `json:"file"`
	Message string `json:"message"`
}

func (n Notice) String() string {
	if n.File == "" {
		return n.Message
	}
	return n.File + ": " + n.Message
}

// Summary is one line for a job's last line or a history entry.
func (r Report) Summary() string {
	if r.OK {
		return fmt.Sprintf("level %d: ok", r.Level)
	}
	files := map[string]bool{}
	for _, p := range r.Problems {
		files[p.File] = true
	}
	return fmt.Sprintf("level %d: %s in %s", r.Level, plural(len(r.Problems), "problem"), plural(len(files), "file"))
}

// Verify checks an image up to a level (1–3, cumulative) and reports every
// problem by file name. progress, when not nil, hears of the bytes read about
// ten times a second from a goroutine of the verification. The error is set
// only when the image could not be checked at all (unreadable directory, no
// Clonezilla image, a bad level) or ctx ended; the report then holds what was
// found until then.
func Verify(ctx context.Context, img Image, level int, progress func(Progress)) (Report, error) {
	return VerifyWith(ctx, img, Options{Level: level}, progress)
}

// Options tune a verification.
type Options struct {
	Level int // 1–3
	// EveryDigest recomputes every digest of every checksum file. By default
	// a weaker checksum file that a stronger one lists, with every file it
	// lists, is proved by the stronger one alone (MD5SUMS by SHA1SUMS, both
	// by B2SUMS): its digests could only repeat the verdict.
	EveryDigest bool
}

// VerifyWith is Verify with options.
func VerifyWith(ctx context.Context, img Image, opts Options, progress func(Progress)) (Report, error) {
	level := opts.Level
	if level < LevelChecksums || level > LevelPartclone {
		return Report{}, fmt.Errorf("verification level %d: want 1, 2 or 3", level)
	}
	l, ok, err := readListing(img.Path)
	if err != nil {
		return Report{}, fmt.Errorf("cannot read image %s: %w", img.Path, err)
	}
	if !ok {
		return Report{}, fmt.Errorf("%s is no Clonezilla image", img.Path)
	}
	start := time.Now()
	v := &verification{l: l, level: level, skipDecode: map[*stream]bool{}}
	v.sums = l.readSums(v.problem, opts.EveryDigest)
	v.checkCoverage()
	if level >= LevelStreams {
		v.checkStructure()
	}
	units, total := v.units()
	v.meter = newMeter(total, progress)
	err = v.run(ctx, units)
	v.meter.finish()
	r := v.report()
	r.OK = r.OK && err == nil // an interrupted verification proves nothing
	r.Checked = time.Now()
	r.Duration = r.Checked.Sub(start)
	r.Bytes = v.meter.done.Load()
	return r, err
}

// verification is one Verify run.
type verification struct {
	l          *listing
	level      int
	sums       *sumsPlan
	meter      *meter
	skipDecode map[*stream]bool // streams whose volumes are known broken
	chunks     *chunkPool       // the read buffers, shared by the workers

	mu       sync.Mutex
	problems []Problem
	notices  []Notice
}

func (v *verification) problem(p Problem) {
	v.mu.Lock()
	v.problems = append(v.problems, p)
	v.mu.Unlock()
}

func (v *verification) notice(file, msg string) {
	v.mu.Lock()
	v.notices = append(v.notices, Notice{File: file, Message: msg})
	v.mu.Unlock()
}

func (v *verification) report() Report {
	v.mu.Lock()
	defer v.mu.Unlock()
	r := Report{Image: v.l.dir, Level: v.level, Stamp: v.l.stamp}
	seen := map[Problem]bool{}
	for _, p := range v.problems {
		if !seen[p] {
			seen[p] = true
			r.Problems = append(r.Problems, p)
		}
	}
	sort.SliceStable(r.Problems, func(i, j int) bool {
		a, b := r.Problems[i], r.Problems[j]
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		return a.File < b.File
	})
	r.Notices = append(r.Notices, v.notices...)
	sort.SliceStable(r.Notices, func(i, j int) bool { return r.Notices[i].File < r.Notices[j].File })
	r.OK = len(r.Problems) == 0
	return r
}

// checkCoverage reports what the checksum files promise but the directory
// lacks, and what they should cover but do not.
func (v *verification) checkCoverage() {
	l, s := v.l, v.sums
	if len(s.present) == 0 {
		v.notice("", "no checksum file (MD5SUMS, SHA1SUMS, B2SUMS; ocs-sr -gm/-gs/-gb): level 1 has nothing to compare")
		return
	}
	for _, a := range s.implied {
		by := a
		for _, b := range s.present {
			if b > by && s.coversAll(b, a) {
				by = b
			}
		}
		v.notice(a.sumsFile(), fmt.Sprintf("proved by %s, which lists it and every file it lists: its own digests were not recomputed (they could only repeat the verdict)", by.sumsFile()))
	}
	for _, f := range s.files() {
		if !l.has(f) {
			v.problem(Problem{File: f, Level: 1, Message: "listed in " + s.listedIn(f) + " but missing"})
		}
	}
	for _, name := range l.names {
		if s.want[name] != nil || uncoveredByDesign(name) {
			continue
		}
		if _, isStream := parseStreamName(name); isStream {
			v.problem(Problem{File: name, Level: 1, Message: "no checksum file lists this image file: it was added or renamed after the save"})
		} else {
			v.notice(name, "no checksum file lists it")
		}
	}
}

// uncoveredByDesign: Clonezilla writes the checksum files before the Info-*
// files and the save log, and a checksum file cannot list itself.
func uncoveredByDesign(name string) bool {
	if strings.HasPrefix(name, "Info-") || name == "clonezilla-img" {
		return true
	}
	for _, s := range checksumFiles() {
		if name == s {
			return true
		}
	}
	return false
}

// unit is one piece of work for the pool: a file or a stream. spread
// says that cores would be idle otherwise (see run).
type unit struct {
	size int64
	run  func(ctx context.Context, spread bool)
}

// units plans the reading: at level 1 every listed file on its own (so big
// volumes hash in parallel); from level 2 each stream's volumes together, so
// they are read once for both their digests and their decoding.
func (v *verification) units() ([]unit, int64) {
	var units []unit
	var total int64
	inStream := map[string]bool{}
	if v.level >= LevelStreams {
		for _, s := range v.l.streams {
			files := make([]string, 0, len(s.Volumes))
			for _, vol := range s.Volumes {
				inStream[vol.Name] = true
				files = append(files, vol.Name)
			}
			units = append(units, unit{size: s.Bytes(), run: func(ctx context.Context, spread bool) { v.readStream(ctx, s, files, spread) }})
			total += s.Bytes()
		}
	}
	for _, f := range v.sums.files() {
		size, ok := v.l.files[f]
		if !ok || inStream[f] {
			continue
		}
		units = append(units, unit{size: size, run: func(ctx context.Context, spread bool) { v.readFiles(ctx, []string{f}, nil, spread) }})
		total += size
	}
	sort.SliceStable(units, func(i, j int) bool { return units[i].size > units[j].size })
	return units, total
}

// run works through the units with one worker per core, the biggest
// first. While enough work waits, each worker hashes what it reads itself;
// a unit taken when what is left would not keep the other workers busy
// while it is read (one file of several hundred MB, or the last files)
// spreads its hashing over goroutines of its own, so that the cores that
// would idle share it.
func (v *verification) run(ctx context.Context, units []unit) error {
	workers := runtime.GOMAXPROCS(0)
	v.chunks = newChunkPool(workers)
	var left atomic.Int64 // the bytes of the units not yet taken
	for _, u := range units {
		left.Add(u.size)
	}
	work := make(chan unit)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for u := range work {
				spread := left.Add(-u.size) < u.size*int64(workers-1)
				if ctx.Err() == nil {
					u.run(ctx, spread)
				}
			}
		})
	}
	for _, u := range units {
		work <- u
	}
	close(work)
	wg.Wait()
	return ctx.Err()
}

// readStream reads a stream's volumes once: their digests (level 1) and,
// unless its volumes are known broken, its decoding (levels 2 and 3).
func (v *verification) readStream(ctx context.Context, s *stream, files []string, spread bool) {
	var decode func(t *tap)
	if v.skipDecode[s] {
		v.notice(s.Volumes[0].Name, "not decoded: its volumes are incomplete (see the problems)")
	} else {
		decode = func(t *tap) { v.decodeStream(s, t) }
	}
	v.readFiles(ctx, files, decode, spread)
}

// readFiles reads files once, in order, computing the digests the checksum
// files need for them and, when decode is set, feeding the decoder; then
// judges the digests. spread computes each digest in a goroutine of its
// own rather than in the reader (see digester).
func (v *verification) readFiles(ctx context.Context, files []string, decode func(t *tap), spread bool) {
	sets := make([]algoSet, len(files))
	for i, name := range files {
		sets[i] = v.sums.compute[name]
	}
	d := newDigester(sets)
	var size int64
	for _, name := range files {
		size += v.l.files[name]
	}
	f := newFanout(size, v.chunks)
	defer f.release()
	var wg sync.WaitGroup
	inline := d
	if spread {
		inline = nil
		for _, a := range d.algos() {
			t := f.tap()
			wg.Go(func() { d.consume(a, t) })
		}
	}
	if decode != nil {
		t := f.tap()
		wg.Go(func() {
			decode(t)
			t.drain()
		})
	}
	errs := f.read(ctx, v.l.dir, files, inline, v.meter)
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	for i, name := range files {
		if errs[i] != nil {
			v.problem(Problem{File: name, Level: 1, Message: "cannot read: " + errs[i].Error()})
			continue
		}
		if p, bad := v.sums.judge(name, d.got[i]); bad {
			v.problem(p)
		}
	}
}
