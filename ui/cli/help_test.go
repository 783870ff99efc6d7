package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every command answers --help with its usage and every flag it takes, on
// exit 0, and the list of commands names them all.
func TestEveryCommandHasHelp(t *testing.T) {
	home := t.TempDir()
	list, _, code := runIn(t, home, "help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	for _, cmd := range commands() {
		if cmd.flags == nil {
			continue
		}
		if !strings.Contains(list, "backdeck "+strings.TrimSpace(cmd.name+" "+cmd.synopsis)) || !strings.Contains(list, cmd.summary) {
			t.Errorf("the list of commands lacks %q:\n%s", cmd.name, list)
		}
		args := append(strings.Fields(cmd.name), "--help")
		_, help, code := runIn(t, home, args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		want := "Usage: backdeck " + strings.TrimSpace(cmd.name+" "+cmd.synopsis)
		if cmd.name == "" {
			want = list // the dashboard's help is the list of commands
		}
		if !strings.Contains(help, want) {
			t.Errorf("%v does not start with %q:\n%s", args, want, help)
		}
		fs := flag.NewFlagSet("", flag.ContinueOnError)
		cmd.flags(fs)
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(help, "-"+f.Name) || !strings.Contains(help, f.Usage) {
				t.Errorf("%v does not show -%s:\n%s", args, f.Name, help)
			}
		})
		if cmd.common && !strings.Contains(help, "-config") {
			t.Errorf("%v does not show --config", args)
		}
	}
}

// An unknown command is an error, --help or not, and the error lists the
// commands there are.
func TestAnUnknownCommandIsAnError(t *testing.T) {
	home := t.TempDir()
	for _, args := range [][]string{
		{"nosuchcmd"}, {"nosuchcmd", "--help"}, {"destroy", "--help"}, {"destroy", "pve/qemu/421"},
		{"--demo", "nosuchcmd"}, {"--config", "x.toml", "status"}, {"help", "nosuchcmd"}, {""}, {"help", ""},
	} {
		out, errOut, code := runIn(t, home, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		if out != "" || !strings.Contains(errOut, "unknown command") || !strings.Contains(errOut, "backdeck clonezilla verify") || !strings.Contains(errOut, "backdeck status") {
			t.Errorf("%v: the error does not list the commands:\nstdout %q\nstderr %s", args, out, errOut)
		}
	}
	for _, args := range [][]string{{"clonezilla", "nosuch"}, {"clonezilla", "nosuch", "--help"}, {"clonezilla"}} {
		_, errOut, code := runIn(t, home, args...)
		if code != exitUsage || !strings.Contains(errOut, "prune [--remove]") {
			t.Errorf("%v: exit %d, want %d with the clonezilla commands:\n%s", args, code, exitUsage, errOut)
		}
	}
	if _, errOut, code := runIn(t, home, "clonezilla", "--help"); code != 0 || !strings.Contains(errOut, "verify IMAGE|--all") {
		t.Errorf("clonezilla --help: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := runIn(t, home, "status", "--nosuchflag"); code != exitUsage || !strings.Contains(errOut, "nosuchflag") {
		t.Errorf("an unknown flag: exit %d\n%s", code, errOut)
	}
}

// status --help points to what a user has: README, not DESIGN.md.
func TestStatusHelpPointsToTheReadme(t *testing.T) {
	_, help, _ := runIn(t, t.TempDir(), "status", "--help")
	if strings.Contains(help, "DESIGN") || !strings.Contains(help, "keys in README") {
		t.Errorf("status --help:\n%s", help)
	}
}

func TestHelpOfACommandAndVersion(t *testing.T) {
	home := t.TempDir()
	out, errOut, code := runIn(t, home, "help", "clonezilla", "prune")
	if code != 0 || !strings.HasPrefix(out, "Usage: backdeck clonezilla prune") || errOut != "" {
		t.Errorf("help clonezilla prune: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	out, _, code = runIn(t, home, "help", "clonezilla")
	if code != 0 || !strings.Contains(out, "prepare [--out PATH]") {
		t.Errorf("help clonezilla: exit %d\n%s", code, out)
	}
	out, _, code = runIn(t, home, "--version")
	if code != 0 || out != "backdeck 1.2.3-test\n" {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

func TestSetupNeedsATerminalAndAConfigThatLoads(t *testing.T) {
	home := t.TempDir()
	_, errOut, code := runIn(t, home, "setup")
	if code != exitUsage || !strings.Contains(errOut, "the wizard needs a terminal") || !strings.Contains(errOut, "config.toml.example") {
		t.Errorf("setup without a terminal: exit %d\n%s", code, errOut)
	}
	broken := filepath.Join(home, "broken.toml")
	if err := os.WriteFile(broken, []byte("[proxmox]\nurl = 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runWith(t, home, session{columns: 80}, "setup", "--config", broken)
	if code != exitSetup || !strings.Contains(errOut, broken+":2") || !strings.Contains(errOut, "move it away to start afresh") {
		t.Errorf("setup on a broken config: exit %d\n%s", code, errOut)
	}
}
