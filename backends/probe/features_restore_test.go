package probe

import (
	"strings"
	"testing"

	labpve "github.com/backdeck/backdeck/backends/lab/pve"
)

// Restores and drills are optional: the least-privilege token lacks them
// and doctor says which privileges would switch them on; an
// Administrator's token has them.
func TestFeaturesRestoreAndDrill(t *testing.T) {
	t.Parallel()
	fs := features(t, labpve.LeastPrivilegeGrants(false, "hddusb_bkpvzdumps"), true)
	if f := fs["restore"]; f.Status != Note || !strings.Contains(f.Detail(), "missing VM.Allocate on /vms") {
		t.Errorf("restore: %s %q", f.Status, f.Detail())
	}
	d := fs["drill"].Detail()
	for _, p := range []string{"VM.Allocate", "VM.Config.Network", "VM.PowerMgmt", "VM.Monitor"} {
		if !strings.Contains(d, p+" on /vms") {
			t.Errorf("drill detail lacks %s: %q", p, d)
		}
	}
	admin := features(t, labpve.AdministratorGrants(), true)
	if admin["restore"].Status != OK || admin["drill"].Status != OK {
		t.Errorf("administrator: restore %s, drill %s", admin["restore"].Status, admin["drill"].Status)
	}
}
