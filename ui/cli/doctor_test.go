package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
)

func startHomelab(t *testing.T, grants []labpve.Grant) *lab.Homelab {
	t.Helper()
	h, err := lab.StartHomelab(lab.HomelabOptions{PVE: labpve.Options{Grants: grants, Now: func() time.Time { return testClock }},
		URBackup: laburbackup.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func TestDoctorOnTheLab(t *testing.T) {
	home := t.TempDir()
	h := startHomelab(t, nil)
	cfg, err := h.WriteConfig(filepath.Join(home, "lab"))
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runIn(t, home, "doctor", "--config", cfg)
	// The lab's image drive fails its SMART: something is off, nothing fatal.
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"✓ ok   config " + cfg + ": loads", "✓ ok   PVE at https://127.0.0.1:", "answers the token backdeck@pve!console",
		"✓ ok   starting backups (vzdump): allowed", "✓ ok   UrBackup at https://127.0.0.1:", "! off  drive usb-images (NB2K5678): present, SMART failed",
		"· note guests no backup job covers: debiantpl (template 100)", "backdeck works, with what is marked off switched off."} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor's output lacks %q:\n%s", want, out)
		}
	}
	for _, s := range []string{h.PVE.TokenSecret(), h.URBackup.Password()} {
		if strings.Contains(out+errOut, s) {
			t.Error("doctor shows a secret")
		}
	}
	mustBeSafe(t, "doctor", out)

	out, _, code = runIn(t, home, "doctor", "--json", "--config", cfg)
	var rep struct {
		Status string `json:"status"`
		Checks []struct {
			ID, Status, Title, Detail string
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	ids := map[string]string{}
	for _, c := range rep.Checks {
		ids[c.ID] = c.Status
	}
	if code != 1 || rep.Status != "off" || ids["pve.token"] != "ok" || ids["urbackup.login"] != "ok" || ids["drives.usb-images"] != "off" {
		t.Errorf("--json: exit %d, status %q, checks %v", code, rep.Status, ids)
	}
}

func TestDoctorNamesWhatAnAuditorTokenSwitchesOff(t *testing.T) {
	home := t.TempDir()
	h := startHomelab(t, []labpve.Grant{{Path: "/", Privileges: labpve.AuditorPrivileges}})
	cfg, err := h.WriteConfig(filepath.Join(home, "lab"))
	if err != nil {
		t.Fatal(err)
	}
	out, _, code := runIn(t, home, "doctor", "--ascii", "--config", cfg)
	if code != 1 || !strings.Contains(out, "! off  starting backups (vzdump): missing VM.Backup on /vms") ||
		!strings.Contains(out, "! off  seeing backup content (vzdump archives): missing") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestDoctorExitsZeroWhenAllIsFine(t *testing.T) {
	home := t.TempDir()
	h := startHomelab(t, nil)
	pw := filepath.Join(home, "urbackup-password")
	if err := os.WriteFile(pw, []byte(h.URBackup.Password()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(home, "config.toml")
	text := fmt.Sprintf("mode = \"laptop\"\n[urbackup]\nurl = %q\nusername = %q\npassword_file = %q\nfingerprint = %q\n",
		h.URBackup.TLSURL(), h.URBackup.Username(), pw, h.URBackup.Fingerprint())
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := runIn(t, home, "doctor", "--config", cfg)
	if code != 0 || !strings.Contains(out, "All fine.") || !strings.Contains(out, "· note Proxmox VE: no [proxmox] section") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestDoctorWithoutAConfigCannotWork(t *testing.T) {
	home := t.TempDir()
	out, _, code := runIn(t, home, "doctor")
	if code != 2 || !strings.Contains(out, "does not exist: run backdeck setup") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	bad := filepath.Join(home, "bad.toml")
	if err := os.WriteFile(bad, []byte("[proxmox]\ntoken_secret = \"s3cr3t-inline\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code = runIn(t, home, "doctor", "--config", bad)
	if code != 2 || !strings.Contains(out, "inline secrets are not allowed") || strings.Contains(out, "s3cr3t-inline") {
		t.Errorf("a config with an inline secret: exit %d:\n%s", code, out)
	}
}
