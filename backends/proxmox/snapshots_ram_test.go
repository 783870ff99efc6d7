package proxmox

import (
	"context"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// RAM with a snapshot and a start after a rollback are sent as PVE's
// vmstate=1 and start=1, and only when asked; a container's snapshot with
// RAM is refused before anything is sent (pve-container has no vmstate).
func TestSnapshotRAMAndStartForms(t *testing.T) {
	f := newFakePVE(t)
	srv := f.start(t)
	c := f.client(t, srv)
	ctx := context.Background()
	for _, req := range []model.JobRequest{
		{Target: "pve/qemu/421", Method: model.MethodSnapshot, Snapshot: "plain"},
		{Target: "pve/qemu/421", Method: model.MethodSnapshot, Snapshot: "withram", VMState: true},
		{Target: "pve/qemu/421", Method: model.MethodRollback, Snapshot: "pre-upgrade"},
		{Target: "pve/qemu/421", Method: model.MethodRollback, Snapshot: "pre-upgrade", Start: true},
	} {
		if _, err := c.Start(ctx, req); err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
	}
	posts := f.postList()
	if len(posts) != 4 {
		t.Fatalf("posts %+v", posts)
	}
	if _, ok := posts[0].Form["vmstate"]; ok || posts[1].Form.Get("vmstate") != "1" {
		t.Errorf("vmstate: %v, %v", posts[0].Form, posts[1].Form)
	}
	if _, ok := posts[2].Form["start"]; ok || posts[3].Form.Get("start") != "1" {
		t.Errorf("start: %v, %v", posts[2].Form, posts[3].Form)
	}
	_, err := c.Start(ctx, model.JobRequest{Target: "pve/lxc/200", Method: model.MethodSnapshot, Snapshot: "withram", VMState: true})
	if err == nil || !strings.Contains(err.Error(), "dns (CT 200) is a container: PVE saves no RAM") {
		t.Errorf("a container's snapshot with RAM: %v", err)
	}
	if n := len(f.postList()); n != 4 {
		t.Errorf("%d posts after the refusal", n)
	}
}
