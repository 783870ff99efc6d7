package cli

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/backdeck/backdeck/ui/theme"

	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/model"
)

func clonezillaPrepareCommand() command {
	return command{
		name:     "clonezilla prepare",
		synopsis: "[--out PATH] [--yes] [--force] [--json]",
		summary:  "the imaging preflight and unattended run; exit 0 ready",
		about: "Checks the host for the next Clonezilla imaging run and shows the unattended run: the ocs-sr\n" +
			"command of each disk and a GRUB entry for the Clonezilla Live USB. With --out, writes them to\n" +
			"PATH after you confirm (never over an existing file unless you confirm that too).\n" +
			"Exit 1 when a check failed, 2 when it could not check.",
		common: true,
		flags: func(fs *flag.FlagSet) action {
			out := fs.String("out", "", "write the GRUB entries here, e.g. the Live USB's boot/grub/backdeck.cfg")
			yes := fs.Bool("yes", false, "write without asking")
			force := fs.Bool("force", false, "overwrite an existing --out file without asking")
			asJSON := fs.Bool("json", false, "print one JSON object (with --out, needs --yes)")
			return func(ctx context.Context, c *call) int {
				return prepareRun(ctx, c, prepareOptions{out: *out, yes: *yes, force: *force, json: *asJSON})
			}
		},
	}
}

type prepareOptions struct {
	out              string
	yes, force, json bool
}

// prepareJSON is `clonezilla prepare --json`.
type prepareJSON struct {
	Ready         bool          `json:"ready"`
	Checks        []checkJSON   `json:"checks"`
	ExpectedBytes int64         `json:"expected_bytes"`
	UsedBytes     int64         `json:"used_bytes"`
	Ratio         float64       `json:"ratio"`
	RatioFrom     string        `json:"ratio_from"`
	Runs          []planRunJSON `json:"runs"`
	Written       string        `json:"written,omitempty"`
}

type checkJSON struct {
	Name   string           `json:"name"`
	State  model.CheckState `json:"state"`
	Reason string           `json:"reason"`
}

type planRunJSON struct {
	Disk      string `json:"disk"`
	Serial    string `json:"serial"`
	Dev       string `json:"dev"`
	Image     string `json:"image"`
	Command   string `json:"command"`
	MenuEntry string `json:"menu_entry"`
}

func prepareRun(ctx context.Context, c *call, o prepareOptions) int {
	if o.json && o.out != "" && !o.yes {
		return c.failf(exitUsage, "--json with --out cannot ask: add --yes")
	}
	b := buildClonezilla(ctx, c)
	if b == nil {
		return exitSetup
	}
	defer b.Close()
	p := b.Engine.RefreshNow(ctx) // the drives' SMART verdicts
	pf, plan, err := b.Clonezilla.Prepare(ctx, p.Drives)
	if err != nil && len(pf.Checks) == 0 {
		return c.failf(2, "%v", err)
	}
	res := prepareJSON{Ready: pf.Ready() && err == nil, Checks: []checkJSON{}, ExpectedBytes: pf.Expected, UsedBytes: pf.Used,
		Ratio: pf.Ratio, RatioFrom: pf.RatioFrom, Runs: []planRunJSON{}}
	for _, ch := range pf.Checks {
		res.Checks = append(res.Checks, checkJSON{Name: ch.Name, State: ch.State, Reason: ch.Reason})
	}
	for _, r := range plan.Runs {
		res.Runs = append(res.Runs, planRunJSON{Disk: r.Disk.Name, Serial: r.Disk.Serial, Dev: r.Disk.Dev, Image: r.ImageName, Command: r.Command, MenuEntry: r.MenuEntry})
	}
	if !o.json {
		ascii := c.ascii(b)
		fmt.Fprintln(c.Stdout, "Preflight for the next Clonezilla imaging run of the host:")
		for _, ch := range pf.Checks {
			fmt.Fprintf(c.Stdout, "  %s %-7s %s: %s\n", theme.Glyph(ch.State.Status(), ascii), ch.State, ch.Name, ch.Reason)
		}
		if pf.Expected > 0 {
			fmt.Fprintf(c.Stdout, "Expected size of the new images: about %s (%s in use × %.2f, %s)\n", model.HumanBytes(pf.Expected), model.HumanBytes(pf.Used), pf.Ratio, pf.RatioFrom)
		}
		if err != nil {
			fmt.Fprintln(c.Stdout, "The unattended run cannot be made:", err)
		}
		for _, r := range plan.Runs {
			fmt.Fprintf(c.Stdout, "\n%s (%s, serial %s):\n  %s\n", r.Disk.Name, orDash(r.Disk.Dev), r.Disk.Serial, r.Command)
		}
	}
	code := 0
	if !res.Ready {
		code = 1
	}
	switch {
	case o.out == "":
		if !o.json && res.Ready {
			fmt.Fprintln(c.Stdout, "\nTo write the GRUB entries for the Live USB: backdeck clonezilla prepare --out PATH")
		}
	case err != nil:
		c.warnf("nothing written to %s: %v", o.out, err)
	case !res.Ready && o.yes:
		c.warnf("nothing written to %s: fix the failed lines and run again (or leave out --yes to decide yourself)", o.out)
	default:
		q := fmt.Sprintf("Write %d GRUB entries to %s?", len(plan.Runs), o.out)
		if !res.Ready {
			q = fmt.Sprintf("The preflight failed (see ✗ above). Write the %d GRUB entries to %s anyway?", len(plan.Runs), o.out)
		}
		if writePlan(c, o, plan, q) {
			res.Written = o.out
		} else {
			code = max(code, 1)
		}
	}
	if o.json {
		printJSONLine(c, res)
	}
	return code
}

// writePlan writes the run after the operator's confirmation; an existing
// file is overwritten only after a second one (or --force).
func writePlan(c *call, o prepareOptions, plan clonezilla.Plan, question string) bool {
	ask := newPrompter(c.Env)
	if !o.yes && !ask.yes(question) {
		fmt.Fprintln(c.Stdout, "nothing written")
		return false
	}
	overwrite := o.force
	if _, err := os.Stat(o.out); err == nil && !o.force {
		if o.yes {
			c.warnf("%s exists: nothing written (add --force to overwrite it)", o.out)
			return false
		}
		if !ask.yes(fmt.Sprintf("%s exists. Overwrite it?", o.out)) {
			fmt.Fprintln(c.Stdout, "nothing written")
			return false
		}
		overwrite = true
	}
	if err := clonezilla.WritePlan(o.out, plan, overwrite); err != nil {
		c.warnf("%v", err)
		return false
	}
	fmt.Fprintf(c.Stdout, "wrote %s: add it to the Live USB's boot/grub/grub.cfg (or source it from there), boot the host from the USB and pick the entry\n", o.out)
	return true
}
