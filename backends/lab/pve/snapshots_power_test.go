package pve

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The power side of snapshots, as qemu-server does it: vmstate=1 saves the
// RAM only while the VM runs (AbstractConfig::snapshot_prepare); a rollback
// always stops the VM (__snapshot_rollback_vm_stop), starts it from the
// saved RAM when the snapshot has some, and otherwise leaves it stopped
// unless start=1, which needs VM.PowerMgmt up front (API2/Qemu.pm).
func TestSnapshotRAMAndRollbackStart(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	running := func() bool {
		t.Helper()
		return *snapshots(c, "421")["current"].Running == 1
	}
	run := func(method, path string, form url.Values) []string {
		t.Helper()
		var upid string
		c.call(method, path, form, &upid)
		lines, st := c.follow(upid, nil)
		if st.ExitStatus != "OK" {
			t.Fatalf("%s %s: %q", method, path, st.ExitStatus)
		}
		return lines
	}
	if !running() {
		t.Fatal("421 does not run at the start")
	}
	lines := run(http.MethodPost, "/nodes/pve/qemu/421/snapshot", url.Values{"snapname": {"withram"}, "vmstate": {"1"}})
	if s := snapshots(c, "421")["withram"]; s.VMState == nil || *s.VMState != 1 || !contains(lines, "saving VM state and RAM using storage 'local-lvm'") {
		t.Errorf("a running VM's snapshot with vmstate=1: %+v, log %q", s, lines)
	}

	run(http.MethodPost, "/nodes/pve/qemu/421/snapshot/pre-upgrade/rollback", nil)
	if running() {
		t.Error("a rollback to a snapshot without RAM left the VM running")
	}
	lines = run(http.MethodPost, "/nodes/pve/qemu/421/snapshot", url.Values{"snapname": {"stopped"}, "vmstate": {"1"}})
	if s := snapshots(c, "421")["stopped"]; s.VMState == nil || *s.VMState != 0 || contains(lines, "saving VM state and RAM using storage 'local-lvm'") {
		t.Errorf("a stopped VM's snapshot with vmstate=1 saved RAM: %+v, log %q", s, lines)
	}

	run(http.MethodPost, "/nodes/pve/qemu/421/snapshot/withram/rollback", nil)
	if !running() {
		t.Error("a rollback to a snapshot with RAM left the VM stopped")
	}
	run(http.MethodPost, "/nodes/pve/qemu/421/snapshot/pre-upgrade/rollback", url.Values{"start": {"0"}})
	if running() {
		t.Error("start=0 started the VM")
	}
	run(http.MethodPost, "/nodes/pve/qemu/421/snapshot/pre-upgrade/rollback", url.Values{"start": {"1"}})
	if !running() {
		t.Error("start=1 left the VM stopped")
	}

	// README's token has no VM.PowerMgmt: start=1 is refused before
	// anything is rolled back; without start the rollback goes on.
	p.SetGrants(LeastPrivilegeGrants(false))
	if status, _, _ := c.apiErr(http.MethodPost, "/nodes/pve/qemu/421/snapshot/pre-upgrade/rollback", url.Values{"start": {"1"}}); status != "403 Permission check failed (/vms/421, VM.PowerMgmt)" {
		t.Errorf("start=1 without VM.PowerMgmt: %q", status)
	}
	if !running() {
		t.Error("a refused rollback stopped the VM")
	}
	run(http.MethodPost, "/nodes/pve/qemu/421/snapshot/pre-upgrade/rollback", nil)
	if running() {
		t.Error("the rollback without start left the VM running")
	}
	if _, _, errs := c.apiErr(http.MethodPost, "/nodes/pve/qemu/421/snapshot/pre-upgrade/rollback", url.Values{"start": {"maybe"}}); !strings.Contains(errs["start"], "boolean") {
		t.Errorf("start=maybe: %v", errs)
	}
}
