package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/ui"
)

func dashboardCommand() command {
	return command{
		synopsis: "[--config PATH] [--demo] [--ascii]",
		summary:  "the dashboard (--demo: on the built-in simulated homelab)",
		common:   true,
		flags: func(fs *flag.FlagSet) action {
			version := fs.Bool("version", false, "print the version")
			return func(ctx context.Context, c *call) int {
				if *version {
					fmt.Fprintln(c.Stdout, "backdeck", c.Version)
					return 0
				}
				if len(c.args) > 0 {
					return unknownCommand(c.Env, c.table, c.args[0])
				}
				if wizardInstead(c) { // no config yet: the setup wizard makes one
					return runSetup(ctx, c)
				}
				return runDashboard(ctx, c)
			}
		},
	}
}

// runDashboard runs the console until the operator quits; the engine
// refreshes the sources meanwhile.
func runDashboard(ctx context.Context, c *call) int {
	b, err := c.build(ctx, wire.SourceTimeout)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return exitSetup
	}
	defer b.Close()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { b.Engine.Run(runCtx); close(done) }()
	opts := []tea.ProgramOption{tea.WithFPS(30), tea.WithContext(ctx)}
	noColor := c.Getenv("NO_COLOR") != ""
	if noColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	// The Linux console (TERM=linux: the PVE host's own screen) has no
	// font for box drawing and symbols: ASCII, as --ascii; its colours
	// stay (NO_COLOR alone takes them away).
	ascii := c.ascii(b) || c.Getenv("TERM") == "linux"
	m := ui.New(ui.Options{Engine: b.Engine, Now: c.Now, Warnings: append(b.Config.Warnings, drillLeftovers(ctx, b)...), ASCII: ascii, NoColor: noColor, Title: b.Title})
	_, err = tea.NewProgram(m, opts...).Run()
	cancel()
	<-done
	if err != nil && !errors.Is(err, tea.ErrInterrupted) && !errors.Is(err, context.Canceled) && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return 1
	}
	return 0
}
