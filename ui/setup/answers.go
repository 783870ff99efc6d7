package setup

import (
	"path/filepath"
	"strings"

	"github.com/backdeck/backdeck/backends/probe"
	"github.com/backdeck/backdeck/model"
)

// Trust choices for a server's certificate. There is no "insecure": the
// wizard never switches verification off (a config may, by hand).
const (
	trustPin    = "pin"    // pin the SHA-256 fingerprint shown
	trustCA     = "ca"     // it chains to a CA in a file
	trustSystem = "system" // this system's CAs trust it
	trustRefuse = "refuse" // it is not the certificate of the host
)

// answers are what the operator chose and what the checks found.
type answers struct {
	mode string // host | laptop

	pveURL    string
	pveTrust  string
	pveCAFile string
	pveCert   probe.Certificate
	pvePinned string // the fingerprint the existing config pins

	tokenID     string
	tokenSecret string // typed, masked; "" keeps the existing secret
	tokenFile   string
	tokenEnv    string // the existing config's token_secret_env
	version     string
	perms       probe.Permissions
	disc        probe.Discovery
	features    []probe.FeatureCheck

	urbOn       bool
	urbURL      string
	urbTrust    string
	urbCAFile   string
	urbCert     *probe.Certificate // nil for http
	urbPinned   string
	urbUser     string
	urbPassword string // typed, masked; "" keeps the existing one
	urbFile     string
	urbEnv      string
	urbReport   probe.URBackupReport
	urbChecked  bool

	drives     []model.Drive
	drivesErr  string
	drivesRead bool
	driveNames []string   // per found drive
	driveHolds [][]string // per found drive: store ids

	czSerial string // the drive that holds the Clonezilla images; "" none
	czDir    string // where the images are on it, as mounted here

	concerns []concernAnswer
}

// concernAnswer is one concern as the concerns step edits it.
type concernAnswer struct {
	id       string
	name     string // the config's own name for it; "" is the default
	maxAge   string
	targets  string // comma-separated
	proposal string // why these targets and this age
}

// startingAnswers are the defaults: the existing config's values where it
// has them, else what this machine suggests.
func startingAnswers(o Options) answers {
	dir := filepath.Dir(o.ConfigPath)
	a := answers{
		mode:      o.Host.Mode(),
		pveTrust:  trustPin,
		tokenID:   "backdeck@pve!console",
		tokenFile: filepath.Join(dir, "pve-token"),
		urbTrust:  trustPin,
		urbUser:   "backdeck",
		czDir:     "/mnt/cz-images",
		urbFile:   filepath.Join(dir, "urbackup-password"),
	}
	if o.Host.PVE {
		a.pveURL = "https://localhost:8006"
	}
	c := o.Existing
	if c == nil {
		return a
	}
	if c.Mode == "host" || c.Mode == "laptop" {
		a.mode = c.Mode
	}
	if p := c.Proxmox; p != nil {
		a.pveURL, a.tokenID, a.pvePinned, a.pveCAFile = p.URL, p.TokenID, p.Fingerprint, p.CAFile
		if p.CAFile != "" {
			a.pveTrust = trustCA
		}
		if p.TokenSecretFile != "" {
			a.tokenFile = p.TokenSecretFile
		}
		a.tokenEnv = p.TokenSecretEnv
	}
	if cz := c.Clonezilla; cz != nil {
		a.czSerial = cz.DriveSerial
		if len(cz.ImageDirs) > 0 {
			a.czDir = cz.ImageDirs[0]
		}
	}
	if u := c.URBackup; u != nil {
		a.urbOn = true
		a.urbURL, a.urbUser, a.urbPinned, a.urbCAFile = u.URL, u.Username, u.Fingerprint, u.CAFile
		if u.CAFile != "" {
			a.urbTrust = trustCA
		}
		if u.PasswordFile != "" {
			a.urbFile = u.PasswordFile
		}
		a.urbEnv = u.PasswordEnv
	}
	return a
}

// forgetSecrets drops the typed secrets: they were written, or the
// operator left.
func (a *answers) forgetSecrets() { a.tokenSecret, a.urbPassword = "", "" }

// proxmox is the [proxmox] section chosen.
func (a *answers) proxmox() model.ProxmoxConfig {
	c := model.ProxmoxConfig{URL: strings.TrimSpace(a.pveURL), TokenID: strings.TrimSpace(a.tokenID), TokenSecretFile: a.tokenFile}
	if a.tokenSecret == "" && a.tokenEnv != "" {
		c.TokenSecretFile, c.TokenSecretEnv = "", a.tokenEnv
	}
	switch a.pveTrust {
	case trustPin:
		c.Fingerprint = a.pveCert.Fingerprint
	case trustCA:
		c.CAFile = a.pveCAFile
	}
	return c
}

// urbackup is the [urbackup] section chosen.
func (a *answers) urbackup() model.URBackupConfig {
	c := model.URBackupConfig{URL: strings.TrimSpace(a.urbURL), Username: strings.TrimSpace(a.urbUser)}
	if c.Username != "" {
		c.PasswordFile = a.urbFile
		if a.urbPassword == "" && a.urbEnv != "" {
			c.PasswordFile, c.PasswordEnv = "", a.urbEnv
		}
	}
	if a.urbCert != nil {
		switch a.urbTrust {
		case trustPin:
			c.Fingerprint = a.urbCert.Fingerprint
		case trustCA:
			c.CAFile = a.urbCAFile
		}
	}
	return c
}
