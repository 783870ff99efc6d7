package host

import "testing"

// TestBackupDriveLVsFit: the LVs of VG hddusb fit in its PV, sdb1, in whole
// 4 MiB extents after LVM's 1 MiB of metadata (the thin pool's data, its
// metadata LV and the spare of it LVM keeps), the partition in the disk,
// and the ext4 on bkpvzdumps in its LV.
func TestBackupDriveLVsFit(t *testing.T) {
	sdb := diskBySerial("NA8F1234")
	pv := PartNamed("sdb1")
	const extent = 4 * MiB
	extents := (pv.Size - MiB) / extent
	used := int64(0)
	for _, lv := range seedLVs {
		if lv.VG != "hddusb" || lv.Pool != "" { // thin LVs take room in the pool, not the VG
			continue
		}
		if lv.Size%extent != 0 {
			t.Errorf("LV %s is %d bytes: no whole number of extents", lv.LV, lv.Size)
		}
		used += lv.Size / extent
	}
	used += 2 * BkpDataMeta / extent // the pool's metadata LV and its spare
	if used > extents {
		t.Errorf("the LVs of hddusb take %d extents of %d", used, extents)
	}
	if pv.Size > sdb.Size {
		t.Errorf("sdb1 %d bytes on sdb of %d", pv.Size, sdb.Size)
	}
	fs := PartNamed("hddusb-bkpvzdumps")
	if fs.FSUsed+fs.FSAvail != BkpVzdumpsFS || BkpVzdumpsFS > fs.Size {
		t.Errorf("the ext4 on bkpvzdumps: %d used + %d free in an LV of %d", fs.FSUsed, fs.FSAvail, fs.Size)
	}
}
