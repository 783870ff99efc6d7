package clonezilla

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash"
	"path"
	"sort"
	"strings"

	"golang.org/x/crypto/blake2b"
)

// algo is a hash of a checksum file.
type algo int

const (
	algoMD5 algo = iota
	algoSHA1
	algoB2
	numAlgos
)

// sumsFile is the checksum file Clonezilla writes for an algorithm.
func (a algo) sumsFile() string {
	return [...]string{"MD5SUMS", "SHA1SUMS", "B2SUMS"}[a]
}

func (a algo) String() string { return [...]string{"MD5", "SHA-1", "BLAKE2b-512"}[a] }

func (a algo) size() int { return [...]int{md5.Size, sha1.Size, blake2b.Size}[a] }

func (a algo) new() hash.Hash {
	switch a {
	case algoMD5:
		return md5.New()
	case algoSHA1:
		return sha1.New()
	}
	h, _ := blake2b.New512(nil) // cannot fail without a key
	return h
}

// algoSet is a set of algos.
type algoSet uint8

func (s algoSet) has(a algo) bool     { return s&(1<<a) != 0 }
func (s algoSet) with(a algo) algoSet { return s | 1<<a }

func (s algoSet) list() []algo {
	var out []algo
	for a := algo(0); a < numAlgos; a++ {
		if s.has(a) {
			out = append(out, a)
		}
	}
	return out
}

// digests holds a file's digests, indexed by algo.
type digests [numAlgos][]byte

// sumsPlan is what the checksum files of an image promise: for each file
// listed, its digest per algorithm.
type sumsPlan struct {
	present []algo                       // the checksum files found, weakest first
	want    map[string]*[numAlgos][]byte // file → expected digest per algo (nil: not listed)
	// compute is, per file, the algorithms to compute (see plan).
	compute map[string]algoSet
	// implied are the checksum files whose entries are not recomputed: a
	// stronger checksum file covers both them and every file they list.
	implied []algo
}

