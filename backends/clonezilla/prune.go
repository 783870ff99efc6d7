package clonezilla

import (
	"github.com/backdeck/backdeck/model"
)

// DiskRetention is the keep rules' verdict on one disk's images.
type DiskRetention struct {
	Disk  model.Target
	Marks []model.RetentionMark // newest first
}

// PrunePlan is what the keep rules make of the images of every disk.
type PrunePlan struct {
	Disks []DiskRetention
	// Remove are the images no disk keeps, each once, in the order the
	// disks list them; RemoveBytes is their size.
	Remove      []model.RestorePoint
	RemoveBytes int64
}

// PlanPrune applies the keep rules to each disk's images, each image
// judged with its newest verification from verified (by path). An image may
// cover several disks: it is removed only when no disk keeps it. disks are
// not changed.
func PlanPrune(disks []model.Target, verified map[string]model.Verification, keepLast, keepMonthly int) PrunePlan {
	var plan PrunePlan
	kept := map[string]bool{}
	for _, d := range disks {
		points := append([]model.RestorePoint(nil), d.RestorePoints...)
		for i := range points {
			if v, ok := verified[points[i].ID]; ok {
				points[i].Verified = &v
			}
		}
		marks := model.ImageRetention(points, keepLast, keepMonthly)
		for _, m := range marks {
			if m.Keep {
				kept[m.Point.ID] = true
			}
		}
		plan.Disks = append(plan.Disks, DiskRetention{Disk: d, Marks: marks})
	}
	listed := map[string]bool{}
	for _, d := range plan.Disks {
		for _, m := range d.Marks {
			if kept[m.Point.ID] || listed[m.Point.ID] {
				continue
			}
			listed[m.Point.ID] = true
			plan.Remove = append(plan.Remove, m.Point)
			plan.RemoveBytes += m.Point.Size
		}
	}
	return plan
}
