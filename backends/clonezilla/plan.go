package clonezilla

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model/config"
)

// PlanConfig is what the plan takes from the config.
type PlanConfig struct {
	Host string // {host}
	// NameTemplate names the images: {host}, {disk} (the configured name),
	// {serial}, and {date} (2006-01-02 of Now). Default "{host}-{disk}-{date}".
	NameTemplate string
	// Clonezilla Live's language and keyboard; default "en_US.UTF-8", "us".
	Locale, Keyboard string
	Now              time.Time
}

// PlanRun is the unattended imaging of one disk.
type PlanRun struct {
	Disk      PlanDisk
	ImageName string
	Command   string // the ocs-sr command
	MenuEntry string // the GRUB menu entry that runs it
}

// Plan is the file to put on the Clonezilla Live USB.
type Plan struct {
	Runs  []PlanRun
	Mount string // the ocs_prerun command that mounts the image drive
	Text  string // the whole file
}

const (
	// The repository Clonezilla Live saves into.
	ocsRoot = "/home/partimag"
	// vfatVolumeMB keeps every image file under FAT32's 4 GiB limit
	// (ocs-sr's -i is in decimal MB).
	vfatVolumeMB = 4000
)

// MakePlan writes the unattended run of the next imaging: one GRUB entry per
// disk that mounts the image drive, saves the disk and powers off. It does
// not refuse a preflight that failed (its lines are in the text); callers
// check pf.Ready() first.
func MakePlan(pf Preflight, cfg PlanConfig) (Plan, error) {
	var p Plan
	if len(pf.Disks) == 0 {
		return p, errors.New("no disk to image is configured: add a [[clonezilla.disk]] with name and serial")
	}
	if cfg.Now.IsZero() {
		return p, errors.New("the plan needs the date of today for the image names")
	}
	if cfg.NameTemplate == "" {
		cfg.NameTemplate = config.DefaultImageNameTemplate
	}
	if cfg.Locale == "" {
		cfg.Locale = "en_US.UTF-8"
	}
	if cfg.Keyboard == "" {
		cfg.Keyboard = "us"
	}
	for _, v := range []struct{ what, val string }{{"locale", cfg.Locale}, {"keyboard", cfg.Keyboard}} {
		if c, bad := badChar(v.val, "._-@"); bad {
			return p, fmt.Errorf("[clonezilla] %s %q has %s, which the kernel command line cannot carry", v.what, v.val, charWords(c))
		}
	}
	mount, err := mountCommand(pf.ImageDrive)
	if err != nil {
		return p, err
	}
	p.Mount = mount
	split := 0
	if pf.ImageDrive.FSType == "vfat" {
		split = vfatVolumeMB
	}
	names := map[string]string{}
	for _, d := range pf.Disks {
		serial := strings.ReplaceAll(strings.TrimSpace(d.Serial), " ", "_") // as ocs-sr's SERIALNO= wants it
		if serial == "" {
			return p, fmt.Errorf("disk %s has no serial: set [[clonezilla.disk]] serial (lsblk -o NAME,SERIAL lists them)", d.Name)
		}
		if c, bad := badChar(serial, "._-"); bad {
			return p, fmt.Errorf("the serial %q of disk %s has %s, which the kernel command line cannot carry", d.Serial, d.Name, charWords(c))
		}
		name, err := imageName(cfg, d, serial)
		if err != nil {
			return p, err
		}
		if other, dup := names[name]; dup {
			return p, fmt.Errorf("the name template gives %s for both %s and %s: put {disk} or {serial} in [clonezilla] name_template", name, other, d.Name)
		}
		names[name] = d.Name
		cmd := fmt.Sprintf("ocs-sr -q2 -j2 -z9p -i %d -sfsck -senc -gs -p poweroff savedisk %s SERIALNO=%s", split, name, serial)
		run := PlanRun{Disk: d, ImageName: name, Command: cmd}
		run.MenuEntry = menuEntry(run, serial, mount, cfg)
		p.Runs = append(p.Runs, run)
	}
	p.Text = planText(pf, p, cfg)
	return p, nil
}

// imageName fills the template and checks the result: Clonezilla puts the
// name in paths and in the kernel command line.
func imageName(cfg PlanConfig, d PlanDisk, serial string) (string, error) {
	values := map[string]string{
		"host": cfg.Host, "disk": d.Name, "serial": serial, "date": cfg.Now.Format("2006-01-02"),
	}
	var b strings.Builder
	t := cfg.NameTemplate
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			break
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			b.WriteString(t)
			break
		}
		key := t[i+1 : i+j]
		v, ok := values[key]
		if !ok {
			return "", fmt.Errorf("[clonezilla] name_template %q: unknown {%s}: use {host}, {disk}, {serial} and {date}", cfg.NameTemplate, key)
		}
		if v == "" {
			return "", fmt.Errorf("[clonezilla] name_template %q: {%s} is empty for disk %s", cfg.NameTemplate, key, d.Name)
		}
		b.WriteString(t[:i])
		b.WriteString(v)
		t = t[i+j+1:]
	}
	name := b.String()
	if c, bad := badChar(name, "._-"); bad {
		return "", fmt.Errorf("image name %q for disk %s has %s: only letters, digits, '.', '_' and '-' may be used (Clonezilla puts the name in paths and in the kernel command line): change [clonezilla] name_template or the disk's name", name, d.Name, charWords(c))
	}
	if name == "" || name[0] == '-' || name[0] == '.' {
		return "", fmt.Errorf("image name %q for disk %s must start with a letter, a digit or '_' (ocs-sr would take '-' for an option): change [clonezilla] name_template", name, d.Name)
	}
	return name, nil
}

