package e2e

import (
	"strings"
	"testing"
	"time"
)

// In the console on the demo: e restores k3sagent01's newest archive to a
// new guest, followed in the jobs panel; t runs a restore drill that
// passes and leaves nothing behind; its result shows on the guest.
func TestRestoreAndDrillInTheConsole(t *testing.T) {
	t.Parallel()
	s := start(t, 100, 30)
	s.waitText("k3sagent01", deadline)
	s.waitText("no jobs running", deadline)
	s.keys("/")
	s.waitText("/ ", 5*time.Second)
	s.typeText("k3sagent01")
	s.keys("Enter")
	s.waitText("k3sagent01 · VM 421", 10*time.Second)

	s.keys("e")
	s.waitText("[ new guest ]", 5*time.Second)
	s.waitText("next free VMID; type another", 10*time.Second) // the lab's /cluster/nextid, in the VMID field
	s.keys("Enter")
	s.waitFor("a restore row in the jobs panel", 20*time.Second, func(sc string) bool {
		return jobRowOf(sc, "restore", "k3sagent01") != ""
	})
	sc := s.waitFor("the restore to succeed", 2*deadline, func(sc string) bool {
		row := jobRowOf(sc, "restore", "k3sagent01")
		if strings.Contains(row, "failed") {
			t.Fatalf("the restore failed:\n%s", sc)
		}
		return strings.Contains(row, "succeeded")
	})
	t.Logf("restore: %s", strings.TrimSpace(jobRowOf(sc, "restore", "k3sagent01")))

	s.keys("t")
	s.waitText("Restore drill of k3sagent01", 5*time.Second)
	s.keys("Tab", "Enter")
	s.waitFor("a drill row in the jobs panel", 20*time.Second, func(sc string) bool {
		return jobRowOf(sc, "drill", "k3sagent01") != ""
	})
	sc = s.waitFor("the drill to pass", 3*deadline, func(sc string) bool {
		row := jobRowOf(sc, "drill", "k3sagent01")
		if strings.Contains(row, "failed") {
			t.Fatalf("the drill failed:\n%s", sc)
		}
		return strings.Contains(row, "succeeded")
	})
	t.Logf("drill: %s", strings.TrimSpace(jobRowOf(sc, "drill", "k3sagent01")))
	// The drill's result comes from the history (the demo's opens in one
	// transaction now, well inside the engine's 5 s).
	s.waitText("restore tested", deadline)
	s.keys("q")
	s.waitExit("q with the jobs ended")
}
