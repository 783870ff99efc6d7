package clonezilla

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func stampOf(t *testing.T, dir string) string {
	t.Helper()
	img, err := ReadImage(dir)
	if err != nil {
		t.Fatal(err)
	}
	if img.Stamp == "" || img.RestorePoint("clonezilla/x").Stamp != img.Stamp {
		t.Fatalf("stamp %q, restore point's %q", img.Stamp, img.RestorePoint("clonezilla/x").Stamp)
	}
	return img.Stamp
}

// The stamp changes when a chunk is rewritten (same size, newer time), a
// file is added or removed; it does not when nothing changed.
func TestStampChangesWithTheFiles(t *testing.T) {
	dir := formatImage(t, "simple-gpt-sums")
	first := stampOf(t, dir)
	if again := stampOf(t, dir); again != first {
		t.Fatalf("stamp changed without a change: %s, then %s", first, again)
	}
	chunk := filepath.Join(dir, "loop0p2.ext4-ptcl-img.zst.aa")
	before, err := os.Stat(chunk)
	if err != nil {
		t.Fatal(err)
	}
	flipByte(t, chunk, 1000)
	later := before.ModTime().Add(time.Second) // a rewrite's time, whatever the file system's clock grain
	if err := os.Chtimes(chunk, later, later); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(chunk); after.Size() != before.Size() {
		t.Fatalf("size changed: %d → %d", before.Size(), after.Size())
	}
	rewritten := stampOf(t, dir)
	if rewritten == first {
		t.Error("a chunk rewritten in place (same size, newer time) left the stamp as it was")
	}
	writeFile(t, dir, "loop0p3.ext4-ptcl-img.zst.aa", "added")
	added := stampOf(t, dir)
	if added == rewritten {
		t.Error("a file added left the stamp as it was")
	}
	remove(t, dir, "MD5SUMS")
	if removed := stampOf(t, dir); removed == added || removed == rewritten {
		t.Error("a file removed left the stamp as it was")
	}
}

// A verification carries the stamp of the image as it was when it started,
// not the one of the last scan.
func TestVerificationCarriesTheStampItRead(t *testing.T) {
	repo := t.TempDir()
	path := repoWith(t, repo, "simple-gpt-sums")
	s := NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{repo}}})
	state, err := s.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	scanned := state.Targets[0].RestorePoints[0].Stamp
	if scanned != stampOf(t, path) {
		t.Fatalf("scan's stamp %q, image's %q", scanned, stampOf(t, path))
	}
	// Changed after the scan, before the verification.
	writeFile(t, path, "notes.txt", "written after the scan")
	now := stampOf(t, path)
	final, _ := runVerify(t, s, path)
	if final.Verification == nil || final.Verification.Stamp != now || now == scanned {
		t.Errorf("verification %+v: stamp want %q (scanned %q)", final.Verification, now, scanned)
	}
	img, _ := ReadImage(path)
	r, err := Verify(context.Background(), img, LevelChecksums, nil)
	if err != nil || r.Stamp != now || Verification(r).Stamp != now {
		t.Errorf("report stamp %q (%v), want %q", r.Stamp, err, now)
	}
}
