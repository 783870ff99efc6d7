package ui

import (
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// withSeagate is the seed posture with the usb-backups drive and its two
// stores resized, as the console receives it.
func withSeagate(t *testing.T, size int64, vzdumps, bkpdata model.Store) *testModel {
	t.Helper()
	p := seedPosture()
	for i := range p.Stores {
		switch p.Stores[i].ID {
		case "pve/hddusb_bkpvzdumps":
			p.Stores[i].Total, p.Stores[i].Used, p.Stores[i].Avail = vzdumps.Total, vzdumps.Used, vzdumps.Total-vzdumps.Used
		case "pve/hddusb_bkpdata":
			p.Stores[i].Total, p.Stores[i].Used, p.Stores[i].Avail = bkpdata.Total, bkpdata.Used, bkpdata.Total-bkpdata.Used
		}
	}
	p.Drives[0].Size = size // the backups concern's row points at it too
	tm := newTestModel(t, 160, 48)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	return tm
}

// TestDriveTotalIsTheDrivesSize: the drive row's total is the drive's own
// size, not its stores' sizes added up (the 2.6/5.1 TiB on a
// 3.6 TiB drive), and the drive's detail says its stores add up to more
// than it.
func TestDriveTotalIsTheDrivesSize(t *testing.T) {
	const tib = 1024 * GiB
	tm := withSeagate(t, 4000787030016,
		model.Store{Total: 3936820862976, Used: 2*tib + 190*GiB},
		model.Store{Total: 1536 * GiB, Used: 412 * GiB})
	row := lineWith(tm.storesText(), "usb-backups")
	// 2650 GiB used of 3726 GiB
	if !strings.Contains(row, "2.6/3.6 TiB") || !strings.Contains(row, " 71%") || strings.Contains(row, "5.1") {
		t.Fatalf("drive row %q: want 2.6/3.6 TiB, 71%%, the drive's size as its total", row)
	}
	tm.selectTarget("drive/" + serialSeagate)
	lines := tm.detailText()
	text := strings.Join(lines, "\n")
	if indexOf(lines, "Stores on it (2) · 2.6/3.6 TiB used (71%)") < 0 {
		t.Fatalf("the drive's detail lacks its space:\n%s", text)
	}
	if !strings.Contains(text, "they add up to 5.1 TiB, more than the drive") {
		t.Fatalf("the drive's detail does not say its stores do not fit on it:\n%s", text)
	}
	for _, want := range []string{"hddusb_bkpvzdumps", "2.2/3.6 TiB", "hddusb_bkpdata", "0.4/1.5 TiB"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the drive's detail lacks its store's %q:\n%s", want, text)
		}
	}
}

// TestDriveStoresThatFit: stores that fit on the drive show as parts of
// it, with no warning.
func TestDriveStoresThatFit(t *testing.T) {
	tm := withSeagate(t, 1863*GiB,
		model.Store{Total: 1000 * GiB, Used: 610 * GiB},
		model.Store{Total: 800 * GiB, Used: 300 * GiB})
	tm.selectTarget("drive/" + serialSeagate)
	text := strings.Join(tm.detailText(), "\n")
	if !strings.Contains(text, "Stores on it (2) · 0.9/1.8 TiB used (49%)") || strings.Contains(text, "add up to") {
		t.Fatalf("drive detail:\n%s", text)
	}
}

// TestDriveSizeUnknown: a drive whose size no reading gave says so, with
// what its stores use, and shows no bar or percentage made from its
// stores' sizes.
func TestDriveSizeUnknown(t *testing.T) {
	tm := withSeagate(t, 0,
		model.Store{Total: 1000 * GiB, Used: 610 * GiB},
		model.Store{Total: 800 * GiB, Used: 300 * GiB})
	row := lineWith(tm.storesText(), "usb-backups")
	if !strings.Contains(row, "drive size unknown · 910.0 GiB used by its stores") || strings.ContainsAny(row, "█░%") || strings.Contains(row, "1.8 TiB") {
		t.Fatalf("drive row %q: want the size said unknown, no sum of its stores' sizes", row)
	}
	tm.selectTarget("drive/" + serialSeagate)
	lines := tm.detailText()
	if indexOf(lines, "Stores on it (2) · drive size unknown, its stores use 910.0 GiB") < 0 {
		t.Fatalf("drive detail:\n%s", strings.Join(lines, "\n"))
	}
}

// TestDriveUsedNeverMoreThanTheDrive: stores that report more used than
// the drive holds (a store wrongly held by it) fill the drive, no more.
func TestDriveUsedNeverMoreThanTheDrive(t *testing.T) {
	d := model.Drive{ID: "S1", Serial: "S1", Size: 100}
	stores := []*model.Store{
		{ID: "a", Online: true, Used: 80, Total: 90},
		{ID: "b", Online: true, Used: 70, Total: 90},
	}
	sp := driveUsage(&d, stores)
	if sp.used != 100 || sp.size != 100 || sp.fraction() != 1 || !sp.excess || sp.parts != 180 {
		t.Fatalf("usage %+v, want 100 of 100 used, the stores' 180 over it", sp)
	}
}
