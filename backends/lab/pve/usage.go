package pve

import (
	"time"
)

// UsageRecord is one invented past reading of a storage's space.
type UsageRecord struct {
	StoreID     string // "pve/hddusb_bkpvzdumps"
	At          time.Time
	Used, Total int64
}

// UsageHistory invents the storages' past usage for the demo's charts and
// forecasts, since a simulated world has no readings of its own. It is made
// up (and says so): backup storages grow a steady amount a day with a prune
// each month that frees part of it, the thin pool of UrBackup's data grows
// slowly, the system storages stay flat with a little noise; every series
// ends at the storage's usage now. One sample every six hours, deterministic.
func (p *Server) UsageHistory(days int) []UsageRecord {
	var out []UsageRecord
	p.withWorld(func(w *world, now time.Duration) {
		end := w.start.Add(now).Truncate(6 * time.Hour)
		for _, s := range w.storages {
			if s.total <= 0 {
				continue
			}
			out = append(out, inventUsage(w.storeID(s), s, end, days)...)
		}
	})
	return out
}

func inventUsage(storeID string, s *storage, end time.Time, days int) []UsageRecord {
	const step = 6 * time.Hour
	current := s.used()
	var growthPerDay, pruneFrees float64
	switch {
	case s.hasContent("backup"):
		growthPerDay = float64(s.total) * 0.0025 // ~5 GiB a day on the 2.1 TiB store
		pruneFrees = growthPerDay * 12           // the monthly prune frees twelve days of it
	case s.typ == "lvmthin" && s.drive != "":
		growthPerDay = float64(s.total) * 0.0012
	}
	n := days * 4
	out := make([]UsageRecord, 0, n+1)
	for i := n; i >= 0; i-- {
		back := float64(i) / 4 // days before the end
		used := float64(current) - back*growthPerDay
		// Prunes happened 30, 60, 90 … days ago: before each, usage was higher.
		used += float64(int(back/30)) * pruneFrees
		used += noise(storeID, i) * float64(s.total) * 0.0004
		if used < 0 {
			used = 0
		}
		if used > float64(s.total) {
			used = float64(s.total)
		}
		out = append(out, UsageRecord{StoreID: storeID, At: end.Add(-time.Duration(i) * step), Used: int64(used), Total: s.total})
	}
	out[len(out)-1].Used = current
	return out
}

// noise is a deterministic value in [-1, 1) for a store and a sample.
func noise(id string, i int) float64 {
	h := uint64(1469598103934665603)
	for _, c := range id {
		h = (h ^ uint64(c)) * 1099511628211
	}
	h = (h ^ uint64(i)) * 1099511628211
	h ^= h >> 29
	return float64(h%2000)/1000 - 1
}
