package host

// Sizes in bytes, as the seed's tables write them.
const (
	KiB = int64(1024)
	MiB = 1024 * KiB
	GiB = 1024 * MiB
	TiB = 1024 * GiB
)
