package pve

import (
	"crypto/sha1"
	"fmt"
	"time"
)

// guestByPath finds the guest of a /nodes/{node}/qemu/{vmid}/… call. A
// guest on another node is not there: the node reads its own config
// directory, as PVE::AbstractConfig::load_config does.
func (w *world) guestByPath(r *request) (*guest, error) {
	vmid, err := vmidValue("vmid", r.param("vmid"))
	if err != nil {
		return nil, err
	}
	node := r.param("node")
	g := w.guests[vmid]
	if g == nil || g.node != node {
		return nil, serverError("%s", missingConfig(node, vmid))
	}
	return g, nil
}

// missingConfig is PVE's words for a guest config a node does not have.
func missingConfig(node string, vmid int) string {
	return fmt.Sprintf("Configuration file 'nodes/%s/qemu-server/%d.conf' does not exist", node, vmid)
}

func (g *guest) snapshot(name string) *snapshot {
	for _, s := range g.snapshots {
		if s.name == name {
			return s
		}
	}
	return nil
}

// GET /nodes/{node}/qemu/{vmid}/snapshot: the snapshots, then "current".
func (w *world) snapshotList(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, s := range g.snapshots {
		m := map[string]any{"name": s.name, "description": s.description, "snaptime": s.snaptime, "vmstate": b2i(s.vmstate)}
		if s.parent != "" {
			m["parent"] = s.parent
		}
		out = append(out, m)
	}
	cur := map[string]any{"name": "current", "description": "You are here!", "running": b2i(g.running),
		"digest": fmt.Sprintf("%x", sha1.Sum([]byte(fmt.Sprintf("%d/%s/%d", g.vmid, g.parent, len(g.snapshots)))))}
	if g.parent != "" {
		cur["parent"] = g.parent
	}
	return append(out, cur), nil
}

// GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}
func (w *world) snapshotIndex(r *request, now time.Duration) (any, error) {
	return []map[string]any{{"cmd": "rollback"}, {"cmd": "config"}}, nil
}

// GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config
func (w *world) snapshotConfig(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	s := g.snapshot(r.param("snapname"))
	if s == nil {
		return nil, serverError("snapshot '%s' does not exist", r.param("snapname"))
	}
	m := map[string]any{"name": g.name, "description": s.description, "snaptime": s.snaptime,
		"cores": g.maxcpu, "memory": itoa(int(g.maxmem / mib)), "scsihw": "virtio-scsi-single", "ostype": "l26"}
	for _, d := range g.disks {
		m[d.key] = fmt.Sprintf("%s,size=%s", d.volid, formatDiskSize(d.size))
	}
	if s.parent != "" {
		m["parent"] = s.parent
	}
	if s.vmstate {
		m["vmstate"] = fmt.Sprintf("local-lvm:vm-%d-state-%s", g.vmid, s.name)
	}
	return m, nil
}

// validSnapname is PVE's pve-configid format, at most 40 characters.
func validSnapname(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_' || c == '-')) {
			return false
		}
	}
	return true
}

// POST /nodes/{node}/qemu/{vmid}/snapshot: a "qmsnapshot" task. What the
// worker checks (lock, template, name in use) fails the task, not the call.
func (w *world) snapshotCreate(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	name := r.form.Get("snapname")
	switch {
	case name == "":
		return nil, missing("snapname")
	case !validSnapname(name):
		return nil, paramError(map[string]string{"snapname": fmt.Sprintf("invalid format - invalid configuration ID '%s'\n", name)})
	case name == "current" || name == "pending" || name == "PENDING":
		return nil, serverError("unable to use snapshot name '%s' (reserved name)", name)
	}
	vmstate, err := r.boolParam("vmstate", false)
	if err != nil {
		return nil, err
	}
	desc := r.form.Get("description")
	t := w.newTask(g.node, "qmsnapshot", itoa(g.vmid), w.cfg.tokenUser, now)
	problem := ""
	switch lock := w.lock(g.vmid, now); {
	case g.template:
		problem = "you can't take a snapshot if it's a template"
	case lock != "":
		problem = fmt.Sprintf("VM is locked (%s)", lock)
	case g.snapshot(name) != nil:
		problem = fmt.Sprintf("snapshot name '%s' already used", name)
	}
	if w.failTask(t, now, problem) {
		return t.upid, nil
	}
	end := now + w.cfg.short
	t.locks = append(t.locks, lockSpan{vmid: g.vmid, name: "snapshot", from: now, to: end})
	at := now + w.cfg.short/4
	if vmstate && g.running {
		t.log(now, "saving VM state and RAM using storage 'local-lvm'")
		t.log(at, fmt.Sprintf("completed saving the VM state in 1s, saved %s (%s)", renderBytes(float64(g.mem), 2), renderRate(float64(g.mem), 1)))
	}
	for _, d := range g.disks {
		t.log(at, fmt.Sprintf("snapshotting 'drive-%s' (%s)", d.key, d.volid))
		t.log(at, lvmLines(fmt.Sprintf("snap_%s_%s", volName(d.volid), name), "created.")...)
	}
	w.schedule(t, end, func(at time.Duration) {
		g.snapshots = append(g.snapshots, &snapshot{name: name, description: desc,
			snaptime: t.timeAt(now).Unix(), parent: g.parent, vmstate: vmstate && g.running})
		g.parent = name
		w.finish(t, at, "OK")
	})
	return t.upid, nil
}

