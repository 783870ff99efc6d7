package lab

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/model/config"
)

func TestHomelabWriteConfig(t *testing.T) {
	t.Parallel()
	fixed := time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC)
	h, err := StartHomelab(HomelabOptions{PVE: pve.Options{Now: func() time.Time { return fixed }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	dir := filepath.Join(t.TempDir(), "lab")
	path, err := h.WriteConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"pve-token": h.PVE.TokenSecret(), "urbackup-password": h.URBackup.Password(), "config.toml": ""} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", name, fi.Mode().Perm())
		}
		if b, _ := os.ReadFile(filepath.Join(dir, name)); want != "" && string(b) != want {
			t.Errorf("%s holds %q", name, b)
		}
	}
	cfg, err := config.Load(t.Context(), path)
	if err != nil {
		b, _ := os.ReadFile(path)
		t.Fatalf("%v\n%s", err, b)
	}
	ub := cfg.URBackup
	if ub == nil || ub.URL != h.URBackup.TLSURL() || ub.Username != "admin" || ub.PasswordFile != filepath.Join(dir, "urbackup-password") ||
		!strings.EqualFold(ub.Fingerprint, h.URBackup.Fingerprint()) || len(ub.Clients) != 3 {
		t.Fatalf("urbackup section %+v", ub)
	}
	if ub.Clients[1].Name != "k3sagent01" || strings.Join(ub.Clients[1].Folders, ",") != "/mnt/gitea-hdd/repos,/mnt/gitea-ssd/data,/mnt/gitea-ssd/db,/mnt/monitoring-ssd/grafana-data" {
		t.Errorf("client %+v", ub.Clients[1])
	}
	var ids []string
	for _, c := range cfg.Concerns {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, ",") != "host,vms,cluster,appdata,userdata,backups" {
		t.Errorf("concerns %v", ids)
	}
	// The host's disks and their images, written beside the config.
	cz := cfg.Clonezilla
	if cz == nil || len(cz.ImageDirs) != 1 || cz.ImageDirs[0] != filepath.Join(dir, "partimag") || len(cz.Disks) != 2 ||
		cz.Disks[0].Serial != "S5GXNX0T" || cz.Disks[1].Serial != "ZFL1ABCD" || cz.DriveSerial != "NB2K5678" {
		t.Fatalf("clonezilla section %+v", cz)
	}
	entries, err := os.ReadDir(cz.ImageDirs[0])
	if err != nil || len(entries) == 0 {
		t.Errorf("no images in %s: %v", cz.ImageDirs[0], err)
	}
	// backdeck lab run again into the same directory: the images stay.
	if _, err := h.WriteConfig(dir); err != nil {
		t.Fatalf("a second WriteConfig into %s: %v", dir, err)
	}
	if again, err := os.ReadDir(cz.ImageDirs[0]); err != nil || len(again) != len(entries) {
		t.Errorf("images after a second run: %d, %v (want the %d there)", len(again), err, len(entries))
	}
	if cfg.Proxmox == nil || cfg.Proxmox.URL != h.PVE.URL() {
		t.Errorf("proxmox %+v", cfg.Proxmox)
	}
	text, _ := os.ReadFile(path)
	if strings.Contains(string(text), h.URBackup.Password()) || strings.Contains(string(text), h.PVE.TokenSecret()) {
		t.Error("the config holds a secret")
	}
	// The PVE-only config is unchanged.
	if ConfigTOML(h.PVE, "/s") != configTOML(h.PVE, "/s", nil, "", "") || strings.Contains(ConfigTOML(h.PVE, "/s"), "urbackup") {
		t.Error("PVE config changed")
	}
	// Both worlds share the PVE's clock; the password in the file logs in
	// (with plainpw the server hashes it itself).
	pw, _ := os.ReadFile(ub.PasswordFile)
	l := urbackupCall(t, h.URBackup, "login", url.Values{"username": {"admin"}, "password": {string(pw)}, "plainpw": {"1"}})
	ses, _ := l["session"].(string)
	if l["success"] != true || ses == "" {
		t.Fatalf("login %v", l)
	}
	var st struct {
		Status []struct {
			Name       string `json:"name"`
			LastBackup any    `json:"lastbackup"` // "-" for a rejected client
		} `json:"status"`
	}
	raw, _ := json.Marshal(urbackupCall(t, h.URBackup, "status", url.Values{"ses": {ses}}))
	if err := json.Unmarshal(raw, &st); err != nil || len(st.Status) == 0 {
		t.Fatalf("status %s: %v", raw, err)
	}
	for _, e := range st.Status {
		if e.Name == "k3sserver01" {
			last, _ := e.LastBackup.(float64)
			if age := fixed.Sub(time.Unix(int64(last), 0)); age < 29*time.Hour || age > 31*time.Hour {
				t.Errorf("k3sserver01 last backup %v before the shared now", age)
			}
		}
	}
}

// urbackupCall posts an action to the UrBackup server's HTTPS front,
// trusting its certificate as a root, and decodes the answer.
func urbackupCall(t *testing.T, u *urbackup.Server, action string, form url.Values) map[string]any {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(u.CertPEM())
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := hc.Post(u.TLSURL()+"/x?a="+action, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("a=%s: %v", action, err)
	}
	return out
}

func TestHomelabNoUsersConfig(t *testing.T) {
	t.Parallel()
	h, err := StartHomelab(HomelabOptions{URBackup: urbackup.Options{NoUsers: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	dir := t.TempDir()
	path, err := h.WriteConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "urbackup-password")); !os.IsNotExist(err) {
		t.Errorf("password file for a server without users: %v", err)
	}
	cfg, err := config.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URBackup.Username != "" || cfg.URBackup.PasswordFile != "" {
		t.Errorf("urbackup %+v", cfg.URBackup)
	}
}

func TestStartHomelabClosesPVEWhenURBackupFails(t *testing.T) {
	t.Parallel()
	if _, err := StartHomelab(HomelabOptions{URBackup: urbackup.Options{Addr: "256.0.0.1:0"}}); err == nil {
		t.Fatal("no error for a bad address")
	}
}
