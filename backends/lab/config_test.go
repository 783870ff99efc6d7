package lab

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/model/config"
)

func TestWriteConfig(t *testing.T) {
	t.Parallel()
	p := startPVE(t)
	dir := filepath.Join(t.TempDir(), "lab")
	path, err := WriteConfig(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	secretPath := filepath.Join(dir, "pve-token")
	fi, err := os.Stat(secretPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(secretPath); string(b) != p.TokenSecret() {
		t.Errorf("secret file holds %q", b)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if text != ConfigTOML(p, secretPath) {
		t.Error("WriteConfig and ConfigTOML differ")
	}
	for _, want := range []string{
		`mode = "laptop"`,
		"[proxmox]\nurl = \"" + p.URL() + "\"\ntoken_id = \"backdeck@pve!console\"\ntoken_secret_file = \"" + secretPath + "\"\nfingerprint = \"" + p.Fingerprint() + "\"\n",
		"[[concern]]\nid = \"vms\"\nmax_age = \"26h\"\ntargets = [\"pve/qemu/*\"]\n",
		"[[concern]]\nid = \"cluster\"\nmax_age = \"26h\"\ntargets = [\"pve/qemu/411\", \"pve/qemu/421\", \"pve/qemu/422\"]\n",
		"[[concern]]\nid = \"backups\"\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("config lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, p.TokenSecret()) {
		t.Error("the config holds the secret itself")
	}
	// Rewriting tightens a secret file that had wider permissions.
	if err := os.Chmod(secretPath, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteConfig(dir, p); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(secretPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("rewritten secret file mode %v", fi.Mode().Perm())
	}
}

// startPVE starts a PVE server alone, with the defaults.
func startPVE(t *testing.T) *pve.Server {
	t.Helper()
	p, err := pve.Start(pve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func TestTOMLString(t *testing.T) {
	for in, want := range map[string]string{
		`/tmp/a`:      `"/tmp/a"`,
		`C:\x "y"`:    `"C:\\x \"y\""`,
		"tab\there\n": `"tab\u0009here\u000A"`,
	} {
		if got := config.Quote(in); got != want {
			t.Errorf("config.Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// The lab's config names both USB drives of the seed homelab.
func TestConfigDrives(t *testing.T) {
	t.Parallel()
	p := startPVE(t)
	dir := t.TempDir()
	path, err := WriteConfig(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.DriveConfig{
		{Name: "usb-backups", Serial: "NA8F1234", Holds: []string{"pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata"}},
		{Name: "usb-images", Serial: "NB2K5678", Holds: []string{}},
	}
	if !reflect.DeepEqual(cfg.Drives, want) {
		t.Errorf("drives %+v", cfg.Drives)
	}
}
