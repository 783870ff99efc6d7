package setup

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/backends/probe"
	"github.com/backdeck/backdeck/model/config"
)

// testClock is where the lab's world and the wizard's clock start.
var testClock = time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC)

func startLab(t *testing.T, grants []labpve.Grant) *lab.Homelab {
	t.Helper()
	h, err := lab.StartHomelab(lab.HomelabOptions{PVE: labpve.Options{Grants: grants, Now: func() time.Time { return testClock }},
		URBackup: laburbackup.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// newWizard is the wizard on a laptop, for a config in a new directory.
func newWizard(t *testing.T, h *lab.Homelab, existing string) (*driver, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "backdeck", "config.toml")
	opts := Options{ConfigPath: path, Now: func() time.Time { return testClock }, Timeout: 10 * time.Second,
		Getenv: func(k string) string { return map[string]string{"HOME": t.TempDir()}[k] }}
	if existing != "" {
		path = existing
		opts.ConfigPath = existing
		text, err := os.ReadFile(existing)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Parse(context.Background(), existing, text)
		if err != nil {
			t.Fatal(err)
		}
		opts.Existing, opts.ExistingText = cfg, text
	}
	return newDriver(t, New(opts), h.PVE.TokenSecret(), h.URBackup.Password()), path
}

// throughPVE goes from where-am-I to the privileges with the lab's token.
func throughPVE(d *driver, h *lab.Homelab, secret string) {
	d.t.Helper()
	d.at(stepWhere)
	d.key("enter") // laptop mode, as proposed
	d.typeText(h.PVE.URL())
	d.key("enter")
	d.at(stepTrust)
	d.key("enter") // pin it
	d.at(stepToken)
	d.key("enter") // the proposed token id
	d.typeText(secret)
	d.key("enter")
	d.key("enter") // the proposed file
}

func TestTheHappyPathWritesAConfigThatLoads(t *testing.T) {
	t.Parallel()
	h := startLab(t, nil)
	d, path := newWizard(t, h, "")
	throughPVE(d, h, h.PVE.TokenSecret())
	d.at(stepPrivileges)
	if sc := d.screen(); !strings.Contains(sc, "PVE 8.4.1 accepts the token backdeck@pve!console") || !strings.Contains(strings.Join(strings.Fields(sc), " "), "starting backups (vzdump), taking") || strings.Contains(sc, "✗") {
		t.Errorf("privileges:\n%s", sc)
	}
	d.key("enter")
	d.at(stepFound)
	for _, want := range []string{"Nodes: pve", "Guests (6, 2 templates)", "Backup job backup-k3s-daily: 14:20 → hddusb_bkpvzdumps, guests 411, 421, 422",
		"! No backup job covers: debiantpl (template 100), k3snodetpl (template 101), bkpserver (VM 431)"} {
		if !strings.Contains(d.screen(), want) {
			t.Errorf("found lacks %q:\n%s", want, d.screen())
		}
	}
	d.key("enter")
	d.at(stepURBackup)
	d.key("y")
	d.typeText(h.URBackup.TLSURL())
	d.key("enter")
	d.at(stepURBackupTrust)
	if !showsFingerprint(d.screen(), h.URBackup.Fingerprint()) {
		t.Errorf("UrBackup's fingerprint is not shown:\n%s", d.screen())
	}
	d.key("enter")
	d.at(stepURBackupLogin)
	d.replace(h.URBackup.Username())
	d.key("enter")
	d.typeText(h.URBackup.Password())
	d.key("enter")
	d.key("enter")
	d.at(stepURBackupFound)
	if sc := d.screen(); !strings.Contains(sc, `logged in as "admin"`) || !strings.Contains(sc, "k3sagent01") {
		t.Errorf("UrBackup found:\n%s", sc)
	}
	d.key("enter")
	d.at(stepDrives)
	if sc := d.screen(); !strings.Contains(sc, "NA8F1234") {
		t.Errorf("drives:\n%s", sc)
	}
	// Name the first drive, give it the first store; keep the others' names.
	for d.m.step == stepDrives {
		switch {
		case d.focused() == "holds0" && len(d.m.a.driveHolds[0]) == 0:
			d.key("x")
		case d.focused() == "czdrive" && d.m.a.czSerial == "":
			d.key("down")
			d.key("down") // the second drive: NB2K5678
		}
		d.key("enter")
	}
	d.at(stepConcerns)
	for d.m.step == stepConcerns {
		d.key("enter")
	}
	d.at(stepWrite)
	if sc := d.screen(); !strings.Contains(sc, "[[concern]] cluster, max age 26h: pve/qemu/411, pve/qemu/421, pve/qemu/422") {
		t.Errorf("the summary:\n%s", sc)
	}
	d.key("enter")
	d.at(stepDone)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no config after the write step: %v", err)
	}
	d.key("enter")
	d.until("the wizard to end", func() bool { return d.quit })
	res := d.m.Result()
	if !res.Written || !res.Open || res.Path != path {
		t.Errorf("result %+v", res)
	}

	for _, f := range []string{path, filepath.Join(filepath.Dir(path), "pve-token"), filepath.Join(filepath.Dir(path), "urbackup-password")} {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", f, err, fi.Mode().Perm())
		}
	}
	cfg, err := config.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mode != "laptop" || cfg.Proxmox.URL != h.PVE.URL() || cfg.Proxmox.Fingerprint != h.PVE.Fingerprint() || cfg.Proxmox.TokenID != h.PVE.TokenID() ||
		cfg.URBackup == nil || cfg.URBackup.Username != "admin" || cfg.URBackup.Fingerprint != h.URBackup.Fingerprint() {
		t.Errorf("config %+v %+v %+v", cfg, cfg.Proxmox, cfg.URBackup)
	}
	ids := map[string][]string{}
	var order []string
	for _, c := range cfg.Concerns {
		ids[c.ID] = c.Targets
		order = append(order, c.ID)
	}
	if !slices.Equal(order, []string{"host", "vms", "cluster", "appdata", "userdata", "backups"}) || !slices.Equal(ids["host"], []string{"clonezilla/*"}) || !slices.Equal(ids["vms"], []string{"pve/qemu/*"}) ||
		!slices.Contains(ids["appdata"], "urbackup/k3sagent01") {
		t.Errorf("concerns %v", ids)
	}
	if len(cfg.Drives) == 0 || len(cfg.Drives[0].Holds) != 1 {
		t.Errorf("drives %+v", cfg.Drives)
	}
	if cz := cfg.Clonezilla; cz == nil || cz.DriveSerial != "NB2K5678" || !slices.Equal(cz.ImageDirs, []string{"/mnt/cz-images"}) {
		t.Errorf("[clonezilla] %+v", cz)
	}
	secret, _ := os.ReadFile(filepath.Join(filepath.Dir(path), "pve-token"))
	if strings.TrimSpace(string(secret)) != h.PVE.TokenSecret() {
		t.Error("the token file does not hold the secret typed")
	}
	text, _ := os.ReadFile(path)
	if strings.Contains(string(text), h.PVE.TokenSecret()) || strings.Contains(string(text), h.URBackup.Password()) {
		t.Error("a secret is in config.toml")
	}
}

