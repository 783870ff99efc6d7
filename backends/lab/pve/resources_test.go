package pve

import (
	"encoding/json"
	"testing"
	"time"
)

type resource struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	VMID       *int   `json:"vmid"`
	Name       string `json:"name"`
	Node       string `json:"node"`
	Status     string `json:"status"`
	Template   int    `json:"template"`
	Lock       string `json:"lock"`
	Storage    string `json:"storage"`
	Content    string `json:"content"`
	PluginType string `json:"plugintype"`
	Disk       *int64 `json:"disk"`
	MaxDisk    *int64 `json:"maxdisk"`
	MaxMem     int64  `json:"maxmem"`
}

func TestClusterResourcesShape(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	var raw []map[string]json.RawMessage
	c.get("/cluster/resources", &raw)
	for _, r := range raw {
		if v, ok := r["vmid"]; ok && v[0] == '"' {
			t.Errorf("vmid is a string: %s", v)
		}
	}
	var res []resource
	c.get("/cluster/resources", &res)
	byID := map[string]resource{}
	for _, r := range res {
		byID[r.ID] = r
	}
	if n := byID["node/pve"]; n.Type != "node" || n.Status != "online" || n.Node != "pve" {
		t.Errorf("node entry %+v", n)
	}
	wantVMs := map[int]struct {
		name     string
		template int
		status   string
	}{
		100: {"debiantpl", 1, "stopped"}, 101: {"k3snodetpl", 1, "stopped"},
		411: {"k3sserver01", 0, "running"}, 421: {"k3sagent01", 0, "running"},
		422: {"k3sagent02", 0, "running"}, 431: {"bkpserver", 0, "running"},
	}
	for vmid, want := range wantVMs {
		r := byID["qemu/"+itoa(vmid)]
		if r.Type != "qemu" || r.VMID == nil || *r.VMID != vmid || r.Name != want.name || r.Template != want.template ||
			r.Status != want.status || r.Lock != "" || r.MaxMem == 0 {
			t.Errorf("qemu/%d: %+v", vmid, r)
		}
	}
	st := byID["storage/pve/hddusb_bkpvzdumps"]
	if st.Type != "storage" || st.Status != "available" || st.Content != "backup" || st.PluginType != "dir" ||
		st.Disk == nil || st.MaxDisk == nil || *st.Disk <= 0 || *st.Disk >= *st.MaxDisk {
		t.Errorf("backup storage entry %+v", st)
	}
	if l := byID["storage/pve/local"]; l.Content != "iso,snippets,vztmpl" {
		t.Errorf("local storage content %q must not include backup", l.Content)
	}
	var vms []resource
	c.get("/cluster/resources?type=vm", &vms)
	if len(vms) != 6 {
		t.Errorf("type=vm: %d entries", len(vms))
	}
	status, _, errs := c.apiErr("GET", "/cluster/resources?type=lxc", nil)
	if status != "400 Parameter verification failed." || errs["type"] == "" {
		t.Errorf("bad type: %q %v", status, errs)
	}
}

func TestClusterBackupJobHasPruneObjectWithStrings(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	var jobs []map[string]any
	c.get("/cluster/backup", &jobs)
	if len(jobs) != 1 {
		t.Fatalf("jobs %v", jobs)
	}
	j := jobs[0]
	for k, want := range map[string]any{"id": "backup-k3s-daily", "type": "vzdump", "schedule": "14:20",
		"storage": "hddusb_bkpvzdumps", "mode": "snapshot", "compress": "zstd", "vmid": "411,421,422",
		"enabled": 1.0, "notes-template": "{{guestname}}"} {
		if j[k] != want {
			t.Errorf("%s = %v, want %v", k, j[k], want)
		}
	}
	prune, ok := j["prune-backups"].(map[string]any)
	if !ok || prune["keep-daily"] != "7" || prune["keep-weekly"] != "4" || prune["keep-monthly"] != "3" {
		t.Errorf("prune-backups %#v", j["prune-backups"])
	}
	next, _ := j["next-run"].(float64)
	if d := time.Until(time.Unix(int64(next), 0)); d <= 0 || d > 24*time.Hour {
		t.Errorf("next-run in %v", d)
	}
}

func TestExtraGuests(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{ExtraGuests: 1000})
	var vms []resource
	c.get("/cluster/resources?type=vm", &vms)
	if len(vms) != 1006 {
		t.Fatalf("%d guests", len(vms))
	}
	if last := vms[len(vms)-1]; *last.VMID != 1999 || last.Name != "guest1999" {
		t.Errorf("last guest %+v", last)
	}
	var backups []backupEntry
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/content?content=backup&vmid=1500", &backups)
	if len(backups) != 5 {
		t.Errorf("guest1500 has %d backups", len(backups))
	}
	var st []storageEntryJSON
	c.get("/nodes/pve/storage?content=backup", &st)
	if len(st) != 1 || st[0].Used >= st[0].Total {
		t.Errorf("storage with 1000 extra guests: %+v", st)
	}
}

func BenchmarkClusterResources1000Guests(b *testing.B) {
	p, err := Start(Options{ExtraGuests: 1000})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	c := newClient(b, p, "PVEAPIToken="+p.TokenID()+"="+p.TokenSecret())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, _ := c.do("GET", "/cluster/resources", nil)
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
}

// BenchmarkStart1000Guests is what a lab with 1,000 extra guests costs to
// start (their seeded archives and tasks included).
func BenchmarkStart1000Guests(b *testing.B) {
	for range b.N {
		p, err := Start(Options{ExtraGuests: 1000})
		if err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}

// The guests no job selects, as PVE lists them: templates and bkpserver.
func TestNotBackedUp(t *testing.T) {
	_, c := startLab(t, Options{})
	var list []struct {
		VMID int    `json:"vmid"`
		Name string `json:"name"`
		Type string `json:"type"`
	}
	c.get("/cluster/backup-info/not-backed-up", &list)
	got := map[int]string{}
	for _, g := range list {
		got[g.VMID] = g.Name + "/" + g.Type
	}
	want := map[int]string{100: "debiantpl/qemu", 101: "k3snodetpl/qemu", 431: "bkpserver/qemu"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%d: %q, want %q", k, got[k], v)
		}
	}
}
