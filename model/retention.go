package model

import (
	"fmt"
	"sort"
)

// RetentionMark is the verdict of the keep rules on one restore point.
type RetentionMark struct {
	Point   RestorePoint
	Keep    bool
	Reasons []string // why it is kept; empty when it would be removed
}

// ImageRetention applies the image keep rules to one disk's images: the
// newest keepLast, and the newest image of each of the newest keepMonthly
// months that have images. Whatever the rules, the newest image whose
// newest verification passed is kept, so a damaged newer image can never
// leave the disk without a whole one. With both rules 0 everything is kept.
// Marks come newest first.
func ImageRetention(points []RestorePoint, keepLast, keepMonthly int) []RetentionMark {
	ps := append([]RestorePoint(nil), points...)
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
