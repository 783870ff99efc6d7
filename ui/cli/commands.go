package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/wire"
)

// command is one row of the command table.
type command struct {
	// name is what is typed: "status", "clonezilla list"; "" is the
	// dashboard. A row whose flags is nil names a group ("clonezilla"):
	// the rows that start with its name and a space are its commands.
	name     string
	synopsis string // its arguments, as the list of commands shows them
	summary  string // one line
	about    string // what its --help says between the usage and the flags
	// common adds --config, --demo and --ascii.
	common bool
	// flags defines the command's own flags on fs and returns what runs the
	// command once they are parsed.
	flags func(fs *flag.FlagSet) action
}

// action runs a command.
type action func(ctx context.Context, c *call) int

// commands is the table: the list of commands and every --help come from it.
func commands() []command {
	return []command{
		dashboardCommand(), // first: what runs when no command is named
		statusCommand(),
		doctorCommand(),
		runCommand(),
		scheduleCommand(),
		pruneCommand(),
		restoreCommand(),
		drillCommand(),
		clonezillaGroup(),
		clonezillaListCommand(),
		clonezillaVerifyCommand(),
		clonezillaPrepareCommand(),
		clonezillaPruneCommand(),
		labCommand(),
		setupCommand(),
		helpCommand(),
	}
}

// call is one command being run.
type call struct {
	*Env
	table  []command
	fs     *flag.FlagSet
	common commonFlags
	args   []string // the positional arguments
}

// commonFlags are the flags of every command that reads a config.
type commonFlags struct {
	config string
	demo   bool
	ascii  bool
}

// dispatch finds the command the arguments name and runs it.
func dispatch(ctx context.Context, e *Env, table []command) int {
	args := e.Args
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return execute(ctx, e, table, table[0], args) // the dashboard's row comes first
	}
	cmd, ok := find(table, args[0])
	if !ok {
		return unknownCommand(e, table, args[0])
	}
	if cmd.flags != nil {
		return execute(ctx, e, table, cmd, args[1:])
	}
	// A group: its commands follow its name.
	rest := args[1:]
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" {
		fmt.Fprint(e.Stderr, groupUsage(table, cmd))
		if len(rest) == 0 {
			return exitUsage
		}
		return 0
	}
	sub, ok := find(table, cmd.name+" "+rest[0])
	if !ok {
		fmt.Fprintf(e.Stderr, "backdeck %s: unknown command %q\n\n%s", cmd.name, rest[0], groupUsage(table, cmd))
		return exitUsage
	}
	return execute(ctx, e, table, sub, rest[1:])
}

// find is the row of the command typed as name; the dashboard's row, which
// has no name, is never typed.
func find(table []command, name string) (command, bool) {
	for _, c := range table {
		if c.name == name && name != "" {
			return c, true
		}
	}
	return command{}, false
}

// unknownCommand refuses a command that does not exist, whatever follows
// it (--help included), and lists those that do.
func unknownCommand(e *Env, table []command, name string) int {
	fmt.Fprintf(e.Stderr, "backdeck: unknown command %q\n\n%s", name, usage(table))
	return exitUsage
}

// execute parses the command's flags and runs it.
func execute(ctx context.Context, e *Env, table []command, cmd command, args []string) int {
	c := &call{Env: e, table: table}
	c.fs = flag.NewFlagSet(strings.TrimSpace("backdeck "+cmd.name), flag.ContinueOnError)
	c.fs.SetOutput(e.Stderr)
	c.fs.Usage = func() { fmt.Fprint(e.Stderr, commandHelp(table, cmd, c.fs)) }
	if cmd.common {
		c.fs.StringVar(&c.common.config, "config", "", "config file (default $BACKDECK_CONFIG or $XDG_CONFIG_HOME/backdeck/config.toml)")
		c.fs.BoolVar(&c.common.demo, "demo", false, "use the built-in simulated homelab; needs nothing else")
		c.fs.BoolVar(&c.common.ascii, "ascii", false, "ASCII glyphs instead of ✓ ! ✗")
	}
	run := cmd.flags(c.fs)
	pos, err := parse(c.fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	c.args = pos
	return run(ctx, c)
}

// parse parses flags, with positional arguments allowed among them
// ("run pve/qemu/421 --method vzdump").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// build loads the config (or starts the demo) and builds the engine; the
// config's warnings go to stderr at once.
func (c *call) build(ctx context.Context, sourceTimeout time.Duration) (*wire.Built, error) {
	return wire.Build(ctx, wire.Options{ConfigPath: c.common.config, Demo: c.common.demo, Getenv: c.Getenv, Now: c.Now,
		SourceTimeout: sourceTimeout, Warn: func(w string) { fmt.Fprintln(c.Stderr, "backdeck: warning:", w) }})
}

// ascii reports whether glyphs are to be ASCII: --ascii or [ui] ascii.
func (c *call) ascii(b *wire.Built) bool {
	// The Linux console (TERM=linux: the PVE host's own screen) draws no
	// ✓ or ✗: ASCII there as with --ascii.
	return c.common.ascii || b.Config.UI.ASCII || c.Getenv("TERM") == "linux"
}

// warnf prints "backdeck NAME: …" on stderr.
func (c *call) warnf(format string, a ...any) {
	fmt.Fprintf(c.Stderr, "%s: %s\n", c.fs.Name(), fmt.Sprintf(format, a...))
}

// failf is warnf, then the exit code.
func (c *call) failf(code int, format string, a ...any) int {
	c.warnf(format, a...)
	return code
}
