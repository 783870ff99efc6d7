package smart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// PVEDisks is what the laptop path needs of the PVE API
// (*proxmox.Client has it).
type PVEDisks interface {
	Nodes(ctx context.Context) ([]string, error)
	Disks(ctx context.Context, node string) ([]proxmox.Disk, error)
	DiskSMART(ctx context.Context, node, devpath string) (json.RawMessage, error)
}

var _ PVEDisks = (*proxmox.Client)(nil)

// pveDisk is a disk to read on one node.
type pveDisk struct {
	node string
	proxmox.Disk
}

// observePVE lists every node's disks and reads the USB and configured
// ones through GET /nodes/{n}/disks/smart. PVE runs smartctl itself
// (without -n standby), so this path cannot tell a sleeping drive.
func (s *Source) observePVE(ctx context.Context) ([]model.Drive, error) {
	if s.pve == nil {
		return nil, errors.New(`no PVE API to read SMART through: mode = "laptop" needs [proxmox]`)
	}
	nodes, err := s.pve.Nodes(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the PVE nodes for their disks: %w", err)
	}
	var (
		cands  []pveDisk
		failed []string // nodes whose disks could not be listed
		first  error
	)
	for _, node := range nodes {
		disks, err := s.pve.Disks(ctx, node)
		if err != nil {
			failed = append(failed, node)
			if first == nil {
				first = fmt.Errorf("listing the disks of node %s: %w", node, err)
			}
			continue
		}
		for _, d := range disks {
			if d.DevPath == "" {
				continue // nothing to ask PVE for
			}
			if d.Type == "usb" || s.configured(d.Serial) != nil {
				cands = append(cands, pveDisk{node: node, Disk: d})
			}
		}
	}
	if first != nil && len(failed) == len(nodes) {
		return nil, first
	}
	base, parallel := s.readTimeout(), s.reader.parallel()
	reads := inParallel(parallel, len(cands), func(i int) diskRead {
		r := pveDiskRead(cands[i])
		timeout, ok := driveTimeout(ctx, base)
		if !ok {
			r.err = outOfTime(len(cands), parallel)
			return r
		}
		return s.readPVE(ctx, timeout, cands[i], r)
	})
	if err := pveAccessError(reads); err != nil {
		return nil, err
	}
	why := ""
	switch len(failed) {
	case 0:
	case 1:
		why = "the disks of node " + failed[0] + " could not be listed"
	default:
		why = "the disks of nodes " + strings.Join(failed, ", ") + " could not be listed"
	}
	return s.assemble(reads, why), nil
}

func (s *Source) readTimeout() time.Duration {
	if s.reader != nil {
		return s.reader.timeout()
	}
	return defaultTimeout
}

// pveDiskRead is a disk as PVE's disks list shows it, not read yet.
func pveDiskRead(d pveDisk) diskRead {
	out := diskRead{devPath: d.DevPath, serial: strings.TrimSpace(d.Serial), model: displayModel(d.Vendor, d.Model), size: max(d.Size, 0)}
	if strings.EqualFold(out.serial, "unknown") {
		out.serial = ""
	}
	switch d.Type {
	case "usb", "hdd", "ssd", "nvme":
		out.typ = d.Type
	}
	return out
}

// readPVE reads one disk's SMART through PVE into out (pveDiskRead's) and
// fills in what PVE's answer does not say from its disks list: device,
// model, serial and transport.
func (s *Source) readPVE(ctx context.Context, timeout time.Duration, d pveDisk, out diskRead) diskRead {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := s.pve.DiskSMART(ctx, d.node, d.DevPath)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			err = fmt.Errorf("PVE gave no SMART of %s within %s: %w", d.DevPath, timeout, err)
		} else {
			err = fmt.Errorf("reading the SMART of %s through PVE: %w", d.DevPath, err)
		}
		out.err = err
		return out
	}
	reading, err := ParsePVESmart(raw, s.now())
	if err != nil {
		out.err = fmt.Errorf("the SMART of %s from PVE: %w", d.DevPath, err)
		return out
	}
	reading.Device, reading.Model, reading.Serial = d.DevPath, out.model, out.serial
	switch d.Type {
	case "usb", "nvme":
		reading.Transport = d.Type
	}
	out.reading = reading
	return out
}

// pveAccessError is Observe's error when every read was refused for the
// token's rights (or its validity), not for anything about the drives.
func pveAccessError(reads []diskRead) error {
	if len(reads) == 0 {
		return nil
	}
	for _, r := range reads {
		var ae *proxmox.APIError
		if !errors.As(r.err, &ae) || (ae.StatusCode != http.StatusUnauthorized && ae.StatusCode != http.StatusForbidden) {
			return nil
		}
	}
	return reads[0].err
}
