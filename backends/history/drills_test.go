package history

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func TestDrillLifecycle(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	begin := func(id string, at time.Time) {
		t.Helper()
		if err := d.BeginDrill(ctx, DrillRecord{ID: id, Target: "pve/qemu/421", Point: "usb:backup/vzdump-qemu-421-x.vma.zst", Started: at}); err != nil {
			t.Fatal(err)
		}
	}
	begin("a", t0)
	if err := d.DrillScratch(ctx, "a", "pve", 102); err != nil {
		t.Fatal(err)
	}
	if err := d.EndDrill(ctx, "a", model.Drill{At: t0.Add(time.Minute), OK: true, Note: "passed"}, true); err != nil {
		t.Fatal(err)
	}
	begin("b", t0.Add(24*time.Hour)) // failed, its guest not cleaned up
	if err := d.DrillScratch(ctx, "b", "pve", 103); err != nil {
		t.Fatal(err)
	}
	if err := d.EndDrill(ctx, "b", model.Drill{At: t0.Add(25 * time.Hour), Step: "cleanup", Note: "destroy failed"}, false); err != nil {
		t.Fatal(err)
	}
	begin("c", t0.Add(48*time.Hour)) // cut short: never ended
	if err := d.DrillScratch(ctx, "c", "pve", 104); err != nil {
		t.Fatal(err)
	}

	open, err := d.OpenDrills(ctx)
	if err != nil || len(open) != 2 || open[0].ID != "b" || open[1].ID != "c" || open[1].Scratch != 104 || open[1].Node != "pve" || !open[1].Ended.IsZero() {
		t.Fatalf("open drills %+v %v", open, err)
	}
	got, err := d.Drills(ctx, []string{"pve/qemu/421", "pve/qemu/411"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	ds := got["pve/qemu/421"]
	if len(ds) != 2 || ds[0].Step != "cleanup" || ds[0].OK || !ds[1].OK || !ds[1].At.Equal(t0.Add(time.Minute)) || ds[1].Point == "" || len(got["pve/qemu/411"]) != 0 {
		t.Fatalf("drills %+v", got)
	}
	// The cut-short drill ends when its leftover is cleaned up.
	if err := d.DrillCleaned(ctx, "c", t0.Add(72*time.Hour), "cleaned up after an interrupted drill"); err != nil {
		t.Fatal(err)
	}
	if err := d.DrillCleaned(ctx, "b", t0.Add(72*time.Hour), "ignored: it had ended"); err != nil {
		t.Fatal(err)
	}
	if open, _ := d.OpenDrills(ctx); len(open) != 0 {
		t.Fatalf("still open: %+v", open)
	}
	got, _ = d.Drills(ctx, []string{"pve/qemu/421"}, 1)
	if ds := got["pve/qemu/421"]; len(ds) != 1 || ds[0].Step != "interrupted" || ds[0].Note != "cleaned up after an interrupted drill" {
		t.Fatalf("newest %+v", ds)
	}
	if err := d.DrillScratch(ctx, "nosuch", "pve", 1); err == nil {
		t.Error("updated a drill that does not exist")
	}
}

// A database of schema 3 (before drills) gains the table and keeps the rest.
func TestMigrationAddsDrills(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range migrations()[:3] {
		if _, err := old.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.Exec(`INSERT INTO verifications (point, at, level, ok, problems, stamp) VALUES ('/cz/a', 1, 3, 1, '[]', 's')`); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec("PRAGMA user_version = 3"); err != nil {
		t.Fatal(err)
	}
	old.Close()
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, err := d.version(ctx); err != nil || v != len(migrations()) {
		t.Fatalf("schema %d (%v)", v, err)
	}
	if err := d.BeginDrill(ctx, DrillRecord{ID: "x", Target: "pve/qemu/421", Started: time.Unix(5, 0)}); err != nil {
		t.Fatal(err)
	}
	if cs, err := d.Checks(ctx, []string{"/cz/a"}); err != nil || len(cs["/cz/a"]) != 1 {
		t.Fatalf("verifications lost: %v %v", cs, err)
	}
}
