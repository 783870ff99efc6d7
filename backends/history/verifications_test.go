package history

import (
	"context"
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
