package drill

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// cleanup destroys the drill's scratch guest, even when ctx has ended (a
// quit mid-drill): it runs on its own bounded context, stops a restore
// still running first and waits for its lock to go.
func (r *run) cleanup(ctx context.Context) (bool, string) {
	if r.scratch.VMID == 0 {
		return true, "nothing was made"
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.d.o.CleanupTimeout)
	defer cancel()
	r.report("cleanup", "", "destroying %s %d", kind(r.scratch.Type), r.scratch.VMID)
	if r.task.TaskID != "" && !r.task.State.Terminal() {
		// Cut short while PVE still restores: stop the task, or its lock
		// keeps the guest from being destroyed.
		_ = r.d.o.PVE.Stop(cctx, r.task)
	}
	gone, note := r.d.destroyScratch(cctx, r.scratch.VMID, true)
	if gone {
		r.report("cleanup", "ok", "%s", note)
	} else {
		r.report("cleanup", "failed", "%s", note)
	}
	return gone, note
}

// isScratch tells one of our scratch guests from any other guest that now
// has its VMID: our name or tag, or the empty config a failed restore
// leaves (PVE writes the name only once the data is back).
func isScratch(conf proxmox.Config) bool {
	if strings.HasPrefix(conf["name"], Tag) || strings.HasPrefix(conf["hostname"], Tag) || strings.Contains(conf["description"], Tag) {
		return true
	}
	if conf["name"] != "" || conf["hostname"] != "" {
		return false
	}
	for k := range conf {
		if isDiskKey(k) && !strings.HasPrefix(k, "unused") {
			return false
		}
	}
	return true
}

// destroyScratch stops (when running) and destroys the guest at vmid if it
// is a scratch guest; it reports whether none is left and what happened.
// A guest a task holds locked is waited for when waitLock, else left for a
// later start.
func (d *Driller) destroyScratch(ctx context.Context, vmid int, waitLock bool) (bool, string) {
	pve := d.o.PVE
	g, ok, err := pve.Guest(ctx, vmid)
	for err == nil && ok && g.Lock != "" && waitLock {
		select {
		case <-ctx.Done():
			return false, fmt.Sprintf("%s %d is still locked (%s); it is cleaned up at a later start", kind(g.Type), vmid, g.Lock)
		case <-time.After(d.o.AgentPoll / 5):
		}
		g, ok, err = pve.Guest(ctx, vmid)
	}
	switch {
	case err != nil:
		return false, fmt.Sprintf("could not check for scratch guest %d: %v", vmid, err)
	case !ok:
		return true, fmt.Sprintf("no guest %d is left", vmid)
	case g.Lock != "":
		return false, fmt.Sprintf("%s %d is locked (%s): a task still works on it; it is cleaned up at a later start", kind(g.Type), vmid, g.Lock)
	}
	conf, _, err := pve.GuestConfig(ctx, g)
	if err != nil {
		return false, fmt.Sprintf("could not read the config of guest %d: %v", vmid, err)
	}
	if !isScratch(conf) {
		return true, fmt.Sprintf("guest %d (%s) is not a drill's scratch guest: left alone", vmid, g.Name)
	}
	if g.Status == "running" {
		if err := d.task(ctx, func() (model.Job, error) { return pve.StopGuest(ctx, g) }); err != nil {
			return false, fmt.Sprintf("could not stop %s %d: %v; destroy it by hand: qm stop %d && qm destroy %d --purge", kind(g.Type), vmid, err, vmid, vmid)
		}
	}
	if err := d.task(ctx, func() (model.Job, error) { return pve.DestroyGuest(ctx, g) }); err != nil {
		return false, fmt.Sprintf("could not destroy %s %d: %v; destroy it by hand: qm destroy %d --purge --destroy-unreferenced-disks", kind(g.Type), vmid, err, vmid)
	}
	if _, still, err := pve.Guest(ctx, vmid); err != nil || still {
		return false, fmt.Sprintf("%s %d is still listed after its destroy (%v)", kind(g.Type), vmid, err)
	}
	return true, fmt.Sprintf("%s %d destroyed with its disks", kind(g.Type), vmid)
}

// task starts a PVE task and follows it to a successful end.
func (d *Driller) task(ctx context.Context, start func() (model.Job, error)) error {
	job, err := start()
	if err != nil {
		return err
	}
	if job, err = d.o.PVE.Follow(ctx, job, nil); err != nil {
		return err
	}
	if !job.State.Succeeded() {
		return fmt.Errorf("the %s task ended %s: %s", job.TaskID, job.State, job.Message)
	}
	return nil
}

// Leftover is what Cleanup did about one drill that had not cleaned up.
type Leftover struct {
	Drill   history.DrillRecord
	Cleaned bool
	Note    string
}

// Cleanup finds the drills that did not end with their scratch guest gone
// (a quit, a crash, a failed destroy) and destroys what they left. A drill
// that has not ended and started less than running ago may still run in
// another console: it is left to it (and listed, not cleaned).
func (d *Driller) Cleanup(ctx context.Context, running time.Duration) ([]Leftover, error) {
	open, err := d.o.Log.OpenDrills(ctx)
	if err != nil {
		return nil, err
	}
	now := d.o.Now()
	var out []Leftover
	for _, r := range open {
		lo := Leftover{Drill: r}
		if r.Ended.IsZero() && now.Sub(r.Started) < running {
			lo.Note = fmt.Sprintf("started %s ago and not ended: it may still run elsewhere; cleaned up once it is %s old", model.HumanAge(now.Sub(r.Started)), model.HumanAge(running))
			out = append(out, lo)
			continue
		}
		if r.Scratch == 0 {
			lo.Cleaned, lo.Note = true, "it stopped before making a guest"
		} else {
			lo.Cleaned, lo.Note = d.destroyScratch(ctx, r.Scratch, false)
		}
		if lo.Cleaned {
			note := "cut short before its end; its scratch guest was cleaned up later (" + lo.Note + ")"
			if err := d.o.Log.DrillCleaned(ctx, r.ID, d.o.Now(), note); err != nil {
				return out, err
			}
		}
		out = append(out, lo)
	}
	return out, nil
}
