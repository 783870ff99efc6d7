package clonezilla

import (
	"reflect"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// TestPruneKeepRules holds the keep rules of one disk to their word.
func TestPruneKeepRules(t *testing.T) {
	day := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	whole := &model.Verification{Level: 3, OK: true}
	damaged := &model.Verification{Level: 3, Problems: []string{"x"}}
	pts := func(vs map[string]*model.Verification, dates ...string) []model.RestorePoint {
		var out []model.RestorePoint
		for _, d := range dates {
			out = append(out, model.RestorePoint{ID: d, Time: day(d), Verified: vs[d]})
		}
		return out
	}
	// Not in order on purpose: the rules sort.
	images := pts(nil, "2026-09-01", "2026-11-19", "2026-11-01", "2026-10-01", "2026-08-01", "2026-10-15")
	cases := []struct {
		name        string
		points      []model.RestorePoint
		last, month int
		kept        []string
	}{
		{"no rule keeps all", images, 0, 0, []string{"2026-11-19", "2026-11-01", "2026-10-15", "2026-10-01", "2026-09-01", "2026-08-01"}},
		{"last 2", images, 2, 0, []string{"2026-11-19", "2026-11-01"}},
		{"monthly 3", images, 0, 3, []string{"2026-11-19", "2026-10-15", "2026-09-01"}},
		{"last 1 and monthly 2", images, 1, 2, []string{"2026-11-19", "2026-10-15"}},
		{"more rules than images", images, 10, 10, []string{"2026-11-19", "2026-11-01", "2026-10-15", "2026-10-01", "2026-09-01", "2026-08-01"}},
		{"the newest whole image survives damaged newer ones",
			pts(map[string]*model.Verification{"2026-11-19": damaged, "2026-11-01": damaged, "2026-10-15": whole}, "2026-11-19", "2026-11-01", "2026-10-15", "2026-10-01"),
			1, 0, []string{"2026-11-19", "2026-10-15"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var kept []string
			marks := ImageRetention(c.points, c.last, c.month)
			for _, m := range marks {
				if m.Keep {
					kept = append(kept, m.Point.ID)
					if len(m.Reasons) == 0 {
						t.Errorf("%s kept without a reason", m.Point.ID)
					}
				} else if len(m.Reasons) != 0 {
					t.Errorf("%s removed with reasons %v", m.Point.ID, m.Reasons)
				}
			}
			if !reflect.DeepEqual(kept, c.kept) {
				t.Errorf("kept %v, want %v", kept, c.kept)
			}
			if len(marks) != len(c.points) {
				t.Errorf("%d marks for %d images", len(marks), len(c.points))
			}
		})
	}
}

// TestPrunePlanAcrossDisks: the plan judges each image with its
// verification from the history, keeps an image some disk keeps (an image
// may cover two disks), lists each removed image once, and leaves its input
// alone.
func TestPrunePlanAcrossDisks(t *testing.T) {
	at := func(day int) time.Time { return time.Date(2026, 11, day, 3, 0, 0, 0, time.UTC) }
	img := func(path string, day int, size int64) model.RestorePoint {
		return model.RestorePoint{ID: path, Time: at(day), Size: size}
	}
	// /cz/both holds both disks (a savedisk of two disks); on the SSD it is
	// the oldest, on the HDD the newest.
	ssd := model.Target{ID: "clonezilla/pve-ssd", RestorePoints: []model.RestorePoint{
		img("/cz/ssd-19", 19, 30), img("/cz/ssd-10", 10, 20), img("/cz/ssd-05", 5, 10), img("/cz/both", 2, 100)}}
	hdd := model.Target{ID: "clonezilla/pve-hdd", RestorePoints: []model.RestorePoint{
		img("/cz/both", 2, 100), img("/cz/hdd-01", 1, 40)}}
	verified := map[string]model.Verification{
		"/cz/ssd-19": {Level: 3, Problems: []string{"sda1.ext4-ptcl-img.zst.aa: CRC mismatch"}},
		"/cz/ssd-10": {Level: 3, OK: true},
	}
	plan := PlanPrune([]model.Target{ssd, hdd}, verified, 1, 0)

	var removed []string
	for _, p := range plan.Remove {
		removed = append(removed, p.ID)
	}
	// The SSD keeps its newest (damaged) and the newest whole one; the HDD
	// keeps /cz/both, so the SSD's verdict on it does not remove it.
	if want := []string{"/cz/ssd-05", "/cz/hdd-01"}; !reflect.DeepEqual(removed, want) {
		t.Errorf("removes %v, want %v", removed, want)
	}
	if plan.RemoveBytes != 50 {
		t.Errorf("frees %d bytes, want 50", plan.RemoveBytes)
	}
	if len(plan.Disks) != 2 || plan.Disks[0].Disk.ID != ssd.ID || len(plan.Disks[0].Marks) != 4 {
		t.Fatalf("disks %+v", plan.Disks)
	}
	var whole *RetentionMark
	for i, m := range plan.Disks[0].Marks {
		if m.Point.ID == "/cz/ssd-10" {
			whole = &plan.Disks[0].Marks[i]
		}
	}
	if whole == nil || !whole.Keep || !reflect.DeepEqual(whole.Reasons, []string{"newest image verified whole"}) {
		t.Errorf("the newest whole image: %+v", whole)
	}
	if ssd.RestorePoints[1].Verified != nil {
		t.Error("PlanPrune wrote the verifications into its input")
	}

	// Both disks drop the shared image (the HDD has a newer one now): it is
	// listed and counted once.
	hdd.RestorePoints = append([]model.RestorePoint{img("/cz/hdd-20", 20, 5)}, hdd.RestorePoints...)
	plan = PlanPrune([]model.Target{ssd, hdd}, nil, 1, 0)
	removed = nil
	for _, p := range plan.Remove {
		removed = append(removed, p.ID)
	}
	if want := []string{"/cz/ssd-10", "/cz/ssd-05", "/cz/both", "/cz/hdd-01"}; !reflect.DeepEqual(removed, want) || plan.RemoveBytes != 170 {
		t.Errorf("removes %v (%d bytes), want %v (170 bytes)", removed, plan.RemoveBytes, want)
	}
}
