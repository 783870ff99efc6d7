package host

import "time"

// Sizes in bytes, as the seed's tables write them.
const (
	KiB = int64(1024)
	MiB = 1024 * KiB
	GiB = 1024 * MiB
	TiB = 1024 * GiB
)

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
