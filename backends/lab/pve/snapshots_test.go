package pve

import (
	"net/http"
	"net/url"
	"testing"
)

type snapJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	SnapTime    int64  `json:"snaptime"`
	Parent      string `json:"parent"`
	VMState     *int   `json:"vmstate"`
	Running     *int   `json:"running"`
	Digest      string `json:"digest"`
}

func snapshots(c *client, vmid string) map[string]snapJSON {
	var list []snapJSON
	c.get("/nodes/pve/qemu/"+vmid+"/snapshot", &list)
	out := map[string]snapJSON{}
	for _, s := range list {
		out[s.Name] = s
	}
	if list[len(list)-1].Name != "current" {
		c.t.Errorf("current is not last: %+v", list)
	}
	return out
}

func TestSnapshotLifecycle(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	s := snapshots(c, "421")
	if pu := s["pre-upgrade"]; pu.Description != "before k3s 1.31 upgrade" || pu.VMState == nil || *pu.VMState != 0 || pu.SnapTime == 0 {
		t.Errorf("pre-upgrade %+v", pu)
	}
	if cur := s["current"]; cur.Description != "You are here!" || cur.Running == nil || *cur.Running != 1 ||
		cur.Parent != "pre-upgrade" || cur.Digest == "" {
		t.Errorf("current %+v", cur)
	}
	if len(snapshots(c, "411")) != 1 {
		t.Error("411 has snapshots")
	}

	var upid string
	c.call(http.MethodPost, "/nodes/pve/qemu/421/snapshot", url.Values{"snapname": {"before_test"}, "description": {"a test"}}, &upid)
	if u, _ := parseUPID(upid); u.typ != "qmsnapshot" || u.id != "421" {
		t.Errorf("upid %q", upid)
	}
	sawLock := false
	lines, st := c.follow(upid, func(taskStatus) { sawLock = sawLock || guestLock(c, 421) == "snapshot" })
	if st.ExitStatus != "OK" || !sawLock || !contains(lines, "snapshotting 'drive-scsi0' (local-lvm:vm-421-disk-0)") ||
		!contains(lines, `  Logical volume "snap_vm-421-disk-0_before_test" created.`) {
		t.Errorf("snapshot task: %q lock %v log %q", st.ExitStatus, sawLock, lines)
	}
	s = snapshots(c, "421")
	if bt := s["before_test"]; bt.Parent != "pre-upgrade" || bt.Description != "a test" || s["current"].Parent != "before_test" {
		t.Errorf("after snapshot %+v", s)
	}

	c.call(http.MethodPost, "/nodes/pve/qemu/421/snapshot/pre-upgrade/rollback", nil, &upid)
	if _, st = c.follow(upid, nil); st.ExitStatus != "OK" || st.Type != "qmrollback" {
		t.Errorf("rollback %+v", st)
	}
	s = snapshots(c, "421")
	if cur := s["current"]; cur.Parent != "pre-upgrade" || *cur.Running != 0 {
		t.Errorf("after rollback without RAM the guest stops: %+v", cur)
	}

	c.call(http.MethodDelete, "/nodes/pve/qemu/421/snapshot/before_test", nil, &upid)
	if _, st = c.follow(upid, nil); st.ExitStatus != "OK" || st.Type != "qmdelsnapshot" {
		t.Errorf("delete %+v", st)
	}
	if _, ok := snapshots(c, "421")["before_test"]; ok {
		t.Error("deleted snapshot still listed")
	}
}

func TestSnapshotErrors(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	var upid string
	c.call(http.MethodPost, "/nodes/pve/qemu/421/snapshot/nope/rollback", nil, &upid)
	if _, st := c.follow(upid, nil); st.ExitStatus != "snapshot 'nope' does not exist" {
		t.Errorf("rollback to a missing snapshot: %q", st.ExitStatus)
	}
	if status, _, _ := c.apiErr("GET", "/nodes/pve/qemu/421/snapshot/nope/config", nil); status != "500 snapshot 'nope' does not exist" {
		t.Errorf("config of a missing snapshot: %q", status)
	}
	var cfg map[string]any
	c.get("/nodes/pve/qemu/421/snapshot/pre-upgrade/config", &cfg)
	if cfg["description"] != "before k3s 1.31 upgrade" || cfg["scsi0"] != "local-lvm:vm-421-disk-0,size=32G" {
		t.Errorf("snapshot config %v", cfg)
	}
	p.SetLock(421, "backup")
	c.call(http.MethodPost, "/nodes/pve/qemu/421/snapshot", url.Values{"snapname": {"x1"}}, &upid)
	if lines, st := c.follow(upid, nil); st.ExitStatus != "VM is locked (backup)" || lines[0] != "TASK ERROR: VM is locked (backup)" {
		t.Errorf("locked guest: %q %q", st.ExitStatus, lines)
	}
	p.SetLock(421, "")
	c.call(http.MethodPost, "/nodes/pve/qemu/421/snapshot", url.Values{"snapname": {"pre-upgrade"}}, &upid)
	if _, st := c.follow(upid, nil); st.ExitStatus != "snapshot name 'pre-upgrade' already used" {
		t.Errorf("name in use: %q", st.ExitStatus)
	}
	c.call(http.MethodPost, "/nodes/pve/qemu/100/snapshot", url.Values{"snapname": {"x1"}}, &upid)
	if _, st := c.follow(upid, nil); st.ExitStatus != "you can't take a snapshot if it's a template" {
		t.Errorf("template: %q", st.ExitStatus)
	}
	if status, _, _ := c.apiErr(http.MethodPost, "/nodes/pve/qemu/421/snapshot", url.Values{"snapname": {"current"}}); status != "500 unable to use snapshot name 'current' (reserved name)" {
		t.Errorf("reserved name: %q", status)
	}
	if _, _, errs := c.apiErr(http.MethodPost, "/nodes/pve/qemu/421/snapshot", url.Values{"snapname": {"9lives"}}); errs["snapname"] == "" {
		t.Errorf("bad name: %v", errs)
	}
	if status, _, _ := c.apiErr("GET", "/nodes/pve/qemu/999/snapshot", nil); status != "500 Configuration file 'nodes/pve/qemu-server/999.conf' does not exist" {
		t.Errorf("unknown guest: %q", status)
	}
}
