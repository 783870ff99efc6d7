package probe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/model/config"
)

// doctorOnLab runs the doctor on the config backdeck lab writes.
func doctorOnLab(t *testing.T, grants []labpve.Grant, breakIt func(dir string)) map[string]Check {
	t.Helper()
	h, err := lab.StartHomelab(lab.HomelabOptions{PVE: labpve.Options{Grants: grants, Now: func() time.Time { return labClock }}, URBackup: laburbackup.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	dir := t.TempDir()
	path, err := h.WriteConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if breakIt != nil {
		breakIt(dir)
	}
	cfg, err := config.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	checks := Doctor(context.Background(), DoctorOptions{Config: cfg, Mode: "laptop", HistoryPath: filepath.Join(dir, "state", "history.db"),
		Now: func() time.Time { return labClock }, Timeout: 10 * time.Second})
	out := map[string]Check{}
	for _, c := range checks {
		if _, dup := out[c.ID]; dup {
			t.Errorf("check %s twice", c.ID)
		}
		out[c.ID] = c
		for _, s := range []string{h.PVE.TokenSecret(), h.URBackup.Password()} {
			if strings.Contains(c.Detail, s) || strings.Contains(c.Title, s) {
				t.Errorf("check %s shows a secret", c.ID)
			}
		}
	}
	return out
}

func TestDoctorOnTheLab(t *testing.T) {
	t.Parallel()
	cs := doctorOnLab(t, nil, nil)
	for _, id := range []string{"pve.secret", "pve.tls", "pve.certificate", "pve.token", "pve.privileges.vzdump",
		"pve.privileges.archives", "urbackup.secret", "urbackup.tls", "urbackup.login", "urbackup.rights.status",
		"drives.usb-backups", "files.state", "files.history"} {
		if cs[id].Status != OK {
			t.Errorf("%s: %s %q", id, cs[id].Status, cs[id].Detail)
		}
	}
	if c := cs["pve.coverage"]; c.Status != Note || !strings.Contains(c.Detail, "bkpserver") {
		t.Errorf("coverage: %s %q", c.Status, c.Detail)
	}
	if _, ok := cs["host.smartctl"]; ok {
		t.Error("laptop mode checks the host's tools")
	}
}

func TestDoctorOnAnAuditorTokenSwitchesFeaturesOff(t *testing.T) {
	t.Parallel()
	cs := doctorOnLab(t, []labpve.Grant{{Path: "/", Privileges: labpve.AuditorPrivileges}}, nil)
	var list []Check
	for _, c := range cs {
		list = append(list, c)
	}
	if cs["pve.privileges.vzdump"].Status != Off || cs["pve.token"].Status != OK {
		t.Errorf("vzdump %s, token %s", cs["pve.privileges.vzdump"].Status, cs["pve.token"].Status)
	}
	if ExitCode(list) < 1 {
		t.Errorf("exit %d, want at least 1", ExitCode(list))
	}
}

func TestDoctorWithAWrongSecretAndAnOpenSecretFileCannotWork(t *testing.T) {
	t.Parallel()
	cs := doctorOnLab(t, nil, func(dir string) {
		f := filepath.Join(dir, "pve-token")
		if err := os.WriteFile(f, []byte("00000000-0000-0000-0000-000000000000\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, "urbackup-password"), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	if c := cs["pve.token"]; c.Status != Fail || !strings.Contains(c.Detail, "rejected") {
		t.Errorf("pve.token: %s %q", c.Status, c.Detail)
	}
	if c := cs["urbackup.secret"]; c.Status != Fail || !strings.Contains(c.Detail, "chmod 600") {
		t.Errorf("urbackup.secret: %s %q", c.Status, c.Detail)
	}
	var list []Check
	for _, c := range cs {
		list = append(list, c)
	}
	if ExitCode(list) != 2 {
		t.Errorf("exit %d, want 2", ExitCode(list))
	}
}
