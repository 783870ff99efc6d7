package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/backdeck/backdeck/backends/drill"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/model"
)

// drillRunning is how long an unended drill may be another console's,
// still running, before its leftovers are cleaned up.
const drillRunning = time.Hour

func drillCommand() command {
	return command{
		name:     "drill",
		synopsis: "TARGET [--boot] [--storage S] [--yes] [--json]",
		summary:  "prove a guest's newest archive restores: restore it to a scratch guest, check it, destroy it",
		about: "Restores TARGET's newest vzdump archive (or the archive TARGET names) to a scratch guest: the\n" +
			"next free VMID, named backdeck-drill-VMID, every network device cut (link_down=1), not started.\n" +
			"It checks that the restore task ended OK and that the restored config matches the archive's;\n" +
			"--boot starts it and waits for its guest agent. Then it destroys it, also when a step fails or\n" +
			"the drill is interrupted. It first cleans up what an earlier drill left behind. The drill is kept\n" +
			"in the history (\"restore tested 12 d ago\"). Asks first; --yes does not.\n" +
			"Exit 0 passed, 2 failed, refused or not confirmed, 130 interrupted (after the cleanup).",
		common: true,
		flags: func(fs *flag.FlagSet) action {
			boot := fs.Bool("boot", false, "start the scratch guest and wait for its guest agent")
			storage := fs.String("storage", "", "where the scratch guest's disks go (default: each disk's own storage)")
			yes := fs.Bool("yes", false, "do not ask")
			asJSON := fs.Bool("json", false, "one JSON object per step (step, state, message), then the result; needs --yes")
			return func(ctx context.Context, c *call) int {
				if len(c.args) != 1 {
					return c.failf(exitUsage, "give one TARGET, e.g. backdeck drill k3sagent01 (backdeck status --ids lists the ids)")
				}
				if *asJSON && !*yes {
					return c.failf(exitUsage, "--json cannot ask for a confirmation: add --yes")
				}
				return runDrill(ctx, c, c.args[0], drill.Request{Storage: *storage, Boot: *boot}, *yes, *asJSON)
			}
		},
	}
}

// drillLine is one JSON line of drill: a step's progress.
type drillLine struct {
	Step    string `json:"step"`
	State   string `json:"state"` // running, ok, failed
	Message string `json:"message"`
}

// drillResult is the last JSON line of drill.
type drillResult struct {
	Target  string `json:"target"`
	Point   string `json:"point"`
	OK      bool   `json:"ok"`
	Step    string `json:"step"`
	Note    string `json:"note"`
	VMID    int    `json:"vmid"`
	Cleaned bool   `json:"cleaned"`
}

