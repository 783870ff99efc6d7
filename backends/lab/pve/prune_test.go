package pve

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// markBackups against PVE::Storage::prune_mark_backup_group worked by hand:
// keep-last takes the newest, keep-daily the newest of each of the next days
// not yet kept (a second backup of a kept day stays unmarked and is
// removed), the weeks are ISO weeks (2 January 2026 is in week 1 of 2026),
// and a protected backup takes no bucket.
func TestMarkBackupsFollowsPVE(t *testing.T) {
	at := func(s string) int64 {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return tm.Unix()
	}
	group := []*archive{
		{volid: "A", ctime: at("2026-01-15 18:00")},
		{volid: "B", ctime: at("2026-01-15 12:00")},
		{volid: "P", ctime: at("2026-01-14 20:00"), protected: true},
		{volid: "C", ctime: at("2026-01-14 18:00")},
		{volid: "D", ctime: at("2026-01-13 18:00")},
		{volid: "E", ctime: at("2026-01-10 18:00")},
		{volid: "F", ctime: at("2026-01-09 18:00")},
		{volid: "G", ctime: at("2026-01-02 18:00")},
		{volid: "H", ctime: at("2025-12-20 18:00")},
		{volid: "I", ctime: at("2025-11-20 18:00")},
	}
	keep := map[string]int{"keep-last": 1, "keep-daily": 2, "keep-weekly": 2, "keep-monthly": 1}
	want := map[string]string{"A": "keep", "B": "remove", "P": "protected", "C": "keep", "D": "keep",
		"E": "keep", "F": "remove", "G": "keep", "H": "keep", "I": "remove"}
	marks := markBackups(group, keep, time.UTC)
	for _, a := range group {
		if marks[a] != want[a.volid] {
			t.Errorf("%s: %q, want %q", a.volid, marks[a], want[a.volid])
		}
	}
	// No positive option, or keep-all: everything kept, protected stays protected.
	for _, k := range []map[string]int{{}, {"keep-all": 1, "keep-last": 1}, {"keep-daily": 0}} {
		for a, m := range markBackups(group, k, time.UTC) {
			if w := map[bool]string{true: "protected", false: "keep"}[a.protected]; m != w {
				t.Errorf("%v: %s %q, want %q", k, a.volid, m, w)
			}
		}
	}
}

type pruneEntryJSON struct {
	Volid string `json:"volid"`
	Mark  string `json:"mark"`
	Type  string `json:"type"`
	VMID  *int   `json:"vmid"`
	CTime int64  `json:"ctime"`
}

// A renamed archive and a protected one survive a prune that would remove
// them by age; the content listing shows the protection; unprotected, the
// archive goes with the next prune.
func TestPruneKeepsProtectedAndRenamed(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	list := archives(c, 421)
	if len(list) < 5 {
		t.Fatalf("only %d archives of 421", len(list))
	}
	oldest, second := list[0].Volid, list[1].Volid // sorted by volid: oldest first
	renamed := "hddusb_bkpvzdumps:backup/vzdump-qemu-421-before-upgrade.vma.zst"
	if err := p.RenameArchive(oldest, "vzdump-qemu-421-before-upgrade.vma.zst"); err != nil {
		t.Fatal(err)
	}
	vol := "/nodes/pve/storage/hddusb_bkpvzdumps/content/" + url.PathEscape(second)
	c.call(http.MethodPut, vol, url.Values{"protected": {"1"}}, nil)
	protected := 0
	for _, a := range archives(c, 421) {
		if a.Volid == second && (a.Protected == nil || *a.Protected != 1) || a.Volid != second && a.Protected != nil {
			t.Errorf("listing %+v", a)
		}
		if a.Volid == renamed && (a.VMID != 421 || a.Subtype != "qemu") {
			t.Errorf("renamed listed as %+v", a)
		}
		if a.Protected != nil {
			protected++
		}
	}
	if protected != 1 {
		t.Errorf("%d protected", protected)
	}
	var marks []pruneEntryJSON
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups?prune-backups=keep-last%3D1&vmid=421&type=qemu", &marks)
	got := map[string]string{}
	for _, m := range marks {
		got[m.Volid] = m.Mark
	}
	if got[renamed] != "renamed" || got[second] != "protected" || len(marks) != len(list) {
		t.Errorf("marks %v", got)
	}
	var upid string
	c.call(http.MethodDelete, "/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups", url.Values{"prune-backups": {"keep-last=1"}, "vmid": {"421"}}, &upid)
	if lines, st := c.follow(upid, nil); st.ExitStatus != "OK" || strings.Contains(strings.Join(lines, "\n"), second) {
		t.Fatalf("prune %+v %q", st, lines)
	}
	left := map[string]bool{}
	for _, a := range archives(c, 421) {
		left[a.Volid] = true
	}
	if len(left) != 3 || !left[renamed] || !left[second] {
		t.Errorf("left after prune: %v", left)
	}
	// A name no vzdump wrote: PVE knows neither its type nor its guest.
	if err := p.RenameArchive(renamed, "k3s-before-upgrade.vma.zst"); err != nil {
		t.Fatal(err)
	}
	marks = nil
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups?prune-backups=keep-last%3D1", &marks)
	found := false
	for _, m := range marks {
		if m.Volid == "hddusb_bkpvzdumps:backup/k3s-before-upgrade.vma.zst" {
			found = m.Mark == "renamed" && m.Type == "unknown" && m.VMID == nil
		}
	}
	if !found {
		t.Errorf("k3s-before-upgrade not renamed/unknown/without vmid: %+v", marks)
	}
	c.call(http.MethodPut, vol, url.Values{"protected": {"0"}}, nil)
	c.call(http.MethodDelete, "/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups", url.Values{"prune-backups": {"keep-last=1"}, "vmid": {"421"}}, &upid)
	c.follow(upid, nil)
	if n := len(archives(c, 421)); n != 1 {
		t.Errorf("after unprotect and prune: %d archives of 421", n)
	}
}

