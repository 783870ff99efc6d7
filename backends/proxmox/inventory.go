package proxmox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// Observe reads the inventory with a number of requests that does not grow
// with the number of guests: /version (once), /cluster/resources,
// /cluster/backup, per online node its backup storages, and per online
// backup storage one content listing for all guests at once (a shared
// storage once). Snapshots cost requests per guest and are left to
// Snapshots.
func (c *Client) Observe(ctx context.Context) (model.SourceState, error) {
	ver, err := c.versionLabel(ctx)
	if err != nil {
		return model.SourceState{}, err
	}
	res, err := c.resources(ctx)
	if err != nil {
		return model.SourceState{}, err
	}
	jobs, err := c.backupJobs(ctx)
	if err != nil {
		return model.SourceState{}, err
	}
	uncovered, err := c.notBackedUp(ctx)
	if err != nil {
		return model.SourceState{}, err
	}
	inv := newInventory(res)
	c.mu.Lock()
	inv.sizeRestorePoints(c.lastPoints)
	c.mu.Unlock()
	for _, node := range inv.nodes {
		if !node.online {
			continue
		}
		list, err := c.nodeBackupStorages(ctx, node.name)
		if err != nil {
			return model.SourceState{}, err
		}
		for _, s := range list {
			st, toList := inv.mergeBackupStorage(node.name, s)
			if !toList {
				continue
			}
			err := c.backupContent(ctx, node.name, s.Storage, func(e *contentEntry) { inv.addRestorePoint(st.ID, e) })
			if err != nil {
				return model.SourceState{}, err
			}
		}
	}
	points := make(map[int]int, len(inv.guests))
	for _, g := range inv.guests {
		points[g.VMID] = len(g.RestorePoints)
	}
	c.mu.Lock()
	c.lastPoints = points
	c.mu.Unlock()
	backupJobs := backupJobModels(jobs, c.now())
	c.lastDurations(ctx, inv.nodes, backupJobs)
	return model.SourceState{
		Source:   model.SourceProxmox,
		OK:       true,
		Version:  ver,
		Insecure: c.Insecure(),
		Targets:  inv.targets(jobs, uncovered),
		Stores:   inv.storeList(),
		At:       c.now(),

		BackupJobs: backupJobs,
	}, nil
}

// versionLabel asks /version once; PVE is not upgraded under a running
// console often enough to pay a request per refresh. go-proxmox's own
// Version() writes a field of the shared client and races, so it is read
// through Get into our own struct.
func (c *Client) versionLabel(ctx context.Context) (string, error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v != "" {
		return v, nil
	}
	var info versionInfo
	if err := c.get(ctx, "/version", &info); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.version = info.label()
	v = c.version
	c.mu.Unlock()
	return v, nil
}

func (c *Client) resources(ctx context.Context) ([]resource, error) {
	c.mu.Lock()
	res := make([]resource, 0, c.lastResources)
	c.mu.Unlock()
	err := c.getData(ctx, "/cluster/resources", eachElement(func(r *resource) { res = append(res, *r) }))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.lastResources = len(res)
	c.mu.Unlock()
	return res, nil
}

// backupJobs reads the cluster's backup jobs. A token without Sys.Audit
// may not read them: they only help choose a storage, so that is no error.
func (c *Client) backupJobs(ctx context.Context) ([]backupJob, error) {
	var jobs []backupJob
	err := c.get(ctx, "/cluster/backup", &jobs)
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden {
		return nil, nil
	}
	return jobs, err
}

