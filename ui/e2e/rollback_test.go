package e2e

import (
	"strings"
	"testing"
	"time"
)

// dialogText is the text inside the dialog box on screen, its lines joined
// by spaces (the box wraps its sentences anywhere); "" when none is open.
func dialogText(screen string) string {
	lines := strings.Split(screen, "\n")
	left, right := -1, -1
	var words []string
	for _, l := range lines {
		r := []rune(l)
		if left < 0 {
			if i := strings.Index(l, "╭"); i >= 0 {
				left = len([]rune(l[:i]))
				right = len([]rune(l[:strings.Index(l, "╮")]))
			}
			continue
		}
		if right > len(r) || strings.ContainsRune(string(r[left:right+1]), '╰') {
			break
		}
		words = append(words, strings.Fields(string(r[left+1:right]))...)
	}
	return strings.Join(words, " ")
}

// A rollback of the running k3sagent01 to pre-upgrade (no RAM in it): the
// dialog says the VM stops and stays stopped, and it does; rolled back
// again with "start" ticked, it runs again.
func TestRollbackStopsTheVMAndStartsItWhenAsked(t *testing.T) {
	t.Parallel()
	s := start(t, 80, 24)
	s.waitText("no jobs running", deadline)
	s.selectByName("k3sagent01", "k3sagent01 · VM 421 · running")
	s.waitText("Snapshots (1)", 10*time.Second)
	s.keys("Tab", "R")
	warning := "The VM is running: PVE stops it for the rollback, and it stays stopped afterwards unless you tick below."
	s.waitFor("the rollback dialog's warning", 5*time.Second, func(sc string) bool { return strings.Contains(dialogText(sc), warning) })
	s.waitText("[ ] start the VM again after the rollback", time.Second)
	s.keys("Tab", "Enter")
	s.waitText("k3sagent01 · VM 421 · stopped", deadline)

	s.keys("R")
	s.waitFor("the dialog of a stopped VM", 5*time.Second, func(sc string) bool {
		return strings.Contains(dialogText(sc), "The VM stays stopped afterwards unless you tick below.")
	})
	s.keys("Space")
	s.waitText("[✓] start the VM after the rollback", 5*time.Second)
	s.keys("Tab", "Enter")
	s.waitText("k3sagent01 · VM 421 · running", deadline)
}
