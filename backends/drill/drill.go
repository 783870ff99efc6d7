package drill

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// Tag marks a scratch guest: its name starts with it and its description
// holds it, so a leftover is known for one of ours and nothing else is.
const Tag = "backdeck-drill"

// PVE is what a drill asks of Proxmox VE (backends/proxmox.Client).
type PVE interface {
	Start(ctx context.Context, req model.JobRequest) (model.Job, error)
	Follow(ctx context.Context, job model.Job, update func(model.Job)) (model.Job, error)
	Stop(ctx context.Context, job model.Job) error
	NextID(ctx context.Context) (int, error)
	Guest(ctx context.Context, vmid int) (proxmox.GuestInfo, bool, error)
	GuestConfig(ctx context.Context, g proxmox.GuestInfo) (proxmox.Config, string, error)
	SetGuestConfig(ctx context.Context, g proxmox.GuestInfo, set map[string]string, digest string) error
	ExtractConfig(ctx context.Context, node, volid string) (proxmox.Config, error)
	StartGuest(ctx context.Context, g proxmox.GuestInfo) (model.Job, error)
	StopGuest(ctx context.Context, g proxmox.GuestInfo) (model.Job, error)
	AgentPing(ctx context.Context, g proxmox.GuestInfo) error
	DestroyGuest(ctx context.Context, g proxmox.GuestInfo) (model.Job, error)
}

// Log is where drills are recorded (backends/history.DB).
type Log interface {
	BeginDrill(ctx context.Context, r history.DrillRecord) error
	DrillScratch(ctx context.Context, id, node string, vmid int) error
	EndDrill(ctx context.Context, id string, result model.Drill, cleaned bool) error
	DrillCleaned(ctx context.Context, id string, at time.Time, note string) error
	OpenDrills(ctx context.Context) ([]history.DrillRecord, error)
}

// Event is one line of a drill's progress: a step starting ("" State),
// passing ("ok") or failing ("failed"), in words.
type Event struct {
	Step    string
	State   string
	Message string
}

// Options wire a Driller.
type Options struct {
	PVE PVE
	Log Log
	Now func() time.Time
	// AgentTimeout bounds the wait for the guest agent after a boot
	// (default 5 min); AgentPoll is how often it is asked (default 5 s).
	AgentTimeout time.Duration
	AgentPoll    time.Duration
	// CleanupTimeout bounds the cleanup, which runs even when the drill's
	// context is cancelled (default 3 min).
	CleanupTimeout time.Duration
	// Report receives the progress; nil drops it.
	Report func(Event)
}

// Driller runs drills.
type Driller struct{ o Options }

// New checks the options.
func New(o Options) (*Driller, error) {
	if o.PVE == nil {
		return nil, errors.New("a restore drill needs [proxmox]")
	}
	if o.Log == nil {
		return nil, errors.New("a restore drill is recorded before it starts, so that a leftover is always found again, and the history database is not available")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AgentTimeout <= 0 {
		o.AgentTimeout = 5 * time.Minute
	}
	if o.AgentPoll <= 0 {
		o.AgentPoll = 5 * time.Second
	}
	if o.CleanupTimeout <= 0 {
		o.CleanupTimeout = 3 * time.Minute
	}
	if o.Report == nil {
		o.Report = func(Event) {}
	}
	return &Driller{o: o}, nil
}

// Request is one drill: a target's archive, where its disks go ("" each
// to its own storage), and whether to boot it.
type Request struct {
	Target  string
	Point   string
	Storage string
	Boot    bool
}

// Result is how a drill ended.
type Result struct {
	model.Drill
	Scratch int  // the scratch guest's VMID (0 when none was made)
	Cleaned bool // nothing is left behind
}

// run is one drill under way.
type run struct {
	d       *Driller
	req     Request
	id      string
	scratch proxmox.GuestInfo
	task    model.Job // the restore
}

// Run runs a drill to its end, cleanup included. The error is only for a
// drill that could not start (nothing was done); a drill that failed is a
// Result with OK false and Step naming the step.
func (d *Driller) Run(ctx context.Context, req Request) (Result, error) {
	arc, err := proxmox.ParseArchive(req.Point)
	if err != nil {
		return Result{}, err
	}
	started := d.o.Now()
	r := &run{d: d, req: req, id: fmt.Sprintf("%s@%d", req.Target, started.UnixMilli())}
	if err := d.o.Log.BeginDrill(ctx, history.DrillRecord{ID: r.id, Target: req.Target, Point: req.Point, Started: started}); err != nil {
		return Result{}, fmt.Errorf("recording the drill before it starts: %w", err)
	}
	res := Result{Drill: model.Drill{Point: req.Point}}
	step, note := r.steps(ctx, arc)
	res.Scratch = r.scratch.VMID
	cleaned, cleanNote := r.cleanup(ctx)
	res.Cleaned = cleaned
	switch {
	case step != "":
		res.Step, res.Note = step, note
		if !cleaned {
			res.Note += "; " + cleanNote
		}
	case !cleaned:
		res.Step, res.Note = "cleanup", cleanNote
	default:
		res.OK = true
		res.Note = note
	}
	res.At = d.o.Now()
	// The record is written even when ctx ended: it is what tells the next
	// start whether anything is left.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.o.Log.EndDrill(wctx, r.id, res.Drill, cleaned); err != nil {
		return res, fmt.Errorf("the drill ended (%s) but could not be recorded: %w", verdict(res), err)
	}
	return res, nil
}

func verdict(r Result) string {
	if r.OK {
		return "passed"
	}
	return "failed at " + r.Step
}

func (r *run) report(step, state, format string, a ...any) {
	r.d.o.Report(Event{Step: step, State: state, Message: fmt.Sprintf(format, a...)})
}

