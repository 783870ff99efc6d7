package ui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/backdeck/backdeck/model"
)

func TestViewGolden(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		opts func(*Options)
		keys []string
		// the posture and k3sagent01's snapshots; the seed's when nil
		posture func() *model.Posture
		snaps   func() []model.Snapshot
		sel     string // a target selected before the keys
	}{
		{"80x24", 80, 24, nil, nil, nil, nil, ""},
		{"160x48", 160, 48, nil, nil, nil, nil, ""},
		{"80x24_nocolor", 80, 24, func(o *Options) { o.NoColor = true }, nil, nil, nil, ""},
		{"80x24_ascii", 80, 24, func(o *Options) { o.ASCII = true }, nil, nil, nil, ""},
		// k3sagent01 selected, its snapshots loaded, the detail focused
		{"80x24_guest", 80, 24, nil, []string{"j", "j", "j", "j", "enter"}, nil, nil, ""},
		{"160x48_guest", 160, 48, nil, []string{"j", "j", "j", "j", "enter"}, nil, nil, ""},
		{"80x24_rollback", 80, 24, nil, []string{"j", "j", "j", "j", "R"}, nil, nil, ""},
		// the store's usage chart and forecast
		{"80x24_store", 80, 24, nil, nil, nil, nil, "store/pve/hddusb_bkpvzdumps"},
		{"160x48_store", 160, 48, nil, nil, nil, nil, "store/pve/hddusb_bkpvzdumps"},
		{"80x24_store_ascii", 80, 24, func(o *Options) { o.ASCII = true }, nil, nil, nil, "store/pve/hddusb_bkpvzdumps"},
		// k3sagent01 just backed up: 14 restore points (the newest 5 s old)
		// and one snapshot; the summary, the newest point, the snapshot and
		// every action (R and D included) must show
		{"80x24_guest_14points", 80, 24, nil, []string{"j", "j", "j", "j"}, afterBackupPosture, oneSnapshot, ""},
		{"80x24_guest_14points_scrolled", 80, 24, nil, []string{"j", "j", "j", "j", "enter", "]"}, afterBackupPosture, oneSnapshot, ""},
		{"160x48_guest_14points", 160, 48, nil, []string{"j", "j", "j", "j"}, afterBackupPosture, oneSnapshot, ""},
		// the UrBackup client k3sagent01 of Application data; f asks first
		{"80x24_client", 80, 24, nil, nil, nil, nil, urbAgent01},
		{"160x48_client", 160, 48, nil, nil, nil, nil, urbAgent01},
		{"80x24_client_full", 80, 24, nil, []string{"f"}, nil, nil, urbAgent01},
		{"80x24_client_offline", 80, 24, nil, nil, nil, nil, urbServer01},
		// the failing drive: its reasons at the top; scrolled to the
		// bottom, its attribute table with the marked rows
		{"80x24_drive_failing", 80, 24, nil, nil, nil, nil, "drive/" + serialWD},
		{"80x24_drive_failing_table", 80, 24, nil, []string{"enter", "G"}, nil, nil, "drive/" + serialWD},
		{"160x48_drive_failing", 160, 48, nil, nil, nil, nil, "drive/" + serialWD},
		// the drive that sleeps: its last reading, 3 h old
		{"80x24_drive_asleep", 80, 24, nil, nil, nil, nil, "drive/" + serialToshiba},
		{"160x48_drive_asleep", 160, 48, nil, nil, nil, nil, "drive/" + serialToshiba},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts []func(*Options)
			if c.opts != nil {
				opts = append(opts, c.opts)
			}
			tm := newTestModel(t, c.w, c.h, opts...)
			tm.eng.snaps[agent01] = agent01Snapshots()
			if c.snaps != nil {
				tm.eng.snaps[agent01] = c.snaps()
			}
			if c.posture != nil {
				tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: c.posture()}}})
			}
			if c.sel != "" {
				tm.selectTarget(c.sel)
			}
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

// colourParams finds the SGR parameters that set a colour (30–49, 90–107)
// in the raw output.
func colourParams(raw string) []string {
	var found []string
	for _, m := range sgr.FindAllStringSubmatch(raw, -1) {
		for _, p := range strings.Split(m[1], ";") {
			n, err := strconv.Atoi(p)
			if err == nil && ((n >= 30 && n <= 49) || (n >= 90 && n <= 107)) {
				found = append(found, m[0])
				break
			}
		}
	}
	return found
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

func TestNoColorHasNoColourCodes(t *testing.T) {
	tm := newTestModel(t, 80, 24, func(o *Options) { o.NoColor = true })
	tm.eng.snaps[agent01] = agent01Snapshots()
	steps := [][]string{nil, {"?"}, {"esc", "L"}, {"esc", "j", "j", "j", "j", "enter"}, {"R"}, {"esc", "esc", "G", "k", "k", "k", "k", "k", "k"}, {"k"}, {"j", "j", "j", "j", "j"}, {"/", "x"}}
	for _, keys := range steps {
		for _, k := range keys {
			tm.run(k)
		}
		raw := tm.m.View().Content
		for _, bad := range []string{"\x1b[3", "\x1b[9"} {
			if strings.Contains(raw, bad) {
				t.Fatalf("after %v the NoColor view has %q", keys, bad)
			}
		}
		if c := colourParams(raw); len(c) > 0 {
			t.Fatalf("after %v the NoColor view sets colours: %q", keys, c)
		}
	}
}

func TestColorViewHasColour(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	if c := colourParams(tm.m.View().Content); len(c) == 0 {
		t.Fatal("the colour view sets no colour at all")
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
