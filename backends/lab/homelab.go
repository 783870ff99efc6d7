package lab

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/lab/urbackup"
)

// Homelab is the whole simulated homelab: the Proxmox VE node and the
// UrBackup server on bkpserver.
type Homelab struct {
	PVE      *pve.Server
	URBackup *urbackup.Server
	now      func() time.Time // the PVE's Options.Now: the images are written as of it
}

// HomelabOptions configure StartHomelab. When only one of the two servers
// has a Now, the other uses it too, so both worlds share one clock.
type HomelabOptions struct {
	PVE      pve.Options
	URBackup urbackup.Options
}

// StartHomelab starts both servers; if the second fails, the first is closed.
func StartHomelab(opts HomelabOptions) (*Homelab, error) {
	switch {
	case opts.PVE.Now == nil && opts.URBackup.Now != nil:
		opts.PVE.Now = opts.URBackup.Now
	case opts.URBackup.Now == nil && opts.PVE.Now != nil:
		opts.URBackup.Now = opts.PVE.Now
	}
	now := opts.PVE.Now
	if now == nil {
		now = time.Now // as pve.Start takes it
	}
	p, err := pve.Start(opts.PVE)
	if err != nil {
		return nil, err
	}
	u, err := urbackup.Start(opts.URBackup)
	if err != nil {
		_ = p.Close()
		return nil, err
	}
	return &Homelab{PVE: p, URBackup: u, now: now}, nil
}

// Close stops both servers.
func (h *Homelab) Close() error {
	return errors.Join(h.URBackup.Close(), h.PVE.Close())
}

// ConfigTOML is a backdeck config for both servers: the PVE token secret is
// read from secretFile, the UrBackup password from passwordFile.
func (h *Homelab) ConfigTOML(secretFile, passwordFile string) string {
	return configTOML(h.PVE, secretFile, h.URBackup, passwordFile, "")
}

// WriteConfig writes dir/pve-token and dir/urbackup-password (mode 0600;
// no password file for a server without users), the host's Clonezilla images
// in dir/partimag, and dir/config.toml, and returns the config's path.
func (h *Homelab) WriteConfig(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", err
	}
	secret := filepath.Join(abs, "pve-token")
	if err := writePrivate(secret, []byte(h.PVE.TokenSecret())); err != nil {
		return "", err
	}
	password := filepath.Join(abs, "urbackup-password")
	if h.URBackup.Username() != "" {
		if err := writePrivate(password, []byte(h.URBackup.Password())); err != nil {
			return "", err
		}
	}
	// The host's Clonezilla images, on the "image drive": a directory here.
	// A second run into the same directory keeps the images already there
	// (never overwrites or removes anything in it).
	images := filepath.Join(abs, "partimag")
	if entries, err := os.ReadDir(images); err != nil || len(entries) == 0 {
		if _, err := WriteClonezillaImages(images, h.now()); err != nil {
			return "", fmt.Errorf("the lab's Clonezilla images: %w", err)
		}
	}
	cfg := filepath.Join(abs, "config.toml")
	if err := writePrivate(cfg, []byte(configTOML(h.PVE, secret, h.URBackup, password, images))); err != nil {
		return "", err
	}
	return cfg, nil
}

// UsageRecord is one invented past reading of a storage's space, as
// Homelab.PVE.UsageHistory gives them to seed the demo's history.
type UsageRecord = pve.UsageRecord
