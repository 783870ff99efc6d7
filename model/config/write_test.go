package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

const (
	pinA = "3F:9A:1C:5E:77:0B:D2:48:A6:19:EE:04:7C:B3:52:90:6D:F1:28:AA:C4:3B:85:0E:D9:62:17:4F:A0:BB:36:C8"
	pinB = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
)

func wizardSetup() Setup {
	return Setup{
		Mode: "laptop",
		Proxmox: &model.ProxmoxConfig{URL: "https://pve.homelab.cloud:8006", TokenID: "backdeck@pve!console",
			TokenSecretFile: "/home/me/.config/backdeck/pve-token", TLSConfig: model.TLSConfig{Fingerprint: pinB}},
		URBackup: &model.URBackupConfig{URL: "https://bkpserver.homelab.cloud", Username: "backdeck",
			PasswordFile: "/home/me/.config/backdeck/urbackup-password", TLSConfig: model.TLSConfig{Fingerprint: pinA}},
		SetDrives:   true,
		Drives:      []model.DriveConfig{{Name: "usb-backups", Serial: "NA8F1234", Holds: []string{"pve/hddusb_bkpvzdumps"}}},
		SetConcerns: true,
		Concerns: []model.ConcernConfig{
			{ID: "vms", MaxAge: model.Duration{Duration: 26 * time.Hour}, Targets: []string{"pve/qemu/100", "pve/qemu/411"}},
			{ID: "host", MaxAge: model.Duration{Duration: 35 * 24 * time.Hour}, Targets: []string{"clonezilla/*"}},
			{ID: "backups"},
		},
	}
}