// notBackedUp reads PVE's own list of the guests no backup job selects
// (one request, whatever the number of guests). A token without Sys.Audit
// may not read it, and PVE before 7 does not have it: nil then, and the
// jobs are matched here instead.
func (c *Client) notBackedUp(ctx context.Context) (map[int]bool, error) {
	out := map[int]bool{}
	err := c.getData(ctx, "/cluster/backup-info/not-backed-up", eachElement(func(e *struct {
		VMID number `json:"vmid"`
	}) {
		if v := e.VMID.Int64(0); v > 0 {
			out[int(v)] = true
		}
	}))
	var ae *APIError
	if errors.As(err, &ae) && (ae.StatusCode == http.StatusForbidden || ae.StatusCode == http.StatusNotImplemented) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nodeBackupStorages lists a node's storages that take backups, with their
// active flag and sizes (an unplugged USB directory storage is active 0).
func (c *Client) nodeBackupStorages(ctx context.Context, node string) ([]nodeStorage, error) {
	var list []nodeStorage
	if err := c.get(ctx, "/nodes/"+url.PathEscape(node)+"/storage?content=backup", &list); err != nil {
		return nil, err
	}
	out := list[:0]
	for _, s := range list {
		if s.Content == "" || hasItem(splitList(s.Content), "backup") {
			out = append(out, s)
		}
	}
	return out, nil
}

// backupContent lists every guest's archives on one storage in one
// request, handing each to fn as it is decoded (thousands of archives are
// never held as a list of their own).
func (c *Client) backupContent(ctx context.Context, node, storage string, fn func(*contentEntry)) error {
	p := "/nodes/" + url.PathEscape(node) + "/storage/" + url.PathEscape(storage) + "/content?content=backup"
	if err := c.getData(ctx, p, eachElement(fn)); err != nil {
		return fmt.Errorf("listing the backups on storage %s: %w", storage, err)
	}
	return nil
}

// inventory assembles targets and stores from the answers of one Observe.
type inventory struct {
	nodes   []nodeInfo
	guests  []*model.Target
	byVMID  map[int]*model.Target
	pools   map[int]string
	perNode map[string]bool         // storages that are a store of their own on each node
	stores  map[string]*model.Store // by storeKey
	order   []string
	seen    map[string]bool // keys some node's storage list has reported
	listed  map[string]bool // keys whose archives were listed (a shared storage once)
}

type nodeInfo struct {
	name   string
	online bool
}

func newInventory(res []resource) *inventory {
	inv := &inventory{byVMID: map[int]*model.Target{}, pools: map[int]string{}, stores: map[string]*model.Store{},
		seen: map[string]bool{}, listed: map[string]bool{}}
	sort.SliceStable(res, func(i, j int) bool { return res[i].Node < res[j].Node })
	online := map[string]bool{}
	for _, r := range res {
		if name := firstOf(r.Node, strings.TrimPrefix(r.ID, "node/")); r.Type == "node" && isNodeName(name) {
			inv.nodes = append(inv.nodes, nodeInfo{name: name, online: r.Status == "online"})
			online[name] = r.Status == "online"
		}
	}
	inv.perNode = storagesPerNode(res, online)
	for _, r := range res {
		switch r.Type {
		case "qemu", "lxc":
			t := guestTarget(r)
			if _, dup := inv.byVMID[t.VMID]; dup || t.VMID <= 0 || t.VMID > maxVMID {
				continue // not a guest PVE could name: nothing can act on it
			}
			inv.guests = append(inv.guests, &t)
			inv.byVMID[t.VMID] = &t
			inv.pools[t.VMID] = r.Pool
		case "storage":
			name, ok := storageOf(r)
			if !ok {
				continue
			}
			key := inv.storeKey(r.Node, name)
			available := r.Status == "available"
			if st, dup := inv.stores[key]; dup && (st.Online || !available) {
				continue // the same storage seen from another node
			}
			content := splitList(r.Content)
			st := &model.Store{
				ID:      storeID(key),
				Name:    name,
				Node:    r.Node,
				Type:    r.PluginType,
				Content: content,
				Online:  available,
				Total:   r.MaxDisk.Int64(0),
				Used:    r.Disk.Int64(0),
				Backup:  hasItem(content, "backup"),
			}
			st.Avail = max(st.Total-st.Used, 0)
			if _, dup := inv.stores[key]; !dup {
				inv.order = append(inv.order, key)
			}
			inv.stores[key] = st
		}
	}
	sort.SliceStable(inv.guests, func(i, j int) bool { return inv.guests[i].VMID < inv.guests[j].VMID })
	return inv
}

// storagesPerNode says which storages are a store of their own on each
// node: those that are not shared and are active on more than one node
// ("local" on every node is a different directory on each). A storage of
// one node, or one configured on every node but mounted on one only (a USB
// drive), is one store whose facts come from where it is active, so its id
// does not change when the drive moves. A node that is not online counts
// as having it: its storages come back with it, and their ids should not
// change meanwhile.
func storagesPerNode(res []resource, online map[string]bool) map[string]bool {
	nodes := map[string]map[string]bool{}
	shared := map[string]bool{}
	for _, r := range res {
		name, ok := storageOf(r)
		if !ok {
			continue
		}
		if bool(r.Shared) {
			shared[name] = true
		}
		if r.Status == "available" || !online[r.Node] {
			if nodes[name] == nil {
				nodes[name] = map[string]bool{}
			}
			nodes[name][r.Node] = true
		}
	}
	out := map[string]bool{}
	for name, on := range nodes {
		if !shared[name] && len(on) > 1 {
			out[name] = true
		}
	}
	return out
}

// storageOf is the name of a storage resource; ok is false for another
// resource, or one whose storage or node PVE could not have named (the ids
// built from them would not read back).
func storageOf(r resource) (name string, ok bool) {
	name = firstOf(r.Storage, lastSegment(r.ID))
	return name, r.Type == "storage" && isStorageName(name) && isNodeName(r.Node)
}

// isStorageName reports whether s can be a PVE storage id: a letter, then
// letters, digits, '-', '_' or '.'.
func isStorageName(s string) bool {
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// maxVMID is PVE's largest guest id.
const maxVMID = 999999999

// storeKey names a store once: "<storage>", or "<storage>@<node>" for a
// storage that is a store of its own on each node.
func (inv *inventory) storeKey(node, name string) string {
	if inv.perNode[name] {
		return name + "@" + node
	}
	return name
}

// storeID is a store's id: the source, then the key ("pve/local@alpha").
func storeID(key string) string { return sourcePrefix + key }

// mergeBackupStorage records what a node says of one of its backup
// storages. A store reported by several nodes (a shared one, or one active
// on a single node) takes the facts of the first node where it is online;
// toList says whether its archives are still to be listed, from this node.
func (inv *inventory) mergeBackupStorage(node string, s nodeStorage) (st *model.Store, toList bool) {
	if !isStorageName(s.Storage) || !isNodeName(node) {
		return nil, false
	}
	key := inv.storeKey(node, s.Storage)
	st, ok := inv.stores[key]
	if !ok {
		st = &model.Store{ID: storeID(key), Name: s.Storage, Node: node}
		inv.stores[key] = st
		inv.order = append(inv.order, key)
	}
	first := !inv.seen[key]
	inv.seen[key] = true
	if first || (!st.Online && s.online()) {
		if s.Type != "" {
			st.Type = s.Type
		}
		if s.Content != "" {
			st.Content = splitList(s.Content)
		}
		st.Node = node
		st.Backup = true
		st.Online = s.online()
		st.Total, st.Used, st.Avail = s.Total.Int64(0), s.Used.Int64(0), s.Avail.Int64(0)
	}
	if inv.listed[key] || !s.online() {
		return st, false // an offline storage cannot list its archives: the store shows offline
	}
	inv.listed[key] = true
	return st, true
}

// sizeRestorePoints gives each guest room for as many restore points as
// it had at the last refresh (a little more for the next backup).
func (inv *inventory) sizeRestorePoints(last map[int]int) {
	for _, g := range inv.guests {
		if n := last[g.VMID]; n > 0 {
			g.RestorePoints = make([]model.RestorePoint, 0, n+1)
		}
	}
}

// addRestorePoints files one storage's archives under their guests. Archives
// of guests that no longer exist are not anyone's restore points here.
func (inv *inventory) addRestorePoints(storeID string, entries []contentEntry) {
	for i := range entries {
		inv.addRestorePoint(storeID, &entries[i])
	}
}

// addRestorePoint files one archive under its guest.
func (inv *inventory) addRestorePoint(storeID string, e *contentEntry) {
	if e.Content != "" && e.Content != "backup" {
		return
	}
	t, ok := inv.byVMID[int(e.VMID.Int64(-1))]
	if !ok {
		return
	}
	t.RestorePoints = append(t.RestorePoints, model.RestorePoint{
		ID:        e.VolID,
		Target:    t.ID,
		Method:    model.MethodVzdump,
		Time:      time.Unix(e.CTime.Int64(0), 0),
		Size:      e.Size.Int64(0),
		Format:    e.Format,
		Notes:     e.Notes,
		Protected: bool(e.Protected),
		Store:     storeID,
	})
}

// targets finishes the guests: the job that backs each up, and whether
// none does. uncovered is PVE's own list (nil when it could not be read:
// then the jobs are matched here, as PVE would).
func (inv *inventory) targets(jobs []backupJob, uncovered map[int]bool) []model.Target {
	out := make([]model.Target, 0, len(inv.guests))
	for _, t := range inv.guests {
		sort.SliceStable(t.RestorePoints, func(i, j int) bool { return t.RestorePoints[i].Time.After(t.RestorePoints[j].Time) })
		covered, disabledOnly := inv.jobOf(t, jobs)
		// A template is backed up once, by hand: no job is expected.
		if t.Kind != model.KindTemplate {
			if uncovered != nil {
				// PVE counts disabled jobs as covering: only enabled
				// ones back anything up.
				t.NoJob = uncovered[t.VMID] || disabledOnly
			} else {
				t.NoJob = jobs != nil && !covered
			}
		}
		out = append(out, *t)
	}
	return out
}

func (inv *inventory) storeList() []model.Store {
	out := make([]model.Store, 0, len(inv.order))
	for _, k := range inv.order {
		out = append(out, *inv.stores[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// guestTarget turns a qemu or lxc resource into a target.
func guestTarget(r resource) model.Target {
	vmid := int(r.VMID.Int64(0))
	if vmid == 0 {
		vmid, _ = strconv.Atoi(lastSegment(r.ID))
	}
	t := model.Target{
		ID:     targetID(r.Type, vmid),
		Name:   firstOf(r.Name, fmt.Sprintf("%s %d", guestWord(r.Type), vmid)),
		Kind:   model.KindVM,
		Source: model.SourceProxmox,
		Node:   r.Node,
		VMID:   vmid,
		State:  r.Status,
		Lock:   r.Lock,
	}
	t.Methods = []model.Method{model.MethodVzdump, model.MethodSnapshot, model.MethodRollback, model.MethodDeleteSnapshot}
	word := guestWord(r.Type)
	if r.Type == "lxc" {
		t.Kind = model.KindLXC
	}
	if r.Template {
		// PVE cannot snapshot a template (nor roll one back), only back it up.
		t.Kind = model.KindTemplate
		t.Methods = []model.Method{model.MethodVzdump}
		word += " template"
	}
	t.Detail = fmt.Sprintf("%s %d · %s · %s", word, vmid, firstOf(r.Status, "unknown"), r.Node)
	if r.Lock != "" {
		t.Detail += " · locked (" + r.Lock + ")"
	}
	return t
}
