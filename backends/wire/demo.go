package wire

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/model/config"
)

// demoLab is the simulated homelab --demo runs on, with the config it
// wrote for it in a directory of its own.
type demoLab struct {
	homelab     *lab.Homelab
	cfg         *model.Config
	historyPath string
	close       func()
}

// startDemo starts the lab and loads the config it writes. The demo's
// history lives in the same temporary directory, so it never mixes with a
// real config's, and goes with it.
func startDemo(ctx context.Context, now func() time.Time) (*demoLab, error) {
	h, err := lab.StartHomelab(lab.HomelabOptions{
		PVE:      labpve.Options{BackupDuration: DemoJobDuration, Now: now},
		URBackup: laburbackup.Options{BackupDuration: DemoJobDuration},
	})
	if err != nil {
		return nil, fmt.Errorf("starting the simulated homelab: %w", err)
	}
	dir, err := os.MkdirTemp("", "backdeck-demo-")
	if err != nil {
		h.Close()
		return nil, err
	}
	d := &demoLab{homelab: h, historyPath: filepath.Join(dir, "history.db"), close: func() {
		h.Close()
		os.RemoveAll(dir)
	}}
	path, err := h.WriteConfig(dir)
	if err == nil {
		d.cfg, err = config.Load(ctx, path)
	}
	if err != nil {
		d.close()
		return nil, fmt.Errorf("the demo config: %w", err)
	}
	return d, nil
}
