package config

import (
	"context"
	"sort"
	"strconv"
	"strings"
)

// keyLines says where each key, table and list element of a TOML text is
// written, since BurntSushi/toml (v1.6.0) keeps key positions to itself.
// Names are the loader's: "proxmox.url", "proxmox.vzdump", "drive[1].serial",
// "drive[1].holds[0]"; "drive" is the first [[drive]]. They are kept as a
// tree, a node per part, so that indexing costs the same for every element
// however deep or long its name: building each name as a string cost the
// square of the nesting (296 s for a 200 KB file of nested arrays).
type keyLines struct {
	keys  map[keyPart]int32 // (parent, key) → node
	elems map[int32][]int32 // a list's node → its elements' nodes, in order
	// nodes in blocks, so that adding one never copies the others; node 0
	// is the document.
	nodes [][]keyNode
	count int32
}

const keyBlock = 4096

// at returns node id.
func (k *keyLines) at(id int32) *keyNode { return &k.nodes[id/keyBlock][id%keyBlock] }

// add appends a node named p and returns its id.
func (k *keyLines) add(p keyPart) int32 {
	if k.count%keyBlock == 0 {
		k.nodes = append(k.nodes, make([]keyNode, 0, keyBlock))
	}
	last := &k.nodes[len(k.nodes)-1]
	*last = append(*last, keyNode{keyPart: p})
	k.count++
	return k.count - 1
}

// keyPart names a node under its parent: a key, or an element of a list.
type keyPart struct {
	key    string
	parent int32
	index  int32 // -1 for a key
}

type keyNode struct {
	keyPart
	line     int32
	explicit bool // the line is where the name is written, not implied
}

// node returns the child of parent named by key, or by index when index
// is not -1, adding it. Elements are added in order, so a list's are kept
// in a slice: a 1 MiB list of numbers has 500,000.
func (k *keyLines) node(parent int32, key string, index int) int32 {
	if index >= 0 {
		elems := k.elems[parent]
		if index < len(elems) {
			return elems[index]
		}
		id := k.add(keyPart{parent: parent, index: int32(index)})
		k.elems[parent] = append(elems, id)
		return id
	}
	p := keyPart{parent: parent, key: key, index: -1}
	if id, ok := k.keys[p]; ok {
		return id
	}
	id := k.add(p)
	k.keys[p] = id
	return id
}

// line looks up a name ("drive[1].holds[2]"); a name not written has the
// line of its nearest enclosing one ("drive[1]"), and 0 if none is written.
func (k *keyLines) line(name string) int {
	id, line := int32(0), 0
	for part := range strings.SplitSeq(name, ".") {
		key, rest, _ := strings.Cut(part, "[")
		next, ok := k.keys[keyPart{parent: id, key: key, index: -1}]
		if !ok {
			return line
		}
		id, line = next, int(k.at(next).line)
		for rest != "" {
			num, after, _ := strings.Cut(rest, "]")
			i, err := strconv.Atoi(num)
			elems := k.elems[id]
			if err != nil || i < 0 || i >= len(elems) {
				return line
			}
			id = elems[i]
			line = int(k.at(id).line)
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return line
}

// scanKeyLines indexes where each name is written. The text has already
// parsed and its nesting is capped, so the scanner is lenient: what it
// cannot place has no line. It stops early with ctx's error.
func scanKeyLines(ctx context.Context, src string) (*keyLines, error) {
	index := &keyLines{keys: map[keyPart]int32{}, elems: map[int32][]int32{}}
	index.add(keyPart{}) // the document
	s := &keyScanner{src: src, index: index, arrays: map[int32]int{}}
	for i, c := range []byte(src) {
		if c == '\n' {
			s.newlines = append(s.newlines, i)
		}
	}
	if err := s.document(ctx); err != nil {
		return nil, err
	}
	return s.index, nil
}

type keyScanner struct {
	src      string
	i        int
	newlines []int // offsets of '\n', to turn offsets into lines
	index    *keyLines
	arrays   map[int32]int // [[name]] → how many seen
}

func (s *keyScanner) lineAt(off int) int32 {
	return int32(sort.SearchInts(s.newlines, off) + 1)
}

// mark records node id at offset off; an explicit mark wins over an
// implied one ("proxmox" implied by [proxmox.vzdump] before [proxmox]).
func (s *keyScanner) mark(id int32, off int, explicit bool) {
	n := s.index.at(id)
	if n.line != 0 && (n.explicit || !explicit) {
		return
	}
	n.line = s.lineAt(off)
	n.explicit = explicit
}

func (s *keyScanner) eof() bool { return s.i >= len(s.src) }
func (s *keyScanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

// space skips blanks, and with newlines also line ends and comments.
func (s *keyScanner) space(newlines bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t':
			s.i++
		case newlines && (c == '\n' || c == '\r'):
			s.i++
		case newlines && c == '#':
			s.skipLine()
		default:
			return
		}
	}
}

func (s *keyScanner) skipLine() {
	if s.eof() {
		s.i = len(s.src)
		return
	}
	if n := strings.IndexByte(s.src[s.i:], '\n'); n >= 0 {
		s.i += n
	} else {
		s.i = len(s.src)
	}
}

func (s *keyScanner) document(ctx context.Context) error {
	var table int32
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.space(true)
		if s.eof() {
			return nil
		}
		start := s.i
		if s.peek() == '[' {
			array := strings.HasPrefix(s.src[s.i:], "[[")
			s.i++
			if array {
				s.i++
			}
			s.space(false)
			table = s.header(s.keyParts(), array, start)
			s.skipLine()
			continue
		}
		parts := s.keyParts()
		if len(parts) == 0 {
			s.skipLine()
			continue
		}
		key := s.markKey(table, parts, start)
		s.space(false)
		if s.peek() == '=' {
			s.i++
		}
		s.space(false)
		s.value(key)
		s.skipLine()
	}
}

