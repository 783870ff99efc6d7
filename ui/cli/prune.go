package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"path"
	"strings"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/model"
)

func pruneCommand() command {
	return command{
		name:     "prune",
		synopsis: "[TARGET…] [--keep-last N …] [--apply [--yes]] [--json] | --protect VOLID | --unprotect VOLID",
		summary:  "preview PVE's prune of guests' archives; --apply prunes; protect one archive",
		about: "Shows, per guest and storage, which archives PVE's retention keeps (and by which rule: last,\n" +
			"hourly, daily, weekly, monthly, yearly), which it removes, and the space freed. The rules are\n" +
			"those that apply: the guest's backup job's prune-backups, else the storage's, else keep-all;\n" +
			"any --keep-* flag replaces them all, as pvesm prune-backups does. No TARGET: every PVE guest\n" +
			"with archives. Nothing is removed without --apply, and then only after you type the guest's\n" +
			"name (or with --yes). --protect and --unprotect set one archive's protection (PVE never prunes\n" +
			"or removes a protected archive). Exit 0 done, 1 a prune was declined, 2 something failed.",
		common: true,
		flags: func(fs *flag.FlagSet) action {
			var keep model.Retention
			for _, k := range []struct {
				name string
				n    *int
			}{{"keep-last", &keep.KeepLast}, {"keep-hourly", &keep.KeepHourly}, {"keep-daily", &keep.KeepDaily},
				{"keep-weekly", &keep.KeepWeekly}, {"keep-monthly", &keep.KeepMonthly}, {"keep-yearly", &keep.KeepYearly}} {
				fs.IntVar(k.n, k.name, 0, "keep the newest "+strings.TrimPrefix(k.name, "keep-")+" backups (replaces the rules that apply)")
			}
			apply := fs.Bool("apply", false, "prune: remove what the preview marks remove, after you type each guest's name")
			yes := fs.Bool("yes", false, "with --apply: do not ask")
			asJSON := fs.Bool("json", false, `one object per archive: {"target","store","volid","mark","size_bytes","rule"}`)
			protect := fs.String("protect", "", "protect the archive with this volume id from pruning and removal")
			unprotect := fs.String("unprotect", "", "lift the protection of the archive with this volume id")
			return func(ctx context.Context, c *call) int {
				o := pruneOptions{apply: *apply, yes: *yes, json: *asJSON}
				c.fs.Visit(func(f *flag.Flag) {
					if strings.HasPrefix(f.Name, "keep-") {
						o.keep = &keep
					}
				})
				switch {
				case *protect != "" && *unprotect != "":
					return c.failf(exitUsage, "give --protect or --unprotect, not both")
				case *protect != "" || *unprotect != "":
					if len(c.args) > 0 || o.apply || o.keep != nil {
						return c.failf(exitUsage, "--protect and --unprotect take one volume id and nothing else")
					}
					return protectArchive(ctx, c, *protect+*unprotect, *protect != "")
				case o.yes && !o.apply:
					return c.failf(exitUsage, "--yes goes with --apply")
				case o.json && o.apply && !o.yes:
					return c.failf(exitUsage, "--json --apply cannot ask for names: add --yes, or leave --json out")
				}
				if o.keep != nil && (keep.KeepLast < 0 || keep.KeepHourly < 0 || keep.KeepDaily < 0 || keep.KeepWeekly < 0 ||
					keep.KeepMonthly < 0 || keep.KeepYearly < 0) {
					return c.failf(exitUsage, "a --keep-* count cannot be negative")
				}
				return pruneGuests(ctx, c, o)
			}
		},
	}
}

type pruneOptions struct {
	keep             *model.Retention // nil: the rules that apply
	apply, yes, json bool
}

// pruneJSON is one archive of the preview: its keys are a contract.
type pruneJSON struct {
	Target    string `json:"target"`
	Store     string `json:"store"`
	VolID     string `json:"volid"`
	Mark      string `json:"mark"`
	SizeBytes *int64 `json:"size_bytes"`
	Rule      string `json:"rule,omitempty"`
}

func pruneGuests(ctx context.Context, c *call, o pruneOptions) int {
	b, stop, err := c.runEngine(ctx)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return exitSetup
	}
	defer stop()
	posture := b.Engine.RefreshNow(ctx)
	targets, code := pruneTargets(c, posture)
	if code != 0 {
		return code
	}
	if len(targets) == 0 {
		fmt.Fprintln(c.Stdout, "no PVE guest has archives: nothing to prune")
		return 0
	}
	ask := newPrompter(c.Env)
	exit := 0
	for _, id := range targets {
		plans, err := b.Engine.PrunePlans(ctx, id, o.keep)
		if err != nil {
			c.warnf("%s: %v", id, err)
			exit = 2
			continue
		}
		for _, p := range plans {
			printPrunePlan(c, p, o.json)
			if !o.apply {
				continue
			}
			if code := applyPrunePlan(ctx, c, b.Engine, ask, p, o); code > exit {
				exit = code
			}
		}
	}
	if !o.apply && !o.json {
		fmt.Fprintln(c.Stdout, "nothing was removed: run with --apply to prune")
	}
	return exit
}

