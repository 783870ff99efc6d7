package proxmox

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// guestWord is how PVE's UI names a guest type.
func guestWord(typ string) string {
	if typ == "lxc" {
		return "CT"
	}
	return "VM"
}

// sourcePrefix starts every id of this source: a guest's is
// "pve/qemu/<vmid>" whatever node it is on (VMIDs are unique in a cluster,
// and guests move), a store's "pve/<storage>" (see storeKey).
const sourcePrefix = "pve/"

func targetID(typ string, vmid int) string {
	return sourcePrefix + typ + "/" + strconv.Itoa(vmid)
}

// parseTargetID reads "pve/qemu/<vmid>" or "pve/lxc/<vmid>". The old form
// named the node ("alpha/qemu/201"): it is refused with the new id to use,
// since the node a guest is on is no part of its identity.
func parseTargetID(id string) (typ string, vmid int, err error) {
	parts := strings.Split(id, "/")
	if len(parts) == 3 && (parts[1] == "qemu" || parts[1] == "lxc") {
		n, e := strconv.Atoi(parts[2])
		ok := e == nil && n > 0 && strconv.Itoa(n) == parts[2]
		switch {
		case ok && parts[0]+"/" == sourcePrefix:
			return parts[1], n, nil
		case ok && isNodeName(parts[0]):
			return "", 0, fmt.Errorf("%q is an old target id: use %s", id, targetID(parts[1], n))
		}
	}
	return "", 0, fmt.Errorf("%q is not a PVE target id (pve/qemu/<vmid> or pve/lxc/<vmid>)", id)
}

// isNodeName reports whether s can be a PVE node name (a host name).
func isNodeName(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// guest is a fresh view of one guest, for acting on it.
type guest struct {
	model.Target
	Type string // qemu | lxc
	Pool string
}

// lookupGuest finds a target in a fresh /cluster/resources (one request):
// its lock and node must be current before anything starts. A guest that
// migrated is found by its vmid, which is unique in a cluster.
func (c *Client) lookupGuest(ctx context.Context, id string) (guest, error) {
	typ, vmid, err := parseTargetID(id)
	if err != nil {
		return guest{}, err
	}
	res, err := c.resources(ctx)
	if err != nil {
		return guest{}, err
	}
	for _, r := range res {
		if (r.Type == "qemu" || r.Type == "lxc") && int(r.VMID.Int64(0)) == vmid {
			if r.Type != typ {
				return guest{}, fmt.Errorf("guest %d is a %s on PVE, not a %s: the target id %s is stale", vmid, r.Type, typ, id)
			}
			return guest{Target: guestTarget(r), Type: r.Type, Pool: r.Pool}, nil
		}
	}
	return guest{}, fmt.Errorf("there is no guest %d on PVE (target %s)", vmid, id)
}

// label is "k3sagent01 (VM 421)".
func (g guest) label() string {
	return fmt.Sprintf("%s (%s %d)", g.Name, guestWord(g.Type), g.VMID)
}