// steps runs the drill up to its cleanup; it returns the failed step and
// why, or "" and the summary.
func (r *run) steps(ctx context.Context, arc proxmox.Archive) (step, note string) {
	o := r.d.o
	fail := func(step string, err error) (string, string) {
		r.report(step, "failed", "%v", err)
		return step, err.Error()
	}
	// restore
	r.report("restore", "", "restoring %s to a scratch guest", r.req.Point)
	vmid, err := o.PVE.NextID(ctx)
	if err != nil {
		return fail("restore", err)
	}
	if err := o.Log.DrillScratch(ctx, r.id, "", vmid); err != nil {
		return fail("restore", fmt.Errorf("recording the scratch VMID %d before the restore: %w", vmid, err))
	}
	r.scratch = proxmox.GuestInfo{VMID: vmid, Type: arc.Type}
	job, err := o.PVE.Start(ctx, model.JobRequest{Target: r.req.Target, Method: model.MethodRestore, Point: r.req.Point,
		Storage: r.req.Storage, VMID: vmid, GuestName: fmt.Sprintf("%s-%d", Tag, vmid),
		Description: fmt.Sprintf("%s: restore drill of %s from %s; backdeck destroys it when the drill ends", Tag, r.req.Target, r.req.Point)})
	if err != nil {
		return fail("restore", err)
	}
	r.task = job
	r.scratch.Node = job.Node
	_ = o.Log.DrillScratch(ctx, r.id, job.Node, vmid) // the VMID is what matters; the node is a help
	job, err = o.PVE.Follow(ctx, job, func(j model.Job) { r.task = j })
	r.task = job
	if err != nil {
		return fail("restore", err)
	}
	if !job.State.Succeeded() {
		return fail("restore", fmt.Errorf("the restore task ended %s: %s", job.State, job.Message))
	}
	g, ok, err := o.PVE.Guest(ctx, vmid)
	if err != nil || !ok {
		return fail("restore", fmt.Errorf("the restored guest %d is not listed by PVE (%v)", vmid, err))
	}
	r.scratch = g
	r.report("restore", "ok", "restored to %s %d on node %s (task %s)", kind(g.Type), vmid, g.Node, firstNonEmpty(job.Message, "OK"))

	// network
	r.report("network", "", "disconnecting every network device (link_down=1)")
	n, err := r.disconnect(ctx)
	if err != nil {
		return fail("network", err)
	}
	r.report("network", "ok", "%d network device(s) disconnected", n)

	// config
	r.report("config", "", "comparing the restored config with the archive's")
	want, err := o.PVE.ExtractConfig(ctx, g.Node, r.req.Point)
	if err != nil {
		return fail("config", err)
	}
	got, _, err := o.PVE.GuestConfig(ctx, g)
	if err != nil {
		return fail("config", err)
	}
	if diff := Differences(want, got); len(diff) > 0 {
		return fail("config", fmt.Errorf("the restored config differs from the archive's: %s", strings.Join(diff, "; ")))
	}
	r.report("config", "ok", "%d settings match the archive's", len(want))

	summary := fmt.Sprintf("restored to %s %d, network cut, config matches the archive", kind(g.Type), vmid)
	if !r.req.Boot {
		return "", summary + "; not booted"
	}
	// boot
	r.report("boot", "", "starting it")
	if err := r.boot(ctx); err != nil {
		return fail("boot", err)
	}
	if g.Type == "qemu" {
		r.report("boot", "ok", "running, and its guest agent answers")
		return "", summary + "; booted, guest agent answered"
	}
	r.report("boot", "ok", "running")
	return "", summary + "; booted"
}

// disconnect sets link_down=1 on every NIC before anything could start
// the guest, and checks that PVE kept it.
func (r *run) disconnect(ctx context.Context) (int, error) {
	pve := r.d.o.PVE
	conf, digest, err := pve.GuestConfig(ctx, r.scratch)
	if err != nil {
		return 0, err
	}
	set := map[string]string{}
	for k, v := range conf {
		if isNetKey(k) && !strings.Contains(","+v+",", ",link_down=1,") {
			set[k] = v + ",link_down=1"
		}
	}
	if len(set) > 0 {
		if err := pve.SetGuestConfig(ctx, r.scratch, set, digest); err != nil {
			return 0, err
		}
	}
	conf, _, err = pve.GuestConfig(ctx, r.scratch)
	if err != nil {
		return 0, err
	}
	n := 0
	for k, v := range conf {
		if !isNetKey(k) {
			continue
		}
		if !strings.Contains(","+v+",", ",link_down=1,") {
			return 0, fmt.Errorf("%s is still connected after setting link_down=1 (%s): not starting it", k, v)
		}
		n++
	}
	return n, nil
}

// boot starts the scratch guest and, for a VM, waits for its guest agent.
func (r *run) boot(ctx context.Context) error {
	o := r.d.o
	job, err := o.PVE.StartGuest(ctx, r.scratch)
	if err != nil {
		return err
	}
	if job, err = o.PVE.Follow(ctx, job, nil); err != nil {
		return err
	}
	if !job.State.Succeeded() {
		return fmt.Errorf("the start task ended %s: %s", job.State, job.Message)
	}
	if r.scratch.Type != "qemu" {
		return nil
	}
	wait, cancel := context.WithTimeout(ctx, o.AgentTimeout)
	defer cancel()
	var last error
	for {
		if last = o.PVE.AgentPing(wait, r.scratch); last == nil {
			return nil
		}
		select {
		case <-wait.Done():
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("its guest agent did not answer within %s (last: %v)", model.HumanAge(o.AgentTimeout), last)
		case <-time.After(o.AgentPoll):
		}
	}
}

func kind(typ string) string {
	if typ == "lxc" {
		return "CT"
	}
	return "VM"
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
