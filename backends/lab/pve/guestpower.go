package pve

import (
	"fmt"
	"time"
)

// Starting, stopping, pinging and destroying a guest, as qemu-server does:
// start and stop are qmstart/qmstop tasks, the agent ping answers at once,
// destroy is a qmdestroy task that refuses a running guest before it starts.

// GET /nodes/{node}/qemu/{vmid}/status/current
func (w *world) guestStatus(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	m := map[string]any{"vmid": g.vmid, "status": runState(g), "qmpstatus": runState(g), "cpus": g.maxcpu, "maxmem": g.maxmem}
	if g.name != "" {
		m["name"] = g.name
	}
	if g.agent {
		m["agent"] = 1
	}
	if l := w.lock(g.vmid, now); l != "" {
		m["lock"] = l
	}
	w.addVMStats(m, g, now)
	return m, nil
}

// POST /nodes/{node}/qemu/{vmid}/status/start: a qmstart task.
func (w *world) guestStart(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	t := w.newTask(g.node, "qmstart", itoa(g.vmid), w.cfg.tokenUser, now)
	problem := ""
	switch l := w.lock(g.vmid, now); {
	case l != "":
		problem = fmt.Sprintf("VM is locked (%s)", l)
	case g.template:
		problem = "you can't start a vm if it's a template"
	case g.running:
		problem = fmt.Sprintf("VM %d already running", g.vmid)
	case len(g.disks) == 0 && len(g.conf) == 0:
		problem = fmt.Sprintf("unable to start VM %d: its config is empty (no disks)", g.vmid)
	}
	if w.failTask(t, now, problem) {
		return t.upid, nil
	}
	end := now + w.cfg.short/2
	w.schedule(t, end, func(at time.Duration) {
		g.running, g.bootAt = true, t.timeAt(at)
		g.agentAt = at + w.cfg.short*2
		w.finish(t, at, "OK")
	})
	return t.upid, nil
}

// POST /nodes/{node}/qemu/{vmid}/status/stop: a qmstop task (a hard stop).
func (w *world) guestStop(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	t := w.newTask(g.node, "qmstop", itoa(g.vmid), w.cfg.tokenUser, now)
	if l := w.lock(g.vmid, now); l != "" && w.failTask(t, now, fmt.Sprintf("VM is locked (%s)", l)) {
		return t.upid, nil
	}
	w.schedule(t, now+w.cfg.short/4, func(at time.Duration) {
		g.running = false
		w.finish(t, at, "OK")
	})
	return t.upid, nil
}

// POST /nodes/{node}/qemu/{vmid}/agent/ping: empty when the agent answers.
func (w *world) agentPing(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	switch {
	case !g.running:
		return nil, serverError("VM %d is not running", g.vmid)
	case !g.agent:
		return nil, serverError("No QEMU guest agent configured")
	case now < g.agentAt:
		return nil, serverError("QEMU guest agent is not running")
	}
	return map[string]any{"result": map[string]any{}}, nil
}

// DELETE /nodes/{node}/qemu/{vmid}: a qmdestroy task; a running guest is
// refused before it starts, a lock fails the task.
func (w *world) guestDestroy(r *request, now time.Duration) (any, error) {
	g, err := w.guestByPath(r)
	if err != nil {
		return nil, err
	}
	purge, err := r.boolParam("purge", false)
	if err != nil {
		return nil, err
	}
	if _, err := r.boolParam("destroy-unreferenced-disks", true); err != nil {
		return nil, err
	}
	if g.running {
		return nil, serverError("VM %d is running - destroy failed", g.vmid)
	}
	t := w.newTask(g.node, "qmdestroy", itoa(g.vmid), w.cfg.tokenUser, now)
	if l := w.lock(g.vmid, now); l != "" && w.failTask(t, now, fmt.Sprintf("VM is locked (%s)", l)) {
		return t.upid, nil
	}
	end := now + w.cfg.short/2
	t.locks = append(t.locks, lockSpan{vmid: g.vmid, name: "destroyed", from: now, to: end})
	for _, d := range g.disks {
		t.log(now+w.cfg.short/4, lvmLines(volName(d.volid), "successfully removed.")...)
	}
	if purge {
		t.log(end, fmt.Sprintf("purging VM %d from related configurations..", g.vmid))
	}
	vmid := g.vmid
	w.schedule(t, end, func(at time.Duration) {
		w.removeGuest(vmid)
		w.finish(t, at, "OK")
	})
	return t.upid, nil
}