// Without Datastore.Allocate a guest keeps at most 5 protected backups
// (get_max_protected_backups); a full volid must name the path's storage.
func TestProtectLimitsAndVolumeIDs(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{Grants: LeastPrivilegeGrants(false, "hddusb_bkpvzdumps")})
	list := archives(c, 421)
	for i, a := range list[:6] {
		path := "/nodes/pve/storage/hddusb_bkpvzdumps/content/" + url.PathEscape(a.Volid)
		if i < 5 {
			c.call(http.MethodPut, path, url.Values{"protected": {"1"}}, nil)
			continue
		}
		if status, _, _ := c.apiErr(http.MethodPut, path, url.Values{"protected": {"1"}}); status != "500 The number of protected backups per guest is limited to 5 on storage 'hddusb_bkpvzdumps'" {
			t.Errorf("sixth: %q", status)
		}
	}
	if status, _, errs := c.apiErr(http.MethodPut, "/nodes/pve/storage/local/content/"+url.PathEscape(list[0].Volid), url.Values{"protected": {"1"}}); status != "400 Parameter verification failed." || !strings.Contains(errs["volume"], "storage ID mismatch") {
		t.Errorf("mismatch: %q %v", status, errs)
	}
	p.SetGrants([]Grant{{Path: "/", Privileges: AuditorPrivileges}})
	if status, _, _ := c.apiErr(http.MethodPut, "/nodes/pve/storage/hddusb_bkpvzdumps/content/"+url.PathEscape(list[0].Volid), url.Values{"protected": {"0"}}); !strings.HasPrefix(status, "403 Permission check failed") {
		t.Errorf("auditor: %q", status)
	}
}

// The storage's own prune-backups, as /storage shows it, is what a prune
// without retention uses.
func TestStoragePruneBackups(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	var cfg map[string]any
	c.get("/storage/hddusb_bkpvzdumps", &cfg)
	if _, ok := cfg["prune-backups"]; ok || cfg["path"] != "/mnt/hddusb_bkpvzdumps" {
		t.Errorf("config %v", cfg)
	}
	if err := p.SetStoragePrune("hddusb_bkpvzdumps", "keep-last=2"); err != nil {
		t.Fatal(err)
	}
	p.SetGrants(LeastPrivilegeGrants(false, "hddusb_bkpvzdumps"))
	if status, _, _ := c.apiErr(http.MethodGet, "/storage/hddusb_bkpvzdumps", nil); status != "403 Permission check failed (/storage/hddusb_bkpvzdumps, Datastore.Allocate)" {
		t.Errorf("reading one storage's config without Datastore.Allocate: %q", status)
	}
	var all []map[string]any
	c.get("/storage", &all)
	n := 0
	for _, s := range all {
		if s["storage"] == "hddusb_bkpvzdumps" && s["prune-backups"] == "keep-last=2" {
			n++
		}
	}
	if n != 1 || len(all) != 1 { // the token sees only its storage
		t.Errorf("storage list %v", all)
	}
	var marks []pruneEntryJSON
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups?vmid=431", &marks)
	keep := 0
	for _, m := range marks {
		if m.Mark == "keep" {
			keep++
		}
	}
	if len(marks) != 3 || keep != 2 {
		t.Errorf("storage retention marks %+v", marks)
	}
}
