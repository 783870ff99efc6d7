package config

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"

	"github.com/BurntSushi/toml"
)

var (
	tokenIDRe = regexp.MustCompile(`^[^\s@!:=]+@[A-Za-z][A-Za-z0-9._-]*![A-Za-z][A-Za-z0-9._-]*$`)
	envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	uuidRe    = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// storeIDRe is source/storage, with @node for a storage that each
	// node of a cluster has for itself (pve/local@alpha).
	storeIDRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9][A-Za-z0-9._-]*)?$`)
	storageIDRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)
)

// validate checks the values and fills in the defaults.
func (l *loader) validate(cfg *model.Config, md *toml.MetaData) {
	top := table{}
	l.oneOf(top, "mode", &cfg.Mode, "auto", "mode", "auto", "host", "laptop")
	switch {
	case !md.IsDefined("refresh"):
		cfg.Refresh.Duration = DefaultRefresh
	case cfg.Refresh.Duration < MinRefresh:
		l.failKey(top, "refresh", "%s is too often; the minimum is %s (the default is %s)", cfg.Refresh, model.Duration{Duration: MinRefresh}, model.Duration{Duration: DefaultRefresh})
	}
	if p := cfg.Proxmox; p != nil {
		l.validateProxmox(table{}.child("proxmox"), p, md)
	}
	if u := cfg.URBackup; u != nil {
		l.validateURBackup(table{}.child("urbackup"), u, md)
	}
	l.validateDrives(cfg.Drives)
	if c := cfg.Clonezilla; c != nil {
		l.validateClonezilla(table{}.child("clonezilla"), c)
	}
	l.validateConcerns(cfg)
}

func (l *loader) validateProxmox(t table, p *model.ProxmoxConfig, md *toml.MetaData) {
	const example = "https://pve.homelab.cloud:8006"
	if u, ok := l.checkURL(t, &p.URL, example); ok {
		if u.Scheme != "https" {
			l.failKey(t, "url", "the Proxmox API only speaks HTTPS; write %q", "https://"+u.Host+u.Path)
		}
		if strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/api2/json") {
			l.failKey(t, "url", "leave out /api2/json, backdeck adds it; write e.g. %q", example)
		}
	}
	switch {
	case p.TokenID == "":
		l.fail(t, "token_id", t.pos, "missing; write the API token's id, e.g. token_id = %q", "backdeck@pve!console")
	case strings.Contains(p.TokenID, "="):
		// "user@realm!name=secret" is how the token goes in a header: the
		// part after "=" is the secret, so the value is not repeated.
		l.failKey(t, "token_id", "holds an \"=\": write only user@realm!tokenname; the secret goes in a file (token_secret_file) or an environment variable (token_secret_env)")
	case !tokenIDRe.MatchString(p.TokenID):
		l.failKey(t, "token_id", "%q is not an API token id; write user@realm!tokenname, e.g. %q", p.TokenID, "backdeck@pve!console")
	}
	l.secretSource(t, "token secret", "token_secret_file", &p.TokenSecretFile, "token_secret_env", p.TokenSecretEnv, true)
	l.checkTLS(t, &p.TLSConfig, "https")
	l.timeout(t, &p.Timeout, md.IsDefined("proxmox", "timeout"))

	v := table{pos: "proxmox.vzdump", label: "[proxmox.vzdump]"}
	if p.Vzdump.Storage != "" && !storageIDRe.MatchString(p.Vzdump.Storage) {
		l.failKey(v, "storage", "%q is not a PVE storage name; write e.g. %q", p.Vzdump.Storage, "hddusb_bkpvzdumps")
	}
	l.oneOf(v, "mode", &p.Vzdump.Mode, DefaultVzdumpMode, "vzdump mode", "snapshot", "suspend", "stop")
	l.oneOf(v, "compress", &p.Vzdump.Compress, DefaultVzdumpCompress, "compression", "zstd", "lzo", "gzip", "0")
	if !md.IsDefined("proxmox", "vzdump", "notes_template") {
		p.Vzdump.NotesTemplate = DefaultNotesTemplate
	}
}

func (l *loader) validateURBackup(t table, u *model.URBackupConfig, md *toml.MetaData) {
	const example = "https://bkpserver.homelab.cloud"
	scheme := ""
	if parsed, ok := l.checkURL(t, &u.URL, example); ok {
		scheme = parsed.Scheme
		if strings.HasSuffix(strings.TrimRight(parsed.Path, "/"), "/x") {
			l.failKey(t, "url", "leave out /x, backdeck adds it; write the web UI's address, e.g. %q", example)
		}
	}
	hasPassword := l.secretSource(t, "password", "password_file", &u.PasswordFile, "password_env", u.PasswordEnv, false)
	switch {
	case hasPassword && u.Username == "":
		l.fail(t, "username", t.pos, "missing: a password is set, so write the user it belongs to, e.g. username = %q", "admin")
	case !hasPassword && u.Username != "":
		l.failKey(t, "username", "no password for %q: set password_file (a file, chmod 600) or password_env (an environment variable); leave both and username out for a server without users", u.Username)
	}
	if scheme != "" {
		l.checkTLS(t, &u.TLSConfig, scheme)
	}
	l.timeout(t, &u.Timeout, md.IsDefined("urbackup", "timeout"))
	seen := map[string]bool{}
	for i, c := range u.Clients {
		ct := t.elem("client", i)
		switch {
		case c.Name == "":
			l.fail(ct, "name", ct.pos, "missing: the client's name as UrBackup shows it, e.g. name = %q", "k3sagent01")
		case seen[c.Name]:
			l.failKey(ct, "name", "%q is listed twice", c.Name)
		}
		seen[c.Name] = true
	}
}

// checkURL checks that *raw is an http(s) URL with a host, and trims its
// trailing slash. The caller judges the scheme.
func (l *loader) checkURL(t table, raw *string, example string) (*url.URL, bool) {
	if *raw == "" {
		l.fail(t, "url", t.pos, "missing; write e.g. url = %q", example)
		return nil, false
	}
	u, err := url.Parse(*raw)
	if err == nil && u.User != nil {
		// Not repeated: it holds a password.
		l.failKey(t, "url", "must not hold a user or password; write e.g. %q", example)
		return nil, false
	}
	if err != nil || u.Hostname() == "" || u.Scheme != "http" && u.Scheme != "https" {
		l.failKey(t, "url", "%q is not a URL; write e.g. %q", *raw, example)
		return nil, false
	}
	if u.RawQuery != "" || u.Fragment != "" {
		l.failKey(t, "url", "%q: leave out the ?query and #fragment; write e.g. %q", *raw, example)
		return nil, false
	}
	*raw = strings.TrimRight(*raw, "/")
	return u, true
}

// secretSource checks that a secret comes from one file or one environment
// variable, and expands the file's path. It reports whether one is set.
func (l *loader) secretSource(t table, what, fileKey string, file *string, envKey, env string, required bool) bool {
	switch {
	case *file != "" && env != "":
		l.failKey(t, envKey, "set only one of %s and %s", fileKey, envKey)
		return true
	case *file == "" && env == "":
		if required {
			l.fail(t, fileKey, t.pos, "missing: no %s; set %s (a file, chmod 600) or %s (an environment variable)", what, fileKey, envKey)
		}
		return false
	case env != "":
		if !envNameRe.MatchString(env) {
			// Not repeated: people paste the secret itself here.
			l.failKey(t, envKey, "is not an environment variable name (letters, digits and _, e.g. %q); it names the variable that holds the %s, not the %s itself", "BACKDECK_PVE_TOKEN", what, what)
		}
		return true
	}
	if uuidRe.MatchString(*file) {
		l.failKey(t, fileKey, "looks like the %s itself; put the %s in a file (chmod 600) and write the file's path here", what, what)
		return true
	}
	*file = l.filePath(t, fileKey, *file)
	return true
}

// filePath expands ~ to the home directory and anchors a relative path at
// the config file's directory, so it means the same wherever backdeck runs.
func (l *loader) filePath(t table, key, p string) string {
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		home, err := os.UserHomeDir()
		if err != nil {
			l.failKey(t, key, "cannot expand ~: %v; write an absolute path", err)
			return p
		}
		return filepath.Join(home, p[1:])
	case strings.HasPrefix(p, "~"):
		l.failKey(t, key, "%q: only ~/… (your own home) is expanded; write an absolute path", p)
		return p
	case filepath.IsAbs(p) || l.name == "":
		return p
	}
	dir := filepath.Dir(l.name)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Join(dir, p)
}

// checkTLS checks the certificate options: at most one, the fingerprint in
// PVE's form, and none on plain HTTP.
func (l *loader) checkTLS(t table, c *model.TLSConfig, scheme string) {
	var set []string
	if c.Fingerprint != "" {
		set = append(set, "fingerprint")
	}
	if c.CAFile != "" {
		set = append(set, "ca_file")
	}
	if c.Insecure {
		set = append(set, "insecure")
	}
	if len(set) > 1 {
		l.failKey(t, set[1], "set only one of fingerprint, ca_file and insecure (here: %s)", strings.Join(set, " and "))
		return
	}
	if len(set) == 1 && scheme != "https" {
		l.failKey(t, set[0], "only applies to an https:// url")
		return
	}
	if c.Fingerprint != "" {
		fp, err := NormalizeFingerprint(c.Fingerprint)
		if err != nil {
			l.failKey(t, "fingerprint", "%v", err)
		}
		c.Fingerprint = fp
	}
	if c.CAFile != "" {
		c.CAFile = l.filePath(t, "ca_file", c.CAFile)
	}
}

// NormalizeFingerprint reads a SHA-256 certificate fingerprint written with
// or without colons, in any case, or as openssl prints it
// ("sha256 Fingerprint=AA:…"), and writes it as PVE shows it: "AA:BB:…".
func NormalizeFingerprint(s string) (string, error) {
	const how = "get it with `pvenode cert info` on the host, or `openssl s_client -connect pve:8006 </dev/null | openssl x509 -noout -fingerprint -sha256`"
	v := s
	if i := strings.LastIndex(v, "="); i >= 0 {
		v = v[i+1:]
	}
	v = strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(v))
	for _, r := range v {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return s, fmt.Errorf("%q is not a SHA-256 fingerprint (32 hex bytes, \"AA:BB:…\"); %s", s, how)
		}
	}
	switch len(v) {
	case 64:
	case 40:
		return s, fmt.Errorf("%q is a SHA-1 fingerprint; write the SHA-256 one (32 bytes); %s", s, how)
	default:
		return s, fmt.Errorf("%q is not a SHA-256 fingerprint (32 hex bytes, \"AA:BB:…\", here %d hex digits); %s", s, len(v), how)
	}
	v = strings.ToUpper(v)
	pairs := make([]string, 0, 32)
	for i := 0; i < len(v); i += 2 {
		pairs = append(pairs, v[i:i+2])
	}
	return strings.Join(pairs, ":"), nil
}

func (l *loader) timeout(t table, d *model.Duration, defined bool) {
	switch {
	case !defined:
		d.Duration = DefaultTimeout
	case d.Duration <= 0:
		l.failKey(t, "timeout", "must be more than 0s (the default is %s)", model.Duration{Duration: DefaultTimeout})
	}
}

func (l *loader) validateDrives(drives []model.DriveConfig) {
	serials := map[string]int{}
	names := map[string]int{}
	stores := map[string]int{}
	for i := range drives {
		d := &drives[i]
		t := table{}.elem("drive", i)
		if d.Name == "" {
			l.fail(t, "name", t.pos, "missing; name the drive, e.g. name = %q", "usb-backups")
		} else if j, dup := names[d.Name]; dup {
			l.failKey(t, "name", "%q is also the name of [[drive]] #%d", d.Name, j+1)
		} else {
			names[d.Name] = i
		}
		serial := strings.ToUpper(strings.TrimSpace(d.Serial))
		if serial == "" {
			l.fail(t, "serial", t.pos, "missing; write the drive's serial number as lsblk -o NAME,SERIAL or smartctl -i shows it, e.g. serial = %q", "NA8F1234")
		} else if j, dup := serials[serial]; dup {
			l.failKey(t, "serial", "%q is also the serial of [[drive]] #%d", d.Serial, j+1)
		} else {
			serials[serial] = i
		}
		for k, h := range d.Holds {
			pos := fmt.Sprintf("%s.holds[%d]", t.pos, k)
			switch j, dup := stores[h]; {
			case !storeIDRe.MatchString(h):
				l.fail(t, "holds", pos, "%q is not source/storage; write e.g. %q (or %q for a storage each node has)", h, "pve/hddusb_bkpvzdumps", "pve/local@pve")
			case dup && j == i:
				l.fail(t, "holds", pos, "%q is listed twice", h)
			case dup:
				l.fail(t, "holds", pos, "%q is also held by [[drive]] #%d; a store lives on one drive", h, j+1)
			default:
				stores[h] = i
			}
		}
	}
}

var (
	diskNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	versionRe  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)
	labelRe    = regexp.MustCompile(`^[^\s"'\\]+$`)
)

