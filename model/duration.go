package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// ParseDuration reads a duration the way the config writes them: Go's units
// ("90m", "1h30m", "26h") plus days and weeks ("7d", "2w", "1d12h"), since
// backup ages are counted in days. Negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration; write e.g. \"26h\" or \"7d\"", s)
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%q is negative; write a positive duration, e.g. \"26h\" or \"7d\"", s)
	}
	if s == "0" {
		return 0, nil
	}
	if isBareNumber(s) {
		return 0, fmt.Errorf("%q has no unit; write e.g. \"%sh\" or \"%sd\"", s, s, s)
	}
	if s == "" || s[0] < '0' || s[0] > '9' && s[0] != '.' {
		// time.ParseDuration accepts a leading "+": the config does not.
		return 0, bad
	}
	var total time.Duration
	for rest := s; rest != ""; {
		// One term: a number and its unit.
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return 0, bad
		}
		j := i + strings.IndexFunc(rest[i:], func(r rune) bool { return r >= '0' && r <= '9' || r == '.' })
		if j < i {
			j = len(rest)
		}
		num, unit := rest[:i], rest[i:j]
		rest = rest[j:]
		var d time.Duration
		var err error
		switch unit {
		case "d", "w":
			// Let time.ParseDuration do the arithmetic, exactly, in hours.
			d, err = time.ParseDuration(num + "h")
			if err == nil {
				mul := time.Duration(24)
				if unit == "w" {
					mul = 24 * 7
				}
				if d > math.MaxInt64/mul {
					return 0, fmt.Errorf("%q is too long", s)
				}
				d *= mul
			}
		default:
			d, err = time.ParseDuration(num + unit)
		}
		if err != nil {
			// A number with a known unit that does not parse is too big.
			_, nerr := strconv.ParseFloat(num, 64)
			if nerr == nil && strings.Contains(" ns us µs ms s m h d w ", " "+unit+" ") {
				return 0, fmt.Errorf("%q is too long", s)
			}
			return 0, bad
		}
		if total > math.MaxInt64-d {
			return 0, fmt.Errorf("%q is too long", s)
		}
		total += d
	}
	return total, nil
}

// isBareNumber reports whether s is digits (and dots) without a unit.
func isBareNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789.") == ""
}

// UnmarshalText implements encoding.TextUnmarshaler for the TOML decoder.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the short form, so a config written back reads the same.
func (d Duration) MarshalText() ([]byte, error) {
	if d.Duration < 0 {
		return nil, fmt.Errorf("duration %v is negative", d.Duration)
	}
	return []byte(d.String()), nil
}

// String is the short form: whole days as "7d", else Go's form without its
// trailing zero units ("26h", "1h30m", "90s").
func (d Duration) String() string {
	v := d.Duration
	if v != 0 && v%day == 0 {
		return fmt.Sprintf("%dd", v/day)
	}
	s := v.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
