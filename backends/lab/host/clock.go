package host

import "time"

// Hash is a small deterministic hash (FNV-1a) of a number and a time, for
// the wobbles of invented figures: the same seed gives the same world.
func Hash(n int64, t time.Time) uint64 {
	h := uint64(14695981039346656037)
	for _, v := range [2]uint64{uint64(n), uint64(t.Unix())} {
		for i := 0; i < 8; i++ {
			h = (h ^ (v >> (8 * i) & 0xff)) * 1099511628211
		}
	}
	return h
}

// Midnight is the start of t's day in t's zone, where the seeds' daily
// histories begin.
func Midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
