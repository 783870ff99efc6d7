package clonezilla

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func planNow() time.Time { return time.Date(2026, 11, 29, 14, 3, 0, 0, time.UTC) }

func seedPlan(t *testing.T, edit func(*PreflightInput), cfg PlanConfig) (Preflight, Plan, error) {
	t.Helper()
	in := pveInput(t)
	if edit != nil {
		edit(&in)
	}
	pf := RunPreflight(in)
	if cfg.Host == "" {
		cfg.Host = "pve"
	}
	if cfg.Now.IsZero() {
		cfg.Now = planNow()
	}
	p, err := MakePlan(pf, cfg)
	return pf, p, err
}

func TestPlanSeedHost(t *testing.T) {
	_, p, err := seedPlan(t, nil, PlanConfig{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, cmd string }{
		{"pve-pve-ssd-2026-11-29", "ocs-sr -q2 -j2 -z9p -i 0 -sfsck -senc -gs -p poweroff savedisk pve-pve-ssd-2026-11-29 SERIALNO=S5GXNX0T"},
		// The config says "zfl1abcd ": the host's spelling goes into the plan.
		{"pve-pve-hdd-2026-11-29", "ocs-sr -q2 -j2 -z9p -i 0 -sfsck -senc -gs -p poweroff savedisk pve-pve-hdd-2026-11-29 SERIALNO=ZFL1ABCD"},
	}
	if len(p.Runs) != len(want) {
		t.Fatalf("%d runs", len(p.Runs))
	}
	for i, w := range want {
		if r := p.Runs[i]; r.ImageName != w.name || r.Command != w.cmd {
			t.Errorf("run %d: %q / %q\nwant %q / %q", i, r.ImageName, r.Command, w.name, w.cmd)
		}
	}
	if p.Runs[0].Disk.Dev != "/dev/nvme0n1" || p.Runs[1].Disk.Dev != "/dev/sda" {
		t.Errorf("disks: %+v %+v", p.Runs[0].Disk, p.Runs[1].Disk)
	}
	if p.Mount != "mount UUID=3f2a9c1e-5d4b-4e8a-9b7c-1d2e3f4a5b6c /home/partimag" {
		t.Errorf("mount %q", p.Mount)
	}
	wantEntry := `menuentry "backdeck: save pve-ssd (S5GXNX0T) as pve-pve-ssd-2026-11-29, then power off" --id backdeck-pve-pve-ssd-2026-11-29 {
  search --set -f /live/vmlinuz
  linux /live/vmlinuz boot=live union=overlay username=user config components quiet noswap edd=on nomodeset enforcing=0 noeject locales=en_US.UTF-8 keyboard-layouts=us ocs_prerun="mount UUID=3f2a9c1e-5d4b-4e8a-9b7c-1d2e3f4a5b6c /home/partimag" ocs_live_run="ocs-sr -q2 -j2 -z9p -i 0 -sfsck -senc -gs -p poweroff savedisk pve-pve-ssd-2026-11-29 SERIALNO=S5GXNX0T" ocs_live_extra_param="" ocs_live_batch="yes" vga=788 ip= net.ifnames=0 splash i915.blacklist=yes radeonfb.modeset=0 nouveau.modeset=0
  initrd /live/initrd.img
}
`
	if p.Runs[0].MenuEntry != wantEntry {
		t.Errorf("menu entry:\n%s\nwant:\n%s", p.Runs[0].MenuEntry, wantEntry)
	}
	for _, bad := range []string{" -c ", "-scs", "-b "} {
		if strings.Contains(p.Runs[0].Command, bad) {
			t.Errorf("the unattended command has %q", bad)
		}
	}
}

func TestPlanText(t *testing.T) {
	pf, p, err := seedPlan(t, func(in *PreflightInput) { in.Host = pveHost(t) }, PlanConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# written by backdeck on 2026-11-29 14:03 for host pve\n",
		"boot/grub/grub.cfg",
		"syslinux/syslinux.cfg instead: backdeck does not write that one",
		"unplug the USB drive that holds the vzdump backups",
		"the day this file was prepared (2026-11-29)",
		"#   warn    VM snapshots: snap_vm-421-disk-0_preupgrade (snapshot of vm-421-disk-0)",
		"#   warn    vzdump drive: the vzdump drive hddusb (serial WD-WX12A3456789) is plugged in now (sdc)",
		"#   pass    disk pve-ssd: nvme0n1 · Samsung SSD 980 PRO 1TB · 931.5 GiB\n",
		p.Runs[0].MenuEntry,
		p.Runs[1].MenuEntry,
	} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("the text lacks %q:\n%s", want, p.Text)
		}
	}
	if strings.Contains(p.Text, "PREFLIGHT FAILED") || !pf.Ready() {
		t.Error("a passing preflight said to have failed")
	}
	// Outside the entries every line is a GRUB comment.
	inEntry := false
	for _, line := range strings.Split(strings.TrimSuffix(p.Text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "menuentry "):
			inEntry = true
		case line == "}":
			inEntry = false
		case !inEntry && line != "" && !strings.HasPrefix(line, "#"):
			t.Errorf("not a comment: %q", line)
		}
	}

	_, p, err = seedPlan(t, func(in *PreflightInput) { in.LiveVersion = "5.15.9" }, PlanConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text, "# THE PREFLIGHT FAILED") || !strings.Contains(p.Text, "#   fail    Clonezilla Live LVM-thin") {
		t.Errorf("a failed preflight is not flagged:\n%s", p.Text)
	}
}