// POST /nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback: a "qmrollback"
// task. Without saved RAM the guest is stopped afterwards (unless start=1).
func (w *world) snapshotRollback(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	start, err := r.boolParam("start", false)
	if err != nil {
		return nil, err
	}
	name := r.param("snapname")
	t := w.newTask(g.node, "qmrollback", itoa(g.vmid), w.cfg.tokenUser, now)
	s := g.snapshot(name)
	if w.failTask(t, now, w.snapshotProblem(g, s, name, now)) {
		return t.upid, nil
	}
	end := now + w.cfg.short
	t.locks = append(t.locks, lockSpan{vmid: g.vmid, name: "rollback", from: now, to: end})
	for _, d := range g.disks {
		t.log(now+w.cfg.short/4, lvmLines(volName(d.volid), "successfully removed.")...)
		t.log(now+w.cfg.short/2, lvmLines(volName(d.volid), "created.")...)
	}
	w.schedule(t, end, func(at time.Duration) {
		g.parent = s.name
		g.running = s.vmstate || start
		if g.running {
			g.bootAt = t.timeAt(at)
		}
		w.finish(t, at, "OK")
	})
	return t.upid, nil
}

// DELETE /nodes/{node}/qemu/{vmid}/snapshot/{snapname}: a "qmdelsnapshot" task.
func (w *world) snapshotDelete(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	if _, err := r.boolParam("force", false); err != nil {
		return nil, err
	}
	name := r.param("snapname")
	t := w.newTask(g.node, "qmdelsnapshot", itoa(g.vmid), w.cfg.tokenUser, now)
	s := g.snapshot(name)
	if w.failTask(t, now, w.snapshotProblem(g, s, name, now)) {
		return t.upid, nil
	}
	end := now + w.cfg.short
	t.locks = append(t.locks, lockSpan{vmid: g.vmid, name: "snapshot-delete", from: now, to: end})
	for _, d := range g.disks {
		t.log(now+w.cfg.short/2, lvmLines(fmt.Sprintf("snap_%s_%s", volName(d.volid), name), "successfully removed.")...)
	}
	w.schedule(t, end, func(at time.Duration) {
		kept := g.snapshots[:0]
		for _, x := range g.snapshots {
			if x != s {
				if x.parent == s.name {
					x.parent = s.parent
				}
				kept = append(kept, x)
			}
		}
		g.snapshots = kept
		if g.parent == s.name {
			g.parent = s.parent
		}
		w.finish(t, at, "OK")
	})
	return t.upid, nil
}

func (w *world) snapshotProblem(g *guest, s *snapshot, name string, now time.Duration) string {
	if s == nil {
		return fmt.Sprintf("snapshot '%s' does not exist", name)
	}
	if lock := w.lock(g.vmid, now); lock != "" {
		return fmt.Sprintf("VM is locked (%s)", lock)
	}
	return ""
}

// failTask ends a task soon with an error, when there is one.
func (w *world) failTask(t *task, now time.Duration, problem string) bool {
	if problem == "" {
		return false
	}
	w.schedule(t, now+w.cfg.short/10, func(at time.Duration) { w.finish(t, at, problem) })
	return true
}

// volName is the volume name of a volid: "vm-421-disk-0".
func volName(volid string) string {
	for i := len(volid) - 1; i >= 0; i-- {
		if volid[i] == ':' {
			return volid[i+1:]
		}
	}
	return volid
}

// lvmLines is what lvcreate/lvremove print on a thin pool, warnings included.
func lvmLines(lv, what string) []string {
	var lines []string
	if what == "created." {
		lines = append(lines,
			"  WARNING: You have not turned on protection against thin pools running out of space.",
			"  WARNING: Set activation/thin_pool_autoextend_threshold below 100 to trigger automatic extension of thin pools before they get full.")
	}
	return append(lines, fmt.Sprintf("  Logical volume \"%s\" %s", lv, what))
}