func TestARefusedFingerprintPinsNothing(t *testing.T) {
	t.Parallel()
	h := startLab(t, nil)
	d, path := newWizard(t, h, "")
	d.at(stepWhere)
	d.key("enter")
	d.typeText(h.PVE.URL())
	d.key("enter")
	d.at(stepTrust)
	if sc := d.screen(); !showsFingerprint(sc, h.PVE.Fingerprint()) || !strings.Contains(sc, "CN=pve.homelab.cloud") || !strings.Contains(sc, "pvenode cert info") {
		t.Errorf("the certificate is not shown:\n%s", sc)
	}
	d.key("down")
	d.key("down") // "It is not the same"
	d.key("enter")
	d.until("the refusal", func() bool { return strings.Contains(d.screen(), "not trusted, nothing pinned") })
	if d.m.step != stepTrust {
		t.Errorf("after a refusal the wizard is at %s", stepName(d.m.step))
	}
	d.key("esc")
	d.at(stepWhere)
	d.key("ctrl+c")
	d.until("the wizard to end", func() bool { return d.quit })
	if d.m.Result().Written {
		t.Error("written after Ctrl+C")
	}
	if entries, _ := os.ReadDir(filepath.Dir(filepath.Dir(path))); len(entries) != 0 {
		t.Errorf("files left: %v", entries)
	}
}