func (l *loader) validateClonezilla(t table, c *model.ClonezillaConfig) {
	if len(c.ImageDirs) == 0 {
		l.fail(t, "image_dirs", t.pos, "missing; list the directories that hold the images, e.g. image_dirs = [%q]", "/mnt/cz-images")
	}
	for i, d := range c.ImageDirs {
		pos := fmt.Sprintf("%s.image_dirs[%d]", t.pos, i)
		if strings.HasPrefix(d, "~") {
			c.ImageDirs[i] = l.filePath(t, "image_dirs", d)
			continue
		}
		if !filepath.IsAbs(d) {
			l.fail(t, "image_dirs", pos, "%q is not an absolute path; write e.g. %q", d, "/mnt/cz-images")
		}
	}
	if c.Host == "" {
		c.Host = "pve"
	} else if !diskNameRe.MatchString(c.Host) {
		l.failKey(t, "host", "%q: use letters, digits, '.', '_' and '-' only (it goes into image names)", c.Host)
	}
	if c.NameTemplate == "" {
		c.NameTemplate = DefaultImageNameTemplate
	} else if len(c.Disks) > 1 && !strings.Contains(c.NameTemplate, "{disk}") && !strings.Contains(c.NameTemplate, "{serial}") {
		l.failKey(t, "name_template", "%q has no {disk}: the images of your %d disks would get the same name", c.NameTemplate, len(c.Disks))
	}
	if c.DriveSerial != "" {
		c.DriveSerial = strings.TrimSpace(c.DriveSerial)
	}
	if c.DriveLabel != "" && !labelRe.MatchString(c.DriveLabel) {
		l.failKey(t, "drive_label", "%q holds a space or a quote, which cannot go on Clonezilla's boot line; set drive_serial instead, or relabel the filesystem", c.DriveLabel)
	}
	if c.LiveVersion != "" && !versionRe.MatchString(c.LiveVersion) {
		l.failKey(t, "live_version", "%q is not a version; write the clonezilla package version of your Live USB, e.g. %q", c.LiveVersion, "5.15.26")
	}
	if c.Locale == "" {
		c.Locale = "en_US.UTF-8"
	}
	if c.Keyboard == "" {
		c.Keyboard = "us"
	}
	if c.KeepLast < 0 {
		l.failKey(t, "keep_last", "must be 0 (keep all) or more")
	}
	if c.KeepMonthly < 0 {
		l.failKey(t, "keep_monthly", "must be 0 (keep all) or more")
	}
	names, serials := map[string]int{}, map[string]int{}
	for i := range c.Disks {
		d := &c.Disks[i]
		dt := t.elem("disk", i)
		switch j, dup := names[d.Name]; {
		case d.Name == "":
			l.fail(dt, "name", dt.pos, "missing; name the disk, e.g. name = %q (the target becomes clonezilla/<name>)", "pve-ssd")
		case !diskNameRe.MatchString(d.Name):
			l.failKey(dt, "name", "%q: use letters, digits, '.', '_' and '-' only", d.Name)
		case dup:
			l.failKey(dt, "name", "%q is also the name of [[clonezilla.disk]] #%d", d.Name, j+1)
		default:
			names[d.Name] = i
		}
		d.Serial = strings.TrimSpace(d.Serial)
		key := strings.ToUpper(d.Serial)
		switch j, dup := serials[key]; {
		case d.Serial == "":
			l.fail(dt, "serial", dt.pos, "missing; write the disk's serial number as lsblk -o NAME,SERIAL shows it, e.g. serial = %q", "S5GXNX0T")
		case dup:
			l.failKey(dt, "serial", "%q is also the serial of [[clonezilla.disk]] #%d", d.Serial, j+1)
		default:
			serials[key] = i
		}
	}
}

