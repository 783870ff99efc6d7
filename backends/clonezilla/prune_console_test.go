package clonezilla

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// The console's preview of a disk's images: keep_last 1 keeps the newest,
// the newest image verified whole stays whatever the rules, and the prune
// job removes exactly what the preview marked remove.
func TestDiskPrunePlanAndPruneJob(t *testing.T) {
	repo := t.TempDir()
	src := NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{repo}, KeepLast: 1}})
	var points []model.RestorePoint
	for i, d := range []string{"2026-11-01", "2026-10-01", "2026-09-01", "2026-08-01"} {
		p := tinyImage(t, repo, "pve-pve-ssd-"+d, d+" 03:04:05")
		at, _ := time.Parse(time.DateOnly, d)
		rp := model.RestorePoint{ID: p, Time: at, Size: int64(100 + i)}
		if d == "2026-10-01" {
			rp.Verified = &model.Verification{OK: true, Level: 3}
		}
		points = append(points, rp)
	}
	disk := model.Target{ID: "clonezilla/pve-ssd", Name: "pve-ssd", RestorePoints: points}
	plan, err := src.PlanImagePrune([]model.Target{disk}, disk.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ mark, rule string }{
		{model.MarkKeep, "one of the last 1"}, {model.MarkKeep, "newest image verified whole"},
		{model.MarkRemove, ""}, {model.MarkRemove, ""},
	}
	for i, w := range want {
		if e := plan.Entries[i]; e.Mark != w.mark || e.Rule != w.rule {
			t.Errorf("%d: %+v, want %s %q", i, e, w.mark, w.rule)
		}
	}
	if n, bytes := plan.Removed(); n != 2 || bytes != 205 || plan.Name != "pve-ssd" {
		t.Errorf("removed %d %d, plan %+v", n, bytes, plan)
	}
	if _, err := src.PlanImagePrune([]model.Target{disk}, "clonezilla/nosuch"); err == nil {
		t.Error("a plan for no disk")
	}

	job, err := src.Start(context.Background(), model.JobRequest{Target: disk.ID, Method: model.MethodPrune})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the prune ends before anyone follows it: Follow still gets its end
	end, err := src.Follow(context.Background(), job, func(model.Job) {})
	if err != nil || end.State != model.JobSucceeded || end.Message != "2 images removed" {
		t.Fatalf("prune job %+v, %v", end, err)
	}
	for i, p := range points {
		_, err := os.Stat(p.ID)
		if gone := os.IsNotExist(err); gone != (i >= 2) {
			t.Errorf("%s: gone %v", p.ID, gone)
		}
	}
	// The preview was used up: a second prune asks for a new one.
	if _, err := src.Start(context.Background(), model.JobRequest{Target: disk.ID, Method: model.MethodPrune}); err == nil {
		t.Error("a second prune without a preview started")
	}
}
