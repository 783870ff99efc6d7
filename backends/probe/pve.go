package probe

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// PVE asks a PVE host what a token may do and what it holds.
type PVE struct {
	c   *proxmox.Client
	url string
}

// NewPVE builds the client for a [proxmox] section and its token secret;
// it sends nothing. Its errors never contain the secret.
func NewPVE(cfg model.ProxmoxConfig, secret string) (*PVE, error) {
	c, err := proxmox.New(proxmox.Options{Config: cfg, Secret: secret})
	if err != nil {
		return nil, err
	}
	return &PVE{c: c, url: c.URL()}, nil
}

// URL is the site asked, "https://pve:8006".
func (p *PVE) URL() string { return p.url }

// Version is PVE's version, "8.4.1"; it is the first call, so its error
// says whether the host is reachable, the pin right and the token valid.
func (p *PVE) Version(ctx context.Context) (string, error) {
	var v struct {
		Version string `json:"version"`
		Release string `json:"release"`
	}
	if err := p.c.Get(ctx, "/version", &v); err != nil {
		return "", err
	}
	return v.Version, nil
}

// Rejected reports whether err is PVE refusing the token itself (401: a
// wrong secret or an unknown token), as opposed to a host that cannot be
// reached or a missing privilege.
func Rejected(err error) bool {
	var ae *proxmox.APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized
}

// Forbidden reports whether err is PVE's 403: the token lacks a privilege.
func Forbidden(err error) bool {
	var ae *proxmox.APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden
}

// Permissions is a token's effective privileges as GET /access/permissions
// answers them: ACL path → privilege → whether it propagates to the paths
// below. PVE lists the top-level paths (/, /vms, /storage, /nodes …) and
// every path an ACL names, leaving out those where nothing is set.
type Permissions map[string]map[string]bool

// Permissions reads the token's own permissions.
func (p *PVE) Permissions(ctx context.Context) (Permissions, error) {
	var raw map[string]map[string]json.RawMessage
	if err := p.c.Get(ctx, "/access/permissions", &raw); err != nil {
		return nil, err
	}
	return decodePermissions(raw), nil
}

func decodePermissions(raw map[string]map[string]json.RawMessage) Permissions {
	out := Permissions{}
	for path, privs := range raw {
		set := map[string]bool{}
		for name, v := range privs {
			// The value is the propagate flag: 1/0, true/false or a string.
			s := strings.Trim(strings.TrimSpace(string(v)), `"`)
			set[name] = s != "0" && s != "false" && s != "" && s != "null"
		}
		out[cleanPath(path)] = set
	}
	return out
}

func cleanPath(p string) string {
	parts := strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
	return "/" + strings.Join(parts, "/")
}

// Has reports whether priv is set on path: from path's own entry when PVE
// listed it, else from the nearest listed path above it when it
// propagates there. (A path PVE leaves out because nothing is set on it,
// NoAccess, reads as its parent: rare in a homelab, and the live calls
// then say 403.)
func (p Permissions) Has(path, priv string) bool {
	path = cleanPath(path)
	if set, ok := p[path]; ok {
		_, has := set[priv]
		return has
	}
	for path != "/" {
		i := strings.LastIndexByte(path, '/')
		path = path[:max(i, 1)]
		if set, ok := p[path]; ok {
			return set[priv]
		}
	}
	return false
}

// Guest is a VM or container the token can see.
type Guest struct {
	VMID     int
	Name     string
	Node     string
	Type     string // qemu | lxc
	Template bool
	Status   string // running | stopped
	// Jobs are the ids of the enabled backup jobs that cover it.
	Jobs []string
}

// Storage is a storage that takes backups (content includes backup).
type Storage struct {
	ID     string
	Node   string // the node it was listed on
	Type   string // dir, pbs, nfs …
	Shared bool
	Active bool
	Total  int64
	Used   int64
}

// Job is a scheduled backup job of the cluster.
type Job struct {
	ID       string
	Schedule string // "14:20", "sat 02:00"
	Storage  string
	Node     string // "" for every node
	Enabled  bool
	All      bool
	VMIDs    []int
	Exclude  []int
	Pool     string
	NextRun  time.Time // zero when PVE gives none
}

// Discovery is what the token sees on the PVE host.
type Discovery struct {
	Nodes    []string
	Guests   []Guest // by vmid
	Storages []Storage
	Jobs     []Job
	// JobsHidden: the token may not read the backup jobs (Sys.Audit on /),
	// so no guest is known to be covered or not.
	JobsHidden bool
}

// Templates are the guests that are templates.
func (d Discovery) Templates() []Guest {
	var out []Guest
	for _, g := range d.Guests {
		if g.Template {
			out = append(out, g)
		}
	}
	return out
}

// Uncovered are the guests no enabled backup job covers (none when the
// jobs are hidden: it cannot be told).
func (d Discovery) Uncovered() []Guest {
	if d.JobsHidden {
		return nil
	}
	var out []Guest
	for _, g := range d.Guests {
		if len(g.Jobs) == 0 {
			out = append(out, g)
		}
	}
	return out
}

