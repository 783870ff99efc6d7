package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/backends/wire"
)

func labCommand() command {
	return command{
		name:     "lab",
		synopsis: "[--config-out PATH]",
		summary:  "the simulated homelab alone, with a config for it",
		about: "Runs the simulated homelab's servers on 127.0.0.1 until interrupted, prints their URLs,\n" +
			"and writes a ready config (and its secret file, mode 600) for them.",
		flags: func(fs *flag.FlagSet) action {
			out := fs.String("config-out", "backdeck-lab/config.toml", "where to write the config; its secret files go beside it")
			duration := fs.Duration("backup-duration", wire.DemoJobDuration, "how long a simulated vzdump takes")
			nodes := fs.String("nodes", "pve", "the cluster's node names, comma-separated (e.g. alpha,beta): the guests are dealt out over them")
			return func(ctx context.Context, c *call) int {
				return runLab(ctx, c, *out, *duration, strings.Split(*nodes, ","))
			}
		},
	}
}

func runLab(ctx context.Context, c *call, out string, duration time.Duration, nodes []string) int {
	h, err := lab.StartHomelab(lab.HomelabOptions{
		PVE:      labpve.Options{BackupDuration: duration, AuthFailDelay: 3 * time.Second, Now: c.Now, Nodes: nodes},
		URBackup: laburbackup.Options{BackupDuration: duration},
	})
	if err != nil {
		return c.failf(1, "%v", err)
	}
	defer h.Close()
	dir := filepath.Dir(out)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return c.failf(1, "%v", err)
	}
	written, err := h.WriteConfig(dir)
	if err == nil && filepath.Clean(written) != filepath.Clean(out) {
		err = os.Rename(written, out)
	}
	if err != nil {
		return c.failf(1, "%v", err)
	}
	p, u := h.PVE, h.URBackup
	fmt.Fprintf(c.Stdout, "PVE API       %s/api2/json\n  fingerprint %s\n  token       %s\nUrBackup      %s (behind nginx; the server itself at %s)\n  fingerprint %s\n  user        %s\nconfig        %s\n\nTry: backdeck --config %s\nPress Ctrl+C to stop.\n",
		p.URL(), p.Fingerprint(), p.TokenID(), u.TLSURL(), u.URL(), u.Fingerprint(), u.Username(), out, out)
	<-ctx.Done()
	return 0
}