// files lists the files the plan reads, sorted.
func (p *sumsPlan) files() []string {
	out := make([]string, 0, len(p.compute))
	for f := range p.compute {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// readSums parses the image's checksum files. Malformed lines and unreadable
// checksum files are problems of the checksum file itself.
func (l *listing) readSums(add func(Problem), everyDigest bool) *sumsPlan {
	p := &sumsPlan{want: map[string]*[numAlgos][]byte{}, compute: map[string]algoSet{}}
	for a := algo(0); a < numAlgos; a++ {
		name := a.sumsFile()
		if !l.has(name) {
			continue
		}
		text, err := l.read(name)
		if err != nil {
			add(Problem{File: name, Level: 1, Message: "cannot read: " + err.Error()})
			continue
		}
		p.present = append(p.present, a)
		entries, bad := parseSums(text, a)
		for _, lineNo := range bad {
			add(Problem{File: name, Level: 1, Message: fmt.Sprintf("line %d is not \"<%s>  <file>\"", lineNo, a)})
		}
		if len(entries) == 0 && len(bad) == 0 {
			add(Problem{File: name, Level: 1, Message: "empty: it lists no file"})
		}
		for _, e := range entries {
			if !safeName(e.file) {
				add(Problem{File: name, Level: 1, Message: fmt.Sprintf("lists %q, a file outside the image", e.file)})
				continue
			}
			w := p.want[e.file]
			if w == nil {
				w = &[numAlgos][]byte{}
				p.want[e.file] = w
			}
			w[a] = e.sum
		}
	}
	p.plan(everyDigest)
	return p
}

// plan chooses what to compute. Every listed file gets its strongest listed
// digest. A weaker digest is computed too unless a stronger checksum file
// lists both the file and the weaker checksum file itself: then the stronger
// file proves the weaker one unchanged since the save, and every entry of it
// would repeat the stronger verdict (Clonezilla writes MD5SUMS, SHA1SUMS,
// B2SUMS in that order, each listing the ones before). This is what lets
// level 1 run faster than sha1sum -c alone while still checking every file.
// everyDigest computes them all.
func (p *sumsPlan) plan(everyDigest bool) {
	for file, w := range p.want {
		var set algoSet
		strongest := algo(-1)
		for a := numAlgos - 1; a >= 0; a-- {
			if w[a] != nil {
				strongest = a
				break
			}
		}
		for a := algo(0); a < numAlgos; a++ {
			if w[a] == nil {
				continue
			}
			if everyDigest || a == strongest || !p.covers(strongest, a, file) {
				set = set.with(a)
			}
		}
		p.compute[file] = set
	}
	if everyDigest {
		return
	}
	for _, a := range p.present {
		for _, b := range p.present {
			if b > a && p.coversAll(b, a) {
				p.implied = append(p.implied, a)
				break
			}
		}
	}
}

// covers reports whether the stronger checksum file lists both the weaker
// checksum file and file.
func (p *sumsPlan) covers(stronger, weaker algo, file string) bool {
	if stronger <= weaker {
		return false
	}
	w := p.want[weaker.sumsFile()]
	f := p.want[file]
	return w != nil && w[stronger] != nil && f != nil && f[stronger] != nil
}

// coversAll reports whether stronger makes every entry of weaker redundant.
func (p *sumsPlan) coversAll(stronger, weaker algo) bool {
	for file, w := range p.want {
		if w[weaker] != nil && !p.covers(stronger, weaker, file) {
			return false
		}
	}
	return true
}

// sumsEntry is one line of a checksum file.
type sumsEntry struct {
	sum  []byte
	file string
}

// parseSums reads "<hex>  <file>" (text mode), "<hex> *<file>" (binary mode)
// and the BSD form "MD5 (<file>) = <hex>"; bad lists the malformed lines.
func parseSums(text string, a algo) (entries []sumsEntry, bad []int) {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		sumHex, file, ok := splitSumsLine(line)
		sum, err := hex.DecodeString(sumHex)
		if !ok || err != nil || len(sum) != a.size() || file == "" {
			bad = append(bad, n)
			continue
		}
		entries = append(entries, sumsEntry{sum: sum, file: strings.TrimPrefix(file, "./")})
	}
	return entries, bad
}

func splitSumsLine(line string) (sum, file string, ok bool) {
	escaped := strings.HasPrefix(line, `\`) // coreutils escapes names with \ or newline
	line = strings.TrimPrefix(line, `\`)
	if i := strings.Index(line, ") = "); i > 0 && strings.Contains(line[:i], " (") {
		j := strings.Index(line, " (")
		sum, file = line[i+4:], line[j+2:i]
	} else {
		s, rest, found := strings.Cut(line, " ")
		if !found || len(rest) == 0 || (rest[0] != ' ' && rest[0] != '*') {
			return "", "", false
		}
		sum, file = s, rest[1:]
	}
	if escaped {
		file = strings.NewReplacer(`\\`, `\`, `\n`, "\n").Replace(file)
	}
	return strings.ToLower(strings.TrimSpace(sum)), file, true
}

// safeName refuses names that leave the image directory.
func safeName(name string) bool {
	if name == "" || path.IsAbs(name) {
		return false
	}
	clean := path.Clean(name)
	return clean != ".." && !strings.HasPrefix(clean, "../")
}

// judge compares a file's computed digests with the checksum files' and
// returns the problem, if any.
func (p *sumsPlan) judge(file string, got digests) (Problem, bool) {
	w := p.want[file]
	if w == nil {
		return Problem{}, false
	}
	var failed []string
	for _, a := range p.compute[file].list() {
		if got[a] == nil || !bytes.Equal(got[a], w[a]) {
			failed = append(failed, a.sumsFile())
		}
	}
	if len(failed) == 0 {
		return Problem{}, false
	}
	return Problem{File: file, Level: 1, Message: "content does not match " + strings.Join(failed, " and ") +
		": changed or damaged since the save"}, true
}

// listedIn names the checksum files that list a file.
func (p *sumsPlan) listedIn(file string) string {
	w := p.want[file]
	if w == nil {
		return ""
	}
	var names []string
	for a := algo(0); a < numAlgos; a++ {
		if w[a] != nil {
			names = append(names, a.sumsFile())
		}
	}
	return strings.Join(names, ", ")
}

// digester computes, for each file of a read, the digests its checksum
// files need: either the reader itself as it reads (begin, write, end),
// which keeps the bytes in the cache that just received them and is the
// cheapest while every core has a file of its own; or one goroutine per
// algorithm fed by a tap (consume), which overlaps reading with hashing and
// spreads two digests over two cores when cores would be idle.
type digester struct {
	sets []algoSet // per file
	got  []digests // per file; in consume each algorithm writes its own entries
	hs   [numAlgos]hash.Hash
	cur  algoSet
}

func newDigester(sets []algoSet) *digester {
	return &digester{sets: sets, got: make([]digests, len(sets))}
}

// algos are the algorithms any file of the read needs.
func (d *digester) algos() []algo {
	var union algoSet
	for _, s := range d.sets {
		union |= s
	}
	return union.list()
}

func (d *digester) begin(vol int) {
	d.cur = d.sets[vol]
	for _, a := range d.cur.list() {
		if d.hs[a] == nil {
			d.hs[a] = a.new()
		}
		d.hs[a].Reset()
	}
}

func (d *digester) write(p []byte) {
	for a := algo(0); a < numAlgos; a++ {
		if d.cur.has(a) {
			d.hs[a].Write(p)
		}
	}
}

func (d *digester) end(vol int, err error) {
	if err != nil {
		return
	}
	for _, a := range d.cur.list() {
		d.got[vol][a] = d.hs[a].Sum(nil)
	}
}

// consume computes one algorithm's digests of the files that need it from
// everything t carries, to its end; a file that could not be read gets none.
func (d *digester) consume(a algo, t *tap) {
	h := a.new()
	on := false
	for m := range t.ch {
		switch {
		case m.c != nil:
			if on {
				h.Write(m.c.buf[:m.c.n])
			}
			t.release(m.c)
		case m.begin:
			if on = d.sets[m.vol].has(a); on {
				h.Reset()
			}
		case m.end && on && m.err == nil:
			d.got[m.vol][a] = h.Sum(nil)
		}
	}
}