// resource is an entry of /cluster/resources, decoded leniently.
type resource struct {
	Type     string          `json:"type"`
	Node     string          `json:"node"`
	Status   string          `json:"status"`
	Name     string          `json:"name"`
	VMID     json.RawMessage `json:"vmid"`
	Template json.RawMessage `json:"template"`
	Storage  string          `json:"storage"`
	Plugin   string          `json:"plugintype"`
	Content  string          `json:"content"`
	Shared   json.RawMessage `json:"shared"`
	Disk     json.RawMessage `json:"disk"`
	MaxDisk  json.RawMessage `json:"maxdisk"`
	Pool     string          `json:"pool"`
}

type jobEntry struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Enabled  json.RawMessage `json:"enabled"`
	Schedule string          `json:"schedule"`
	Storage  string          `json:"storage"`
	Node     string          `json:"node"`
	All      json.RawMessage `json:"all"`
	VMID     json.RawMessage `json:"vmid"`
	Exclude  json.RawMessage `json:"exclude"`
	Pool     string          `json:"pool"`
	NextRun  json.RawMessage `json:"next-run"`
}

// Discover reads the nodes, guests and backup storages
// (/cluster/resources, one request) and the backup jobs (/cluster/backup).
func (p *PVE) Discover(ctx context.Context) (Discovery, error) {
	var res []resource
	if err := p.c.Get(ctx, "/cluster/resources", &res); err != nil {
		return Discovery{}, err
	}
	var jobs []jobEntry
	hidden := false
	switch err := p.c.Get(ctx, "/cluster/backup", &jobs); {
	case Forbidden(err):
		hidden = true
	case err != nil:
		return Discovery{}, err
	}
	return discovery(res, jobs, hidden), nil
}

// discovery assembles what the two answers say.
func discovery(res []resource, jobs []jobEntry, jobsHidden bool) Discovery {
	d := Discovery{JobsHidden: jobsHidden}
	pools := map[int]string{}
	seenStore := map[string]bool{}
	for _, r := range res {
		switch r.Type {
		case "node":
			d.Nodes = append(d.Nodes, r.Node)
		case "qemu", "lxc":
			vmid := int(number(r.VMID))
			d.Guests = append(d.Guests, Guest{VMID: vmid, Name: r.Name, Node: r.Node, Type: r.Type,
				Template: number(r.Template) != 0, Status: r.Status})
			pools[vmid] = r.Pool
		case "storage":
			if !hasItem(r.Content, "backup") {
				continue
			}
			shared := number(r.Shared) != 0
			if shared && seenStore[r.Storage] {
				continue // a shared storage is listed once per node
			}
			seenStore[r.Storage] = true
			d.Storages = append(d.Storages, Storage{ID: r.Storage, Node: r.Node, Type: r.Plugin, Shared: shared,
				Active: r.Status == "available", Total: number(r.MaxDisk), Used: number(r.Disk)})
		}
	}
	slices.SortFunc(d.Guests, func(a, b Guest) int { return cmp.Compare(a.VMID, b.VMID) })
	for _, j := range jobs {
		if j.Type != "" && j.Type != "vzdump" {
			continue
		}
		job := Job{ID: j.ID, Schedule: j.Schedule, Storage: j.Storage, Node: j.Node, Pool: j.Pool,
			Enabled: len(j.Enabled) == 0 || number(j.Enabled) != 0, All: number(j.All) != 0,
			VMIDs: ids(j.VMID), Exclude: ids(j.Exclude)}
		if n := number(j.NextRun); n > 0 {
			job.NextRun = time.Unix(n, 0)
		}
		d.Jobs = append(d.Jobs, job)
	}
	for i := range d.Guests {
		g := &d.Guests[i]
		for _, j := range d.Jobs {
			if j.covers(g.VMID, g.Node, pools[g.VMID]) {
				g.Jobs = append(g.Jobs, j.ID)
			}
		}
	}
	return d
}

// covers is vzdump's selection: an enabled job backs up its vmids, its
// pool's guests, or with all every guest not excluded, on its node only
// when it names one.
func (j Job) covers(vmid int, node, pool string) bool {
	if !j.Enabled || j.Node != "" && j.Node != node {
		return false
	}
	switch {
	case j.All:
		for _, x := range j.Exclude {
			if x == vmid {
				return false
			}
		}
		return true
	case j.Pool != "":
		return j.Pool == pool
	}
	for _, x := range j.VMIDs {
		if x == vmid {
			return true
		}
	}
	return false
}

// number reads a JSON number that may come as a string ("1", "421");
// anything else is 0.
func number(raw json.RawMessage) int64 {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f)
	}
	return 0
}

// ids reads a vmid list: "411,421", a number, or a list.
func ids(raw json.RawMessage) []int {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var out []int
		for _, e := range list {
			if n := number(e); n > 0 {
				out = append(out, int(n))
			}
		}
		return out
	}
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if n, err := strconv.Atoi(f); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func hasItem(list, item string) bool {
	for _, f := range strings.Split(list, ",") {
		if strings.TrimSpace(f) == item {
			return true
		}
	}
	return false
}

// Label is "k3sagent01 (VM 421)".
func (g Guest) Label() string {
	kind := "VM"
	if g.Type == "lxc" {
		kind = "CT"
	}
	if g.Template {
		kind = "template"
	}
	if g.Name == "" {
		return fmt.Sprintf("%s %d", kind, g.VMID)
	}
	return fmt.Sprintf("%s (%s %d)", g.Name, kind, g.VMID)
}
