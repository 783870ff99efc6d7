package clonezilla

import (
	"fmt"
	"sort"

	"github.com/backdeck/backdeck/model"
)

// RetentionMark is the verdict of the keep rules on one image.
type RetentionMark struct {
	Point   model.RestorePoint
	Keep    bool
	Reasons []string // why it is kept; empty when it would be removed
}

// ImageRetention applies the image keep rules to one disk's images: the
// newest keepLast, and the newest image of each of the newest keepMonthly
// months that have images. Whatever the rules, the newest image whose
// newest verification passed is kept, so a damaged newer image can never
// leave the disk without a whole one. With both rules 0 everything is kept.
// Marks come newest first.
func ImageRetention(points []model.RestorePoint, keepLast, keepMonthly int) []RetentionMark {
	ps := append([]model.RestorePoint(nil), points...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Time.After(ps[j].Time) })
	marks := make([]RetentionMark, len(ps))
	for i, p := range ps {
		marks[i].Point = p
	}
	keep := func(i int, why string) {
		marks[i].Keep = true
		marks[i].Reasons = append(marks[i].Reasons, why)
	}
	if keepLast == 0 && keepMonthly == 0 {
		for i := range marks {
			keep(i, "no keep rule: keep_last and keep_monthly are 0")
		}
		return marks
	}
	for i := 0; i < len(marks) && i < keepLast; i++ {
		keep(i, fmt.Sprintf("one of the last %d", keepLast))
	}
	months := 0
	seen := map[string]bool{}
	for i, m := range marks {
		month := m.Point.Time.Format("2006-01")
		if seen[month] {
			continue
		}
		seen[month] = true
		if months++; months > keepMonthly {
			break
		}
		keep(i, "newest of "+month)
	}
	for i, m := range marks {
		if v := m.Point.Verified; v != nil && v.OK {
			if !m.Keep {
				keep(i, "newest image verified whole")
			}
			break
		}
	}
	return marks
}

// DiskRetention is the keep rules' verdict on one disk's images.
type DiskRetention struct {
	Disk  model.Target
	Marks []RetentionMark // newest first
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
		marks := ImageRetention(points, keepLast, keepMonthly)
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
