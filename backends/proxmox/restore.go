package proxmox

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// Restoring a vzdump archive, as PVE's GUI does: POST /nodes/{n}/qemu with
// archive (qemu-server), POST /nodes/{n}/lxc with ostemplate and restore=1
// (pve-container). To a new guest: the next free vmid, unique=1 (new MACs),
// start=0. Over the original guest: force=1, and only when it is stopped and
// not locked (PVE refuses a running VM only once its worker runs, and a
// running container with "can't overwrite running container").

// archiveNameRE reads a vzdump archive's volid:
// "store:backup/vzdump-qemu-421-2026_11_28-14_20_03.vma.zst".
var archiveNameRE = regexp.MustCompile(`^([^:]+):(?:backup/)?vzdump-(qemu|lxc|openvz)-(\d+)-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d\.`)

// Archive is what a vzdump volid says of itself.
type Archive struct {
	VolID   string
	Storage string
	Type    string // qemu | lxc
	VMID    int    // the guest it was taken of
}

// ParseArchive reads a vzdump volid; anything else is refused with what a
// volid looks like.
func ParseArchive(volid string) (Archive, error) {
	m := archiveNameRE.FindStringSubmatch(volid)
	if m == nil {
		return Archive{}, fmt.Errorf("%q is not a vzdump archive: give its volid, e.g. hddusb_bkpvzdumps:backup/vzdump-qemu-421-2026_11_28-14_20_03.vma.zst", volid)
	}
	vmid, err := strconv.Atoi(m[3])
	if err != nil || vmid <= 0 || vmid > maxVMID {
		return Archive{}, fmt.Errorf("%q names no valid VMID", volid)
	}
	typ := m[2]
	if typ == "openvz" {
		typ = "lxc"
	}
	return Archive{VolID: volid, Storage: m[1], Type: typ, VMID: vmid}, nil
}

// Target is the target id of the guest the archive was taken of.
func (a Archive) Target() string { return targetID(a.Type, a.VMID) }

// NextID is the cluster's next free VMID (GET /cluster/nextid).
func (c *Client) NextID(ctx context.Context) (int, error) {
	var n number
	if err := c.get(ctx, "/cluster/nextid", &n); err != nil {
		return 0, fmt.Errorf("asking PVE for the next free VMID: %w", err)
	}
	id := int(n.Int64(0))
	if id <= 0 || id > maxVMID {
		return 0, fmt.Errorf("PVE answered the next free VMID with no VMID")
	}
	return id, nil
}

// restorePlan is a restore checked against PVE before it is sent.
type restorePlan struct {
	arc     Archive
	node    string
	vmid    int
	over    *resource // the guest restored over; nil for a new one
	source  *resource // the guest the archive was taken of, when it exists
	storage string
}

// planRestore checks a restore request against a fresh view of the cluster.
func (c *Client) planRestore(ctx context.Context, req model.JobRequest) (restorePlan, error) {
	arc, err := ParseArchive(req.Point)
	if err != nil {
		return restorePlan{}, err
	}
	res, err := c.resources(ctx)
	if err != nil {
		return restorePlan{}, err
	}
	p := restorePlan{arc: arc, storage: req.Storage}
	guests := map[int]*resource{}
	online := map[string]bool{}
	var nodes []string // those that see the archive's storage
	for i := range res {
		r := &res[i]
		switch r.Type {
		case "qemu", "lxc":
			guests[int(r.VMID.Int64(0))] = r
		case "node":
			online[firstOf(r.Node, lastSegment(r.ID))] = r.Status == "online"
		}
	}
	for _, r := range res {
		if name, ok := storageOf(r); ok && name == arc.Storage && online[r.Node] && !hasItem(nodes, r.Node) {
			nodes = append(nodes, r.Node)
		}
	}
	sort.Strings(nodes)
	if len(nodes) == 0 {
		return restorePlan{}, fmt.Errorf("no online node has storage %s, where %s is: plug its drive in or check the storage", arc.Storage, arc.VolID)
	}
	p.source = guests[arc.VMID]
	if req.Over {
		if req.VMID != 0 && req.VMID != arc.VMID {
			return restorePlan{}, fmt.Errorf("a restore over the original guest goes to VMID %d, the archive's; --vmid %d asks for another guest", arc.VMID, req.VMID)
		}
		g := p.source
		switch {
		case g == nil:
			return restorePlan{}, fmt.Errorf("there is no guest %d to restore over: restore to a new VMID instead", arc.VMID)
		case g.Type != arc.Type:
			return restorePlan{}, fmt.Errorf("guest %d is a %s and the archive holds a %s: PVE would refuse it", arc.VMID, g.Type, arc.Type)
		case g.Status == "running":
			return restorePlan{}, fmt.Errorf("%s is running: stop it first (a restore over it replaces its disks and config)", labelOf(*g))
		case g.Lock != "":
			return restorePlan{}, fmt.Errorf("%s is locked (%s): wait for the running task to finish", labelOf(*g), g.Lock)
		case !hasItem(nodes, g.Node):
			return restorePlan{}, fmt.Errorf("%s is on node %s, which does not see storage %s", labelOf(*g), g.Node, arc.Storage)
		}
		p.over, p.vmid, p.node = g, arc.VMID, g.Node
	} else {
		p.node = nodes[0]
		if p.source != nil && hasItem(nodes, p.source.Node) {
			p.node = p.source.Node
		}
		p.vmid = req.VMID
		if p.vmid == 0 {
			if p.vmid, err = c.NextID(ctx); err != nil {
				return restorePlan{}, err
			}
		}
		if g := guests[p.vmid]; g != nil {
			return restorePlan{}, fmt.Errorf("VMID %d is taken by %s: choose a free one (leave --vmid out for the next free one) or restore over the original", p.vmid, labelOf(*g))
		}
		if p.vmid < 100 || p.vmid > maxVMID {
			return restorePlan{}, fmt.Errorf("VMID %d is out of PVE's range (100 to %d)", p.vmid, maxVMID)
		}
	}
	if err := c.checkArchive(ctx, p.node, arc); err != nil {
		return restorePlan{}, err
	}
	if p.storage != "" {
		if err := c.checkDiskStorage(ctx, p.node, arc.Type, p.storage); err != nil {
			return restorePlan{}, err
		}
	}
	return p, nil
}

