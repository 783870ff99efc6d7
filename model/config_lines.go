package model

import (
	"sort"
	"strconv"
	"strings"
)

// scanKeyLines maps where each key and table is written in a TOML text,
// since BurntSushi/toml (v1.6.0) keeps key positions to itself. Names are the
// loader's: "proxmox.url", "proxmox.vzdump", "drive[1].serial",
// "drive[1].holds[0]"; "drive" is the first [[drive]]. The text has already
// parsed, so the scanner is lenient: what it cannot place has no line.
func scanKeyLines(src string) map[string]int {
	s := &keyScanner{src: src, lines: map[string]int{}, explicit: map[string]bool{}, arrays: map[string]int{}}
	for i, c := range src {
		if c == '\n' {
			s.newlines = append(s.newlines, i)
		}
	}
	s.document()
	return s.lines
}

type keyScanner struct {
	src      string
	i        int
	newlines []int           // offsets of '\n', to turn offsets into lines
	lines    map[string]int  // name → line
	explicit map[string]bool // the line is where the name is written, not implied
	arrays   map[string]int  // [[name]] → how many seen
}

func (s *keyScanner) lineAt(off int) int {
	return sort.SearchInts(s.newlines, off) + 1
}

// mark records name at offset off; an explicit mark wins over an implied one
// ("proxmox" implied by [proxmox.vzdump] before [proxmox]).
func (s *keyScanner) mark(name string, off int, explicit bool) {
	if _, ok := s.lines[name]; ok && (s.explicit[name] || !explicit) {
		return
	}
	s.lines[name] = s.lineAt(off)
	s.explicit[name] = explicit
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
	for !s.eof() && s.peek() != '\n' {
		s.i++
	}
}

func (s *keyScanner) document() {
	table := ""
	for {
		s.space(true)
		if s.eof() {
			return
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
		name := s.markKey(table, parts, start)
		s.space(false)
		if s.peek() == '=' {
			s.i++
		}
		s.space(false)
		s.value(name)
		s.skipLine()
	}
}

// header resolves a table header to its name, indexing arrays of tables.
func (s *keyScanner) header(parts []string, array bool, off int) string {
	name := ""
	for k, p := range parts {
		name = joinKey(name, p)
		switch n := s.arrays[name]; {
		case array && k == len(parts)-1:
			s.arrays[name] = n + 1
			s.mark(name, off, false)
			name += "[" + strconv.Itoa(n) + "]"
		case n > 0:
			name += "[" + strconv.Itoa(n-1) + "]"
		}
		s.mark(name, off, k == len(parts)-1)
	}
	return name
}

// markKey records a (possibly dotted) key in table and returns its name.
func (s *keyScanner) markKey(table string, parts []string, off int) string {
	name := table
	for k, p := range parts {
		name = joinKey(name, p)
		s.mark(name, off, k == len(parts)-1)
	}
	return name
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

// value skips one value, marking the elements of lists ("name[0]") and the
// keys of inline tables.
func (s *keyScanner) value(name string) {
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
			elem := name + "[" + strconv.Itoa(n) + "]"
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
			key := s.markKey(name, parts, start)
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
		for !s.eof() && !strings.ContainsRune(" \t\r\n,]}#", rune(s.peek())) {
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
	if delim := strings.Repeat(string(q), 3); strings.HasPrefix(s.src[s.i:], delim) {
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
