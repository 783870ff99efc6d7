package probe

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/model"
)

// labClock is the instant the lab's world is built at: no test reads today's date.
var labClock = time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC)

func startPVE(t *testing.T, grants []labpve.Grant) *labpve.Server {
	t.Helper()
	p, err := labpve.Start(labpve.Options{Grants: grants, Now: func() time.Time { return labClock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func pveConfig(p *labpve.Server) model.ProxmoxConfig {
	return model.ProxmoxConfig{URL: p.URL(), TokenID: p.TokenID(), TLSConfig: model.TLSConfig{Fingerprint: p.Fingerprint()}}
}

func connect(t *testing.T, p *labpve.Server) *PVE {
	t.Helper()
	c, err := NewPVE(pveConfig(p), p.TokenSecret())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCertificateOfTheLabIsWhatItPins(t *testing.T) {
	t.Parallel()
	p := startPVE(t, nil)
	c, err := FetchCertificate(context.Background(), p.URL(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if c.Fingerprint != p.Fingerprint() || !c.SamePin(strings.ToLower(strings.ReplaceAll(p.Fingerprint(), ":", ""))) {
		t.Errorf("fingerprint %s, want %s (and the pin in any form to match)", c.Fingerprint, p.Fingerprint())
	}
	if !strings.Contains(c.Subject, "CN=pve.homelab.cloud") || c.SystemTrusted {
		t.Errorf("subject %q, system trusted %v: want PVE's name and no system trust", c.Subject, c.SystemTrusted)
	}
	if st, words := c.Expiry(labClock); st != OK || !strings.Contains(words, "valid until") {
		t.Errorf("expiry at the lab's clock: %s %q", st, words)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, p.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyCA(ca); err != nil {
		t.Errorf("the lab's certificate as its own CA: %v", err)
	}
	other := startPVE(t, nil)
	if err := os.WriteFile(ca, other.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyCA(ca); err == nil || !strings.Contains(err.Error(), "not signed by a CA") {
		t.Errorf("another CA: %v, want it refused", err)
	}
}

func TestCertificateExpiry(t *testing.T) {
	t.Parallel()
	c := Certificate{NotBefore: labClock.AddDate(-1, 0, 0), NotAfter: labClock.AddDate(0, 0, 10)}
	for _, tc := range []struct {
		at   time.Time
		want Status
		text string
	}{
		{labClock, Off, "in 10 days"},
		{labClock.AddDate(0, 0, -60), OK, "valid until"},
		{labClock.AddDate(0, 0, 11), Fail, "expired on"},
		{labClock.AddDate(-2, 0, 0), Fail, "clock"},
	} {
		if st, words := c.Expiry(tc.at); st != tc.want || !strings.Contains(words, tc.text) {
			t.Errorf("at %s: %s %q, want %s with %q", tc.at, st, words, tc.want, tc.text)
		}
	}
}

func TestFetchCertificateRefusesWhatIsNoHTTPSSite(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"http://pve:8006", "pve:8006", "https://127.0.0.1:1"} {
		if _, err := FetchCertificate(context.Background(), u, time.Second); err == nil {
			t.Errorf("%s: no error", u)
		}
	}
}

func TestAWrongSecretIsRejectedAndNeverShown(t *testing.T) {
	t.Parallel()
	p := startPVE(t, nil)
	wrong := "00000000-1111-2222-3333-444444444444"
	c, err := NewPVE(pveConfig(p), wrong)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Version(context.Background())
	if !Rejected(err) {
		t.Fatalf("error %v, want the token rejected", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), p.TokenSecret()) {
		t.Error("the error shows a secret")
	}
}

func TestPermissionsHasInheritsFromTheNearestListedPath(t *testing.T) {
	t.Parallel()
	raw := map[string]map[string]json.RawMessage{
		"/":        {"Sys.Audit": json.RawMessage("1")},
		"/vms":     {"Sys.Audit": json.RawMessage("1"), "VM.Audit": json.RawMessage("1"), "VM.Backup": json.RawMessage("0")},
		"/vms/421": {"VM.Audit": json.RawMessage("1")},
	}
	p := decodePermissions(raw)
	for _, tc := range []struct {
		path, priv string
		want       bool
	}{
		{"/vms/411", "VM.Audit", true},   // inherited from /vms
		{"/vms/411", "VM.Backup", false}, // set on /vms without propagate
		{"/vms", "VM.Backup", true},      // set there
		{"/vms/421", "Sys.Audit", false}, // listed: its own entry is the truth
		{"/storage/x", "Sys.Audit", true},
		{"/storage/x", "VM.Audit", false},
	} {
		if got := p.Has(tc.path, tc.priv); got != tc.want {
			t.Errorf("Has(%s, %s) = %v, want %v", tc.path, tc.priv, got, tc.want)
		}
	}
}

func TestDiscoverTheSeedHomelab(t *testing.T) {
	t.Parallel()
	p := startPVE(t, nil)
	d, err := connect(t, p).Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Nodes, []string{"pve"}) || len(d.Guests) != 6 || len(d.Templates()) != 2 {
		t.Errorf("nodes %v, %d guests, %d templates; want pve, 6 and 2", d.Nodes, len(d.Guests), len(d.Templates()))
	}
	var stores []string
	for _, s := range d.Storages {
		stores = append(stores, s.ID)
	}
	if !slices.Contains(stores, "hddusb_bkpvzdumps") {
		t.Errorf("backup storages %v, want hddusb_bkpvzdumps among them", stores)
	}
	if len(d.Jobs) != 1 || d.Jobs[0].Schedule != "14:20" || d.Jobs[0].Storage != "hddusb_bkpvzdumps" || !slices.Equal(d.Jobs[0].VMIDs, []int{411, 421, 422}) {
		t.Errorf("jobs %+v", d.Jobs)
	}
	var uncovered []int
	for _, g := range d.Uncovered() {
		uncovered = append(uncovered, g.VMID)
	}
	if !slices.Equal(uncovered, []int{100, 101, 431}) {
		t.Errorf("uncovered %v, want the templates and bkpserver", uncovered)
	}
}

func TestDiscoverWithoutSysAuditCannotTellCoverage(t *testing.T) {
	t.Parallel()
	p := startPVE(t, []labpve.Grant{{Path: "/vms", Privileges: []string{"VM.Audit"}}})
	d, err := connect(t, p).Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !d.JobsHidden || d.Uncovered() != nil || len(d.Guests) != 6 || len(d.Storages) != 0 {
		t.Errorf("jobs hidden %v, uncovered %v, %d guests, %d storages", d.JobsHidden, d.Uncovered(), len(d.Guests), len(d.Storages))
	}
}

func features(t *testing.T, grants []labpve.Grant, hostMode bool) map[string]FeatureCheck {
	t.Helper()
	p := startPVE(t, grants)
	c := connect(t, p)
	perms, err := c.Permissions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]FeatureCheck{}
	for _, f := range Features(perms, d, hostMode) {
		out[f.ID] = f
	}
	return out
}

func TestFeaturesOfAnAuditorToken(t *testing.T) {
	t.Parallel()
	fs := features(t, []labpve.Grant{{Path: "/", Privileges: labpve.AuditorPrivileges}}, false)
	for id, want := range map[string]Status{"guests": OK, "storages": OK, "jobs": OK, "smart": OK,
		"archives": Off, "vzdump": Off, "snapshots": Off, "rollback": Off, "prune": Note, "restore": Note, "drill": Note} {
		if fs[id].Status != want {
			t.Errorf("%s: %s (%s), want %s", id, fs[id].Status, fs[id].Detail(), want)
		}
	}
	// Named once for all guests, on /vms; the storages each.
	d := fs["vzdump"].Detail()
	if !strings.Contains(d, "VM.Backup on /vms,") || !strings.Contains(d, "Datastore.AllocateSpace on /storage") || !strings.Contains(d, "refused") {
		t.Errorf("vzdump detail %q", d)
	}
	if !strings.Contains(fs["archives"].Detail(), "never backed up") {
		t.Errorf("archives detail %q", fs["archives"].Detail())
	}
	if got := SwitchedOff(mapValues(fs)); len(got) != 4 {
		t.Errorf("%d features switched off, want 4", len(got))
	}
}

func TestFeaturesOfTheLeastPrivilegeToken(t *testing.T) {
	t.Parallel()
	fs := features(t, labpve.LeastPrivilegeGrants(false, "hddusb_bkpvzdumps", "hddusb_bkpdata", "local"), true)
	for id, f := range fs {
		want := OK
		switch id {
		case "smart", "restore", "drill":
			want = Note
		}
		if f.Status != want {
			t.Errorf("%s: %s (%s), want %s", id, f.Status, f.Detail(), want)
		}
	}
}

func TestFeaturesPerGuestACL(t *testing.T) {
	t.Parallel()
	grants := labpve.LeastPrivilegeGrants(false, "hddusb_bkpvzdumps", "hddusb_bkpdata", "local")
	grants[1] = labpve.Grant{Path: "/vms", Privileges: []string{"VM.Audit", "VM.Snapshot", "VM.Snapshot.Rollback"}}
	grants = append(grants, labpve.Grant{Path: "/vms/421", Privileges: []string{"VM.Backup"}})
	fs := features(t, grants, false)
	d := fs["vzdump"].Detail()
	if fs["vzdump"].Status != Off || !strings.Contains(d, "VM.Backup on /vms/411") || strings.Contains(d, "/vms/421") {
		t.Errorf("vzdump: %s %q, want the guests but 421 named", fs["vzdump"].Status, d)
	}
}

func mapValues(m map[string]FeatureCheck) []FeatureCheck {
	var out []FeatureCheck
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestPveumCommandsNameTheStorages(t *testing.T) {
	t.Parallel()
	cmds := strings.Join(PveumCommands("backdeck@pve", "console", []string{"hddusb_bkpvzdumps"}), "\n")
	for _, want := range []string{"pveum user token add backdeck@pve console --privsep 0",
		"pveum acl modify /storage/hddusb_bkpvzdumps --users backdeck@pve --roles BackdeckStore",
		"pveum acl modify / --users backdeck@pve --roles BackdeckSys"} {
		if !strings.Contains(cmds, want) {
			t.Errorf("missing %q in\n%s", want, cmds)
		}
	}
}
