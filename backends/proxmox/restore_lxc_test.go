package proxmox

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// lxcFake is the fake PVE answering pve-container's create call, which the
// lab (QEMU guests only) does not serve: the form is what is checked.
func lxcFake(t *testing.T, ctStatus string) (*fakePVE, *Client) {
	f := newFakePVE(t)
	for _, r := range f.resources {
		if r["id"] == "lxc/200" {
			r["status"] = ctStatus
		}
	}
	f.storages["pve"] = append(f.storages["pve"], map[string]any{"storage": "hddusb_bkpdata", "type": "lvmthin", "content": "images,rootdir", "enabled": 1, "active": 1})
	f.fault = func(w http.ResponseWriter, r *http.Request, path string) bool {
		if r.Method != "POST" || path != "/nodes/pve/lxc" {
			return false
		}
		_ = r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		f.posts = append(f.posts, fakePost{path, r.PostForm})
		reply(w, f.newTask("pve", "vzrestore", r.PostForm.Get("vmid")))
		return true
	}
	return f, f.client(t, f.start(t))
}

const ctArchive = "local:backup/vzdump-lxc-200-2026_11_25-01_00_00.tar.zst"

func TestRestoreContainerToANewCT(t *testing.T) {
	f, c := lxcFake(t, "running")
	ctx := context.Background()
	job, err := c.Start(ctx, model.JobRequest{Method: model.MethodRestore, Point: ctArchive, VMID: 300, Storage: "hddusb_bkpdata", GuestName: "backdeck-drill-300"})
	if err != nil {
		t.Fatal(err)
	}
	if job.Target != "pve/lxc/200" || job.Guest != 300 || !strings.Contains(job.TaskID, ":vzrestore:300:") {
		t.Errorf("job %+v", job)
	}
	posts := f.postList()
	if len(posts) != 1 {
		t.Fatalf("posts %+v", posts)
	}
	form := posts[0].Form
	for k, want := range map[string]string{"vmid": "300", "ostemplate": ctArchive, "restore": "1", "unique": "1", "start": "0",
		"storage": "hddusb_bkpdata", "hostname": "backdeck-drill-300", "archive": "", "force": "", "name": ""} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q (form %v)", k, got, want, form)
		}
	}
	if final, err := c.Follow(ctx, job, nil); err != nil || final.State != model.JobSucceeded {
		t.Errorf("follow %+v %v", final, err)
	}
}

func TestRestoreOverAContainer(t *testing.T) {
	f, c := lxcFake(t, "running")
	ctx := context.Background()
	if _, err := c.Start(ctx, model.JobRequest{Method: model.MethodRestore, Point: ctArchive, Over: true}); err == nil ||
		!strings.Contains(err.Error(), "dns (CT 200) is running: stop it first") {
		t.Fatalf("over a running CT: %v", err)
	}
	if len(f.postList()) != 0 {
		t.Fatal("posted a restore over a running container")
	}
	f, c = lxcFake(t, "stopped")
	if _, err := c.Start(ctx, model.JobRequest{Method: model.MethodRestore, Point: ctArchive, Over: true}); err != nil {
		t.Fatal(err)
	}
	form := f.postList()[0].Form
	if form.Get("force") != "1" || form.Get("vmid") != "200" || form.Get("unique") != "" || form.Get("restore") != "1" {
		t.Errorf("form %v", form)
	}
}
