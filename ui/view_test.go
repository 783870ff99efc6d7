package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

func TestViewGolden(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		opts func(*Options)
		keys []string
	}{
		{"80x24", 80, 24, nil, nil},
		{"160x48", 160, 48, nil, nil},
		{"80x24_nocolor", 80, 24, func(o *Options) { o.NoColor = true }, nil},
		{"80x24_ascii", 80, 24, func(o *Options) { o.ASCII = true }, nil},
		// k3sagent01 selected, its snapshots loaded, the detail focused
		{"80x24_guest", 80, 24, nil, []string{"j", "j", "j", "j", "enter"}},
		{"160x48_guest", 160, 48, nil, []string{"j", "j", "j", "j", "enter"}},
		{"80x24_rollback", 80, 24, nil, []string{"j", "j", "j", "j", "R"}},
		{"80x24_store", 80, 24, nil, []string{"G", "k", "k"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []func(*Options)
			if c.opts != nil {
				opts = append(opts, c.opts)
			}
			tm := newTestModel(t, c.w, c.h, opts...)
			tm.eng.snaps[agent01] = agent01Snapshots()
			for _, k := range c.keys {
				tm.run(k)
			}
			raw := tm.m.View().Content
			out := ansi.Strip(raw)
			lines := strings.Split(out, "\n")
			if len(lines) != c.h {
				t.Fatalf("%d lines, want %d", len(lines), c.h)
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != c.w {
					t.Errorf("line %d is %d cells wide, want %d: %q", i, w, c.w, l)
				}
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

func TestNoColorHasNoColourCodes(t *testing.T) {
	tm := newTestModel(t, 80, 24, func(o *Options) { o.NoColor = true })
	for _, screen := range []string{"", "?", "L", "b"} {
		if screen != "" {
			tm.keys(screen)
		}
		raw := tm.m.View().Content
		for _, seq := range []string{"\x1b[3", "\x1b[9", "\x1b[4", "\x1b[10", ";3", ";9"} {
			if strings.Contains(raw, seq) && seq[0] == '\x1b' {
				t.Fatalf("after %q the NoColor view has colour sequence %q", screen, seq)
			}
		}
		if strings.Contains(raw, "38;") || strings.Contains(raw, "48;") {
			t.Fatalf("after %q the NoColor view has an extended colour", screen)
		}
		tm.keys("esc")
	}
}

func TestColorViewHasColour(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	if raw := tm.m.View().Content; !strings.Contains(raw, "\x1b[") {
		t.Fatal("the colour view has no styling at all")
	}
}

func TestASCIIViewIsASCII(t *testing.T) {
	tm := newTestModel(t, 80, 24, func(o *Options) { o.ASCII = true })
	for _, k := range []string{"", "?", "L"} {
		if k != "" {
			tm.keys(k)
		}
		out := tm.screen()
		for i, r := range out {
			if r > 126 {
				t.Fatalf("after %q: non-ASCII %q at %d:\n%s", k, r, i, out)
			}
		}
		tm.keys("esc")
	}
}

func TestFirstViewBeforeSize(t *testing.T) {
	m := New(Options{Engine: newFakeEngine(), Now: fixedNow})
	v := m.View()
	if !v.AltScreen {
		t.Fatal("the view does not ask for the alt screen")
	}
	if v.Content == "" {
		t.Fatal("the first view is empty")
	}
}

func TestSizes(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {160, 48}, {200, 60}, {81, 25}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			tm := newTestModel(t, sz[0], sz[1])
			for _, k := range []string{"", "enter", "tab", "?", "esc", "L", "esc", "s"} {
				if k != "" {
					tm.keys(k)
				}
				lines := strings.Split(tm.screen(), "\n")
				if len(lines) != sz[1] {
					t.Fatalf("after %q: %d lines, want %d", k, len(lines), sz[1])
				}
				for i, l := range lines {
					if w := ansi.StringWidth(l); w != sz[0] {
						t.Fatalf("after %q: line %d is %d wide: %q", k, i, w, l)
					}
				}
			}
		})
	}
}