func TestPlanOptions(t *testing.T) {
	noUUID := func(label string) func(*PreflightInput) {
		return func(in *PreflightInput) {
			in.Host = editFS(in.Host, "sdb1", func(d *BlockDev) { d.UUID, d.Label = "", label })
			in.DriveLabel, in.DriveSerial = "", "57584E314131"
		}
	}
	for _, c := range []struct {
		name string
		edit func(*PreflightInput)
		cfg  PlanConfig
		cmd  string // of the first run
		in   string // in the first entry
		err  string
	}{
		{name: "vfat image drive splits at 4000 MB",
			edit: func(in *PreflightInput) { in.Host = editFS(in.Host, "sdb1", func(d *BlockDev) { d.FSType = "vfat" }) },
			cmd:  "ocs-sr -q2 -j2 -z9p -i 4000 -sfsck -senc -gs -p poweroff savedisk pve-pve-ssd-2026-11-29 SERIALNO=S5GXNX0T"},
		{name: "mounted by label without UUID", edit: noUUID("BDIMAGES"),
			in: `ocs_prerun="mount LABEL=BDIMAGES /home/partimag"`},
		{name: "label with a space and no UUID", edit: noUUID("BD IMAGES"),
			err: "has spaces or quotes, which the kernel command line cannot carry, and lsblk gave no UUID: mount it by UUID"},
		{name: "label with a quote and no UUID", edit: noUUID(`BD"X`), err: "mount it by UUID"},
		{name: "neither UUID nor label", edit: noUUID(""), err: "neither UUID nor label"},
		{name: "image drive missing", edit: func(in *PreflightInput) { in.Host = withoutDisk(in.Host, "sdb") },
			err: "the image drive was not found"},
		{name: "no disks", edit: func(in *PreflightInput) { in.Disks = nil }, err: "no disk to image"},
		{name: "locale and keyboard",
			cfg: PlanConfig{Locale: "de_DE.UTF-8", Keyboard: "de"},
			in:  "locales=de_DE.UTF-8 keyboard-layouts=de "},
		{name: "bad locale", cfg: PlanConfig{Locale: "de DE"}, err: `[clonezilla] locale "de DE" has a space`},
		{name: "template with serial",
			cfg: PlanConfig{NameTemplate: "{host}_{serial}_{date}"},
			cmd: "ocs-sr -q2 -j2 -z9p -i 0 -sfsck -senc -gs -p poweroff savedisk pve_S5GXNX0T_2026-11-29 SERIALNO=S5GXNX0T"},
		{name: "template with a space", cfg: PlanConfig{NameTemplate: "{host} {disk}"},
			err: `image name "pve pve-ssd" for disk pve-ssd has a space: only letters, digits, '.', '_' and '-' may be used`},
		{name: "template with a slash", cfg: PlanConfig{NameTemplate: "{host}/{disk}"}, err: `has '/'`},
		{name: "template with a colon", cfg: PlanConfig{NameTemplate: "{disk}-{date}T14:00"}, err: `has ':'`},
		{name: "disk name with a non-ASCII letter",
			edit: func(in *PreflightInput) { in.Disks[0].Name = "prüf" }, err: `has 'ü'`},
		{name: "unknown placeholder", cfg: PlanConfig{NameTemplate: "{host}-{time}"}, err: "unknown {time}"},
		{name: "template naming every disk the same", cfg: PlanConfig{NameTemplate: "{host}-{date}"},
			err: "gives pve-2026-11-29 for both pve-ssd and pve-hdd"},
		{name: "leading dash", cfg: PlanConfig{NameTemplate: "-{disk}"}, err: "must start with a letter"},
		{name: "disk name quoted in the title",
			edit: func(in *PreflightInput) { in.Disks[0].Name = `ssd "fast" $x` },
			cfg:  PlanConfig{NameTemplate: "{host}-{serial}-{date}"},
			in:   `menuentry "backdeck: save ssd \"fast\" \$x (S5GXNX0T) as pve-S5GXNX0T-2026-11-29, then power off"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, p, err := seedPlan(t, c.edit, c.cfg)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.cmd != "" && p.Runs[0].Command != c.cmd {
				t.Errorf("command %q, want %q", p.Runs[0].Command, c.cmd)
			}
			if c.in != "" && !strings.Contains(p.Runs[0].MenuEntry, c.in) {
				t.Errorf("entry lacks %q:\n%s", c.in, p.Runs[0].MenuEntry)
			}
		})
	}
	if _, err := MakePlan(RunPreflight(pveInput(t)), PlanConfig{Host: "pve"}); err == nil {
		t.Error("a plan without a date")
	}
}

func TestPlanWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "backdeck-grub.cfg")
	first := Plan{Text: "# first\n"}
	if err := WritePlan(path, first, false); err != nil {
		t.Fatal(err)
	}
	assertFile := func(want string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil || string(b) != want {
			t.Fatalf("%q %v, want %q", b, err, want)
		}
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("mode %v", fi.Mode().Perm())
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("left beside it: %v", entries)
		}
	}
	assertFile("# first\n")

	err := WritePlan(path, Plan{Text: "# second\n"}, false)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "choose another path, or confirm overwriting it") {
		t.Fatalf("an existing file without overwrite: %v", err)
	}
	assertFile("# first\n")

	if err := WritePlan(path, Plan{Text: "# second\n"}, true); err != nil {
		t.Fatal(err)
	}
	assertFile("# second\n")

	// A rename that fails (the path is a directory) leaves no temp file.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WritePlan(sub, first, true); err == nil {
		t.Error("overwrote a directory")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("a temp file was left: %v", entries)
	}
	if err := WritePlan(filepath.Join(dir, "missing", "plan.cfg"), first, false); err == nil {
		t.Error("wrote into a missing directory")
	}
	if err := WritePlan(filepath.Join(dir, "missing", "plan.cfg"), first, true); err == nil {
		t.Error("wrote into a missing directory (overwrite)")
	}
}