func TestAWrongSecretReturnsToTheSecretField(t *testing.T) {
	t.Parallel()
	h := startLab(t, nil)
	d, _ := newWizard(t, h, "")
	wrong := "00000000-1111-2222-3333-444444444444"
	d.secrets = append(d.secrets, wrong)
	throughPVE(d, h, wrong)
	d.until("the rejection", func() bool { return strings.Contains(d.screen(), "PVE rejected the token") })
	if d.m.step != stepToken || d.focused() != "secret" {
		t.Errorf("at %s, field %q; want the secret field of the token step", stepName(d.m.step), d.focused())
	}
	d.replace(h.PVE.TokenSecret())
	d.key("enter")
	d.key("enter")
	d.at(stepPrivileges)
}

func TestAnAuditorTokenNamesWhatIsMissingAndGoesOn(t *testing.T) {
	t.Parallel()
	h := startLab(t, []labpve.Grant{{Path: "/", Privileges: labpve.AuditorPrivileges}})
	d, _ := newWizard(t, h, "")
	throughPVE(d, h, h.PVE.TokenSecret())
	d.at(stepPrivileges)
	sc := d.screen()
	for _, want := range []string{
		"✗ starting backups (vzdump): missing VM.Backup on /vms, Datastore.AllocateSpace on /storage/",
		"✗ seeing backup content (vzdump archives): missing",
		"✗ taking and deleting snapshots: missing VM.Snapshot on /vms",
		"✓ allowed: seeing guests",
		"Missing privileges are allowed: the 4 features marked ✗ are switched off",
	} {
		if !strings.Contains(strings.Join(strings.Fields(sc), " "), want) {
			t.Errorf("privileges lack %q:\n%s", want, sc)
		}
	}
	d.key("enter")
	d.at(stepFound)
}

