// Package termsafe keeps text that came from outside (guest names, task
// logs, error reasons, file names) from acting on the terminal it is
// printed to: control characters become visible text instead of setting
// the title, clearing the screen or moving the cursor.
//
// The rule is the same everywhere: newline and tab pass; the other C0
// controls and DEL are shown in caret notation (ESC as ^[, BEL as ^G); C1
// controls, which some terminals obey even when UTF-8 encoded, are shown as
// \u009b; bytes that are not UTF-8 become U+FFFD. Nothing is dropped, so an
// operator sees that a name holds something odd. The output of JSON stays
// valid JSON: its encoder escapes C0 itself, and the C1 form is a JSON
// escape.
package termsafe

import (
	"io"
	"strings"
	"unicode/utf8"
)

// String returns s made safe for a terminal, newlines and tabs kept.
func String(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	appendSafe(&b, s, false)
	return b.String()
}

// Line returns s made safe and on one line: newlines and tabs become
// spaces too, for a value shown in a column or a field.
func Line(s string) string {
	if clean(s) && !strings.ContainsAny(s, "\n\t") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	appendSafe(&b, s, true)
	return b.String()
}

// clean reports whether s needs no change (the common case, checked
// without allocating).
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			return cleanUTF8(s[i:])
		}
	}
	return true
}

func cleanUTF8(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			return false
		}
	}
	return true
}

type byteWriter interface {
	WriteString(string) (int, error)
	WriteByte(byte) error
	WriteRune(rune) (int, error)
}

const hex = "0123456789abcdef"

// appendSafe writes s to b by the package's rule; oneLine turns newlines
// and tabs into spaces.
func appendSafe(b byteWriter, s string, oneLine bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n' || r == '\t':
			if oneLine {
				b.WriteByte(' ')
			} else {
				b.WriteByte(byte(r))
			}
		case r < 0x20:
			b.WriteByte('^')
			b.WriteByte(byte(r) + 0x40)
		case r == 0x7f:
			b.WriteString("^?")
		case r >= 0x80 && r <= 0x9f:
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
}

// Writer passes everything written to it on to a terminal by the
// package's rule. A UTF-8 sequence split across two writes is kept whole.
type Writer struct {
	w     io.Writer
	carry []byte // the start of a UTF-8 sequence the last write cut
	buf   strings.Builder
}

// NewWriter wraps w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes p made safe; it reports len(p) when everything was passed on.
func (sw *Writer) Write(p []byte) (int, error) {
	data := p
	if len(sw.carry) > 0 {
		data = append(sw.carry, p...)
		sw.carry = nil
	}
	// Keep back an incomplete sequence at the end for the next write.
	if n := incompleteTail(data); n > 0 {
		sw.carry = append([]byte(nil), data[len(data)-n:]...)
		data = data[:len(data)-n]
	}
	s := string(data)
	if clean(s) {
		if _, err := io.WriteString(sw.w, s); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	sw.buf.Reset()
	appendSafe(&sw.buf, s, false)
	if _, err := io.WriteString(sw.w, sw.buf.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a sequence still held back (it can only be broken UTF-8).
func (sw *Writer) Flush() error {
	if len(sw.carry) == 0 {
		return nil
	}
	s := strings.Repeat(string(utf8.RuneError), len(sw.carry))
	sw.carry = nil
	_, err := io.WriteString(sw.w, s)
	return err
}

// incompleteTail is the length of a UTF-8 sequence that p's end cuts short.
func incompleteTail(p []byte) int {
	for n := 1; n <= 3 && n <= len(p); n++ {
		c := p[len(p)-n]
		if c < 0x80 {
			return 0 // ASCII: nothing pending
		}
		if c >= 0xc0 { // a leading byte: is its sequence complete?
			if !utf8.FullRune(p[len(p)-n:]) {
				return n
			}
			return 0
		}
	}
	return 0
}
