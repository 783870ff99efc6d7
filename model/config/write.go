package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// Setup is what the setup wizard writes into a config. What it leaves nil
// (or unset) stays as the file has it.
type Setup struct {
	// Mode is the top-level mode: "host", "laptop" or "auto"; "" leaves it.
	Mode string
	// Proxmox sets [proxmox]'s url, token_id, the secret's source
	// (token_secret_file or token_secret_env, the other dropped) and the
	// trust (one of fingerprint, ca_file, insecure, the others dropped);
	// timeout and [proxmox.vzdump] stay as they are.
	Proxmox *model.ProxmoxConfig
	// URBackup sets [urbackup]'s url, username, the password's source and
	// the trust the same way; timeout and [[urbackup.client]] stay.
	URBackup *model.URBackupConfig
	// Clonezilla sets [clonezilla]'s image_dirs and drive_serial (the
	// section is added when missing); its other keys and
	// [[clonezilla.disk]] stay.
	Clonezilla *ClonezillaImages
	// Drives, when set, replaces every [[drive]].
	Drives    []model.DriveConfig
	SetDrives bool
	// Concerns, when set, replaces every [[concern]].
	Concerns    []model.ConcernConfig
	SetConcerns bool
}

// ClonezillaImages is where the Clonezilla images are: the directories
// that hold them and the serial of the drive they are on.
type ClonezillaImages struct {
	ImageDirs   []string
	DriveSerial string
}

// Apply writes s into the text of a config (empty for a new one) and
// returns the new text, which it has parsed and read back: an edit that
// would not load, or would load as something else, is an error and the
// text is not to be written. name names the file in errors.
func Apply(ctx context.Context, name string, old []byte, s Setup) ([]byte, error) {
	src := string(old)
	var err error
	if s.Mode != "" {
		if src, err = setKeys(src, nil, []keyValue{{"mode", Quote(s.Mode)}}, nil); err != nil {
			return nil, err
		}
	}
	if p := s.Proxmox; p != nil {
		set := []keyValue{{"url", Quote(p.URL)}, {"token_id", Quote(p.TokenID)}}
		set, drop := secretSource(set, "token_secret_file", p.TokenSecretFile, "token_secret_env", p.TokenSecretEnv)
		set, drop = trust(set, drop, p.TLSConfig)
		if src, err = setKeys(src, []string{"proxmox"}, set, drop); err != nil {
			return nil, err
		}
	}
	if u := s.URBackup; u != nil {
		set := []keyValue{{"url", Quote(u.URL)}}
		var drop []string
		if u.Username != "" {
			set = append(set, keyValue{"username", Quote(u.Username)})
			set, drop = secretSource(set, "password_file", u.PasswordFile, "password_env", u.PasswordEnv)
		} else {
			drop = []string{"username", "password_file", "password_env"}
		}
		set, drop = trust(set, drop, u.TLSConfig)
		if src, err = setKeys(src, []string{"urbackup"}, set, drop); err != nil {
			return nil, err
		}
	}
	if cz := s.Clonezilla; cz != nil {
		set := []keyValue{{"image_dirs", tomlList(cz.ImageDirs)}, {"drive_serial", Quote(cz.DriveSerial)}}
		if src, err = setKeys(src, []string{"clonezilla"}, set, nil); err != nil {
			return nil, err
		}
	}
	if s.SetDrives {
		blocks := make([]string, len(s.Drives))
		for i, d := range s.Drives {
			blocks[i] = fmt.Sprintf("[[drive]]\nname = %s\nserial = %s\nholds = %s\n", Quote(d.Name), Quote(d.Serial), tomlList(d.Holds))
		}
		src = replaceArray(src, "drive", blocks)
	}
	if s.SetConcerns {
		blocks := make([]string, len(s.Concerns))
		for i, c := range s.Concerns {
			var b strings.Builder
			fmt.Fprintf(&b, "[[concern]]\nid = %s\n", Quote(c.ID))
			if c.Name != "" {
				fmt.Fprintf(&b, "name = %s\n", Quote(c.Name))
			}
			if c.MaxAge.Duration > 0 {
				fmt.Fprintf(&b, "max_age = %s\n", Quote(FormatDuration(c.MaxAge)))
			}
			if len(c.Targets) > 0 {
				fmt.Fprintf(&b, "targets = %s\n", tomlList(c.Targets))
			}
			if c.DrillMaxAge.Duration > 0 {
				fmt.Fprintf(&b, "drill_max_age = %s\n", Quote(FormatDuration(c.DrillMaxAge)))
			}
			blocks[i] = b.String()
		}
		src = replaceArray(src, "concern", blocks)
	}
	cfg, err := Parse(ctx, name, []byte(src))
	if err != nil {
		return nil, fmt.Errorf("the updated config would not load, so nothing was written: %w", err)
	}
	if err := readsBack(cfg, s); err != nil {
		return nil, fmt.Errorf("the updated config would not read back as set, so nothing was written: %w", err)
	}
	return []byte(src), nil
}