// header resolves a table header to its node, indexing arrays of tables.
func (s *keyScanner) header(parts []string, array bool, off int) int32 {
	var id int32
	for k, p := range parts {
		id = s.index.node(id, p, -1)
		switch n := s.arrays[id]; {
		case array && k == len(parts)-1:
			s.arrays[id] = n + 1
			s.mark(id, off, false)
			id = s.index.node(id, "", n)
		case n > 0:
			id = s.index.node(id, "", n-1)
		}
		s.mark(id, off, k == len(parts)-1)
	}
	return id
}

// markKey records a (possibly dotted) key under table and returns its node.
func (s *keyScanner) markKey(table int32, parts []string, off int) int32 {
	id := table
	for k, p := range parts {
		id = s.index.node(id, p, -1)
		s.mark(id, off, k == len(parts)-1)
	}
	return id
}

// keyParts reads a dotted key: bare, "basic" or 'literal' parts.
func (s *keyScanner) keyParts() []string {
	var parts []string
	for {
		s.space(false)
		switch c := s.peek(); {
		case c == '"' || c == '\'':
			start := s.i
			s.str()
			raw := s.src[start:s.i]
			if c == '"' {
				if u, err := strconv.Unquote(raw); err == nil {
					parts = append(parts, u)
					break
				}
			}
			parts = append(parts, strings.Trim(raw, string(c)))
		case isBareKeyChar(c):
			start := s.i
			for !s.eof() && isBareKeyChar(s.peek()) {
				s.i++
			}
			parts = append(parts, s.src[start:s.i])
		default:
			return parts
		}
		s.space(false)
		if s.peek() != '.' {
			return parts
		}
		s.i++
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value skips one value, marking the elements of lists and the keys of
// inline tables under node id.
func (s *keyScanner) value(id int32) {
	switch s.peek() {
	case '"', '\'':
		s.str()
	case '[':
		s.i++
		for n := 0; ; {
			s.space(true)
			switch s.peek() {
			case 0:
				return
			case ']':
				s.i++
				return
			case ',':
				s.i++
				continue
			}
			elem := s.index.node(id, "", n)
			s.mark(elem, s.i, true)
			s.value(elem)
			n++
		}
	case '{':
		s.i++
		for {
			s.space(true)
			switch s.peek() {
			case 0:
				return
			case '}':
				s.i++
				return
			case ',':
				s.i++
				continue
			}
			start := s.i
			parts := s.keyParts()
			if len(parts) == 0 {
				s.i++ // not a key: step over it rather than loop
				continue
			}
			key := s.markKey(id, parts, start)
			s.space(false)
			if s.peek() == '=' {
				s.i++
			}
			s.space(false)
			s.value(key)
		}
	default:
		// A number, bool or date: up to the next separator.
		start := s.i
		for !s.eof() && strings.IndexByte(" \t\r\n,]}#", s.peek()) < 0 {
			s.i++
		}
		if s.i == start && !s.eof() {
			s.i++
		}
	}
}

// str skips a basic, literal or multi-line string.
func (s *keyScanner) str() {
	q := s.src[s.i]
	if delim := s.src[s.i:min(s.i+3, len(s.src))]; delim == strings.Repeat(string(q), 3) {
		s.i += 3
		for !s.eof() {
			if q == '"' && s.peek() == '\\' {
				s.i += 2
				continue
			}
			if strings.HasPrefix(s.src[s.i:], delim) {
				s.i += 3
				// Up to two more quotes belong to the content.
				for k := 0; k < 2 && s.peek() == q; k++ {
					s.i++
				}
				return
			}
			s.i++
		}
		return
	}
	s.i++
	for !s.eof() && s.peek() != '\n' {
		c := s.peek()
		s.i++
		if q == '"' && c == '\\' {
			s.i++
			continue
		}
		if c == q {
			return
		}
	}
}
