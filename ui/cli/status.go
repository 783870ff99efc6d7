package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/model"
)

func statusCommand() command {
	return command{
		name:     "status",
		synopsis: "[--json] [--ids] [--demo]",
		summary:  "one-shot report; exit 0 ok, 1 warning, 2 critical, 3 unknown",
		about: "Reads every source once (running jobs included) and prints one line per concern and target,\n" +
			"then the stores, jobs and errors. With --json it prints one JSON object: its keys are listed in\n" +
			"README, under Commands. A config that cannot be used is unknown (3).",
		common: true,
		flags: func(fs *flag.FlagSet) action {
			asJSON := fs.Bool("json", false, "print one JSON object (keys in README, under Commands)")
			ids := fs.Bool("ids", false, "show each target's id (shown anyway where the terminal is 120 columns or wider)")
			timeout := fs.Duration("timeout", wire.SourceTimeout, "how long each source may take")
			return func(ctx context.Context, c *call) int {
				return runStatus(ctx, c, *asJSON, *ids, *timeout)
			}
		},
	}
}

func runStatus(ctx context.Context, c *call, asJSON, ids bool, timeout time.Duration) int {
	b, err := c.build(ctx, timeout)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return statusExitCode(model.StatusUnknown)
	}
	defer b.Close()
	b.Engine.RefreshNow(ctx)
	rctx, cancel := context.WithTimeout(ctx, timeout)
	b.Engine.Reattach(rctx) // running jobs belong in the report
	cancel()
	p := b.Engine.Posture()
	report := newStatusReport(p)
	if asJSON {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			fmt.Fprintln(c.Stderr, "backdeck:", err)
		}
	} else {
		fmt.Fprint(c.Stdout, report.text(textOptions{ASCII: c.ascii(b), IDs: ids || c.Columns() >= 120}))
	}
	return statusExitCode(p.Overall)
}

// statusExitCode is the exit status of status for an overall status: 0 ok,
// 1 warning, 2 critical, 3 unknown, so that cron and monitoring can act on it.
func statusExitCode(s model.Status) int {
	switch s {
	case model.StatusOK:
		return 0
	case model.StatusWarning:
		return 1
	case model.StatusCritical:
		return 2
	default:
		return 3
	}
}