// badChar finds the first character that is no ASCII letter or digit and
// not in extra.
func badChar(s, extra string) (rune, bool) {
	for _, c := range s {
		if c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(extra, c)) {
			continue
		}
		return c, true
	}
	return 0, false
}

func charWords(c rune) string {
	switch c {
	case ' ':
		return "a space"
	case '"':
		return "a double quote"
	case '\'':
		return "a quote"
	}
	return fmt.Sprintf("%q", c)
}

// mountCommand mounts the image drive where Clonezilla Live looks for
// images, by UUID when lsblk gave one.
func mountCommand(fs *BlockDev) (string, error) {
	if fs == nil {
		return "", errors.New("the image drive was not found: plug it in and run the preflight again")
	}
	if fs.UUID != "" {
		if c, bad := badChar(fs.UUID, "-"); bad {
			return "", fmt.Errorf("the UUID %q of %s has %s: cannot mount it by UUID from the kernel command line", fs.UUID, fs.Name, charWords(c))
		}
		return "mount UUID=" + fs.UUID + " " + ocsRoot, nil
	}
	if fs.Label == "" {
		return "", fmt.Errorf("%s has neither UUID nor label to mount it by: give it a label", fs.Name)
	}
	if strings.ContainsAny(fs.Label, " \t\"'\\$`") {
		return "", fmt.Errorf("the label %q of %s has spaces or quotes, which the kernel command line cannot carry, and lsblk gave no UUID: mount it by UUID (check lsblk -o NAME,UUID %s) or relabel it", fs.Label, fs.Name, devPath(*fs))
	}
	return "mount LABEL=" + fs.Label + " " + ocsRoot, nil
}

// menuEntry is a GRUB entry in the form of Clonezilla Live's own, with the
// run in its boot parameters: ocs_prerun mounts the image drive,
// ocs_live_run saves, ocs_live_batch="yes" asks nothing. noeject keeps the
// power-off from waiting for the boot medium to be removed.
func menuEntry(r PlanRun, serial, mount string, cfg PlanConfig) string {
	title := fmt.Sprintf("backdeck: save %s (%s) as %s, then power off", r.Disk.Name, serial, r.ImageName)
	return fmt.Sprintf(`menuentry "%s" --id backdeck-%s {
  search --set -f /live/vmlinuz
  linux /live/vmlinuz boot=live union=overlay username=user config components quiet noswap edd=on nomodeset enforcing=0 noeject locales=%s keyboard-layouts=%s ocs_prerun="%s" ocs_live_run="%s" ocs_live_extra_param="" ocs_live_batch="yes" vga=788 ip= net.ifnames=0 splash i915.blacklist=yes radeonfb.modeset=0 nouveau.modeset=0
  initrd /live/initrd.img
}
`, grubQuote(title), r.ImageName, cfg.Locale, cfg.Keyboard, mount, r.Command)
}

// grubQuote escapes what GRUB interprets inside double quotes.
func grubQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "\n", " ").Replace(s)
}

// planText is the file: comments saying where it goes and what the
// preflight found, then the entries.
func planText(pf Preflight, p Plan, cfg PlanConfig) string {
	var b strings.Builder
	line := func(format string, a ...any) {
		s := fmt.Sprintf(format, a...)
		b.WriteString(strings.TrimRight("# "+strings.ReplaceAll(s, "\n", " "), " ") + "\n")
	}
	line("written by backdeck on %s for host %s", cfg.Now.Format("2006-01-02 15:04"), cfg.Host)
	line("")
	line("Paste the entries below into the Clonezilla Live USB's boot/grub/grub.cfg, the")
	line("menu of UEFI boot, after its first menuentry. For BIOS (legacy) boot Clonezilla")
	line("Live reads syslinux/syslinux.cfg instead: backdeck does not write that one.")
	line("")
	line("Each entry mounts the image drive on %s, saves one disk without asking", ocsRoot)
	line("anything, and powers the host off. Boot the entry of one disk, wait for the")
	line("power-off, then boot the next.")
	line("")
	line("Before you boot Clonezilla: unplug the USB drive that holds the vzdump backups")
	line("(the guide requires it, so Clonezilla cannot pick it and no mistake can touch it).")
	line("The date in the image names is the day this file was prepared (%s),", cfg.Now.Format("2006-01-02"))
	line("not the day of the run.")
	line("")
	if !pf.Ready() {
		line("THE PREFLIGHT FAILED: fix the lines marked fail, then prepare again.")
	}
	line("Preflight:")
	for _, c := range pf.Checks {
		line("  %-7s %s: %s", c.State, c.Name, c.Reason)
	}
	if pf.Expected > 0 {
		line("  expected size of the images: %d bytes (%s)", pf.Expected, pf.RatioFrom)
	}
	for _, r := range p.Runs {
		b.WriteString("\n")
		line("%s: %s", r.Disk.Name, r.Command)
		b.WriteString(r.MenuEntry)
	}
	return b.String()
}

// WritePlan writes the plan's text to path, mode 0644. An existing file is
// kept unless overwrite, and then replaced whole (written beside it and
// renamed), so that no half-written plan is ever left.
func WritePlan(path string, p Plan, overwrite bool) error {
	if overwrite {
		return replaceFile(path, []byte(p.Text))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists: choose another path, or confirm overwriting it: %w", path, err)
	}
	if err != nil {
		return err
	}
	err = writeAll(f, []byte(p.Text))
	if err != nil {
		os.Remove(path) // ours: O_EXCL made it
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeAll writes, sets the mode against the umask, syncs and closes.
func writeAll(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	if err := writeAll(tmp, data); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
