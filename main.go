// Command backdeck is a terminal console for the backups of a small Proxmox
// VE homelab. This file is its front door: it hands the process's
// environment to ui/cli, which holds every command.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/backdeck/backdeck/ui/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	// Ctrl-C and SIGTERM end ctx: a config being read, a wait for a job or
	// the lab stop cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.Env{Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Columns: cli.TerminalWidth(os.Stdout), Version: version}) // Now: from BACKDECK_CLOCK, else time.Now
	stop()
	os.Exit(code)
}
