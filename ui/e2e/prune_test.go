package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestPrunePreviewAndApply: on the demo, bkpserver has three manual
// backups and neither a job nor its storage sets a retention: the preview
// keeps them all (keep-all). One more "last" rule (+) marks the two older
// ones remove; enter asks for the name, and PVE's prune task runs in the
// jobs panel to its end, leaving one restore point.
func TestPrunePreviewAndApply(t *testing.T) {
	t.Parallel()
	s := start(t, 100, 32)
	s.waitText("bkpserver", deadline)
	s.waitText("no jobs running", deadline)
	s.keys("/")
	s.waitText("/ ", 5*time.Second)
	s.typeText("bkpserver")
	s.keys("Enter")
	sc := s.waitFor("bkpserver in the detail pane", 10*time.Second, func(sc string) bool {
		return strings.Contains(sc, "bkpserver · VM 431")
	})
	if n, _ := restorePoints(sc); n != 3 {
		t.Fatalf("bkpserver has %d restore points, want 3:\n%s", n, sc)
	}

	s.keys("P")
	s.waitText("Prune preview · bkpserver (VM 431)", 10*time.Second)
	sc = s.waitText("the rules of the keep-all default", deadline)
	if !strings.Contains(sc, "keep-all: nothing is removed") || !strings.Contains(sc, "nothing to remove") || strings.Count(sc, "keep       ") != 3 {
		t.Fatalf("the keep-all preview:\n%s", sc)
	}
	s.keys("+")
	sc = s.waitText("2 to remove", deadline)
	if !strings.Contains(sc, "[last 1]") || !strings.Contains(sc, "your rules, for this prune only") || strings.Count(sc, "remove     ") != 2 {
		t.Fatalf("the preview with keep-last=1:\n%s", sc)
	}
	s.keys("Enter")
	s.waitText("Type bkpserver to enable Confirm", 5*time.Second)
	s.typeText("bkpserver")
	s.waitText("enter confirms", 5*time.Second)
	s.keys("Enter")
	s.waitFor("the prune job succeeded in the jobs panel", deadline, func(sc string) bool {
		for _, l := range strings.Split(sc, "\n") {
			if strings.Contains(l, "prune") && strings.Contains(l, "bkpserver") && strings.Contains(l, "succeeded") {
				return true
			}
		}
		return false
	})
	s.waitFor("one restore point left", deadline, func(sc string) bool {
		n, _ := restorePoints(sc)
		return n == 1
	})
	s.keys("q")
	s.waitExit("q with the prune ended")
}

// TestPruneImagesInTheConsole: P on the demo's SSD previews its images'
// prune with the config's rules; after the disk's name, the one image they
// drop is removed by a job.
func TestPruneImagesInTheConsole(t *testing.T) {
	t.Parallel()
	s := start(t, 120, 40)
	s.waitText("pve-ssd", deadline)
	s.keys("j")
	s.waitText("pve-ssd · host disk", 10*time.Second)
	s.waitText("Images (5", 10*time.Second)
	s.keys("P")
	sc := s.waitText("1 to remove", deadline)
	if !strings.Contains(sc, "Prune preview · pve-ssd") || !strings.Contains(sc, "the newest image verified whole is always kept") {
		t.Fatalf("the images' preview:\n%s", sc)
	}
	removed := false
	for _, l := range strings.Split(sc, "\n") {
		removed = removed || strings.Contains(l, "remove ") && strings.Contains(l, "pve-pve-ssd-2026-08-01")
	}
	if !removed {
		t.Fatalf("the preview does not drop pve-pve-ssd-2026-08-01:\n%s", sc)
	}
	s.keys("Enter")
	s.waitText("Type pve-ssd to enable Confirm", 5*time.Second)
	s.typeText("pve-ssd")
	s.waitText("enter confirms", 5*time.Second)
	s.keys("Enter")
	s.waitFor("the prune job succeeded and the image gone", deadline, func(sc string) bool {
		ok := false
		for _, l := range strings.Split(sc, "\n") {
			ok = ok || strings.Contains(l, "prune") && strings.Contains(l, "pve-ssd") && strings.Contains(l, "succeeded")
		}
		return ok && strings.Contains(sc, "Images (4") && !strings.Contains(sc, "2026-08-01")
	})
}
