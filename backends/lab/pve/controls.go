package pve

import (
	"errors"
	"fmt"
	"time"
)

// The world's controls: what tests and the demo change in it between two
// requests, the way the real homelab would change.

// Migrate moves a guest to another node, as `qm migrate` with its local
// disks would, and refuses what qm migrate refuses: an unknown node, the
// node the guest is on, a locked guest (a backup or snapshot running). A
// real migration is a task that takes a while; here it takes effect at
// once, since tests need the move between two reads, not its progress.
func (p *Server) Migrate(vmid int, node string) error {
	var err error
	p.withWorld(func(w *world, now time.Duration) { err = w.migrate(vmid, node, now) })
	return err
}

func (w *world) migrate(vmid int, target string, now time.Duration) error {
	g := w.guests[vmid]
	switch {
	case g == nil:
		return fmt.Errorf("lab: there is no guest %d", vmid)
	case w.nodeNamed(target) == nil:
		return fmt.Errorf("no such cluster node '%s'", target)
	case g.node == target:
		return errors.New("target is local node")
	}
	if lock := w.lock(vmid, now); lock != "" {
		return fmt.Errorf("VM is locked (%s)", lock)
	}
	g.node = target
	return nil
}

// GuestNode is the node a guest is on now; "" for an unknown guest.
func (p *Server) GuestNode(vmid int) string {
	node := ""
	p.withWorld(func(w *world, now time.Duration) {
		if g := w.guests[vmid]; g != nil {
			node = g.node
		}
	})
	return node
}

// RenameGuest gives a guest another name. Real PVE takes only DNS-style
// names; the tests use this to send what a broken or hostile server could
// (control characters) and check that none of it reaches a terminal.
func (p *Server) RenameGuest(vmid int, name string) {
	p.withWorld(func(w *world, now time.Duration) {
		if g := w.guests[vmid]; g != nil {
			g.name = name
		}
	})
}

// SetNextOutcome decides how the next vzdump task (and only it) ends.
func (p *Server) SetNextOutcome(o Outcome) {
	p.withWorld(func(w *world, now time.Duration) { w.nextOutcome = &o })
}

// SetStorageActive unplugs (false) or replugs (true) a storage's mount on
// every node that has it: an inactive storage reports active 0 with zero
// sizes, its content listing fails, and a vzdump writing to it fails.
func (p *Server) SetStorageActive(storage string, active bool) {
	p.withWorld(func(w *world, now time.Duration) {
		for _, s := range w.storagesNamed(storage) {
			w.setStorageActive(s, active, now)
		}
	})
}

// SetDrivePresent unplugs or replugs a whole disk by serial ("NA8F1234" is the
// USB HDD): the disk leaves /disks/list and every storage on it goes inactive.
func (p *Server) SetDrivePresent(serial string, present bool) {
	p.withWorld(func(w *world, now time.Duration) { w.setDrivePresent(serial, present, now) })
}

// SetLock sets a guest's config lock as a crashed task would leave it
// ("backup", "snapshot"…; "" clears it, like `qm unlock`).
func (p *Server) SetLock(vmid int, lock string) {
	p.withWorld(func(w *world, now time.Duration) {
		if g := w.guests[vmid]; g != nil {
			g.staleLock = lock
		}
	})
}

// ForgetTask makes a task disappear, as when its log file is gone: its status
// answers PVE's "no such task", its log "unable to open file".
func (p *Server) ForgetTask(upid string) {
	p.withWorld(func(w *world, now time.Duration) {
		if t := w.tasks[upid]; t != nil {
			t.forgotten = true
		}
	})
}

// SetNextRestore decides how the next qmrestore task ends: OutcomeFail
// breaks its archive half-way (vma: short extent) and leaves the guest's
// config behind, as PVE does.
func (p *Server) SetNextRestore(o Outcome) {
	p.withWorld(func(w *world, now time.Duration) { w.nextRestore = &o })
}

// FailNextExtractConfig makes the next extractconfig call fail, as an
// archive whose stream cannot be decoded does.
func (p *Server) FailNextExtractConfig() {
	p.withWorld(func(w *world, now time.Duration) { w.failExtract = true })
}

// GuestConfig is a guest's config now (nil for an unknown guest), for tests.
func (p *Server) GuestConfig(vmid int) map[string]string {
	var m map[string]string
	p.withWorld(func(w *world, now time.Duration) {
		if g := w.guests[vmid]; g != nil {
			m = w.guestConfig(g)
		}
	})
	return m
}

// GuestIDs lists the vmids of every guest, sorted.
func (p *Server) GuestIDs() []int {
	var ids []int
	p.withWorld(func(w *world, now time.Duration) { ids = append(ids, w.vmids...) })
	return ids
}

// SetGuestRunning starts or stops a guest at once, as if done on the host.
func (p *Server) SetGuestRunning(vmid int, running bool) {
	p.withWorld(func(w *world, now time.Duration) {
		if g := w.guests[vmid]; g != nil && g.running != running {
			g.running = running
			if running {
				g.bootAt = w.timeAt(now)
			}
		}
	})
}
