package proxmox

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

func TestObserveInventory(t *testing.T) {
	f := newFakePVE(t)
	srv := f.start(t)
	c := f.client(t, srv)
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.OK || st.Source != model.SourceProxmox || st.Version != "pve 8.4" || st.Insecure || st.At.IsZero() {
		t.Errorf("state header %+v", st)
	}
	byID := map[string]model.Target{}
	for _, tg := range st.Targets {
		byID[tg.ID] = tg
	}
	if len(st.Targets) != 5 {
		t.Fatalf("targets %d, want 5", len(st.Targets))
	}
	if st.Targets[0].ID != "pve/qemu/100" || st.Targets[1].ID != "pve/lxc/200" {
		t.Errorf("order by vmid: %s %s", st.Targets[0].ID, st.Targets[1].ID)
	}
	tpl := byID["pve/qemu/100"]
	if tpl.Kind != model.KindTemplate || len(tpl.Methods) != 1 || tpl.Methods[0] != model.MethodVzdump || len(tpl.RestorePoints) != 1 || !tpl.RestorePoints[0].Protected {
		t.Errorf("template %+v", tpl)
	}
	vm := byID["pve/qemu/411"]
	if vm.Kind != model.KindVM || vm.Name != "k3sserver01" || vm.VMID != 411 || vm.State != "running" || len(vm.Methods) != 4 {
		t.Errorf("vm %+v", vm)
	}
	if len(vm.RestorePoints) != 2 || !vm.RestorePoints[0].Time.After(vm.RestorePoints[1].Time) {
		t.Fatalf("restore points newest first: %+v", vm.RestorePoints)
	}
	rp := vm.RestorePoints[0]
	if rp.Store != "pve/hddusb_bkpvzdumps" || rp.Method != model.MethodVzdump || rp.Target != "pve/qemu/411" || rp.Size != 1288490190 || rp.Notes != "k3sserver01" || rp.Format != "vma.zst" {
		t.Errorf("restore point %+v", rp)
	}
	if !strings.HasPrefix(vm.Detail, "VM 411 · running · pve") || !strings.Contains(vm.Detail, "14:20 → hddusb_bkpvzdumps") {
		t.Errorf("detail %q", vm.Detail)
	}
	if ct := byID["pve/lxc/200"]; ct.Kind != model.KindLXC || len(ct.RestorePoints) != 1 || ct.RestorePoints[0].Store != "pve/local" || !strings.HasPrefix(ct.Detail, "CT 200") {
		t.Errorf("container %+v", ct)
	}
	if vm431 := byID["pve/qemu/431"]; vm431.VMID != 431 || len(vm431.RestorePoints) != 0 {
		t.Errorf("431 (vmid as string) %+v", vm431)
	}
	stores := map[string]model.Store{}
	for _, s := range st.Stores {
		stores[s.ID] = s
	}
	usb := stores["pve/hddusb_bkpvzdumps"]
	if !usb.Online || !usb.Backup || usb.Total != 4000 || usb.Used != 400 || usb.Avail != 3600 || usb.Type != "dir" || usb.Name != "hddusb_bkpvzdumps" || usb.Node != "pve" {
		t.Errorf("usb store %+v", usb)
	}
	thin := stores["pve/hddusb_bkpdata"]
	if thin.Backup || !thin.Online || thin.Type != "lvmthin" || thin.Total != 500 || len(thin.Content) != 2 {
		t.Errorf("thin pool store %+v", thin)
	}
	if len(st.Stores) != 3 {
		t.Errorf("stores %d, want 3", len(st.Stores))
	}

	// The second Observe reuses the version.
	f.resetHits()
	if _, err := c.Observe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.count("GET /version") != 0 {
		t.Error("/version asked again")
	}
	want := map[string]int{
		"GET /cluster/resources": 1, "GET /cluster/backup": 1, "GET /nodes/pve/storage": 1,
		"GET /nodes/pve/storage/hddusb_bkpvzdumps/content": 1, "GET /nodes/pve/storage/local/content": 1,
		"GET /cluster/backup-info/not-backed-up": 1, // this fake does not know it: the jobs are matched here
		"GET /nodes/pve/tasks":                   1, // the jobs' last runs, for their durations
	}
	for k, n := range want {
		if f.count(k) != n {
			t.Errorf("%s: %d requests, want %d", k, f.count(k), n)
		}
	}
	if f.total() != 7 {
		t.Errorf("%d requests per Observe, want 7", f.total())
	}
}

func TestObserveRequestsDoNotGrowWithGuests(t *testing.T) {
	counts := map[int]int{}
	for _, extra := range []int{0, 500} {
		f := newFakePVE(t)
		for i := 0; i < extra; i++ {
			f.resources = append(f.resources, map[string]any{"id": fmt.Sprintf("qemu/%d", 1000+i), "type": "qemu", "node": "pve", "vmid": 1000 + i, "name": fmt.Sprintf("g%d", i), "status": "running"})
			f.content["hddusb_bkpvzdumps"] = append(f.content["hddusb_bkpvzdumps"], map[string]any{"volid": fmt.Sprintf("x:backup/vzdump-qemu-%d.vma.zst", 1000+i), "content": "backup", "vmid": 1000 + i, "ctime": 1795616402, "size": 1})
		}
		srv := f.start(t)
		c := f.client(t, srv)
		st, err := c.Observe(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Targets) != 5+extra {
			t.Fatalf("targets %d", len(st.Targets))
		}
		counts[extra] = f.total()
	}
	if counts[0] != counts[500] {
		t.Errorf("requests per Observe grow with guests: %v", counts)
	}
}