// secretSource sets the secret's file or variable and drops the other.
func secretSource(set []keyValue, fileKey, file, envKey, env string) ([]keyValue, []string) {
	if env != "" {
		return append(set, keyValue{envKey, Quote(env)}), []string{fileKey}
	}
	return append(set, keyValue{fileKey, Quote(file)}), []string{envKey}
}

// trust sets the one way the certificate is trusted and drops the others;
// none set (the system's CAs) drops all three.
func trust(set []keyValue, drop []string, t model.TLSConfig) ([]keyValue, []string) {
	switch {
	case t.Fingerprint != "":
		return append(set, keyValue{"fingerprint", Quote(t.Fingerprint)}), append(drop, "ca_file", "insecure")
	case t.CAFile != "":
		return append(set, keyValue{"ca_file", Quote(t.CAFile)}), append(drop, "fingerprint", "insecure")
	case t.Insecure:
		return append(set, keyValue{"insecure", boolText(true)}), append(drop, "fingerprint", "ca_file")
	}
	return set, append(drop, "fingerprint", "ca_file", "insecure")
}

// readsBack checks that what was set loads as set (paths compared as the
// loader expands them).
func readsBack(cfg *model.Config, s Setup) error {
	if s.Mode != "" && cfg.Mode != s.Mode {
		return fmt.Errorf("mode reads %q", cfg.Mode)
	}
	if p := s.Proxmox; p != nil {
		got := cfg.Proxmox
		if got == nil || got.URL != p.URL || got.TokenID != p.TokenID || got.TokenSecretEnv != p.TokenSecretEnv ||
			(p.TokenSecretFile != "") != (got.TokenSecretFile != "") || got.Insecure != p.Insecure ||
			(p.CAFile != "") != (got.CAFile != "") || !samePin(got.Fingerprint, p.Fingerprint) {
			return errors.New("[proxmox] reads otherwise")
		}
	}
	if u := s.URBackup; u != nil {
		got := cfg.URBackup
		if got == nil || got.URL != u.URL || got.Username != u.Username || got.PasswordEnv != u.PasswordEnv ||
			(u.PasswordFile != "") != (got.PasswordFile != "") || got.Insecure != u.Insecure || !samePin(got.Fingerprint, u.Fingerprint) {
			return errors.New("[urbackup] reads otherwise")
		}
	}
	if cz := s.Clonezilla; cz != nil && (cfg.Clonezilla == nil || cfg.Clonezilla.DriveSerial != cz.DriveSerial || len(cfg.Clonezilla.ImageDirs) != len(cz.ImageDirs)) {
		return errors.New("[clonezilla] reads otherwise")
	}
	if s.SetDrives && !(len(cfg.Drives) == 0 && len(s.Drives) == 0) && !reflect.DeepEqual(normDrives(cfg.Drives), normDrives(s.Drives)) {
		return errors.New("[[drive]] reads otherwise")
	}
	if s.SetConcerns && len(cfg.Concerns) != len(s.Concerns) {
		return errors.New("[[concern]] reads otherwise")
	}
	return nil
}

func normDrives(ds []model.DriveConfig) []model.DriveConfig {
	out := make([]model.DriveConfig, len(ds))
	for i, d := range ds {
		out[i] = model.DriveConfig{Name: d.Name, Serial: d.Serial, Holds: append([]string{}, d.Holds...)}
	}
	return out
}

// samePin compares fingerprints as the loader normalizes them.
func samePin(a, b string) bool {
	norm := func(s string) string {
		return strings.ToUpper(strings.NewReplacer(":", "", " ", "", "-", "").Replace(s))
	}
	return norm(a) == norm(b)
}

// FormatDuration writes a duration the way the config reads it, in the
// largest whole unit up to days: "35d", "26h", "90m".
func FormatDuration(d model.Duration) string {
	v := d.Duration
	switch {
	case v == 0:
		return "0s"
	case v%(24*3600e9) == 0:
		return fmt.Sprintf("%dd", v/(24*3600e9))
	case v%3600e9 == 0:
		return fmt.Sprintf("%dh", v/3600e9)
	case v%60e9 == 0:
		return fmt.Sprintf("%dm", v/60e9)
	}
	return v.String()
}

// WriteFile writes a config atomically: a private temporary file beside
// it, synced, renamed over it, the directory synced. The file is 0600
// whatever it was; its directory is created 0700 when missing. A symbolic
// link is followed, so the file it points at is the one replaced.
func WriteFile(path string, data []byte) error {
	return writePrivate(path, data)
}

// WriteSecret writes a secret to its own file, 0600, atomically, with a
// newline after it; errors name the file, never the secret.
func WriteSecret(path, secret string) error {
	if strings.TrimSpace(secret) == "" {
		return fmt.Errorf("no secret to write to %s", path)
	}
	return writePrivate(path, []byte(strings.TrimSpace(secret)+"\n"))
}

func writePrivate(path string, data []byte) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // gone after the rename; removes a failed attempt
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: the rename is durable on most filesystems without it
		d.Close()
	}
	return nil
}
