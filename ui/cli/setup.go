package cli

import (
	"context"
	"flag"
	"fmt"
)

func setupCommand() command {
	return command{
		name:    "setup",
		summary: "how to write a config (no wizard yet)",
		flags: func(fs *flag.FlagSet) action {
			return func(ctx context.Context, c *call) int {
				// Honest until the wizard exists: say how to set up by hand.
				fmt.Fprintln(c.Stderr, "backdeck setup: the setup wizard is not built yet. Copy config.toml.example to ~/.config/backdeck/config.toml and edit it (README: \"Point it at your Proxmox host\"), or run backdeck lab to get a config for the simulated homelab.")
				return exitSetup
			}
		},
	}
}