func labelOf(r resource) string {
	return fmt.Sprintf("%s (%s %d)", r.Name, guestWord(r.Type), r.VMID.Int64(0))
}

// checkArchive finds the archive in its storage's listing.
func (c *Client) checkArchive(ctx context.Context, node string, arc Archive) error {
	p := "/nodes/" + url.PathEscape(node) + "/storage/" + url.PathEscape(arc.Storage) + "/content?content=backup&vmid=" + strconv.Itoa(arc.VMID)
	var list []contentEntry
	if err := c.get(ctx, p, &list); err != nil {
		return fmt.Errorf("listing the backups of %d on %s: %w", arc.VMID, arc.Storage, err)
	}
	for _, e := range list {
		if e.VolID == arc.VolID {
			return nil
		}
	}
	return fmt.Errorf("there is no archive %s on storage %s (node %s): backdeck status lists the restore points", arc.VolID, arc.Storage, node)
}

// checkDiskStorage checks that a storage takes the restored guest's disks.
func (c *Client) checkDiskStorage(ctx context.Context, node, typ, name string) error {
	content := "images"
	if typ == "lxc" {
		content = "rootdir"
	}
	var list []nodeStorage
	if err := c.get(ctx, "/nodes/"+url.PathEscape(node)+"/storage?content="+content, &list); err != nil {
		return err
	}
	var names []string
	for _, s := range list {
		if s.Content != "" && !hasItem(splitList(s.Content), content) {
			continue
		}
		names = append(names, s.Storage)
		if s.Storage == name {
			if !s.online() {
				return fmt.Errorf("storage %s is offline on node %s: the restored disks cannot go there", name, node)
			}
			return nil
		}
	}
	return fmt.Errorf("storage %s does not take %s on node %s (those that do: %s)", name, content, node, strings.Join(orNone(names), ", "))
}

// startRestore sends the restore and returns the job following its task.
func (c *Client) startRestore(ctx context.Context, req model.JobRequest) (model.Job, error) {
	p, err := c.planRestore(ctx, req)
	if err != nil {
		return model.Job{}, err
	}
	form := url.Values{}
	form.Set("vmid", strconv.Itoa(p.vmid))
	form.Set("start", "0")
	if p.storage != "" {
		form.Set("storage", p.storage)
	}
	if p.over != nil {
		form.Set("force", "1")
	} else {
		form.Set("unique", "1")
	}
	if req.Description != "" {
		form.Set("description", req.Description)
	}
	path := "/nodes/" + url.PathEscape(p.node) + "/" + p.arc.Type
	if p.arc.Type == "lxc" {
		form.Set("ostemplate", p.arc.VolID)
		form.Set("restore", "1")
	} else {
		form.Set("archive", p.arc.VolID)
	}
	if req.GuestName != "" {
		key := "name"
		if p.arc.Type == "lxc" {
			key = "hostname"
		}
		form.Set(key, req.GuestName)
	}
	var answer *string
	if err := c.post(ctx, path, form, &answer); err != nil {
		return model.Job{}, fmt.Errorf("restoring %s to %s %d: %w", p.arc.VolID, guestWord(p.arc.Type), p.vmid, err)
	}
	name := fmt.Sprintf("%s %d", guestWord(p.arc.Type), p.arc.VMID)
	if p.source != nil && p.source.Name != "" {
		name = p.source.Name
	}
	job := model.Job{
		Target: firstOf(req.Target, p.arc.Target()), Name: name, Method: model.MethodRestore, Source: model.SourceProxmox,
		Node: p.node, Started: c.now(), Storage: p.storage, Point: p.arc.VolID, Guest: p.vmid,
		Progress: model.UnknownProgress(),
	}
	return c.taskJob(job, answer)
}

// restoreRE matches vma's progress lines during a restore:
//
//	progress 45% (read 15461882265 bytes, duration 12 sec)
var restoreRE = regexp.MustCompile(`^progress (\d{1,3})% \(read (\d+) bytes, duration (\d+) sec\)`)

// restoreProgress reads a restore's progress line into p.
func restoreProgress(line string, p *model.Progress) {
	m := restoreRE.FindStringSubmatch(line)
	if m == nil {
		return
	}
	pct, _ := strconv.Atoi(m[1])
	done, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil || pct > 100 {
		return
	}
	secs, _ := strconv.ParseInt(m[3], 10, 64)
	p.Percent, p.DoneBytes = float64(pct), done
	if pct > 0 {
		p.TotalBytes = done * 100 / int64(pct)
	}
	if secs > 0 {
		p.ReadBytesPerS = float64(done) / float64(secs)
	}
}
