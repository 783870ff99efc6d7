package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/model"
)

func clonezillaPruneCommand() command {
	return command{
		name:     "clonezilla prune",
		synopsis: "[--remove]",
		summary:  "what the keep rules drop; --remove asks each name",
		about: "Shows which images [clonezilla] keep_last and keep_monthly keep, and which they would remove;\n" +
			"the newest image verified whole is always kept. With --remove, asks you to type each image's\n" +
			"name before removing it.",
		common: true,
		flags: func(fs *flag.FlagSet) action {
			remove := fs.Bool("remove", false, "remove the images the rules drop, each after you type its name")
			return func(ctx context.Context, c *call) int { return prune(ctx, c, *remove) }
		},
	}
}

func prune(ctx context.Context, c *call, remove bool) int {
	b := buildClonezilla(ctx, c)
	if b == nil {
		return exitSetup
	}
	defer b.Close()
	cfg := b.Config.Clonezilla
	state, err := b.Clonezilla.Observe(ctx)
	if err != nil {
		return c.failf(2, "%v", err)
	}
	verified, histErr := verifications(ctx, b.HistoryPath, b.Clonezilla.Images())
	if histErr != nil {
		// The newest image verified whole is always kept: without the
		// history it cannot be told, so nothing may be removed.
		c.warnf("the verifications are unknown, so the newest image verified whole cannot be told apart: %v", histErr)
		if remove {
			return c.failf(2, "nothing removed: the history must be readable to tell which image is verified whole (the error above says why it is not)")
		}
	}
	plan := clonezilla.PlanPrune(state.Targets, verified, cfg.KeepLast, cfg.KeepMonthly)
	for _, d := range plan.Disks {
		fmt.Fprintf(c.Stdout, "%s (keep_last = %d, keep_monthly = %d)\n", d.Disk.Name, cfg.KeepLast, cfg.KeepMonthly)
		for _, m := range d.Marks {
			if m.Keep {
				fmt.Fprintf(c.Stdout, "  keep    %s  (%s)\n", filepath.Base(m.Point.ID), strings.Join(m.Reasons, "; "))
			} else {
				fmt.Fprintf(c.Stdout, "  remove  %s  (%s, %s)\n", filepath.Base(m.Point.ID), m.Point.Time.Local().Format("2006-01-02"), model.HumanBytes(m.Point.Size))
			}
		}
	}
	if len(plan.Remove) == 0 {
		fmt.Fprintln(c.Stdout, "nothing to remove")
		return 0
	}
	fmt.Fprintf(c.Stdout, "%d images would be removed, %s freed\n", len(plan.Remove), model.HumanBytes(plan.RemoveBytes))
	if !remove {
		fmt.Fprintln(c.Stdout, "nothing was removed: run with --remove to remove them, typing each name")
		return 0
	}
	ask := newPrompter(c.Env)
	removed := 0
	for _, p := range plan.Remove {
		confirmed, more := ask.typed(filepath.Base(p.ID), "remove it")
		if !more {
			break
		}
		if !confirmed {
			fmt.Fprintln(c.Stdout, "  skipped")
			continue
		}
		if err := b.Clonezilla.RemoveImage(p.ID); err != nil {
			return c.failf(2, "%v", err)
		}
		removed++
		fmt.Fprintf(c.Stdout, "  removed %s\n", p.ID)
	}
	fmt.Fprintf(c.Stdout, "%d of %d removed\n", removed, len(plan.Remove))
	return 0
}
