package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
)

const (
	title      = "backdeck — a terminal console for the backups of a Proxmox VE homelab"
	configHelp = `The config is found at --config, else $BACKDECK_CONFIG, else
$XDG_CONFIG_HOME/backdeck/config.toml. See config.toml.example.
`
	// synopsisWidth is where the summaries start in a list of commands; a
	// longer synopsis puts its summary on the next line.
	synopsisWidth = 42
)

// usage is the list of every command, for `backdeck help` and for an
// unknown command.
func usage(table []command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nUsage:\n", title)
	for _, c := range table {
		if c.flags == nil {
			continue // a group: its commands are listed
		}
		listRow(&b, "backdeck "+strings.TrimSpace(c.name+" "+c.synopsis), c.summary)
	}
	listRow(&b, "backdeck --version", "print the version")
	fmt.Fprintf(&b, "\n%sRun \"backdeck COMMAND --help\" for a command's flags.\n", configHelp)
	return b.String()
}

// groupUsage lists a group's commands: `backdeck clonezilla`.
func groupUsage(table []command, group command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: backdeck %s COMMAND [flags]\n\n%s\n\n", group.name, group.about)
	for _, c := range table {
		if sub, ok := strings.CutPrefix(c.name, group.name+" "); ok {
			listRow(&b, strings.TrimSpace(sub+" "+c.synopsis), c.summary)
		}
	}
	fmt.Fprintf(&b, "\nRun \"backdeck %s COMMAND --help\" for a command's flags.\n", group.name)
	return b.String()
}

func listRow(b *strings.Builder, synopsis, summary string) {
	if len(synopsis) >= synopsisWidth-2 {
		fmt.Fprintf(b, "  %s\n  %-*s%s\n", synopsis, synopsisWidth, "", summary)
		return
	}
	fmt.Fprintf(b, "  %-*s%s\n", synopsisWidth, synopsis, summary)
}

// commandHelp is a command's --help: its usage, what it does, its flags.
// The dashboard's is the list of every command.
func commandHelp(table []command, c command, fs *flag.FlagSet) string {
	var b strings.Builder
	if c.name == "" {
		b.WriteString(usage(table))
	} else {
		fmt.Fprintf(&b, "Usage: backdeck %s\n\n%s.\n", strings.TrimSpace(c.name+" "+c.synopsis), upperFirst(c.summary))
		if c.about != "" {
			fmt.Fprintf(&b, "\n%s\n", c.about)
		}
	}
	flags := 0
	fs.VisitAll(func(*flag.Flag) { flags++ })
	if flags > 0 {
		b.WriteString("\nFlags:\n")
		out := fs.Output()
		var f strings.Builder
		fs.SetOutput(&f)
		fs.PrintDefaults()
		fs.SetOutput(out)
		b.WriteString(f.String())
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func helpCommand() command {
	return command{
		name:     "help",
		synopsis: "[COMMAND]",
		summary:  "this list, or a command's help",
		flags: func(fs *flag.FlagSet) action {
			return func(ctx context.Context, c *call) int {
				if len(c.args) == 0 {
					fmt.Fprint(c.Stdout, usage(c.table))
					return 0
				}
				name := strings.Join(c.args, " ")
				cmd, ok := find(c.table, name)
				switch {
				case !ok:
					return unknownCommand(c.Env, c.table, name)
				case cmd.flags == nil:
					fmt.Fprint(c.Stdout, groupUsage(c.table, cmd))
					return 0
				}
				// The command's own --help, on stdout: it was asked for.
				e := *c.Env
				e.Stderr = c.Stdout
				return execute(ctx, &e, c.table, cmd, []string{"--help"})
			}
		},
	}
}
