package model

import "time"

// Config is the console's configuration, as read from config.toml.
// Every source section is optional: a nil section means "not used".
type Config struct {
	// Path is the file the config came from (empty for built-in configs).
	Path string `toml:"-"`
	// Warnings are what loaded but should be written otherwise, each
	// "file:line: …" and meant for the operator (stderr, the console).
	Warnings []string `toml:"-"`
	// Mode is "host", "laptop" or "auto".
	Mode     string          `toml:"mode"`
	Refresh  Duration        `toml:"refresh"` // how often sources are read; default 30s
	Proxmox  *ProxmoxConfig  `toml:"proxmox"`
	URBackup *URBackupConfig `toml:"urbackup"`
	Drives   []DriveConfig   `toml:"drive"`
	Concerns []ConcernConfig `toml:"concern"`
	UI       UIConfig        `toml:"ui"`
	Host     HostConfig      `toml:"host"`
	// Clonezilla is the [clonezilla] section: images of the host's own disks.
	Clonezilla *ClonezillaConfig `toml:"clonezilla"`
}

// ClonezillaConfig is the [clonezilla] section: where the images of the
// host's internal disks are, which disks they cover, and how the next
// imaging run is prepared.
type ClonezillaConfig struct {
	// ImageDirs are the directories holding image directories (Clonezilla's
	// /home/partimag), e.g. the image drive's mount point.
	ImageDirs []string `toml:"image_dirs"`
	// Host is {host} in image names; default "pve".
	Host string `toml:"host"`
	// NameTemplate names new images; default "{host}-{disk}-{date}".
	NameTemplate string `toml:"name_template"`
	// The image drive, by its filesystem's label or by the disk's serial.
	DriveLabel  string `toml:"drive_label"`
	DriveSerial string `toml:"drive_serial"`
	// LiveVersion is the clonezilla package version of the Live USB
	// ("5.15.26"): LVM-thin needs 5.15.11 or later.
	LiveVersion string `toml:"live_version"`
	Locale      string `toml:"locale"`   // default en_US.UTF-8
	Keyboard    string `toml:"keyboard"` // default us
	// Retention: keep the newest KeepLast images of each disk and the newest
	// of each of the last KeepMonthly months; 0 and 0 keep everything.
	KeepLast    int                    `toml:"keep_last"`
	KeepMonthly int                    `toml:"keep_monthly"`
	Disks       []ClonezillaDiskConfig `toml:"disk"`
}

// ClonezillaDiskConfig is one [[clonezilla.disk]]: an internal disk of the
// host that is imaged; it becomes the target clonezilla/<name>.
type ClonezillaDiskConfig struct {
	Name   string `toml:"name"`
	Serial string `toml:"serial"`
}

// HostConfig is the [host] section: what backdeck reads on the PVE host
// itself when it runs there (mode "host").
type HostConfig struct {
	// Mounts are mount points where backups land (e.g. the USB drive's
	// /mnt/hddusb_bkpvzdumps), read with statfs; one that is not mounted
	// shows offline.
	Mounts []string `toml:"mounts"`
}

// TLSConfig says how a server's certificate is trusted.
type TLSConfig struct {
	Fingerprint string `toml:"fingerprint"` // SHA-256 of the leaf certificate, AA:BB:…
	CAFile      string `toml:"ca_file"`
	Insecure    bool   `toml:"insecure"`
}

// ProxmoxConfig is the [proxmox] section.
type ProxmoxConfig struct {
	URL             string `toml:"url"`
	TokenID         string `toml:"token_id"`
	TokenSecretFile string `toml:"token_secret_file"`
	TokenSecretEnv  string `toml:"token_secret_env"`
	TLSConfig
	Timeout Duration      `toml:"timeout"` // per request; default 10s
	Vzdump  VzdumpDefault `toml:"vzdump"`
}

// VzdumpDefault is [proxmox.vzdump]: defaults for backups the console starts.
type VzdumpDefault struct {
	Storage       string `toml:"storage"`        // empty: the cluster job's storage, else the only online one
	Mode          string `toml:"mode"`           // snapshot | suspend | stop; default snapshot
	Compress      string `toml:"compress"`       // zstd | lzo | gzip | 0; default zstd
	NotesTemplate string `toml:"notes_template"` // default "{{guestname}}"
	Protected     bool   `toml:"protected"`
}

// URBackupConfig is the [urbackup] section.
type URBackupConfig struct {
	URL          string `toml:"url"`
	Username     string `toml:"username"`
	PasswordFile string `toml:"password_file"`
	PasswordEnv  string `toml:"password_env"`
	TLSConfig
	Timeout Duration `toml:"timeout"`
	// Store is the store that holds the server's backups (its data disk),
	// e.g. "pve/hddusb_bkpdata": the schedule marks runs that overlap on
	// its drive. The web API does not say where the server writes.
	Store string `toml:"store"`
	// Clients documents what each UrBackup client keeps safe.
	Clients []URBackupClientConfig `toml:"client"`
}

// URBackupClientConfig is one [[urbackup.client]]: the folders a client's
// file backups cover, shown in the detail pane (UrBackup's API does not say).
type URBackupClientConfig struct {
	Name    string   `toml:"name"`
	Folders []string `toml:"folders"`
}

// DriveConfig is one [[drive]]: a disk that holds backups.
type DriveConfig struct {
	Name   string   `toml:"name"`
	Serial string   `toml:"serial"`
	Holds  []string `toml:"holds"`
}

// ConcernConfig is one [[concern]].
type ConcernConfig struct {
	ID      string   `toml:"id"`
	Name    string   `toml:"name"`
	MaxAge  Duration `toml:"max_age"`
	Targets []string `toml:"targets"`
	// DrillMaxAge is the oldest the last passing restore drill of a guest
	// may be before it warns; 0: drills are not rated.
	DrillMaxAge Duration `toml:"drill_max_age"`
}

// UIConfig is the [ui] section.
type UIConfig struct {
	ASCII bool `toml:"ascii"` // ASCII glyphs instead of ✓ ! ✗
}

// Duration is a time.Duration written as "26h", "90m", "7d" or "2w".
type Duration struct{ time.Duration }

// ConcernSpecs turns the configured concerns into what BuildPosture rates.
func (c *Config) ConcernSpecs() []ConcernSpec {
	var out []ConcernSpec
	for _, cc := range c.Concerns {
		out = append(out, ConcernSpec{ID: ConcernID(cc.ID), Name: cc.Name, MaxAge: cc.MaxAge.Duration, Targets: cc.Targets,
			DrillMaxAge: cc.DrillMaxAge.Duration})
	}
	return out
}
