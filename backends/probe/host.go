package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/smart"
	"github.com/backdeck/backdeck/backends/toolrun"
)

// HostEnv is how the host checks see this machine; tests give it a
// directory for a root and fake tools.
type HostEnv struct {
	// Root is where /etc/pve is looked for; "" is /.
	Root string
	// Run runs a tool (smartctl, lsblk, lvs, pveversion); nil runs the
	// real ones.
	Run toolrun.Func
	// Euid is the effective user id; nil asks the process.
	Euid func() int
	// Timeout bounds each tool; 0 is 10 s.
	Timeout time.Duration
}

func (e HostEnv) run(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	run := e.Run
	if run == nil {
		run = toolrun.Exec("LVM_SUPPRESS_FD_WARNINGS=1")
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return toolrun.Bounded(ctx, run, name, args...)
}

func (e HostEnv) euid() int {
	if e.Euid != nil {
		return e.Euid()
	}
	return os.Geteuid()
}

// Host is what this machine is.
type Host struct {
	// PVE: /etc/pve exists, so this is a Proxmox VE node.
	PVE bool
	// Version is what pveversion printed ("pve-manager/8.4.1/2a5fa54a…"),
	// "" when it did not run.
	Version string
}

// Mode is "host" on a PVE node, else "laptop".
func (h Host) Mode() string {
	if h.PVE {
		return "host"
	}
	return "laptop"
}

// DetectHost looks for /etc/pve and asks pveversion.
func DetectHost(ctx context.Context, env HostEnv) Host {
	root := env.Root
	if root == "" {
		root = "/"
	}
	var h Host
	if fi, err := os.Stat(filepath.Join(root, "etc", "pve")); err == nil && fi.IsDir() {
		h.PVE = true
	}
	if !h.PVE {
		return h
	}
	if out, code, err := env.run(ctx, "pveversion"); err == nil && code == 0 {
		h.Version = strings.TrimSpace(firstLine(string(out)))
	}
	return h
}

// ModeWords say what a mode can and cannot see.
func ModeWords(mode string) string {
	if mode == "host" {
		return "host mode: backdeck runs on the PVE host and reads the drives itself (smartctl, lsblk), the LVM thin pools (lvs) and the mount points; " +
			"it sees everything laptop mode sees, and the USB drives' SMART even while PVE does not list them; smartctl needs root"
	}
	return "laptop mode: everything comes through the PVE and UrBackup APIs; the drives' SMART comes from PVE's disks API (Sys.Audit on the node), " +
		"and the host's own stores (thin pools, mount points) and drives PVE does not list are not seen"
}

// Tool is one host tool's check.
type Tool struct {
	Name    string // smartctl, lsblk, lvs
	Package string // where it comes from on Debian
	For     string
}

// hostTools are the tools host mode runs.
var hostTools = []Tool{
	{Name: "smartctl", Package: "smartmontools", For: "the drives' SMART health"},
	{Name: "lsblk", Package: "util-linux", For: "finding the USB drives"},
	{Name: "lvs", Package: "lvm2", For: "the LVM thin pools' space"},
}

// HostTools checks that smartctl, lsblk and lvs are installed and run as
// the console runs them, and that smartctl can read drives (root).
func HostTools(ctx context.Context, env HostEnv) []Check {
	var out []Check
	for _, t := range hostTools {
		c := Check{ID: "host." + t.Name, Title: t.Name + " (" + t.For + ")"}
		var args []string
		switch t.Name {
		case "lsblk":
			args = []string{"-J", "-b", "-o", "NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR"}
		default:
			args = []string{"--version"}
		}
		stdout, code, err := env.run(ctx, t.Name, args...)
		switch {
		case errors.Is(err, exec.ErrNotFound):
			c.Status, c.Detail = Off, fmt.Sprintf("not installed: apt install %s (%s is switched off meanwhile)", t.Package, t.For)
		case err != nil:
			c.Status, c.Detail = Off, fmt.Sprintf("does not run: %v", err)
		case code != 0:
			c.Status, c.Detail = Off, fmt.Sprintf("exited with status %d", code)
		default:
			c.Status, c.Detail = OK, "runs"
			if t.Name == "lsblk" {
				devs, perr := smart.ParseLsblk(stdout)
				if perr != nil {
					c.Status, c.Detail = Off, "its output does not read: "+perr.Error()
				} else {
					c.Detail = fmt.Sprintf("runs: %d block devices", len(devs))
				}
			} else if v := strings.TrimSpace(firstLine(string(stdout))); v != "" {
				c.Detail = "runs: " + v
			}
			if t.Name == "smartctl" && env.euid() != 0 {
				c.Status, c.Detail = Off, c.Detail+"; but not as root, so it cannot read the drives: run backdeck as root on the host"
			}
		}
		out = append(out, c)
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
