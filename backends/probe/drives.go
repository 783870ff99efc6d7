package probe

import (
	"context"
	"errors"

	"github.com/backdeck/backdeck/backends/smart"
	"github.com/backdeck/backdeck/backends/toolrun"
	"github.com/backdeck/backdeck/model"
)

// Drives lists the USB drives (and the configured ones wherever they are
// attached) with their SMART state, as the console reads them: in host
// mode with lsblk and smartctl through run (nil: the real tools), on a
// laptop through PVE's disks API.
func Drives(ctx context.Context, mode string, run toolrun.Func, pve *PVE, configured []model.DriveConfig) ([]model.Drive, error) {
	opts := smart.SourceOptions{Mode: mode, Drives: configured}
	if mode == "host" {
		opts.Reader = &smart.Reader{Run: run}
	} else {
		if pve == nil {
			return nil, errors.New("laptop mode reads the drives through PVE: set up [proxmox] first")
		}
		opts.PVE = pve.c
	}
	st, err := smart.NewSource(opts).Observe(ctx)
	if err != nil {
		return nil, err
	}
	return st.Drives, nil
}
