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
	storage, node, err := parseStoreID(storeID)
	if err != nil {
		return nil, err
	}
	if node == "" {
		if node, err = c.storageNode(ctx, storage); err != nil {
			return nil, err
		}
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

// previewEntries is GET …/prunebackups for one guest of one type.
func (c *Client) previewEntries(ctx context.Context, node, storage string, keep model.Retention, typ string, vmid int) ([]pruneEntry, error) {
	q := url.Values{"prune-backups": {retentionSpec(keep)}, "type": {typ}, "vmid": {strconv.Itoa(vmid)}}
	var entries []pruneEntry
	p := storagePath(node, storage) + "/prunebackups?" + q.Encode()
	if err := c.get(ctx, p, &entries); err != nil {
		return nil, fmt.Errorf("the prune preview on storage %s: %w", storage, err)
	}
	return entries, nil
}

func storagePath(node, storage string) string {
	return "/nodes/" + url.PathEscape(node) + "/storage/" + url.PathEscape(storage)
}

// parseStoreID reads "pve/<storage>" or "pve/<storage>@<node>"; node is
// empty in the first form.
func parseStoreID(id string) (storage, node string, err error) {
	rest, ok := strings.CutPrefix(id, sourcePrefix)
	if ok {
		storage, node, _ = strings.Cut(rest, "@")
	}
	if !ok || storage == "" || strings.ContainsAny(storage, "/@") || strings.Contains(rest, "@") && !isNodeName(node) {
		return "", "", fmt.Errorf("%q is not a PVE store id (pve/<storage> or pve/<storage>@<node>)", id)
	}
	return storage, node, nil
}

// storageNode is a node to reach a storage through: where it is active on
// an online node, else where it is configured (which then says why it fails).
func (c *Client) storageNode(ctx context.Context, storage string) (string, error) {
	res, err := c.resources(ctx)
	if err != nil {
		return "", err
	}
	online := map[string]bool{}
	for _, r := range res {
		if r.Type == "node" && r.Status == "online" {
			online[firstOf(r.Node, lastSegment(r.ID))] = true
		}
	}
	var ids []string
	node := ""
	for _, r := range res {
		if r.Type != "storage" || firstOf(r.Storage, lastSegment(r.ID)) != storage {
			continue
		}
		ids = append(ids, storeID(storage+"@"+r.Node))
		if r.Status == "available" && online[r.Node] && node == "" {
			node = r.Node
		}
	}
	if storagesPerNode(res, online)[storage] {
		return "", fmt.Errorf("storage %s is a different one on each node: name one of %s", storage, strings.Join(ids, ", "))
	}
	for _, r := range res {
		if node == "" && r.Type == "storage" && firstOf(r.Storage, lastSegment(r.ID)) == storage {
			node = r.Node
		}
	}
	if node == "" {
		return "", fmt.Errorf("there is no storage %s on PVE", storage)
	}
	return node, nil
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
// ("keep-last=3,keep-daily=7", "keep-all=1"); empty when nothing is set.
func retentionSpec(r model.Retention) string { return r.String() }
