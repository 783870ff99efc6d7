package e2e

import (
	"strings"
	"testing"
)

// TestScheduleOverlay: S on the demo shows the daily PVE job and the next
// days' runs of it and of the UrBackup clients, by day, with the drive; b
// runs the job now after asking, and its task shows in the jobs panel.
// The clock is fixed (BACKDECK_CLOCK) and the zone UTC.
func TestScheduleOverlay(t *testing.T) {
	t.Parallel()
	s := startWith(t, 120, 40, []string{"TZ=UTC"}, "--demo")
	s.waitText("k3sagent01", deadline)
	s.waitText("no jobs running", deadline)
	s.keys("S")
	s.waitText("Schedule · next 7 days", deadline)
	sc := s.waitText("usb-backups", deadline)
	for _, want := range []string{
		"backup-k3s-daily · 14:20 · guests 411, 421, 422 → hddusb_bkpvzdumps",
		"keeps keep-daily=7",
		"14:20–14:2", // the job's last run took a few minutes
		"k3sagent02",
		"incremental file backup",
	} {
		if !strings.Contains(sc, want) {
			t.Errorf("the schedule lacks %q:\n%s", want, sc)
		}
	}
	if clock() == defaultClock && !strings.Contains(sc, "Sat 11-28") {
		t.Errorf("the schedule does not start on the clock's day:\n%s", sc)
	}
	// Run the job now: it asks first, then the demo's one node runs it.
	s.keys("b")
	s.waitText("Run backup job backup-k3s-daily now?", deadline)
	s.keys("Tab", "Enter")
	s.waitText("Schedule · next 7 days", deadline) // back in the schedule
	s.keys("Escape")
	s.waitFor("the schedule closed", deadline, func(sc string) bool { return !strings.Contains(sc, "Schedule · next 7 days") })
	s.waitText("pve: backup-k3s-", deadline) // the node's task in the jobs panel
	s.waitText("1 job running", deadline)
	s.keys("C-c")
	s.waitExit("ctrl+c with the job running (it goes on on the server)")
}
