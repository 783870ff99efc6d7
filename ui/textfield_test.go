package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/backdeck/backdeck/ui/theme"
)

func TestTextField(t *testing.T) {
	f := newTextField(theme.New(false), "", 10)
	typeIn := func(keys ...string) {
		for _, k := range keys {
			if !f.Update(press(k)) {
				t.Fatalf("%q was not the field's", k)
			}
		}
	}
	typeIn("a", "b", "space", "c")
	if f.Value() != "ab c" {
		t.Fatalf("value %q", f.Value())
	}
	typeIn("left", "left", "backspace")
	if f.Value() != "a c" {
		t.Fatalf("backspace in the middle: %q", f.Value())
	}
	f.Update(tea.PasteMsg{Content: "XY\tZ\n0123456789"})
	if f.Value() != "aXY Z 01 c" { // tabs and newlines become spaces; the limit holds
		t.Fatalf("after a paste: %q", f.Value())
	}
	for _, k := range []string{"tab", "esc", "enter", "up", "down", "ctrl+c"} {
		if f.Update(press(k)) {
			t.Fatalf("%q was taken by the field", k)
		}
	}
	if f.Update(tea.KeyPressMsg{Code: 'v', Mod: tea.ModCtrl}) {
		t.Fatal("ctrl+v (the clipboard) was taken by the field")
	}
	f.SetValue("pre-upgrade")
	if f.Value() != "pre-upgra" && f.Value() != "pre-upgrad" {
		// a limit of 10
		t.Fatalf("SetValue ignored the limit: %q", f.Value())
	}

	// a long value scrolls: the cursor at the end stays in view, and the
	// view is exactly as wide as asked
	f = newTextField(theme.New(true), "", 0)
	f.SetValue("k3sagent01-before-the-upgrade")
	for _, w := range []int{1, 5, 12, 40} {
		v := f.View(w)
		if got := ansi.StringWidth(v); got != w {
			t.Fatalf("View(%d) is %d wide: %q", w, got, v)
		}
	}
	if v := ansi.Strip(f.View(12)); !strings.Contains(v, "upgrade") {
		t.Fatalf("the end of a long value is not in view: %q", v)
	}
	if v := f.View(12); strings.Contains(v, "\x1b[3") || strings.Contains(v, "\x1b[9") {
		t.Fatalf("the monochrome field has colour: %q", v)
	}
	if v := f.View(40); !strings.Contains(v, "\x1b[7m") {
		t.Fatalf("no cursor (reverse video) in a focused field: %q", v)
	}
	f.Blur()
	if v := f.View(40); strings.Contains(v, "\x1b[7m") {
		t.Fatalf("a blurred field shows its cursor: %q", v)
	}
}
