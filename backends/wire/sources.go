package wire

import (
	"path/filepath"
	"strings"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/backends/drill"
	"github.com/backdeck/backdeck/backends/hoststore"
	"github.com/backdeck/backdeck/backends/lab"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/backends/secret"
	"github.com/backdeck/backdeck/backends/smart"
	"github.com/backdeck/backdeck/backends/toolrun"
	"github.com/backdeck/backdeck/backends/urbackup"
	"github.com/backdeck/backdeck/model"
)

// buildSources makes one source per configured tool. The demo reads the
// lab's fake smartctl and lsblk in place of the host's.
func (b *Built) buildSources(opts Options, demo bool) ([]backends.Observer, error) {
	cfg := b.Config
	var observers []backends.Observer
	var pve *proxmox.Client
	if cfg.Proxmox != nil {
		sec, err := secret.Read("the PVE token secret", cfg.Proxmox.TokenSecretFile, cfg.Proxmox.TokenSecretEnv, opts.Getenv)
		if err != nil {
			return nil, err
		}
		c, err := proxmox.New(proxmox.Options{Config: *cfg.Proxmox, Secret: sec, Now: opts.Now})
		if err != nil {
			return nil, err
		}
		// Drills run as jobs of the PVE source, in this process.
		b.Drills = drill.NewRunner(c, b.HistoryPath, opts.Now)
		b.closers = append(b.closers, b.Drills.Close)
		observers = append(observers, b.Drills)
		pve = c
		b.Proxmox = c
		if b.Title == "" {
			b.Title = strings.TrimPrefix(strings.TrimPrefix(cfg.Proxmox.URL, "https://"), "http://")
		}
	}
	// SMART: on the PVE host through smartctl and lsblk, on a laptop through
	// the PVE API for the configured drives.
	switch {
	case demo:
		observers = append(observers, smart.NewSource(smart.SourceOptions{Mode: "host", Drives: cfg.Drives, Reader: &smart.Reader{Run: lab.SmartctlRunner(), Now: opts.Now}}))
	case b.Mode == "host":
		observers = append(observers, smart.NewSource(smart.SourceOptions{Mode: "host", Drives: cfg.Drives, Reader: &smart.Reader{Now: opts.Now}}))
	case len(cfg.Drives) > 0 && pve != nil:
		observers = append(observers, smart.NewSource(smart.SourceOptions{Mode: "laptop", Drives: cfg.Drives, PVE: pve, Now: opts.Now}))
	}
	// The host's own stores: its LVM thin pools and the mount points [host] lists.
	if b.Mode == "host" && !demo {
		observers = append(observers, hoststore.New(hoststore.Options{Mounts: cfg.Host.Mounts}))
	}
	if cfg.URBackup != nil {
		pw := ""
		if cfg.URBackup.PasswordFile != "" || cfg.URBackup.PasswordEnv != "" {
			var err error
			pw, err = secret.Read("the UrBackup password", cfg.URBackup.PasswordFile, cfg.URBackup.PasswordEnv, opts.Getenv)
			if err != nil {
				return nil, err
			}
		}
		c, err := urbackup.New(urbackup.Options{Config: *cfg.URBackup, Password: pw, Now: opts.Now})
		if err != nil {
			return nil, err
		}
		observers = append(observers, c)
	}
	if cfg.Clonezilla != nil {
		var run toolrun.Func
		switch {
		case demo:
			run = lab.SmartctlRunner()
		case b.Mode == "host":
			run = toolrun.Exec("LVM_SUPPRESS_FD_WARNINGS=1")
		}
		// The last inventory lives beside the history, for while the image
		// drive is away.
		b.Clonezilla = clonezilla.NewSource(clonezilla.SourceOptions{Config: *cfg.Clonezilla, Run: run, VzdumpDrive: vzdumpDrive(cfg), Now: opts.Now,
			CachePath: filepath.Join(filepath.Dir(b.HistoryPath), "clonezilla-images.json")})
		observers = append(observers, b.Clonezilla)
	}
	return observers, nil
}

// vzdumpDrive is the serial of the [[drive]] that holds the vzdump storage
// (the configured one, else any proxmox store that is not the image drive).
func vzdumpDrive(cfg *model.Config) string {
	storage := ""
	if cfg.Proxmox != nil {
		storage = cfg.Proxmox.Vzdump.Storage
	}
	imageDrive := ""
	if cfg.Clonezilla != nil {
		imageDrive = cfg.Clonezilla.DriveSerial
	}
	fallback := ""
	for _, d := range cfg.Drives {
		for _, h := range d.Holds {
			if storage != "" && strings.HasSuffix(h, "/"+storage) {
				return d.Serial
			}
			if fallback == "" && !strings.EqualFold(d.Serial, imageDrive) {
				fallback = d.Serial
			}
		}
	}
	return fallback
}
