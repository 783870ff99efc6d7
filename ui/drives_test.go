package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// storesText is the stores & drives panel's lines, ANSI stripped.
func (tm *testModel) storesText() []string {
	tm.t.Helper()
	tm.m.View()
	var out []string
	for _, l := range tm.m.stores.cache {
		out = append(out, ansiStrip(l))
	}
	return out
}

func lineWith(lines []string, parts ...string) string {
	for _, l := range lines {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return l
		}
	}
	return ""
}

// TestDrivesPanel: each drive shows its health in a word, asleep or not
// plugged in in words, the space its stores use of the drive's size, the
// soonest forecast of them, its temperature, model and serial.
func TestDrivesPanel(t *testing.T) {
	tm := newTestModel(t, 160, 48)
	lines := tm.storesText()
	for _, want := range [][]string{
		// usb-backups (1863 GiB) holds hddusb_bkpvzdumps (610/1000 GiB,
		// full in 93 d) and hddusb_bkpdata (300/800 GiB, not filling)
		{"✓ passed", "usb-backups", "drive", " 49%", "0.9/1.8 TiB", "full in 93 d", "34 °C", "Seagate Expansion HDD", "NA8F1234"},
		{"✗ failed", "usb-urbackup", " 70%", "1.3/1.8 TiB", "41 °C", "WD Elements 2TB", "WX42D1234567"},
		{"✓ passed", "usb-offsite", "asleep · read 3 h ago", " 33%", "1.2/3.6 TiB", "full in 2624 d", "29 °C"},
		{"✓ ok", "hddusb_bkpdata", "online", "not filling"},
	} {
		if lineWith(lines, want...) == "" {
			t.Errorf("no row with %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	// the bars of the drives shown line up
	col := -1
	for _, l := range lines {
		if !strings.Contains(l, "drive") && !strings.Contains(l, "asleep") {
			continue
		}
		i := strings.IndexAny(l, "█░")
		if col >= 0 && len([]rune(l[:i])) != col {
			t.Fatalf("drive bars do not line up:\n%s", strings.Join(lines, "\n"))
		}
		col = len([]rune(l[:i]))
	}
}

// TestDrivesPanelCutWorstFirst: when the panel has fewer lines than rows,
// the failing drive and the store in warning come first, and the last line
// says how many more there are and where.
func TestDrivesPanelCutWorstFirst(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	lines := tm.storesText()
	if len(lines) != 3 {
		t.Fatalf("%d lines at 80×24", len(lines))
	}
	if !strings.Contains(lines[0], "✗ failed   usb-urbackup") || !strings.Contains(lines[1], "! warn     hddusb_urbackup") ||
		!strings.Contains(lines[2], "… 5 more: the Backups concern in the tree lists every store and drive") {
		t.Fatalf("cut panel:\n%s", strings.Join(lines, "\n"))
	}
}

// TestDriveNotPluggedIn: an unplugged drive says so in words, with the age
// of its last reading and no usage (its stores are offline).
func TestDriveNotPluggedIn(t *testing.T) {
	p := seedPosture()
	d := &p.Drives[1]
	d.Present = false
	d.Reading.At = testNow.Add(-12 * 24 * time.Hour)
	for i := range p.Stores {
		if p.Stores[i].Drive == serialWD {
			p.Stores[i].Online, p.Stores[i].Total, p.Stores[i].Used, p.Stores[i].Avail = false, 0, 0, 0
		}
	}
	tm := newTestModel(t, 160, 48)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	row := lineWith(tm.storesText(), "usb-urbackup")
	for _, want := range []string{"✗ failed", "not plugged in", "last read 12 d ago", "WX42D1234567"} {
		if !strings.Contains(row, want) {
			t.Fatalf("unplugged row %q lacks %q", row, want)
		}
	}
	if strings.ContainsAny(row, "█░") || strings.Contains(row, "%") {
		t.Fatalf("unplugged row shows a usage: %q", row)
	}
	tm.selectTarget("drive/" + serialWD)
	lines := tm.detailText()
	if !strings.HasPrefix(lines[0], "usb-urbackup · ✗ failed · not plugged in") || indexOf(lines, "state        ! not plugged in") < 0 {
		t.Fatalf("unplugged drive detail:\n%s", strings.Join(lines, "\n"))
	}
	if tm.m.tree.driveAside(selectedRow(tm)) != "unplugged" {
		t.Fatal("the tree does not say unplugged")
	}
}

// TestDriveStoresByEitherLink: a drive's stores are found by the store's
// Drive serial or by the drive's Holds, each once.
func TestDriveStoresByEitherLink(t *testing.T) {
	stores := []model.Store{
		{ID: "a", Drive: "S1", Online: true, Used: 10, Total: 100},
		{ID: "b", Online: true, Used: 30, Total: 100},
		{ID: "c", Drive: "S1", Online: true, Used: 5, Total: 100},
		{ID: "d", Drive: "S2", Online: true, Used: 50, Total: 100},
		{ID: "e", Drive: "S1", Online: false},
	}
	d := model.Drive{ID: "S1", Serial: "S1", Holds: []string{"b", "c"}}
	got := driveStores(&d, stores)
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, ",") != "a,b,c,e" {
		t.Fatalf("stores %v, want a,b,c,e", ids)
	}
	d.Size = 1000
	if sp := driveUsage(&d, got); sp.used != 45 || sp.parts != 300 || sp.size != 1000 {
		t.Fatalf("usage %+v, want 45 used by stores of 300 on a drive of 1000 (the offline store left out)", sp)
	}
}

// TestSoonestForecast: the store that fills first decides; "not filling"
// beats "not enough history"; a store with only FullAt is filling.
func TestSoonestForecast(t *testing.T) {
	at := func(d int) *time.Time { x := testNow.Add(time.Duration(d) * 24 * time.Hour); return &x }
	filling := func(d int) model.Store {
		return model.Store{Online: true, Forecast: model.Forecast{State: model.ForecastFilling, FullAt: at(d)}}
	}
	notFilling := model.Store{Online: true, Forecast: model.Forecast{State: model.ForecastNotFilling}}
	notEnough := model.Store{Online: true}
	legacy := model.Store{Online: true, FullAt: at(20)}
	offline := filling(1)
	offline.Online = false
	for _, c := range []struct {
		stores []model.Store
		want   string
	}{
		{[]model.Store{filling(90), filling(30), notFilling}, "full in 30 d"},
		{[]model.Store{notEnough, notFilling}, "not filling"},
		{[]model.Store{notEnough}, "not enough history"},
		{[]model.Store{notFilling, legacy, filling(40)}, "full in 20 d"},
		{[]model.Store{offline, filling(40)}, "full in 40 d"},
	} {
		var ps []*model.Store
		for i := range c.stores {
			ps = append(ps, &c.stores[i])
		}
		if got := soonestForecast(ps).String(testNow); got != c.want {
			t.Errorf("soonest of %d stores: %q, want %q", len(ps), got, c.want)
		}
	}
}

// TestAttributeFlag: the rows the model's rules fail or warn about, and
// those a reason names, are marked with a glyph and a word.
func TestAttributeFlag(t *testing.T) {
	for _, c := range []struct {
		a       model.SMARTAttribute
		reasons []string
		st      model.Status
		word    string
	}{
		{ataAttr(1, "Raw_Read_Error_Rate", 200, 200, 51, 0, ""), nil, model.StatusOK, ""},
		{ataAttr(5, "Reallocated_Sector_Ct", 100, 100, 10, 0, ""), nil, model.StatusOK, ""},
		{ataAttr(5, "Reallocated_Sector_Ct", 199, 199, 140, 4, ""), nil, model.StatusWarning, "warning"},
		{ataAttr(5, "Reallocated_Sector_Ct", 150, 150, 140, 20, ""), nil, model.StatusCritical, "failed"},
		{ataAttr(187, "Reported_Uncorrect", 97, 97, 0, 1, ""), nil, model.StatusCritical, "failed"},
		{ataAttr(188, "Command_Timeout", 100, 100, 0, 50, ""), nil, model.StatusOK, ""},
		{ataAttr(188, "Command_Timeout", 100, 100, 0, 101, ""), nil, model.StatusCritical, "failed"},
		{ataAttr(197, "Current_Pending_Sector", 200, 200, 0, 1, ""), nil, model.StatusWarning, "warning"},
		{ataAttr(198, "Offline_Uncorrectable", 100, 100, 0, 2, ""), nil, model.StatusCritical, "failed"},
		{ataAttr(9, "Power_On_Hours", 10, 10, 0, 80000, ""), nil, model.StatusOK, ""},
		{model.SMARTAttribute{ID: 3, Name: "Spin_Up_Time", Value: 20, Worst: 20, Thresh: 21, WhenFailed: "now"}, nil, model.StatusCritical, "failing now"},
		{model.SMARTAttribute{ID: 3, Name: "Spin_Up_Time", Value: 90, Worst: 20, Thresh: 21, WhenFailed: "past"}, nil, model.StatusWarning, "failed before"},
		{ataAttr(199, "UDMA_CRC_Error_Count", 200, 200, 0, 12, ""), []string{"interface CRC errors grew from 3 to 12 since 2026-11-01 (UDMA_CRC_Error_Count)"}, model.StatusWarning, "warning"},
	} {
		st, word := attributeFlag(c.a, c.reasons)
		if st != c.st || word != c.word {
			t.Errorf("attribute %d raw %d when_failed %q: %v %q, want %v %q", c.a.ID, c.a.Raw, c.a.WhenFailed, st, word, c.st, c.word)
		}
	}
}

// TestFailingDriveDetail: the verdict and its reasons in words, what the
// drive is, when it was read, its stores, and the attribute table with the
// failing rows marked in words.
func TestFailingDriveDetail(t *testing.T) {
	for _, w := range []int{80, 160} {
		tm := newTestModel(t, w, 80)
		tm.selectTarget("drive/" + serialWD)
		lines := tm.detailText()
		text := strings.Join(lines, "\n")
		if lines[0] != "usb-urbackup · ✗ failed" {
			t.Fatalf("%d: title %q", w, lines[0])
		}
		for _, want := range []string{
			"health       ✗ failed (SMART)",
			"why          • 3 uncorrectable errors",
			"• 2 sectors pending",
			"• 4 reallocated sectors",
			"read         2026-11-25 14:20 (2 min ago)",
			"serial       WX42D1234567",
			"device       /dev/sdc",
			"temperature  41 °C",
			"power-on     23456 h (2.7 years)",
			"Stores on it (1)",
			"ATA attributes (12, 3 marked)",
			"Messages of the tool",
		} {
			if indexOf(lines, want) < 0 && !strings.Contains(text, want) {
				t.Fatalf("%d: no %q:\n%s", w, want, text)
			}
		}
		wantRows := []string{"! warn   5 Reallocated", "✗ fail 187 Reported", "✗ fail 197 Current_Pendi"}
		if w == 160 {
			wantRows = []string{"! warning         5 Reallocated_Sector_Ct", "✗ failed        187 Reported_Uncorrect", "✗ failed        197 Current_Pending_Sector"}
		}
		for _, want := range wantRows {
			if indexOf(lines, want) < 0 {
				t.Fatalf("%d: no marked row %q:\n%s", w, want, text)
			}
		}
		if indexOf(lines, "1 Raw_Read_Err") < 0 {
			t.Fatalf("%d: an unmarked row is marked or missing:\n%s", w, text)
		}
	}
}

// TestAsleepDriveDetail: a sleeping drive says so, and that what follows
// is its last reading, with its age.
func TestAsleepDriveDetail(t *testing.T) {
	tm := newTestModel(t, 160, 60)
	tm.selectTarget("drive/" + serialToshiba)
	lines := tm.detailText()
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"usb-offsite · ✓ passed · asleep",
		"health       ✓ passed (SMART, last reading)",
		"state        asleep: not woken to read it; the figures below are from its last reading",
		"read         2026-11-25 11:22 (3 h ago)",
		"✓ hddusb_offsite",
	} {
		if indexOf(lines, want) < 0 {
			t.Fatalf("no %q:\n%s", want, text)
		}
	}
	if got := tm.m.tree.driveAside(selectedRow(tm)); got != "asleep" {
		t.Fatalf("the tree says %q for the asleep drive", got)
	}
}

// TestDriveRowByKind: a row is shown as a drive because the posture says it
// is one (its kind, the drive it stands for), whatever its id looks like.
func TestDriveRowByKind(t *testing.T) {
	p := seedPosture()
	for i, c := range p.Concerns {
		for j := range c.Targets {
			if ts := &p.Concerns[i].Targets[j]; ts.Kind == model.KindDrive {
				ts.ID = "smart/" + ts.Drive.Serial
			}
		}
	}
	tm := newTestModel(t, 160, 60)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.selectTarget("smart/" + serialToshiba)
	if lines := tm.detailText(); indexOf(lines, "usb-offsite · ✓ passed · asleep") < 0 {
		t.Fatalf("the drive's pane is not shown:\n%s", strings.Join(lines, "\n"))
	}
	if got := tm.m.tree.driveAside(selectedRow(tm)); got != "asleep" {
		t.Fatalf("the tree says %q for the asleep drive", got)
	}
}

// TestNVMeDriveDetail: an NVMe drive shows its health log instead of an
// attribute table, bad figures marked in words.
func TestNVMeDriveDetail(t *testing.T) {
	p := seedPosture()
	d := &p.Drives[0]
	d.Reading.Protocol, d.Reading.Transport, d.Reading.Attributes = "NVMe", "nvme", nil
	d.Reading.NVMe = &model.NVMeHealth{AvailableSpare: 100, AvailableSpareThreshold: 10, PercentageUsed: 3, MediaErrors: 2}
	d.Health, d.Reasons = model.SMARTVerdict(d.Reading, nil)
	tm := newTestModel(t, 160, 60)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.selectTarget("drive/" + serialSeagate)
	lines := tm.detailText()
	text := strings.Join(lines, "\n")
	for _, want := range []string{"NVMe health", "critical     none", "spare        100 % (threshold 10 %)", "worn         3 % of its rated endurance used", "media errors 2  ✗ failed", "NVMe over nvme"} {
		if !strings.Contains(text, want) {
			t.Fatalf("no %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ATA attributes") {
		t.Fatalf("an NVMe drive has an ATA table:\n%s", text)
	}
}

func selectedRow(tm *testModel) *model.TargetStatus {
	_, ts := tm.m.tree.Selected()
	if ts == nil {
		tm.t.Fatal("no target selected")
	}
	return ts
}

// TestDriveWithoutStores: a drive that holds no store known (Clonezilla's
// images drive) says so instead of drawing an empty bar.
func TestDriveWithoutStores(t *testing.T) {
	p := seedPosture()
	p.Drives[1].Holds = nil
	for i := range p.Stores {
		if p.Stores[i].Drive == serialWD {
			p.Stores[i].Drive = ""
		}
	}
	tm := newTestModel(t, 160, 48)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	row := lineWith(tm.storesText(), "usb-urbackup")
	if !strings.Contains(row, "no store on it") || strings.ContainsAny(row, "█░") {
		t.Fatalf("row of a drive without stores: %q", row)
	}
}
