package host

// Sizes in bytes, as the seed's tables write them.
const (
	KiB = int64(1024)
	MiB = 1024 * KiB
	GiB = 1024 * MiB
	TiB = 1024 * GiB
)

// The USB backup drive (sdb, 4 TB: 3726 GiB of extents in VG hddusb once
// sdb1's 1 MiB of LVM metadata is taken) holds both stores of the seed, and
// they fit on it: the thin pool bkpdata (1536 GiB, with its 96 MiB metadata
// LV and the 96 MiB spare LVM keeps for it), and bkpvzdumps (2176 GiB),
// which leaves about 14 GiB of the VG free.
const (
	BkpDataSize    = 1536 * GiB
	BkpDataMeta    = 96 * MiB
	BkpVzdumpsSize = 2176 * GiB
	// BkpVzdumpsFS is the total statfs gives for the ext4 on bkpvzdumps (made
	// with -m 0: no reserved blocks), as df and PVE's dir storage report
	// it: the LV less what ext4 keeps for itself, which statfs leaves out
	// (mkfs.ext4's defaults: 256-byte inodes every 16 KiB, 34 GiB; a 1 GiB
	// journal; the block and inode bitmaps, 136 MiB).
	BkpVzdumpsFS = BkpVzdumpsSize - 36507222016 - 1*GiB - 136*MiB
	// BkpVzdumpsUsed is what the ext4 holds besides the seed's vzdump
	// archives (the archives of older months, their logs and notes); it
	// leaves room for the archives of pve.Options.ExtraGuests' 1,000
	// guests (about 1.1 TiB).
	BkpVzdumpsUsed = 700 * GiB
)
