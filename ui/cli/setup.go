package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/backdeck/backdeck/backends/probe"
	"github.com/backdeck/backdeck/model/config"
	"github.com/backdeck/backdeck/ui/setup"
)

func setupCommand() command {
	return command{
		name:     "setup",
		synopsis: "[--config PATH]",
		summary:  "the setup wizard: a config from nothing (or from yours), checked live, then the dashboard",
		about: "Guides you from nothing to a working dashboard: where backdeck runs (host or laptop mode), trusting\n" +
			"the PVE host's certificate, the API token (it prints the pveum commands and names what a missing\n" +
			"privilege switches off), what PVE holds, UrBackup, the drives and the concerns. It writes config.toml\n" +
			"(mode 600, atomically) and each secret to its own file (mode 600) at the end, and nothing before:\n" +
			"Ctrl+C leaves without writing anything, Esc goes back a step. Run on an existing config, it starts\n" +
			"from it and keeps what it does not rewrite, comments included. It needs a terminal.",
		flags: func(fs *flag.FlagSet) action {
			path := fs.String("config", "", "config file (default $BACKDECK_CONFIG or $XDG_CONFIG_HOME/backdeck/config.toml)")
			return func(ctx context.Context, c *call) int {
				if len(c.args) > 0 {
					return c.failf(exitUsage, "takes no arguments (got %q)", c.args[0])
				}
				c.common.config = *path
				return runSetup(ctx, c)
			}
		},
	}
}

// runSetup runs the wizard on the config c.common.config names (or the
// default one), then the dashboard when the operator asks for it.
func runSetup(ctx context.Context, c *call) int {
	path, _ := config.FindPath(c.common.config, c.Getenv)
	if path == "" {
		return c.failf(exitSetup, "no place for the config: set HOME or XDG_CONFIG_HOME, or name one with --config")
	}
	if c.Columns() == 0 {
		return c.failf(exitUsage, "the wizard needs a terminal; without one, copy config.toml.example to %s and edit it (README: \"Point it at your Proxmox host\")", path)
	}
	opts := setup.Options{ConfigPath: path, Getenv: c.Getenv, Now: c.Now, NoColor: c.Getenv("NO_COLOR") != ""}
	text, err := os.ReadFile(path)
	switch {
	case err == nil:
		cfg, err := config.Parse(ctx, path, text)
		if err != nil {
			return c.failf(exitSetup, "%v\nFix the config first (the wizard keeps what it does not rewrite), or move it away to start afresh.", err)
		}
		opts.Existing, opts.ExistingText = cfg, text
	case !errors.Is(err, fs.ErrNotExist):
		return c.failf(exitSetup, "reading the config: %v", err)
	}
	opts.Host = probe.DetectHost(ctx, probe.HostEnv{})
	m := setup.New(opts)
	popts := []tea.ProgramOption{tea.WithFPS(30), tea.WithContext(ctx)}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	_, err = tea.NewProgram(m, popts...).Run()
	if err != nil && !errors.Is(err, tea.ErrInterrupted) && !errors.Is(err, context.Canceled) && !errors.Is(err, tea.ErrProgramKilled) {
		return c.failf(1, "%v", err)
	}
	res := m.Result()
	if !res.Written {
		fmt.Fprintln(c.Stderr, "backdeck setup: left; nothing was written.")
		return exitInterrupted
	}
	fmt.Fprintln(c.Stdout, "backdeck setup wrote:")
	for _, l := range res.Summary {
		fmt.Fprintln(c.Stdout, "  "+l)
	}
	fmt.Fprintln(c.Stdout, "backdeck doctor checks it again any time.")
	if !res.Open || ctx.Err() != nil {
		return 0
	}
	c.common.config = path
	return runDashboard(ctx, c)
}

// wizardInstead reports whether the dashboard should start the wizard:
// no config exists where it looks, and the operator is at a terminal.
func wizardInstead(c *call) bool {
	if c.common.demo || c.Columns() == 0 {
		return false
	}
	path, _ := config.FindPath(c.common.config, c.Getenv)
	if path == "" {
		return false
	}
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}
