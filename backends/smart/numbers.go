package smart

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// lenientInt decodes a number that tools print as a JSON number, a numeric
// string ("4000787030016", "  5") or null; anything else leaves it unset.
// Numbers beyond int64 (NVMe counters are 128-bit) are clamped.
type lenientInt struct {
	V     int64
	Valid bool
}

func (n *lenientInt) UnmarshalJSON(b []byte) error {
	*n = lenientInt{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = lenientInt{V: v, Valid: true}
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) {
		switch {
		case f >= math.MaxInt64:
			*n = lenientInt{V: math.MaxInt64, Valid: true}
		case f <= math.MinInt64:
			*n = lenientInt{V: math.MinInt64, Valid: true}
		default:
			*n = lenientInt{V: int64(f), Valid: true}
		}
	}
	return nil
}

// ptr is the value as a pointer, nil when unset.
func (n lenientInt) ptr() *int64 {
	if !n.Valid {
		return nil
	}
	v := n.V
	return &v
}

// intPtr is the value as an *int, nil when unset.
func (n lenientInt) intPtr() *int {
	if !n.Valid {
		return nil
	}
	v := int(n.V)
	return &v
}

// lenientString decodes a string that may come as a number or null
// (lsblk's serial and size columns change type between util-linux versions).
type lenientString string

func (s *lenientString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = lenientString(strings.TrimSpace(v))
	default:
		*s = lenientString(b) // a number or a boolean, as written
	}
	return nil
}

// firstNumber is the first run of digits in s, as smartctl's raw strings
// start with the count ("34 (Min/Max 20/46)", "12345h+23m+01.000s",
// "0x000000000003" when printed as hex); the
// digit group separators smartctl prints in its text ("1,234", "1'234") are
// skipped, a '.' ends the number.
func firstNumber(s string) (int64, bool) {
	i := strings.IndexFunc(s, isDigit)
	if i < 0 {
		return 0, false
	}
	if hex, ok := strings.CutPrefix(s[i:], "0x"); ok { // -v ID,hex48 raw values
		end := strings.IndexFunc(hex, func(r rune) bool { return !strings.ContainsRune("0123456789abcdefABCDEF", r) })
		if end < 0 {
			end = len(hex)
		}
		if v, err := strconv.ParseInt(hex[:end], 16, 64); err == nil {
			return v, true
		}
	}
	var n int64
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(rune(c)):
			d := int64(c - '0')
			if n > (math.MaxInt64-d)/10 {
				return math.MaxInt64, true
			}
			n = n*10 + d
		case (c == ',' || c == '\'') && i+1 < len(s) && isDigit(rune(s[i+1])):
			// a digit group separator
		default:
			return n, true
		}
	}
	return n, true
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