func TestAReRunStartsFromTheConfigAndKeepsTheRest(t *testing.T) {
	t.Parallel()
	h := startLab(t, nil)
	dir := t.TempDir()
	path, err := h.WriteConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A concern named by hand, and a drive unplugged while the wizard runs:
	// both are kept.
	named := strings.Replace(mustRead(t, path), "id = \"vms\"\n", "id = \"vms\"\nname = \"My VMs\"\n", 1)
	if err := os.WriteFile(path, []byte(named), 0o600); err != nil {
		t.Fatal(err)
	}
	h.PVE.SetDrivePresent("NB2K5678", false)
	before, _ := os.ReadFile(path)
	tokenBefore, _ := os.ReadFile(filepath.Join(dir, "pve-token"))
	d, _ := newWizard(t, h, path)
	d.at(stepWhere)
	if d.m.a.pveURL != h.PVE.URL() || d.m.a.mode != "laptop" {
		t.Errorf("the where step does not start from the config: %q %q", d.m.a.pveURL, d.m.a.mode)
	}
	d.key("enter")
	d.key("enter")
	d.at(stepTrust)
	if !strings.Contains(d.screen(), "Your config pins this certificate already.") {
		t.Errorf("trust:\n%s", d.screen())
	}
	d.key("enter")
	d.at(stepToken)
	d.key("enter")
	d.key("enter") // no secret typed: the file's is kept
	d.key("enter")
	d.at(stepPrivileges)
	d.key("enter")
	d.at(stepFound)
	d.key("enter")
	d.at(stepURBackup)
	d.key("enter") // yes, as the config has it
	d.key("enter") // its url
	d.at(stepURBackupTrust)
	d.key("enter")
	d.at(stepURBackupLogin)
	d.key("enter")
	d.key("enter")
	d.key("enter")
	d.at(stepURBackupFound)
	d.key("enter")
	d.at(stepDrives)
	if !strings.Contains(d.screen(), "NB2K5678  usb-images  not plugged in now") {
		t.Errorf("the unplugged drive:\n%s", d.screen())
	}
	for d.m.step == stepDrives {
		d.key("enter")
	}
	d.at(stepConcerns)
	for d.m.step == stepConcerns {
		d.key("enter")
	}
	d.at(stepWrite)
	d.key("enter")
	d.at(stepDone)

	after, _ := os.ReadFile(path)
	text := string(after)
	// The lab's header comment, its Clonezilla sections and the UrBackup
	// clients are none of the wizard's: kept byte for byte.
	for _, kept := range []string{"# backdeck config for the simulated homelab (backdeck lab)\n", "[[urbackup.client]]\nname = \"k3sagent01\"",
		section(string(before), "[clonezilla]", "[[concern]]")} {
		if !strings.Contains(text, kept) {
			t.Errorf("lost %q:\n%s", kept, text)
		}
	}
	tokenAfter, _ := os.ReadFile(filepath.Join(dir, "pve-token"))
	if string(tokenAfter) != string(tokenBefore) {
		t.Error("the token file changed, though no secret was typed")
	}
	cfg, err := config.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Concerns) != 6 || cfg.Concerns[0].ID != "host" || cfg.Concerns[0].MaxAge.Duration != 35*24*time.Hour || cfg.Concerns[1].Name != "My VMs" ||
		len(cfg.Drives) != 2 || cfg.Drives[0].Name != "usb-backups" || cfg.Drives[1].Name != "usb-images" {
		t.Errorf("concerns %+v, drives %+v", cfg.Concerns, cfg.Drives)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// showsFingerprint: the fingerprint is on the screen, in two halves.
func showsFingerprint(screen, fp string) bool {
	return strings.Contains(screen, fp[:48]) && strings.Contains(screen, "           "+fp[48:])
}

// section is src from the line start to before the line end.
func section(src, start, end string) string {
	i := strings.Index(src, start)
	if i < 0 {
		return "<no " + start + ">"
	}
	rest := src[i:]
	if j := strings.Index(rest, end); j >= 0 {
		return rest[:j]
	}
	return rest
}

// On a PVE host the wizard proposes host mode and localhost, and finds the
// drives with lsblk and smartctl (the lab's, here).
func TestOnAPVEHostItProposesHostModeAndReadsTheDrivesItself(t *testing.T) {
	t.Parallel()
	h := startLab(t, nil)
	path := filepath.Join(t.TempDir(), "config.toml")
	m := New(Options{ConfigPath: path, Now: func() time.Time { return testClock }, Timeout: 10 * time.Second,
		Host: probe.Host{PVE: true, Version: "pve-manager/8.4.1/2a5fa54a8503f96d"}, HostEnv: probe.HostEnv{Run: lab.SmartctlRunner()}})
	d := newDriver(t, m, h.PVE.TokenSecret())
	d.at(stepWhere)
	if sc := d.screen(); d.m.a.mode != "host" || d.m.a.pveURL != "https://localhost:8006" || !strings.Contains(sc, "This machine is a Proxmox VE host (pve-manager/8.4.1") {
		t.Errorf("mode %q, url %q:\n%s", d.m.a.mode, d.m.a.pveURL, sc)
	}
	d.key("enter")
	d.replace(h.PVE.URL()) // the lab is not on 8006
	d.key("enter")
	d.at(stepTrust)
	d.key("enter")
	d.at(stepToken)
	d.key("enter")
	d.typeText(h.PVE.TokenSecret())
	d.key("enter")
	d.key("enter")
	d.at(stepPrivileges)
	if !strings.Contains(d.screen(), "– reading the drives' SMART through PVE: not needed: on the host, smartctl reads the drives") {
		t.Errorf("privileges in host mode:\n%s", d.screen())
	}
	d.key("enter")
	d.at(stepFound)
	d.key("enter")
	d.at(stepURBackup)
	d.key("n")
	d.at(stepDrives)
	sc := d.screen()
	if !strings.Contains(sc, "NA8F1234") || !strings.Contains(sc, "SMART failed") {
		t.Errorf("drives through lsblk and smartctl:\n%s", sc)
	}
	d.key("esc") // back to UrBackup, then on again: the drives are not read twice
	d.at(stepURBackup)
	d.key("n")
	d.at(stepDrives)
}

// Esc abandons a check that is running; its outcome is dropped.
func TestEscAbandonsARunningCheck(t *testing.T) {
	t.Parallel()
	h := startLab(t, nil)
	d, _ := newWizard(t, h, "")
	d.at(stepWhere)
	d.key("enter")
	d.typeText(h.PVE.URL())
	d.send(tea.KeyPressMsg{Code: tea.KeyEnter}) // the check starts…
	for d.m.busy == "" {
		d.send(<-d.msgs)
	}
	d.key("esc") // …and is left
	if d.m.busy != "" || d.m.step != stepWhere {
		t.Errorf("after esc: busy %q at %s", d.m.busy, stepName(d.m.step))
	}
	d.settle()
	time.Sleep(200 * time.Millisecond)
	d.settle()
	if d.m.step != stepWhere {
		t.Errorf("the abandoned check moved the wizard to %s", stepName(d.m.step))
	}
}