func (l *loader) validateConcerns(cfg *model.Config) {
	if len(cfg.Concerns) == 0 {
		// Without concerns the dashboard would be empty: rate what backdeck
		// can see by itself.
		if cfg.Proxmox != nil {
			cfg.Concerns = append(cfg.Concerns, model.ConcernConfig{ID: string(model.ConcernVMs), MaxAge: model.Duration{Duration: 26 * time.Hour}, Targets: []string{"*/qemu/*", "*/lxc/*"}})
		}
		if cz := cfg.Clonezilla; cz != nil {
			// Listed by id, so a disk shows (as unknown) even while the
			// image drive is not mounted.
			var targets []string
			for _, d := range cz.Disks {
				targets = append(targets, "clonezilla/"+d.Name)
			}
			targets = append(targets, "clonezilla/*") // images of disks not listed
			cfg.Concerns = append([]model.ConcernConfig{{ID: string(model.ConcernHost), MaxAge: model.Duration{Duration: DefaultImageMaxAge}, Targets: targets}}, cfg.Concerns...)
		}
		cfg.Concerns = append(cfg.Concerns, model.ConcernConfig{ID: string(model.ConcernBackups)})
		return
	}
	var ids []string
	for _, c := range model.ConcernIDs() {
		ids = append(ids, string(c))
	}
	seen := map[string]int{}
	for i, c := range cfg.Concerns {
		t := table{}.elem("concern", i)
		switch j, dup := seen[c.ID]; {
		case c.ID == "":
			l.fail(t, "id", t.pos, "missing; write one of %s", quoteList(ids, "or"))
		case !model.ConcernID(c.ID).Valid():
			msg := fmt.Sprintf("%q is not a concern; write one of %s", c.ID, quoteList(ids, "or"))
			if s := suggest(c.ID, ids); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			l.failKey(t, "id", "%s", msg)
		case dup:
			l.failKey(t, "id", "%q is already [[concern]] #%d", c.ID, j+1)
		default:
			seen[c.ID] = i
		}
		if c.ID == string(model.ConcernBackups) && len(c.Targets) > 0 {
			l.failKey(t, "targets", "the backups concern rates the stores and drives ([[drive]]); it takes no targets")
		}
		if c.ID == string(model.ConcernBackups) && c.DrillMaxAge.Duration > 0 {
			l.failKey(t, "drill_max_age", "the backups concern rates the stores and drives; restore drills are rated on the guests' concerns")
		}
		for k, tg := range c.Targets {
			pos := fmt.Sprintf("%s.targets[%d]", t.pos, k)
			if strings.TrimSpace(tg) == "" || strings.ContainsAny(tg, " \t") {
				l.fail(t, "targets", pos, "%q is not a target id; write e.g. %q or a pattern like %q", tg, "pve/qemu/411", "pve/qemu/*")
			} else if _, err := path.Match(tg, ""); err != nil {
				l.fail(t, "targets", pos, "%q is not a valid pattern (%v); write e.g. %q", tg, err, "pve/qemu/*")
			}
		}
		cfg.Concerns[i].Targets = l.renameGuestTargets(t.pos, c.Targets)
	}
}
