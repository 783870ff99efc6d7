package config

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// suggest finds the known name that got is probably a typo of: the same
// but for case and separators, the only one got starts ("snap" for
// "snapshot", not "stop" two edits away), at most 2 edits away, or sharing
// a long start.
func suggest(got string, known []string) string {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '_' || r == '-' || r == ' ' {
				return -1
			}
			return r
		}, strings.ToLower(s))
	}
	g := strings.ToLower(got)
	ng := norm(got)
	for _, k := range known {
		if norm(k) == ng {
			return k
		}
	}
	if len(g) >= 3 {
		var starts []string
		for _, k := range known {
			if strings.HasPrefix(k, g) {
				starts = append(starts, k)
			}
		}
		if len(starts) == 1 {
			return starts[0]
		}
	}
	best, bestD := "", 3
	for _, k := range known {
		if abs(len(g)-len(k)) >= bestD {
			continue // at least that many edits: skip the work
		}
		if d := levenshtein(g, k); d < bestD && d < len(g) {
			best, bestD = k, d
		}
	}
	if best != "" {
		return best
	}
	bestP := 0
	for _, k := range known {
		p := 0
		for p < len(g) && p < len(k) && g[p] == k[p] {
			p++
		}
		if p >= 3 && p > bestP && (2*p >= len(g) || p == len(k)) {
			best, bestP = k, p
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// oneOf checks an enumerated value; empty means the default.
func (l *loader) oneOf(t table, key string, v *string, def string, what string, choices ...string) {
	if *v == "" {
		*v = def
		return
	}
	if slices.Contains(choices, *v) {
		return
	}
	msg := fmt.Sprintf("%q is not a %s; write %s", *v, what, quoteList(choices, "or"))
	if s := suggest(*v, choices); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	l.failKey(t, key, "%s", msg)
}

// quoteList writes ["a" "b" "c"] as `"a", "b" or "c"`.
func quoteList(items []string, last string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + last + " " + q[len(q)-1]
}

// durationUnit is the unit a bare number most likely means for each
// duration key of the config: seconds for how often sources are read and
// how long a request may take, hours for how old a backup may be.
func durationUnit(key string) (string, bool) {
	switch key {
	case "refresh", "timeout":
		return "s", true
	case "max_age":
		return "h", true
	case "drill_max_age":
		return "d", true
	}
	return "", false
}

// checkDuration checks the value of a duration key. A bare number (but 0,
// which reads well) lacks its unit: the hint gives the unit that fits the
// key ("10s" for a timeout, not "10h").
func (l *loader) checkDuration(t table, k, pos string, v any) {
	var text, shown string
	switch v := v.(type) {
	case string:
		text, shown = v, strconv.Quote(v)
	case int64:
		text = strconv.FormatInt(v, 10)
		shown = text
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			l.fail(t, k, pos, "must be a string in quotes, not %s", describe(v))
			return
		}
		text = strconv.FormatFloat(v, 'f', -1, 64)
		shown = text
	default:
		l.fail(t, k, pos, "must be a string in quotes, not %s", describe(v))
		return
	}
	_, err := model.ParseDuration(text)
	if err == nil {
		return
	}
	if unit, ok := durationUnit(k); ok && text != "" && strings.Trim(text, "0123456789.") == "" {
		l.fail(t, k, pos, "%s has no unit; write e.g. %s = \"%s%s\" (units: s, m, h, d, w)", shown, k, text, unit)
		return
	}
	l.fail(t, k, pos, "%s", err)
}
