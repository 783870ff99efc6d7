package pve

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"testing"
)

func TestPermissionsOfTheDefaultTokenAreAnAdministrators(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	var perms map[string]map[string]int
	c.get("/access/permissions", &perms)
	// The top-level paths of get_effective_permissions, each with every privilege.
	for _, p := range []string{"/", "/access", "/access/groups", "/nodes", "/pool", "/sdn", "/storage", "/vms"} {
		if len(perms[p]) != len(AdministratorPrivileges) {
			t.Errorf("%s: %d privileges, want %d: %v", p, len(perms[p]), len(AdministratorPrivileges), perms[p])
		}
	}
	if perms["/vms"]["VM.Backup"] != 1 {
		t.Errorf("/vms VM.Backup = %v, want 1 (propagated)", perms["/vms"]["VM.Backup"])
	}
}

func TestAnAuditorTokenSeesGuestsButNoArchivesAndMayNotBackUp(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{Grants: []Grant{{Path: "/", Privileges: AuditorPrivileges}}})

	var perms map[string]map[string]int
	c.get("/access/permissions", &perms)
	got := keys(perms["/vms"])
	want := slices.Clone(AuditorPrivileges)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("/vms privileges %v, want %v", got, want)
	}

	var resources []map[string]any
	c.get("/cluster/resources?type=vm", &resources)
	if len(resources) != 6 {
		t.Errorf("an auditor lists %d guests, want the seed's 6", len(resources))
	}
	var content []map[string]any
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/content?content=backup", &content)
	if len(content) != 0 {
		t.Errorf("an auditor lists %d archives, want none (check_volume_access wants VM.Backup)", len(content))
	}

	status, msg, _ := c.apiErr(http.MethodPost, "/nodes/pve/vzdump", url.Values{"vmid": {"421"}, "storage": {"hddusb_bkpvzdumps"}})
	if status != "403 Permission check failed (/vms/421, VM.Backup)" || msg != "Permission check failed (/vms/421, VM.Backup)\n" {
		t.Errorf("vzdump: %q, message %q", status, msg)
	}
	status, _, _ = c.apiErr(http.MethodPost, "/nodes/pve/qemu/421/snapshot", url.Values{"snapname": {"x"}})
	if status != "403 Permission check failed (/vms/421, VM.Snapshot)" {
		t.Errorf("snapshot: %q", status)
	}
	status, _, _ = c.apiErr(http.MethodDelete, "/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups", url.Values{"prune-backups": {"keep-last=2"}})
	if status != "403 Permission check failed (/storage/hddusb_bkpvzdumps, Datastore.Allocate)" {
		t.Errorf("prune: %q", status)
	}
	// Sys.Audit on / reaches the nodes' disks and the backup jobs.
	c.get("/nodes/pve/disks/list", nil)
	c.get("/cluster/backup", nil)
}

func TestLeastPrivilegeSeesItsStorageOnly(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{Grants: LeastPrivilegeGrants(false, "hddusb_bkpvzdumps")})
	var stores []map[string]any
	c.get("/cluster/resources?type=storage", &stores)
	if len(stores) != 1 || stores[0]["storage"] != "hddusb_bkpvzdumps" {
		t.Errorf("storages listed: %v, want hddusb_bkpvzdumps alone", stores)
	}
	var content []map[string]any
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/content?content=backup", &content)
	if len(content) == 0 {
		t.Error("least privilege lists no archive; AllocateSpace and VM.Backup should show them")
	}
	status, _, _ := c.apiErr(http.MethodGet, "/nodes/pve/storage/local/status", nil)
	if status != "403 Permission check failed (/storage/local, Datastore.Audit|Datastore.AllocateSpace)" {
		t.Errorf("another storage: %q", status)
	}
	var perms map[string]map[string]int
	c.get("/access/permissions", &perms)
	if got := keys(perms["/storage/hddusb_bkpvzdumps"]); !slices.Equal(got, []string{"Datastore.AllocateSpace", "Datastore.Audit", "Sys.Audit"}) {
		t.Errorf("/storage/hddusb_bkpvzdumps: %v", got)
	}
	if _, ok := perms["/storage"]; !ok || len(perms["/storage"]) != 1 {
		t.Errorf("/storage: %v, want Sys.Audit alone (inherited from /)", perms["/storage"])
	}

	var one map[string]map[string]int
	c.get("/access/permissions?path=%2Fvms%2F421", &one)
	if len(one) != 1 || one["/vms/421"]["VM.Backup"] != 1 {
		t.Errorf("path=/vms/421: %v", one)
	}
	// SetGrants takes effect on the next call.
	p.SetGrants(nil)
	c.get("/nodes/pve/storage/local/status", nil)
}

func TestAnotherUsersPermissionsNeedSysAuditOnAccess(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{Grants: []Grant{{Path: "/vms", Privileges: []string{"VM.Audit"}}}})
	status, _, _ := c.apiErr(http.MethodGet, "/access/permissions", url.Values{"userid": {"root@pam"}})
	if status != "403 Permission check failed (/access, Sys.Audit)" {
		t.Errorf("another user's permissions: %q", status)
	}
	var own map[string]map[string]int
	c.get("/access/permissions?userid=backdeck%40pve", &own) // the token's own user
	if len(own) != 1 || own["/vms"]["VM.Audit"] != 1 {
		t.Errorf("own permissions: %v, want /vms alone", own)
	}
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
