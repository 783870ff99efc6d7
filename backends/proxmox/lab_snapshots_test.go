package proxmox_test

import (
	"context"
	"strings"
	"testing"

	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// guestState is the runtime state PVE reports for a target now.
func guestState(t *testing.T, c *proxmox.Client, id string) string {
	t.Helper()
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range st.Targets {
		if g.ID == id {
			return g.State
		}
	}
	t.Fatalf("no target %s", id)
	return ""
}

// A snapshot with RAM and the start after a rollback reach PVE as vmstate=1
// and start=1; the token without VM.PowerMgmt gets a message that says
// what to grant or do instead.
func TestLabSnapshotRAMAndRollbackStart(t *testing.T) {
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	ctx := context.Background()
	run := func(req model.JobRequest) {
		t.Helper()
		job, err := c.Start(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", req.Method, err)
		}
		if final, _ := follow(t, c, job); final.State != model.JobSucceeded {
			t.Fatalf("%s: %s %q", req.Method, final.State, final.Message)
		}
	}
	const vm = "pve/qemu/421"
	run(model.JobRequest{Target: vm, Method: model.MethodSnapshot, Snapshot: "withram", VMState: true})
	snaps, err := c.Snapshots(ctx, vm)
	if err != nil || len(snaps) != 2 || snaps[0].Name != "withram" || !snaps[0].VMState {
		t.Fatalf("snapshots %+v %v", snaps, err)
	}
	run(model.JobRequest{Target: vm, Method: model.MethodRollback, Snapshot: "pre-upgrade"})
	if st := guestState(t, c, vm); st != "stopped" {
		t.Errorf("after a rollback without start: %s", st)
	}
	run(model.JobRequest{Target: vm, Method: model.MethodRollback, Snapshot: "pre-upgrade", Start: true})
	if st := guestState(t, c, vm); st != "running" {
		t.Errorf("after a rollback with start: %s", st)
	}

	p.SetGrants(labpve.LeastPrivilegeGrants(false))
	_, err = c.Start(ctx, model.JobRequest{Target: vm, Method: model.MethodRollback, Snapshot: "pre-upgrade", Start: true})
	if err == nil || !strings.Contains(err.Error(), "VM.PowerMgmt on /vms/421") || !strings.Contains(err.Error(), "roll back without starting it") {
		t.Errorf("start without VM.PowerMgmt: %v", err)
	}
	if st := guestState(t, c, vm); st != "running" {
		t.Errorf("a refused rollback changed the VM: %s", st)
	}
}
