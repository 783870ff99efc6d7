package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/model/config"
)

// ConfigTOML is a backdeck config for the PVE server p alone and the seed
// homelab's concerns; the token secret is read from secretFile.
func ConfigTOML(p *pve.Server, secretFile string) string {
	return configTOML(p, secretFile, nil, "", "")
}

// configTOML is the config for a PVE server and, when u is not nil, the
// UrBackup server beside it (reached through its HTTPS front), whose password
// is read from passwordFile; and when imagesDir is set, the Clonezilla images
// of the host's disks there (WriteClonezillaImages).
func configTOML(p *pve.Server, secretFile string, u *urbackup.Server, passwordFile, imagesDir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# backdeck config for the simulated homelab (backdeck lab)\n")
	fmt.Fprintf(&b, "mode = \"laptop\"\n\n")
	fmt.Fprintf(&b, "[proxmox]\n")
	fmt.Fprintf(&b, "url = %s\n", config.Quote(p.URL()))
	fmt.Fprintf(&b, "token_id = %s\n", config.Quote(p.TokenID()))
	fmt.Fprintf(&b, "token_secret_file = %s\n", config.Quote(secretFile))
	fmt.Fprintf(&b, "fingerprint = %s\n\n", config.Quote(p.Fingerprint()))
	if u != nil {
		fmt.Fprintf(&b, "[urbackup]\n")
		fmt.Fprintf(&b, "url = %s\n", config.Quote(u.TLSURL()))
		if u.Username() != "" {
			fmt.Fprintf(&b, "username = %s\n", config.Quote(u.Username()))
			fmt.Fprintf(&b, "password_file = %s\n", config.Quote(passwordFile))
		}
		fmt.Fprintf(&b, "fingerprint = %s\n\n", config.Quote(u.Fingerprint()))
		for _, c := range urbackup.SeedClients() {
			folders := make([]string, len(c.Folders))
			for i, f := range c.Folders {
				folders[i] = config.Quote(f)
			}
			fmt.Fprintf(&b, "[[urbackup.client]]\nname = %s\nfolders = [%s]\n\n", config.Quote(c.Name), strings.Join(folders, ", "))
		}
	}
	// The USB drives of the seed homelab (lab/host): the backup drive
	// holds both hddusb storages (their store ids, the same on one node or
	// several: see storeID in lab/pve); the Clonezilla images drive holds none.
	fmt.Fprintf(&b, "[[drive]]\nname = \"usb-backups\"\nserial = \"NA8F1234\"\nholds = [\"pve/hddusb_bkpvzdumps\", \"pve/hddusb_bkpdata\"]\n\n")
	fmt.Fprintf(&b, "[[drive]]\nname = \"usb-images\"\nserial = \"NB2K5678\"\nholds = []\n\n")
	if imagesDir != "" {
		// The seed host's internal disks (lab/host) and the images drive;
		// the Live version is invented.
		fmt.Fprintf(&b, "[clonezilla]\nimage_dirs = [%s]\nhost = %s\ndrive_label = \"cz-images\"\ndrive_serial = \"NB2K5678\"\nlive_version = \"5.15.26\"\nkeep_last = 2\nkeep_monthly = 3\n\n", config.Quote(imagesDir), config.Quote(p.Nodes()[0]))
		fmt.Fprintf(&b, "[[clonezilla.disk]]\nname = \"pve-ssd\"\nserial = \"S5GXNX0T\"\n\n[[clonezilla.disk]]\nname = \"pve-hdd\"\nserial = \"ZFL1ABCD\"\n\n")
		fmt.Fprintf(&b, "[[concern]]\nid = \"host\"\nmax_age = \"35d\"\ntargets = [\"clonezilla/pve-ssd\", \"clonezilla/pve-hdd\", \"clonezilla/*\"]\n\n")
	}
	fmt.Fprintf(&b, "[[concern]]\nid = \"vms\"\nmax_age = \"26h\"\ntargets = [\"pve/qemu/*\"]\n\n")
	fmt.Fprintf(&b, "[[concern]]\nid = \"cluster\"\nmax_age = \"26h\"\ntargets = [\"pve/qemu/411\", \"pve/qemu/421\", \"pve/qemu/422\"]\n\n")
	if u != nil {
		fmt.Fprintf(&b, "[[concern]]\nid = \"appdata\"\nmax_age = \"26h\"\ntargets = [\"urbackup/k3sagent01\", \"urbackup/k3sagent02\", \"urbackup/k3sserver01\"]\n\n")
		fmt.Fprintf(&b, "[[concern]]\nid = \"userdata\"\nmax_age = \"26h\"\ntargets = [\"urbackup/k3sagent01\", \"urbackup/k3sagent02\"]\n\n")
	}
	fmt.Fprintf(&b, "[[concern]]\nid = \"backups\"\n")
	return b.String()
}

// WriteConfig writes dir/pve-token (mode 0600) and dir/config.toml for p and
// returns the config's path.
func WriteConfig(dir string, p *pve.Server) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", err
	}
	secret := filepath.Join(abs, "pve-token")
	if err := writePrivate(secret, []byte(p.TokenSecret())); err != nil {
		return "", err
	}
	cfg := filepath.Join(abs, "config.toml")
	if err := os.WriteFile(cfg, []byte(ConfigTOML(p, secret)), 0o600); err != nil {
		return "", err
	}
	return cfg, nil
}

// writePrivate writes a secret readable by its owner only, even when the
// file existed with wider permissions.
func writePrivate(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}
