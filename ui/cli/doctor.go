package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/probe"
	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/model/config"
)

func doctorCommand() command {
	return command{
		name:     "doctor",
		synopsis: "[--json] [--config PATH]",
		summary:  "check the config, the servers, the token's privileges and the host; exit 0 fine, 1 something off, 2 cannot work",
		about: "Runs the setup wizard's checks on an existing config, without asking anything: where backdeck runs,\n" +
			"PVE's certificate (the pin and its expiry), the token and its privileges for each feature, the\n" +
			"UrBackup login and the web user's rights, smartctl, lsblk and lvs in host mode, the drives, the\n" +
			"secret files' modes, the state directory and the history. One line per check; exit 0 when all\n" +
			"are fine, 1 when something is switched off, 2 when backdeck cannot work. Secrets are never shown.",
		flags: func(fs *flag.FlagSet) action {
			configPath := fs.String("config", "", "config file (default $BACKDECK_CONFIG or $XDG_CONFIG_HOME/backdeck/config.toml)")
			asJSON := fs.Bool("json", false, "print one JSON object: status and checks (id, status, title, detail)")
			ascii := fs.Bool("ascii", false, "ASCII glyphs instead of ✓ ! ✗")
			timeout := fs.Duration("timeout", wire.SourceTimeout, "how long each server's checks may take")
			return func(ctx context.Context, c *call) int {
				if len(c.args) > 0 {
					return c.failf(exitUsage, "takes no arguments (got %q)", c.args[0])
				}
				checks := runDoctor(ctx, c, *configPath, *timeout)
				return printDoctor(c, checks, *asJSON, *ascii)
			}
		},
	}
}

// runDoctor loads the config and runs every check it allows; a config
// that does not load is one failed check.
func runDoctor(ctx context.Context, c *call, flagPath string, timeout time.Duration) []probe.Check {
	path, _ := config.FindPath(flagPath, c.Getenv)
	cfgCheck := probe.Check{ID: "config", Title: "config " + path}
	if path == "" {
		cfgCheck.Status, cfgCheck.Detail = probe.Fail, "no config path: set HOME or XDG_CONFIG_HOME, or name one with --config"
		return []probe.Check{cfgCheck}
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		cfgCheck.Status, cfgCheck.Detail = probe.Fail, "does not exist: run backdeck setup"
		return []probe.Check{cfgCheck}
	}
	cfg, err := config.Load(ctx, path)
	if err != nil {
		cfgCheck.Status, cfgCheck.Detail = probe.Fail, err.Error()
		return []probe.Check{cfgCheck}
	}
	cfgCheck.Status, cfgCheck.Detail = probe.OK, "loads"
	if len(cfg.Warnings) > 0 {
		cfgCheck.Status, cfgCheck.Detail = probe.Off, "loads, with warnings: "+strings.Join(cfg.Warnings, "; ")
	}
	host := probe.HostEnv{}
	mode := cfg.Mode
	if mode == "" || mode == "auto" {
		mode = probe.DetectHost(ctx, host).Mode()
	}
	checks := probe.Doctor(ctx, probe.DoctorOptions{Config: cfg, Mode: mode, HistoryPath: wire.HistoryPath(c.Getenv, path),
		Getenv: c.Getenv, Now: c.Now, Host: host, Timeout: timeout})
	return append([]probe.Check{cfgCheck}, checks...)
}

// doctorReport is doctor's JSON: keys may be added, never renamed.
type doctorReport struct {
	Status probe.Status  `json:"status"` // ok, off or fail, as the exit code 0, 1, 2
	Checks []probe.Check `json:"checks"`
}

func printDoctor(c *call, checks []probe.Check, asJSON, ascii bool) int {
	if asJSON {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doctorReport{Status: probe.Worst(checks), Checks: checks}); err != nil {
			fmt.Fprintln(c.Stderr, "backdeck doctor:", err)
		}
		return probe.ExitCode(checks)
	}
	for _, ch := range checks {
		fmt.Fprintf(c.Stdout, "%s %-4s %s: %s\n", doctorGlyph(ch.Status, ascii), ch.Status, ch.Title, ch.Detail)
	}
	switch probe.ExitCode(checks) {
	case 0:
		fmt.Fprintln(c.Stdout, "\nAll fine.")
	case 1:
		fmt.Fprintln(c.Stdout, "\nbackdeck works, with what is marked off switched off.")
	default:
		fmt.Fprintln(c.Stdout, "\nbackdeck cannot work until what is marked fail is fixed (backdeck setup fixes most of it).")
	}
	return probe.ExitCode(checks)
}

func doctorGlyph(s probe.Status, ascii bool) string {
	switch s {
	case probe.OK:
		return map[bool]string{false: "✓", true: "+"}[ascii]
	case probe.Note:
		return map[bool]string{false: "·", true: "-"}[ascii]
	case probe.Off:
		return "!"
	}
	return map[bool]string{false: "✗", true: "x"}[ascii]
}
