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

// A preset value is replaced by the first key that types, as a text
// input's selected proposal is; a cursor key keeps it for editing.
func TestTextFieldPreset(t *testing.T) {
	const proposal = "backdeck-20261125-1422"
	cases := []struct {
		name string
		msgs []tea.Msg
		want string
	}{
		{"typing replaces it", []tea.Msg{press("p"), press("r"), press("e")}, "pre"},
		{"a paste replaces it", []tea.Msg{tea.PasteMsg{Content: "weekly"}}, "weekly"},
		{"backspace clears it", []tea.Msg{press("backspace"), press("x")}, "x"},
		{"a cursor key keeps it", []tea.Msg{press("left"), press("x")}, "backdeck-20261125-142x2"},
		{"a key the field does not take leaves it preset", []tea.Msg{press("tab"), press("a")}, "a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newTextField(theme.New(true), "", 40)
			f.Preset(proposal)
			if !f.IsPreset() || ansi.Strip(f.View(30)) != proposal+strings.Repeat(" ", 30-len(proposal)) {
				t.Fatalf("preset %v, view %q", f.IsPreset(), ansi.Strip(f.View(30)))
			}
			for _, m := range c.msgs {
				f.Update(m)
			}
			if f.Value() != c.want {
				t.Fatalf("value %q, want %q", f.Value(), c.want)
			}
		})
	}
}
