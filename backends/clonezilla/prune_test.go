package clonezilla

import (
	"reflect"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

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
	var whole *model.RetentionMark
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
