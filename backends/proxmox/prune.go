package proxmox

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// PruneMark is one archive of a prune preview with PVE's verdict.
type PruneMark struct {
	VolID string
	VMID  int    // 0 for archives PVE cannot attribute
	Type  string // qemu, lxc, unknown
	Time  time.Time
	Mark  string // keep | remove | protected | renamed
}

type pruneEntry struct {
	VolID string `json:"volid"`
	CTime number `json:"ctime"`
	Mark  string `json:"mark"`
	Type  string `json:"type"`
	VMID  number `json:"vmid"`
}

// PrunePreview asks PVE which archives of a store a retention would keep
// and remove (GET …/prunebackups; nothing is deleted). A zero retention
// previews the storage's own prune settings; vmid 0 means every guest.
func (c *Client) PrunePreview(ctx context.Context, storeID string, keep model.Retention, vmid int) ([]PruneMark, error) {
	node, storage, ok := strings.Cut(storeID, "/")
	if !ok || node == "" || storage == "" || strings.Contains(storage, "/") {
		return nil, fmt.Errorf("%q is not a PVE store id (<node>/<storage>)", storeID)
	}
	q := url.Values{}
	if spec := retentionSpec(keep); spec != "" {
		q.Set("prune-backups", spec)
	}
	if vmid > 0 {
		q.Set("vmid", strconv.Itoa(vmid))
	}
	p := "/nodes/" + url.PathEscape(node) + "/storage/" + url.PathEscape(storage) + "/prunebackups"
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	var entries []pruneEntry
	if err := c.get(ctx, p, &entries); err != nil {
		return nil, err
	}
	return pruneMarks(entries), nil
}

func pruneMarks(entries []pruneEntry) []PruneMark {
	out := make([]PruneMark, 0, len(entries))
	for _, e := range entries {
		out = append(out, PruneMark{VolID: e.VolID, VMID: int(e.VMID.Int64(0)), Type: e.Type, Time: time.Unix(e.CTime.Int64(0), 0), Mark: e.Mark})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out
}

// retentionSpec writes a retention as PVE's property string
// ("keep-last=3,keep-daily=7"); empty when nothing is set.
func retentionSpec(r model.Retention) string {
	var parts []string
	for _, kv := range []struct {
		key string
		n   int
	}{
		{"keep-last", r.KeepLast}, {"keep-hourly", r.KeepHourly}, {"keep-daily", r.KeepDaily},
		{"keep-weekly", r.KeepWeekly}, {"keep-monthly", r.KeepMonthly}, {"keep-yearly", r.KeepYearly},
	} {
		if kv.n > 0 {
			parts = append(parts, kv.key+"="+strconv.Itoa(kv.n))
		}
	}
	return strings.Join(parts, ",")
}