func TestApplyWritesANewConfigThatLoadsAsChosen(t *testing.T) {
	ctx := context.Background()
	text, err := Apply(ctx, "config.toml", nil, wizardSetup())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(ctx, "config.toml", text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if cfg.Mode != "laptop" || cfg.Proxmox.URL != "https://pve.homelab.cloud:8006" || cfg.Proxmox.TokenID != "backdeck@pve!console" ||
		cfg.URBackup.Username != "backdeck" || len(cfg.Drives) != 1 || len(cfg.Concerns) != 3 || cfg.Concerns[0].MaxAge.Duration != 26*time.Hour ||
		cfg.Concerns[1].MaxAge.Duration != 35*24*time.Hour {
		t.Errorf("loaded %+v\n%s", cfg, text)
	}
	if strings.Contains(string(text), "token_secret =") || strings.Contains(string(text), "password =") {
		t.Errorf("a secret key in the config:\n%s", text)
	}
}

func readExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "config.toml.example"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestApplyChangesOnlyTheValuesItSets(t *testing.T) {
	old := readExample(t)
	s := Setup{Proxmox: &model.ProxmoxConfig{URL: "https://pve2.homelab.cloud:8006", TokenID: "backdeck@pve!console",
		TokenSecretFile: "~/.config/backdeck/pve-token", TLSConfig: model.TLSConfig{Fingerprint: pinB}}}
	text, err := Apply(context.Background(), "config.toml", []byte(old), s)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(old, `url = "https://pve.homelab.cloud:8006"`, `url = "https://pve2.homelab.cloud:8006"`, 1)
	want = strings.Replace(want, `fingerprint = "`+pinA+`"`, `fingerprint = "`+pinB+`"`, 1)
	if string(text) != want {
		t.Errorf("more than the two values changed:\n%s", lineDiff(want, string(text)))
	}
}

func TestApplySwitchesTrustAndSecretSource(t *testing.T) {
	old := readExample(t)
	s := Setup{Proxmox: &model.ProxmoxConfig{URL: "https://pve.homelab.cloud:8006", TokenID: "backdeck@pve!console",
		TokenSecretEnv: "BACKDECK_PVE_TOKEN", TLSConfig: model.TLSConfig{CAFile: "/etc/ssl/homelab-ca.pem"}}}
	text, err := Apply(context.Background(), "config.toml", []byte(old), s)
	if err != nil {
		t.Fatal(err)
	}
	got := string(text)
	proxmox := section(got, "[proxmox]", "[proxmox.vzdump]")
	for _, want := range []string{"token_secret_env = \"BACKDECK_PVE_TOKEN\"\n", "ca_file = \"/etc/ssl/homelab-ca.pem\"\n",
		"# ca_file = \"~/.config/backdeck/pve-root-ca.pem\"", "# insecure = false", "timeout = \"10s\""} {
		if !strings.Contains(proxmox, want) {
			t.Errorf("[proxmox] lacks %q:\n%s", want, proxmox)
		}
	}
	for _, gone := range []string{"\nfingerprint = ", "\ntoken_secret_file = "} {
		if strings.Contains(proxmox, gone) {
			t.Errorf("[proxmox] still has %q:\n%s", gone, proxmox)
		}
	}
	// [urbackup] keeps its own fingerprint: only [proxmox] was set.
	if !strings.Contains(section(got, "[urbackup]", "[[urbackup.client]]"), "fingerprint = ") {
		t.Error("[urbackup] lost its fingerprint")
	}
}

func TestApplyReplacesConcernsAndDrivesAndKeepsTheRest(t *testing.T) {
	old := readExample(t)
	text, err := Apply(context.Background(), "config.toml", []byte(old), wizardSetup())
	if err != nil {
		t.Fatal(err)
	}
	got := string(text)
	for _, kept := range []string{
		"# backdeck configuration — every key, with the seed homelab as the example.",
		"# The backup concerns, one [[concern]] each, shown in this order:",
		"# The dashboard.\n[ui]",
		"[[clonezilla.disk]]\nname = \"pve-ssd\"",
		"[[urbackup.client]]\n# The client's name as UrBackup shows it",
		"[proxmox.vzdump]\n",
	} {
		if !strings.Contains(got, kept) {
			t.Errorf("lost %q", kept)
		}
	}
	// The comments right above a replaced block's header go with it.
	for _, gone := range []string{"# The K3s cluster: the backups of its node VMs.", "# The drives that hold backups, one [[drive]] each.", `name = "usb-images"`,
		"# The drive for the Clonezilla images of the host's disks."} {
		if strings.Contains(got, gone) {
			t.Errorf("kept %q of a replaced block", gone)
		}
	}
	if n := strings.Count(got, "\n[[concern]]\n"); n != 3 {
		t.Errorf("%d [[concern]] in the text", n)
	}
	cfg, err := Parse(context.Background(), "config.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Clonezilla == nil || len(cfg.Clonezilla.Disks) != 2 || cfg.UI.ASCII || len(cfg.URBackup.Clients) != 1 || cfg.Proxmox.Vzdump.Storage != "hddusb_bkpvzdumps" {
		t.Errorf("the untouched sections read otherwise: %+v", cfg)
	}
}

func TestApplySetsWhereTheClonezillaImagesAre(t *testing.T) {
	old := readExample(t)
	s := Setup{Clonezilla: &ClonezillaImages{ImageDirs: []string{"/mnt/usb-images", "/mnt/cz-images"}, DriveSerial: "NB2K9999"}}
	text, err := Apply(context.Background(), "config.toml", []byte(old), s)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(old, `image_dirs = ["/mnt/cz-images"]`, `image_dirs = ["/mnt/usb-images", "/mnt/cz-images"]`, 1)
	want = strings.Replace(want, `drive_serial = "NB2K5678"`, `drive_serial = "NB2K9999"`, 1)
	if string(text) != want {
		t.Errorf("more than the two values changed:\n%s", lineDiff(want, string(text)))
	}
	fresh, err := Apply(context.Background(), "config.toml", nil, s)
	if err != nil {
		t.Fatal(err)
	}
	if string(fresh) != "[clonezilla]\nimage_dirs = [\"/mnt/usb-images\", \"/mnt/cz-images\"]\ndrive_serial = \"NB2K9999\"\n" {
		t.Errorf("a new [clonezilla]: %q", fresh)
	}
}

func TestApplyHandlesMultiLineValuesAndDottedKeys(t *testing.T) {
	old := "mode = \"auto\" # where\n\n[proxmox]\nurl = \"https://a:8006\"\nvzdump.storage = \"x\"\ntoken_id = '''backdeck@pve!old'''\n" +
		"token_secret_file = \"/s\"\ninsecure = true # for now\n\n[[concern]]\nid = \"vms\"\ntargets = [\n  \"pve/qemu/1\", # one\n  \"pve/qemu/2\",\n]\n\n# trailing\n"
	s := Setup{Mode: "host", Proxmox: &model.ProxmoxConfig{URL: "https://b:8006", TokenID: "backdeck@pve!new", TokenSecretFile: "/s",
		TLSConfig: model.TLSConfig{Fingerprint: pinA}}, SetConcerns: true, Concerns: []model.ConcernConfig{{ID: "backups"}}}
	text, err := Apply(context.Background(), "c.toml", []byte(old), s)
	if err != nil {
		t.Fatal(err)
	}
	want := "mode = \"host\" # where\n\n[proxmox]\nurl = \"https://b:8006\"\nvzdump.storage = \"x\"\ntoken_id = \"backdeck@pve!new\"\n" +
		"token_secret_file = \"/s\"\nfingerprint = \"" + pinA + "\"\n\n[[concern]]\nid = \"backups\"\n\n# trailing\n"
	if string(text) != want {
		t.Errorf("got:\n%s\nwant:\n%s", text, want)
	}
}

func TestApplyAddsTopLevelKeysBeforeTheFirstTable(t *testing.T) {
	old := "# my homelab\n[ui]\nascii = true\n"
	text, err := Apply(context.Background(), "c.toml", []byte(old), Setup{Mode: "laptop"})
	if err != nil {
		t.Fatal(err)
	}
	if string(text) != "mode = \"laptop\"\n\n# my homelab\n[ui]\nascii = true\n" {
		t.Errorf("%q", text)
	}
}

func TestApplyRefusesAnInlineTable(t *testing.T) {
	old := "proxmox = { url = \"https://a:8006\", token_id = \"a@pve!b\", token_secret_env = \"X\", insecure = true }\n"
	_, err := Apply(context.Background(), "c.toml", []byte(old), wizardSetup())
	if err == nil || !strings.Contains(err.Error(), "inline") {
		t.Errorf("error %v, want the inline table named", err)
	}
}

func TestWriteFileIsPrivateAndAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("mode = \"auto\"\n")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	// Through a symbolic link the file it names is replaced.
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("mode = \"host\"\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "mode = \"host\"\n" {
		t.Errorf("the link's target holds %q", b)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}

	secretPath := filepath.Join(dir, "new", "pve-token")
	if err := WriteSecret(secretPath, "  5e3d-secret \n"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(secretPath)
	fi, _ = os.Stat(secretPath)
	if string(b) != "5e3d-secret\n" || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file %q mode %v", b, fi.Mode().Perm())
	}
	dfi, _ := os.Stat(filepath.Dir(secretPath))
	if dfi.Mode().Perm() != 0o700 {
		t.Errorf("new directory mode %v, want 0700", dfi.Mode().Perm())
	}
	if err := WriteSecret(secretPath, " "); err == nil {
		t.Error("an empty secret was written")
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{26 * time.Hour: "26h", 35 * 24 * time.Hour: "35d", 14 * 24 * time.Hour: "14d",
		90 * time.Minute: "90m", 0: "0s", 1500 * time.Millisecond: "1.5s"} {
		got := FormatDuration(model.Duration{Duration: d})
		back, err := model.ParseDuration(got)
		if got != want || err != nil || back != d {
			t.Errorf("%v: %q (reads back %v, %v), want %q", d, got, back, err, want)
		}
	}
}

// section is the text of src from the line start to before the line end.
func section(src, start, end string) string {
	i := strings.Index(src, "\n"+start+"\n")
	if i < 0 {
		return ""
	}
	rest := src[i+1:]
	if j := strings.Index(rest, "\n"+end+"\n"); j >= 0 {
		return rest[:j+1]
	}
	return rest
}

// lineDiff lists the lines that differ, for a failure message.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("-" + a + "\n+" + c + "\n")
		}
	}
	return b.String()
}

