package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Cell-exact string helpers: every rendered line of a panel is exactly as
// wide as the panel, so the frame can be assembled by concatenation.

func itoa(n int) string { return strconv.Itoa(n) }

// width is the number of terminal cells s takes (ANSI sequences excluded).
func width(s string) int { return ansi.StringWidth(s) }

// fit truncates s to w cells (ending in "…") and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := width(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = width(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// trunc truncates s to at most w cells without padding.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return s
}

// elideMiddle shortens plain s to w cells by taking out its middle:
// "pve-pve-…-11-23", for names whose end tells them apart.
func elideMiddle(s string, w int) string {
	if width(s) <= w || w < 5 {
		return s
	}
	r := []rune(s)
	tail := (w - 1) / 2
	head := w - 1 - tail
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// right pads s on the left to w cells (right-aligns it).
func right(s string, w int) string {
	sw := width(s)
	if sw >= w {
		return trunc(s, w)
	}
	return strings.Repeat(" ", w-sw) + s
}

// spread puts left and right on one line of w cells, the gap between them
// filled with spaces; left is truncated first when both do not fit.
func spread(left, rightText string, w int) string {
	rw := width(rightText)
	if rw >= w {
		return fit(rightText, w)
	}
	lw := w - rw - 1
	l := trunc(left, lw)
	return l + strings.Repeat(" ", w-width(l)-rw) + rightText
}

// blank is an empty line of w cells.
func blank(w int) string {
	if w <= 0 {
		return ""
	}
	return strings.Repeat(" ", w)
}

// binaryUnit picks the unit for n bytes: the divisor and its suffix.
func binaryUnit(n float64) (float64, string) {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	div := 1.0
	i := 0
	for n >= 1024*div && i < len(units)-1 {
		div *= 1024
		i++
	}
	return div, units[i]
}

// humanRate writes a throughput: "152 MiB/s", "8.4 MiB/s".
func humanRate(bps float64) string {
	if bps < 0 {
		return ""
	}
	div, unit := binaryUnit(bps)
	v := bps / div
	if v >= 100 || unit == "B" {
		return fmt.Sprintf("%.0f %s/s", v, unit)
	}
	return fmt.Sprintf("%.1f %s/s", v, unit)
}

// doneOfTotal writes "4.5/10.0 GiB" in the unit of the total; either
// figure may be unknown (negative). Nothing done of an unknown total says
// nothing (UrBackup while it indexes): it is left out rather than shown
// as 0.
func doneOfTotal(done, total int64) string {
	switch {
	case done <= 0 && total <= 0:
		return ""
	case total <= 0:
		div, unit := binaryUnit(float64(done))
		return fmt.Sprintf("%.1f %s", float64(done)/div, unit)
	case done < 0:
		div, unit := binaryUnit(float64(total))
		return fmt.Sprintf("?/%.1f %s", float64(total)/div, unit)
	}
	return ofTotal(done, total)
}

// ansiStrip removes ANSI escape sequences.
func ansiStrip(s string) string { return ansi.Strip(s) }

// ofTotal writes "610/1000 GiB" or "4.5/10.0 GiB": both in the total's
// unit, whole numbers from 100 on.
func ofTotal(used, total int64) string {
	div, unit := binaryUnit(float64(total))
	num := func(n int64) string {
		v := float64(n) / div
		if v >= 100 {
			return fmt.Sprintf("%.0f", v)
		}
		return fmt.Sprintf("%.1f", v)
	}
	return num(used) + "/" + num(total) + " " + unit
}

// firstNonEmpty returns the first of s that is not empty.
func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
