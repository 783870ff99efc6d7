package pve

import (
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// GET /version
func (w *world) version(r *request, now time.Duration) (any, error) {
	return map[string]any{"version": "8.4.1", "release": "8.4", "repoid": "2a5fa54a8503f96d"}, nil
}

// GET /cluster/resources: every guest, node and storage in one answer.
func (w *world) clusterResources(r *request, now time.Duration) (any, error) {
	typ, err := r.enumParam("type", "", "vm", "storage", "node", "sdn")
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	if typ == "" || typ == "vm" {
		for _, vmid := range w.vmids {
			if !w.acl.has("/vms/"+itoa(vmid), "VM.Audit") {
				continue // PVE lists only the guests the token may audit
			}
			out = append(out, w.vmResource(w.guests[vmid], now))
		}
	}
	if typ == "" || typ == "node" {
		for _, n := range w.nodes {
			out = append(out, w.nodeResource(n, now))
		}
	}
	if typ == "" || typ == "storage" {
		// A shared storage is listed once per node, as PVE lists it.
		for _, n := range w.nodes {
			for _, s := range w.storagesOn(n.name) {
				if !w.acl.hasAny("/storage/"+s.id, "Datastore.Audit", "Datastore.AllocateSpace") {
					continue
				}
				m := map[string]any{
					"id": "storage/" + n.name + "/" + s.id, "type": "storage", "storage": s.id, "node": n.name,
					"plugintype": s.typ, "content": strings.Join(s.content, ","), "shared": b2i(s.shared), "status": "unknown",
				}
				// pvestatd reports only active storages; the others have no figures.
				if s.active {
					m["status"], m["disk"], m["maxdisk"] = "available", s.used(), s.total
				}
				out = append(out, m)
			}
		}
	}
	if typ == "" || typ == "sdn" {
		for _, n := range w.nodes {
			out = append(out, map[string]any{"id": "sdn/" + n.name + "/localnetwork", "type": "sdn",
				"sdn": "localnetwork", "node": n.name, "status": "ok"})
		}
	}
	return out, nil
}

func (w *world) vmResource(g *guest, now time.Duration) map[string]any {
	m := map[string]any{
		"id": "qemu/" + itoa(g.vmid), "type": "qemu", "vmid": g.vmid, "name": g.name, "node": g.node,
		"status": runState(g), "template": b2i(g.template), "maxcpu": g.maxcpu, "maxmem": g.maxmem,
		"maxdisk": int64(0), "disk": 0,
	}
	if len(g.disks) > 0 { // a failed restore leaves a guest without disks
		m["maxdisk"] = g.disks[0].size
	}
	w.addVMStats(m, g, now)
	if g.tags != "" {
		m["tags"] = g.tags
	}
	if l := w.lock(g.vmid, now); l != "" {
		m["lock"] = l
	}
	return m
}

// addVMStats adds the live figures of a guest; a stopped one has zeros.
func (w *world) addVMStats(m map[string]any, g *guest, now time.Duration) {
	up := int64(0)
	if g.running {
		up = int64(w.timeAt(now).Sub(g.bootAt) / time.Second)
	}
	wobble := float64(host.Hash(int64(g.vmid), w.timeAt(now).Truncate(10*time.Second))%1000) / 1000
	m["uptime"] = up
	m["cpu"], m["mem"] = 0, 0
	if g.running {
		m["cpu"] = 0.01 + 0.05*wobble
		m["mem"] = g.mem + int64(wobble*float64(64*mib))
	}
	m["netin"], m["netout"] = up*41_000, up*23_500
	m["diskread"], m["diskwrite"] = up*180_000, up*95_000
}

func (w *world) nodeResource(n *nodeInfo, now time.Duration) map[string]any {
	return map[string]any{
		"id": "node/" + n.name, "type": "node", "node": n.name, "status": "online",
		"maxcpu": n.maxcpu, "cpu": 0.043, "maxmem": n.maxmem, "mem": n.mem,
		"maxdisk": n.maxdisk, "disk": n.disk, "uptime": w.nodeUptime(n, now),
		"level": "", "cgroup-mode": 2,
	}
}

func (w *world) nodeUptime(n *nodeInfo, now time.Duration) int64 {
	return int64(w.timeAt(now).Sub(n.bootAt) / time.Second)
}

// GET /cluster/backup: the scheduled jobs. prune-backups is an object whose
// values are strings, as real servers send it.
func (w *world) clusterBackup(r *request, now time.Duration) (any, error) {
	out := []map[string]any{}
	for _, j := range w.jobs {
		m := jobEntry(j)
		if next, ok := w.nextRun(j, now); ok {
			m["next-run"] = next
		}
		out = append(out, m)
	}
	return out, nil
}

// GET /cluster/backup/{id}
func (w *world) clusterBackupJob(r *request, now time.Duration) (any, error) {
	for _, j := range w.jobs {
		if j.id == r.param("id") {
			return jobEntry(j), nil
		}
	}
	return nil, serverError("job '%s' does not exist", r.param("id"))
}

// GET /cluster/backup-info/not-backed-up: every guest that no backup job
// selects, as PVE lists them (templates too), by vmid.
func (w *world) notBackedUp(r *request, now time.Duration) (any, error) {
	out := []map[string]any{}
	for _, vmid := range w.vmids {
		covered := false
		for _, j := range w.jobs {
			covered = covered || j.selects(w.guests[vmid])
		}
		if !covered {
			g := w.guests[vmid]
			out = append(out, map[string]any{"vmid": vmid, "name": g.name, "type": "qemu"})
		}
	}
	return out, nil
}

func jobEntry(j backupJob) map[string]any {
	prune := map[string]any{}
	for k, v := range j.prune {
		prune[k] = v
	}
	m := map[string]any{
		"id": j.id, "type": "vzdump", "schedule": j.schedule, "enabled": b2i(!j.disabled), "storage": j.storage,
		"mode": j.mode, "compress": j.compress, "notes-template": j.notes,
	}
	if len(prune) > 0 {
		m["prune-backups"] = prune
	}
	addJobSelection(m, j)
	return m
}

// GET /nodes. Every node shows the lab's one certificate: the lab listens
// on one address for the whole cluster.
func (w *world) nodeList(r *request, now time.Duration) (any, error) {
	out := []map[string]any{}
	for _, n := range w.nodes {
		m := w.nodeResource(n, now)
		delete(m, "cgroup-mode")
		m["ssl_fingerprint"] = w.cfg.fingerprint
		out = append(out, m)
	}
	return out, nil
}

// GET /nodes/{node}/status
func (w *world) nodeStatus(r *request, now time.Duration) (any, error) {
	n := w.nodeNamed(r.param("node"))
	return map[string]any{
		"uptime":     w.nodeUptime(n, now),
		"cpu":        0.043,
		"wait":       0.0012,
		"idle":       0,
		"loadavg":    []string{"0.38", "0.31", "0.27"},
		"kversion":   "Linux 6.8.12-10-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-10 (2025-04-18T07:39Z)",
		"pveversion": "pve-manager/8.4.1/2a5fa54a8503f96d",
		"cpuinfo": map[string]any{"model": "Intel(R) Core(TM) i5-8500T CPU @ 2.10GHz", "sockets": 1, "cpus": n.maxcpu,
			"cores": n.maxcpu, "mhz": "2100.000", "hvm": "1", "user_hz": 100},
		"memory":    map[string]any{"total": n.maxmem, "used": n.mem, "free": n.maxmem - n.mem},
		"swap":      map[string]any{"total": 8 * gib, "used": 0, "free": 8 * gib},
		"rootfs":    map[string]any{"total": n.maxdisk, "used": n.disk, "free": n.maxdisk - n.disk, "avail": n.maxdisk - n.disk - 4*gib},
		"ksm":       map[string]any{"shared": 0},
		"boot-info": map[string]any{"mode": "efi", "secureboot": 0},
	}, nil
}

// GET /nodes/{node}/qemu: the node's own guests.
func (w *world) qemuList(r *request, now time.Duration) (any, error) {
	out := []map[string]any{}
	for _, vmid := range w.vmids {
		g := w.guests[vmid]
		if g.node != r.param("node") || !w.acl.has("/vms/"+itoa(vmid), "VM.Audit") {
			continue
		}
		m := map[string]any{"vmid": g.vmid, "name": g.name, "status": runState(g), "cpus": g.maxcpu,
			"maxmem": g.maxmem, "maxdisk": g.disks[0].size, "disk": 0}
		w.addVMStats(m, g, now)
		if g.template {
			m["template"] = 1
		}
		if g.tags != "" {
			m["tags"] = g.tags
		}
		if l := w.lock(g.vmid, now); l != "" {
			m["lock"] = l
		}
		out = append(out, m)
	}
	return out, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