func TestObserveSharedStorageListedOnce(t *testing.T) {
	f := newFakePVE(t)
	f.resources = append(f.resources,
		map[string]any{"id": "node/pve2", "type": "node", "node": "pve2", "status": "online"},
		map[string]any{"id": "node/pve3", "type": "node", "node": "pve3", "status": "offline"},
		map[string]any{"id": "qemu/500", "type": "qemu", "node": "pve2", "vmid": 500, "name": "other", "status": "running"},
		map[string]any{"id": "storage/pve/nfs", "type": "storage", "node": "pve", "storage": "nfs", "status": "available", "plugintype": "nfs", "content": "backup", "shared": 1},
		map[string]any{"id": "storage/pve2/nfs", "type": "storage", "node": "pve2", "storage": "nfs", "status": "available", "plugintype": "nfs", "content": "backup", "shared": 1},
	)
	nfs := map[string]any{"storage": "nfs", "type": "nfs", "content": "backup", "active": 1, "shared": 1, "total": 1000, "used": 1, "avail": 999}
	f.storages["pve"] = append(f.storages["pve"], nfs)
	f.storages["pve2"] = []map[string]any{nfs}
	f.content["nfs"] = []map[string]any{{"volid": "nfs:backup/vzdump-qemu-500-x.vma.zst", "content": "backup", "vmid": 500, "ctime": 1795616402, "size": 7}}
	srv := f.start(t)
	c := f.client(t, srv)
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /nodes/pve/storage/nfs/content") + f.count("GET /nodes/pve2/storage/nfs/content"); n != 1 {
		t.Errorf("shared storage listed %d times", n)
	}
	if f.count("GET /nodes/pve3/storage") != 0 {
		t.Error("an offline node was asked")
	}
	nfsStores := 0
	for _, s := range st.Stores {
		if s.Name == "nfs" {
			nfsStores++
			if s.ID != "pve/nfs" || !s.Online {
				t.Errorf("nfs store %+v", s)
			}
		}
	}
	if nfsStores != 1 {
		t.Errorf("shared store appears %d times", nfsStores)
	}
	for _, tg := range st.Targets {
		if tg.ID == "pve2/qemu/500" && (len(tg.RestorePoints) != 1 || tg.RestorePoints[0].Store != "pve/nfs") {
			t.Errorf("guest on pve2: %+v", tg.RestorePoints)
		}
	}
}

func TestObserveOfflineStorage(t *testing.T) {
	f := newFakePVE(t)
	f.storages["pve"][1]["active"] = 0
	f.storages["pve"][1]["total"], f.storages["pve"][1]["used"], f.storages["pve"][1]["avail"] = 0, 0, 0
	srv := f.start(t)
	c := f.client(t, srv)
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatalf("an offline storage must not fail Observe: %v", err)
	}
	if f.count("GET /nodes/pve/storage/hddusb_bkpvzdumps/content") != 0 {
		t.Error("an offline storage was listed")
	}
	for _, s := range st.Stores {
		if s.Name == "hddusb_bkpvzdumps" && (s.Online || s.Total != 0) {
			t.Errorf("store %+v", s)
		}
	}
	for _, tg := range st.Targets {
		if tg.ID == "pve/lxc/200" && len(tg.RestorePoints) != 1 {
			t.Error("the other storage's archives must still show")
		}
	}
}

func TestObserveFailures(t *testing.T) {
	cases := []struct {
		name, path string
		status     int
		body, want string
	}{
		{"content of an online storage", "/nodes/pve/storage/hddusb_bkpvzdumps/content", 500, `{"data":null,"message":"unable to open directory '/mnt/hddusb_bkpvzdumps/dump' - Input/output error\n"}`,
			"listing the backups on storage hddusb_bkpvzdumps: PVE failed GET /nodes/pve/storage/hddusb_bkpvzdumps/content (HTTP 500): unable to open directory '/mnt/hddusb_bkpvzdumps/dump' - Input/output error"},
		{"cluster resources", "/cluster/resources", 500, `{"data":null,"message":"cluster not ready - no quorum?\n"}`,
			"PVE failed GET /cluster/resources (HTTP 500): cluster not ready - no quorum?"},
		{"cluster resources garbage", "/cluster/resources", 200, `{"data":[{"type":"qemu","vmid":{}}]}`,
			"cannot decode PVE's answer to GET /cluster/resources"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakePVE(t)
			f.fault = func(w http.ResponseWriter, r *http.Request, path string) bool {
				if path != tc.path {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
				return true
			}
			srv := f.start(t)
			c := f.client(t, srv)
			_, err := c.Observe(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestObserveWithoutSysAudit(t *testing.T) {
	f := newFakePVE(t)
	f.fault = func(w http.ResponseWriter, r *http.Request, path string) bool {
		if path != "/cluster/backup" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(403)
		_, _ = w.Write([]byte(`{"data":null}`))
		return true
	}
	srv := f.start(t)
	c := f.client(t, srv)
	if _, err := c.Observe(context.Background()); err != nil {
		t.Fatalf("a token that cannot read backup jobs still observes: %v", err)
	}
}

func TestSnapshots(t *testing.T) {
	f := newFakePVE(t)
	srv := f.start(t)
	c := f.client(t, srv)
	snaps, err := c.Snapshots(context.Background(), "pve/qemu/421")
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 || snaps[0].Name != "later" || snaps[1].Name != "pre-upgrade" || snaps[1].Description != "before 1.31" || snaps[0].Parent != "pre-upgrade" {
		t.Errorf("snapshots %+v", snaps)
	}
	if _, err := c.Snapshots(context.Background(), "urbackup/x"); err == nil {
		t.Error("a foreign id was accepted")
	}
}
