package pve

import (
	"testing"
	"time"
)

// TestStoragesFitOnTheirDisks: the storages the seed puts on one disk
// (the USB drive's vzdump directory and thin pool, a node's local and
// local-lvm) add up to no more than the disk, on every node.
func TestStoragesFitOnTheirDisks(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{Nodes: []string{"pve", "pve2"}})
	p.withWorld(func(w *world, _ time.Duration) {
		for _, d := range w.disks {
			var sum int64
			var ids []string
			for _, s := range w.storages {
				if s.drive == d.serial && d.serial != "" {
					sum += s.total
					ids = append(ids, s.id+"@"+s.node)
				}
			}
			if sum > d.size {
				t.Errorf("%s %s (%d bytes) holds %v of %d bytes", d.node, d.devpath, d.size, ids, sum)
			}
		}
	})
	// As a client sees it: the USB drive's size and its two storages.
	var disks []struct {
		Serial string `json:"serial"`
		Size   int64  `json:"size"`
	}
	c.get("/nodes/pve/disks/list", &disks)
	var drive int64
	for _, d := range disks {
		if d.Serial == "NA8F1234" {
			drive = d.Size
		}
	}
	var list []storageEntryJSON
	c.get("/nodes/pve/storage", &list)
	var sum int64
	for _, s := range list {
		if s.Storage == "hddusb_bkpvzdumps" || s.Storage == "hddusb_bkpdata" {
			sum += s.Total
		}
	}
	if drive == 0 || sum == 0 || sum > drive {
		t.Fatalf("the USB drive is %d bytes, its storages %d", drive, sum)
	}
}