func runDrill(ctx context.Context, c *call, arg string, req drill.Request, yes, asJSON bool) int {
	b, err := c.build(ctx, wire.SourceTimeout)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return exitSetup
	}
	defer b.Close()
	if b.Proxmox == nil {
		return c.failf(exitSetup, "no [proxmox] in the config: drills restore vzdump archives")
	}
	db, err := history.Open(ctx, b.HistoryPath)
	if err != nil {
		return c.failf(2, "a drill is recorded before it starts, so that nothing it makes is ever lost track of, and the history cannot be opened: %v", err)
	}
	defer db.Close()
	emit := func(e drill.Event) { printDrillEvent(c.Stdout, asJSON, e) }
	d, err := drill.New(drill.Options{PVE: b.Proxmox, Log: db, Now: c.Now, Report: emit})
	if err != nil {
		return c.failf(2, "%v", err)
	}
	left, err := d.Cleanup(ctx, drillRunning)
	if err != nil {
		c.warnf("looking for what earlier drills left: %v", err)
	}
	for _, lo := range left {
		state := "ok"
		if !lo.Cleaned {
			state = "failed"
		}
		emit(drill.Event{Step: "leftover", State: state, Message: fmt.Sprintf("drill of %s started %s: %s",
			lo.Drill.Target, lo.Drill.Started.Local().Format("2006-01-02 15:04"), lo.Note)})
	}

	stopEngine := startEngine(ctx, b)
	p := b.Engine.RefreshNow(ctx)
	stopEngine()
	ts, rp, err := findPoint(p, arg)
	if err != nil {
		return c.failf(exitUsage, "%v", err)
	}
	if ts.Source != model.SourceProxmox {
		return c.failf(2, "%s is not a Proxmox guest: drills restore vzdump archives (an UrBackup restore is UrBackup's: backdeck restore %s says how)", ts.ID, ts.ID)
	}
	req.Target, req.Point = ts.ID, rp.ID
	if !asJSON {
		fmt.Fprintf(c.Stdout, "drill of %s (%s)\n", ts.Name, ts.ID)
		fmt.Fprintf(c.Stdout, "  restore %s (%s old, %s)\n", rp.ID, model.HumanAge(c.Now().Sub(rp.Time)), model.HumanBytes(rp.Size))
		disks := "each disk to its own storage"
		if req.Storage != "" {
			disks = "disks on " + req.Storage
		}
		fmt.Fprintf(c.Stdout, "  to      a scratch guest (the next free VMID, named %s-VMID), %s, network cut, not started\n", drill.Tag, disks)
		fmt.Fprintf(c.Stdout, "  check   the task ended OK, the config matches the archive's\n")
		if req.Boot {
			fmt.Fprintf(c.Stdout, "  boot    start it and wait for its guest agent\n")
		}
		fmt.Fprintf(c.Stdout, "  then    destroy it with its disks\n")
	}
	if !yes && !newPrompter(c.Env).yes("run the drill?") {
		return c.failf(2, "not confirmed: nothing done")
	}
	res, err := d.Run(ctx, req)
	if err != nil && res.Point == "" {
		return c.failf(2, "%v", err)
	}
	if asJSON {
		out, _ := json.Marshal(drillResult{Target: req.Target, Point: req.Point, OK: res.OK, Step: res.Step, Note: res.Note, VMID: res.Scratch, Cleaned: res.Cleaned})
		fmt.Fprintln(c.Stdout, string(out))
	}
	if err != nil {
		c.warnf("%v", err)
	}
	left2 := "nothing left behind"
	if !res.Cleaned {
		left2 = fmt.Sprintf("scratch guest %d is LEFT BEHIND: the next drill (or the console) tries again", res.Scratch)
	}
	switch {
	case ctx.Err() != nil:
		return c.failf(exitInterrupted, "interrupted at %s; %s", res.Step, left2)
	case res.OK:
		if !asJSON {
			fmt.Fprintf(c.Stdout, "drill passed: %s; %s\n", res.Note, left2)
		}
		return 0
	}
	if !asJSON {
		fmt.Fprintf(c.Stdout, "drill FAILED at %s: %s; %s\n", res.Step, res.Note, left2)
	}
	if errors.Is(err, context.Canceled) {
		return exitInterrupted
	}
	return 2
}

func printDrillEvent(w io.Writer, asJSON bool, e drill.Event) {
	state := e.State
	if state == "" {
		state = "running"
	}
	if asJSON {
		b, _ := json.Marshal(drillLine{Step: e.Step, State: state, Message: e.Message})
		fmt.Fprintln(w, string(b))
		return
	}
	mark := "…"
	switch e.State {
	case "ok":
		mark = "ok"
	case "failed":
		mark = "FAILED"
	}
	fmt.Fprintf(w, "%-8s %-6s %s\n", e.Step, mark, e.Message)
}

// drillLeftovers destroys what a drill of an earlier run left (the console
// quit or was killed mid-drill) before the console starts, and says so in
// its log; a failure to look is said too.
func drillLeftovers(ctx context.Context, b *wire.Built) []string {
	if b.Drills == nil {
		return nil
	}
	lines, err := b.Drills.CleanupLeftovers(ctx, drillRunning)
	if err != nil {
		lines = append(lines, "looking for what earlier restore drills left: "+err.Error())
	}
	return lines
}
