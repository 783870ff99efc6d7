package history

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func TestVerificationsNewestPerPoint(t *testing.T) {
	ctx := context.Background()
	d, path := openTemp(t)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	a, b := "/mnt/cz-images/pve-pve-ssd-2026-11-01", "/mnt/cz-images/pve-pve-hdd-2026-11-01"
	bad := model.Verification{At: t0.Add(time.Hour), Level: 3, Problems: []string{"sda1.ext4-ptcl-img.zst.aa: block 12 of group 0: CRC mismatch"}}
	for _, r := range []struct {
		point string
		v     model.Verification
	}{
		{a, model.Verification{At: t0, Level: 1, OK: true}},
		{a, model.Verification{At: t0.Add(2 * time.Hour), Level: 3, OK: true}},
		{b, bad},
	} {
		if err := d.RecordVerification(ctx, r.point, r.v); err != nil {
			t.Fatal(err)
		}
	}
	// What one console recorded, the next one reads.
	d.Close()
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := d.Verifications(ctx, []string{a, b, "/never/checked"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]model.Verification{
		a: {At: t0.Add(2 * time.Hour), Level: 3, OK: true},
		b: bad,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d points, want %d: %+v", len(got), len(want), got)
	}
	for p, w := range want {
		g := got[p]
		if !g.At.Equal(w.At) || g.Level != w.Level || g.OK != w.OK || !reflect.DeepEqual(g.Problems, w.Problems) {
			t.Errorf("%s: got %+v, want %+v", p, g, w)
		}
	}
	if err := d.RecordVerification(ctx, "", model.Verification{At: t0}); err == nil {
		t.Error("a verification without a point was recorded")
	}
	if m, err := d.Verifications(ctx, nil); err != nil || len(m) != 0 {
		t.Errorf("no points: %v %v", m, err)
	}
}

// The case seen: a level-3 check found damage, a level-2 one passed after
// it, and the image was called whole.
func TestVerificationsDamageStays(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	img := "/mnt/cz-images/pve-pve-ssd-2026-11-01"
	bad := model.Verification{At: t0, Level: 3, Problems: []string{"sda1.ext4-ptcl-img.zst.aa: CRC mismatch"}, Stamp: "s1"}
	for _, v := range []model.Verification{bad, {At: t0.Add(time.Hour), Level: 2, OK: true, Stamp: "s1"}} {
		if err := d.RecordVerification(ctx, img, v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Verifications(ctx, []string{img})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := got[img]; !ok || v.OK || v.Level != 3 || !reflect.DeepEqual(v.Problems, bad.Problems) {
		t.Fatalf("after a level-2 pass: %+v (found %v), want the level-3 damage", v, ok)
	}
	// A level-3 pass on the same content clears it.
	if err := d.RecordVerification(ctx, img, model.Verification{At: t0.Add(2 * time.Hour), Level: 3, OK: true, Stamp: "s1"}); err != nil {
		t.Fatal(err)
	}
	got, err = d.Verifications(ctx, []string{img})
	if err != nil {
		t.Fatal(err)
	}
	if v := got[img]; !v.OK || v.Level != 3 {
		t.Fatalf("after a level-3 pass: %+v, want whole", v)
	}
}

// Checks keep every check with its stamp, oldest first, whatever order they
// were written in.
func TestChecksKeepStamps(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	img := "/mnt/cz-images/pve-pve-hdd-2026-11-01"
	want := []model.Verification{
		{At: t0, Level: 3, Problems: []string{"sdb1.ext4-ptcl-img.zst.aa: CRC mismatch"}, Stamp: "size=1,mtime=2"},
		{At: t0.Add(time.Hour), Level: 1, OK: true, Stamp: "size=3,mtime=4"},
	}
	for _, i := range []int{1, 0} {
		if err := d.RecordVerification(ctx, img, want[i]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Checks(ctx, []string{img, "/never/checked"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[img]) != len(want) {
		t.Fatalf("checks %+v, want %d of %s", got, len(want), img)
	}
	for i, w := range want {
		g := got[img][i]
		if !g.At.Equal(w.At) || g.Level != w.Level || g.OK != w.OK || g.Stamp != w.Stamp || !reflect.DeepEqual(g.Problems, w.Problems) {
			t.Errorf("check %d: %+v, want %+v", i, g, w)
		}
	}
}

// A database from before stamps (schema 2) is brought up to date in place:
// its checks stay, with no stamp, and new ones keep theirs.
func TestMigrationKeepsVerifications(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range migrations()[:2] {
		if _, err := old.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	img := "/mnt/cz-images/pve-pve-ssd-2026-10-01"
	if _, err := old.Exec(`INSERT INTO verifications (point, at, level, ok, problems) VALUES (?, ?, 3, 0, '["sda1: CRC mismatch"]')`, img, t0.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec("PRAGMA user_version = 2"); err != nil {
		t.Fatal(err)
	}
	old.Close()

	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, err := d.version(ctx); err != nil || v != len(migrations()) {
		t.Fatalf("schema %d (%v), want %d", v, err, len(migrations()))
	}
	if err := d.RecordVerification(ctx, img, model.Verification{At: t0.Add(time.Hour), Level: 2, OK: true, Stamp: "s2"}); err != nil {
		t.Fatal(err)
	}
	got, err := d.Checks(ctx, []string{img})
	if err != nil {
		t.Fatal(err)
	}
	cs := got[img]
	if len(cs) != 2 || cs[0].Stamp != "" || cs[0].OK || cs[0].Level != 3 || !cs[0].At.Equal(t0) || cs[1].Stamp != "s2" {
		t.Fatalf("checks after the upgrade: %+v", cs)
	}
	// The old damage has no stamp: it still counts against the image.
	if v := model.VerificationVerdict(cs, "s2"); v == nil || v.OK {
		t.Fatalf("verdict %+v, want the old damage", v)
	}
}
