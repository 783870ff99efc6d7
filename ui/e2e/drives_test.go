package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	driveRowRe  = regexp.MustCompile(`usb-backups\s+drive\s+[█░]+\s+(\d+)%\s+([\d.]+)/([\d.]+) TiB`)
	deviceRe    = regexp.MustCompile(`device\s+/dev/sdb · ([\d.]+) TiB`)
	driveHeadRe = regexp.MustCompile(`Stores on it \(2\) · ([\d.]+)/([\d.]+) TiB used \((\d+)%\)`)
)

// The demo's backup drive at 120×40: its row's total is the drive's own
// size, the one its detail gives (not its two stores' sizes added up, the
// 2.6/5.1 TiB of issue 11 on a 3.6 TiB drive), its used share no more than
// the drive, and its detail shows the stores as parts of it.
func TestDriveRowTotalIsTheDrive(t *testing.T) {
	t.Parallel()
	s := start(t, 120, 40)
	sc := s.waitFor("the usb-backups drive row with its usage", deadline, func(sc string) bool { return driveRowRe.MatchString(sc) })
	row := driveRowRe.FindStringSubmatch(sc)
	pct, used, total := row[1], row[2], row[3]
	if u, _ := strconv.ParseFloat(used, 64); total != "3.6" || u > 3.6 || strings.Contains(sc, "/5.1 TiB") {
		t.Fatalf("drive row %q: want the drive's 3.6 TiB as its total", row[0])
	}
	s.selectByName("usb-backups", "Stores on it")
	sc = s.waitFor("the drive's device line and its stores' heading", 10*time.Second, func(sc string) bool {
		return deviceRe.MatchString(sc) && driveHeadRe.MatchString(sc)
	})
	if dev := deviceRe.FindStringSubmatch(sc)[1]; dev != total {
		t.Fatalf("the row's total %s TiB is not the drive's %s TiB", total, dev)
	}
	head := driveHeadRe.FindStringSubmatch(sc)
	if head[1] != used || head[2] != total || head[3] != pct {
		t.Fatalf("the detail's %q disagrees with the row's %q", head[0], row[0])
	}
	for _, store := range []string{"hddusb_bkpvzdumps", "hddusb_bkpdata"} {
		if !strings.Contains(detailOf(sc), store) {
			t.Fatalf("the drive's detail does not list %s", store)
		}
	}
}

// detailOf is the detail pane's text.
func detailOf(screen string) string {
	var b strings.Builder
	for _, l := range strings.Split(screen, "\n") {
		if _, detail, ok := panes(l); ok {
			b.WriteString(detail + "\n")
		}
	}
	return b.String()
}