// pruneTargets resolves the arguments to target ids; none means every PVE
// guest with archives.
func pruneTargets(c *call, p *model.Posture) ([]string, int) {
	var out []string
	seen := map[string]bool{}
	if len(c.args) == 0 {
		for _, cs := range p.Concerns {
			for _, t := range cs.Targets {
				if t.Source == model.SourceProxmox && t.VMID > 0 && len(t.RestorePoints) > 0 && !seen[t.ID] {
					seen[t.ID] = true
					out = append(out, t.ID)
				}
			}
		}
		return out, 0
	}
	for _, a := range c.args {
		id := a
		if !strings.Contains(a, "/") {
			var err error
			if id, err = resolveTarget(p, a, model.MethodVzdump); err != nil {
				return nil, c.failf(exitUsage, "%v", err)
			}
		}
		if model.SourceOf(id) != model.SourceProxmox {
			return nil, c.failf(exitUsage, "%s is no PVE guest: prune works on PVE's archives (backdeck clonezilla prune for the host's images)", a)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, 0
}

func printPrunePlan(c *call, p model.PrunePlan, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(c.Stdout)
		for _, e := range p.Entries {
			j := pruneJSON{Target: p.Target, Store: p.Store, VolID: e.VolID, Mark: e.Mark, Rule: e.Rule}
			if e.Size >= 0 {
				size := e.Size
				j.SizeBytes = &size
			}
			_ = enc.Encode(j)
		}
		return
	}
	from := p.From
	if from == "given" {
		from = "the --keep-* flags"
	}
	fmt.Fprintf(c.Stdout, "%s (%s) on %s: %s (%s)\n", p.Name, p.Target, p.Store, p.Rules.String(), from)
	for _, e := range p.Entries {
		size := "?"
		if e.Size >= 0 {
			size = model.HumanBytes(e.Size)
		}
		fmt.Fprintf(c.Stdout, "  %-9s  %s  %10s  %-7s  %s\n", e.Mark, e.Time.Local().Format("2006-01-02 15:04"), size, e.Rule, path.Base(e.VolID))
	}
	n, bytes := p.Removed()
	if n == 0 {
		fmt.Fprintln(c.Stdout, "  nothing to remove")
		return
	}
	fmt.Fprintf(c.Stdout, "  %d to remove, %s freed\n", n, model.HumanBytes(bytes))
}

// applyPrunePlan prunes one plan as PVE does, after the guest's name is typed,
// and follows the task to its end.
func applyPrunePlan(ctx context.Context, c *call, e *backends.Engine, ask *prompter, p model.PrunePlan, o pruneOptions) int {
	n, _ := p.Removed()
	if n == 0 {
		return 0
	}
	if !o.yes {
		ok, _ := ask.typed(p.Name, fmt.Sprintf("remove these %d archives of %s on %s", n, p.Name, p.Store))
		if !ok {
			fmt.Fprintf(c.Stdout, "  not pruned: %s was not typed\n", p.Name)
			return 1
		}
	}
	rules := p.Rules
	job, err := e.Start(ctx, model.JobRequest{Target: p.Target, Method: model.MethodPrune, Storage: p.Store, Retention: &rules})
	if err != nil {
		c.warnf("%v", err)
		return 2
	}
	if !o.json {
		fmt.Fprintf(c.Stdout, "  pruning %s on %s (task %s)\n", p.Name, p.Store, job.TaskID)
	}
	printer := jobPrinter{out: c.Stdout, json: o.json}
	job, code := waitJob(ctx, c, e.Events(), job, printer.print)
	if code != 0 {
		return code
	}
	if job.State.Succeeded() {
		return 0
	}
	return 2
}

// protectArchive sets one archive's protection; the archive must be a
// restore point the inventory knows.
func protectArchive(ctx context.Context, c *call, volid string, protected bool) int {
	b, stop, err := c.runEngine(ctx)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return exitSetup
	}
	defer stop()
	posture := b.Engine.RefreshNow(ctx)
	target := ""
	for _, cs := range posture.Concerns {
		for _, t := range cs.Targets {
			for _, rp := range t.RestorePoints {
				if rp.ID == volid && t.Source == model.SourceProxmox {
					target = t.ID
				}
			}
		}
	}
	if target == "" {
		return c.failf(2, "no PVE archive %s among the restore points of the guests: the volume id is storage:backup/vzdump-… (backdeck prune --json lists them)", volid)
	}
	if err := b.Engine.SetProtected(ctx, target, volid, protected); err != nil {
		return c.failf(2, "%v", err)
	}
	word := "protected"
	if !protected {
		word = "no longer protected"
	}
	fmt.Fprintf(c.Stdout, "%s is %s\n", volid, word)
	return 0
}