// FuzzApply splices the wizard's sections into any text that loads as a
// config. Whatever the input: no panic; an edit it accepts loads (Apply
// checks that itself) and applying it again changes nothing.
func FuzzApply(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("..", "..", "config.toml.example"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, s := range []string{
		"",
		"mode = \"auto\"",
		"# only a comment",
		"[proxmox]\nurl = \"https://a:8006\" # c\ntoken_id = \"a@pve!b\"\ntoken_secret_env = \"X\"\n[proxmox.vzdump]\nmode = \"stop\"\n",
		"[[concern]]\nid = \"vms\"\ntargets = [\n\"pve/qemu/1\",\n# ]\n]\n[[drive]]\nname = \"d\"\nserial = \"s\"\n",
		"[ui]\nascii = true\n[[concern]]\nid = 'backups'\n\n\n# end",
		"[urbackup]\nurl = \"\"\"\nhttp://x\"\"\"\n[[urbackup.client]]\nname = \"c\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		ctx := t.Context()
		if _, err := Parse(ctx, "c.toml", data); err != nil {
			return // the wizard starts from a config that loads, or from none
		}
		once, err := Apply(ctx, "c.toml", data, wizardSetup())
		if err != nil {
			return // refused with a reason (an inline table), nothing written
		}
		twice, err := Apply(ctx, "c.toml", once, wizardSetup())
		if err != nil {
			t.Fatalf("a second apply fails: %v\n%s", err, once)
		}
		if string(twice) != string(once) {
			t.Errorf("a second apply changed the text:\n%s", lineDiff(string(once), string(twice)))
		}
	})
}
