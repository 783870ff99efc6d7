package proxmox

import (
	"context"
	"encoding/json"
	"net/url"
	"sort"
)

// Disk is one disk of GET /nodes/{n}/disks/list, decoded leniently:
// go-proxmox v0.8.2's Node.Disks fails on wearout "N/A" and rpm "7200".
type Disk struct {
	DevPath  string
	Type     string // ssd | hdd | nvme | usb | unknown
	Model    string
	Serial   string
	Vendor   string
	Size     int64
	Health   string // PASSED, FAILED, UNKNOWN…
	Wearout  int    // percent of life left; -1 unknown ("N/A")
	RPM      int    // 0 for solid state; -1 unknown
	Used     string
	ByIDLink string
}

type diskEntry struct {
	DevPath  string `json:"devpath"`
	Type     string `json:"type"`
	Model    string `json:"model"`
	Serial   string `json:"serial"`
	Vendor   string `json:"vendor"`
	Size     number `json:"size"`
	Health   string `json:"health"`
	Wearout  number `json:"wearout"`
	RPM      number `json:"rpm"`
	Used     string `json:"used"`
	ByIDLink string `json:"by_id_link"`
}

func (d diskEntry) disk() Disk {
	return Disk{
		DevPath: d.DevPath, Type: d.Type, Model: d.Model, Serial: d.Serial, Vendor: d.Vendor,
		Size: d.Size.Int64(-1), Health: d.Health, Wearout: int(d.Wearout.Int64(-1)), RPM: int(d.RPM.Int64(-1)),
		Used: d.Used, ByIDLink: d.ByIDLink,
	}
}

// Disks lists a node's disks (GET /nodes/{n}/disks/list) with lenient
// decoding of wearout and rpm.
func (c *Client) Disks(ctx context.Context, node string) ([]Disk, error) {
	var entries []diskEntry
	if err := c.get(ctx, "/nodes/"+url.PathEscape(node)+"/disks/list", &entries); err != nil {
		return nil, err
	}
	out := make([]Disk, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.disk())
	}
	return out, nil
}

// DiskSMART reads one disk's SMART through PVE (GET
// /nodes/{n}/disks/smart?disk=DEV) and returns the answer's data as PVE
// sent it: {health, type "ata"|"text", attributes with padded-string ids and
// string raw values, text}. backends/smart parses it (ParsePVESmart).
func (c *Client) DiskSMART(ctx context.Context, node, devpath string) (json.RawMessage, error) {
	var raw json.RawMessage
	p := "/nodes/" + url.PathEscape(node) + "/disks/smart?" + url.Values{"disk": {devpath}}.Encode()
	if err := c.get(ctx, p, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// Nodes lists the cluster's node names (GET /nodes), sorted; a node that is
// not online is listed too, its disks then fail to list.
func (c *Client) Nodes(ctx context.Context) ([]string, error) {
	var entries []struct {
		Node string `json:"node"`
	}
	if err := c.get(ctx, "/nodes", &entries); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Node != "" {
			out = append(out, e.Node)
		}
	}
	sort.Strings(out)
	return out, nil
}
