package config

import (
	"context"
	"fmt"
	"strings"
)

// MaxConfigNesting is how deep a value may sit in a config, counting the
// parts of its table header and dotted key and the arrays and inline tables
// around it. backdeck's deepest key is 3 ([[concern]] targets[0],
// [proxmox.vzdump] mode): 16 is far beyond any real config, and short of
// where BurntSushi/toml's work explodes (it grows with the cube of the
// nesting of inline tables and the square of the parts of a dotted key:
// 8,000 nested inline tables take 24 s).
const MaxConfigNesting = 16

// checkNesting refuses a text nested deeper than MaxConfigNesting, in one
// pass, before the TOML decoder sees it. It stops early with ctx's error.
func checkNesting(ctx context.Context, name, src string) error {
	s := nestingScan{src: src, line: 1}
	if err := s.run(ctx); err != nil {
		return err
	}
	if s.deepAt == 0 {
		return nil
	}
	return &Error{File: name, Line: s.deepAt, Msg: fmt.Sprintf(
		"nested deeper than %d levels (table names, dotted keys, lists and inline tables together), where a backdeck config needs 3: is this the right file? See config.toml.example", MaxConfigNesting)}
}

// nestingScan is a lenient TOML tokenizer that only follows strings,
// comments, keys and brackets: the decoder judges the syntax afterwards.
type nestingScan struct {
	src    string
	i      int
	line   int
	deepAt int // the line where the text first gets too deep; 0 if never

	table int            // parts of the current [table] header
	open  []nestingFrame // the arrays and inline tables being read
}

// nestingFrame is an open array or inline table at depth level: an array's
// elements sit at level, an inline table's keys start from it.
type nestingFrame struct {
	inline bool
	level  int
}

func (s *nestingScan) tooDeep(level int) bool {
	if level > MaxConfigNesting {
		s.deepAt = s.line
		return true
	}
	return false
}

func (s *nestingScan) run(ctx context.Context) error {
	var (
		lineStart = true // only blanks so far on a line outside any value
		inKey     = true // reading a key (not a value)
		dots      = 0    // dots of the key being read
		level     = 0    // depth of the value being read
	)
	for next := 0; s.i < len(s.src); {
		if s.i >= next {
			if err := ctx.Err(); err != nil {
				return err
			}
			next = s.i + 64<<10
		}
		c := s.src[s.i]
		switch c {
		case '\n':
			s.line++
			s.i++
			if len(s.open) == 0 {
				lineStart, inKey, dots = true, true, 0
			}
			continue
		case ' ', '\t', '\r':
			s.i++
			continue
		case '#':
			s.skipComment()
			continue
		case '"', '\'':
			s.skipString()
			lineStart = false
			continue
		}
		if lineStart && len(s.open) == 0 && c == '[' {
			s.header()
			if s.tooDeep(s.table + 1) {
				return nil
			}
			lineStart, inKey = false, false
			continue
		}
		lineStart = false
		s.i++
		switch c {
		case '.':
			if inKey {
				dots++
			}
		case '=':
			if inKey {
				base := s.table
				if n := len(s.open); n > 0 {
					base = s.open[n-1].level
				}
				level = base + dots + 1
				inKey, dots = false, 0
				if s.tooDeep(level) {
					return nil
				}
			}
		case '[':
			level++
			s.open = append(s.open, nestingFrame{level: level})
			inKey = false
			if s.tooDeep(level) {
				return nil
			}
		case '{':
			s.open = append(s.open, nestingFrame{inline: true, level: level})
			inKey, dots = true, 0
		case ']', '}':
			if n := len(s.open); n > 0 {
				s.open = s.open[:n-1]
			}
			inKey, level = false, 0
			if n := len(s.open); n > 0 {
				level = s.open[n-1].level
			}
		case ',':
			if n := len(s.open); n > 0 {
				top := s.open[n-1]
				inKey, dots, level = top.inline, 0, top.level
			}
		}
	}
	return nil
}

// header reads a [table] or [[array]] header, counting its parts.
func (s *nestingScan) header() {
	s.i++ // the '['; a second one is read as any other byte
	dots := 0
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case '\n':
			s.table = dots + 1
			return
		case ']':
			s.i++
			s.table = dots + 1
			return
		case '"', '\'':
			s.skipString()
			continue
		case '.':
			dots++
		}
		s.i++
	}
	s.table = dots + 1
}

func (s *nestingScan) skipComment() {
	if n := strings.IndexByte(s.src[s.i:], '\n'); n >= 0 {
		s.i += n
		return
	}
	s.i = len(s.src)
}

// skipString skips a basic, literal or multi-line string, counting the
// lines of a multi-line one. A single-line string ends at the line's end
// even when unterminated: the decoder reports that.
func (s *nestingScan) skipString() {
	q := s.src[s.i]
	delim := strings.Repeat(string(q), 3)
	if strings.HasPrefix(s.src[s.i:], delim) {
		s.i += 3
		for s.i < len(s.src) {
			switch c := s.src[s.i]; {
			case c == '\n':
				s.line++
			case c == '\\' && q == '"':
				s.i++
				if s.i < len(s.src) && s.src[s.i] == '\n' {
					s.line++
				}
			case strings.HasPrefix(s.src[s.i:], delim):
				s.i += 3
				// Up to two more quotes belong to the content.
				for k := 0; k < 2 && s.i < len(s.src) && s.src[s.i] == q; k++ {
					s.i++
				}
				return
			}
			s.i++
		}
		return
	}
	s.i++
	for s.i < len(s.src) {
		switch c := s.src[s.i]; {
		case c == '\n':
			return
		case c == q:
			s.i++
			return
		case c == '\\' && q == '"':
			if s.i+1 < len(s.src) && s.src[s.i+1] != '\n' {
				s.i++
			}
		}
		s.i++
	}
}
