package pve

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Grant gives the lab's token privileges on an ACL path and every path
// below it, as `pveum acl modify PATH --roles …` does with propagate on
// (the default).
type Grant struct {
	Path       string
	Privileges []string
}

// Privileges of the roles PVE 8 ships that the lab's tests grant
// (pve-access-control, PVE/AccessControl.pm).
var (
	// AdministratorPrivileges is every privilege PVE 8 knows: the
	// Administrator role.
	AdministratorPrivileges = []string{
		"Datastore.Allocate", "Datastore.AllocateSpace", "Datastore.AllocateTemplate", "Datastore.Audit",
		"Group.Allocate", "Mapping.Audit", "Mapping.Modify", "Mapping.Use", "Permissions.Modify",
		"Pool.Allocate", "Pool.Audit", "Realm.Allocate", "Realm.AllocateUser",
		"SDN.Allocate", "SDN.Audit", "SDN.Use",
		"Sys.AccessNetwork", "Sys.Audit", "Sys.Console", "Sys.Incoming", "Sys.Modify", "Sys.PowerMgmt", "Sys.Syslog",
		"User.Modify",
		"VM.Allocate", "VM.Audit", "VM.Backup", "VM.Clone", "VM.Config.CDROM", "VM.Config.CPU", "VM.Config.Cloudinit",
		"VM.Config.Disk", "VM.Config.HWType", "VM.Config.Memory", "VM.Config.Network", "VM.Config.Options",
		"VM.Console", "VM.Migrate", "VM.Monitor", "VM.PowerMgmt", "VM.Snapshot", "VM.Snapshot.Rollback",
	}
	// AuditorPrivileges is the PVEAuditor role: read-only.
	AuditorPrivileges = []string{"Datastore.Audit", "Mapping.Audit", "Pool.Audit", "SDN.Audit", "Sys.Audit", "VM.Audit"}
)

// AdministratorGrants is what a token gets when Options.Grants is nil:
// every privilege on /.
func AdministratorGrants() []Grant {
	return []Grant{{Path: "/", Privileges: slices.Clone(AdministratorPrivileges)}}
}

// LeastPrivilegeGrants are the grants README's pveum commands give
// backdeck's token: VM.Audit, VM.Backup, VM.Snapshot and
// VM.Snapshot.Rollback on /vms; Datastore.Audit and
// Datastore.AllocateSpace (with prune, Datastore.Allocate too) on each
// backup storage; Sys.Audit on /.
func LeastPrivilegeGrants(prune bool, storages ...string) []Grant {
	store := []string{"Datastore.Audit", "Datastore.AllocateSpace"}
	if prune {
		store = append(store, "Datastore.Allocate")
	}
	out := []Grant{
		{Path: "/", Privileges: []string{"Sys.Audit"}},
		{Path: "/vms", Privileges: []string{"VM.Audit", "VM.Backup", "VM.Snapshot", "VM.Snapshot.Rollback"}},
	}
	for _, s := range storages {
		out = append(out, Grant{Path: "/storage/" + s, Privileges: slices.Clone(store)})
	}
	return out
}

// acl is the token's effective privileges, computed from its grants.
type acl struct {
	grants []Grant
}

func newACL(grants []Grant) *acl {
	if grants == nil {
		grants = AdministratorGrants()
	}
	a := &acl{}
	for _, g := range grants {
		a.grants = append(a.grants, Grant{Path: normalizeACLPath(g.Path), Privileges: slices.Clone(g.Privileges)})
	}
	return a
}

// normalizeACLPath writes a path as PVE keeps it: a leading slash, no
// trailing or doubled ones.
func normalizeACLPath(p string) string {
	parts := strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
	return "/" + strings.Join(parts, "/")
}

// privileges are those set on path: from every grant on it or above it.
func (a *acl) privileges(path string) map[string]bool {
	path = normalizeACLPath(path)
	out := map[string]bool{}
	for _, g := range a.grants {
		if g.Path == "/" || path == g.Path || strings.HasPrefix(path, g.Path+"/") {
			for _, p := range g.Privileges {
				out[p] = true
			}
		}
	}
	return out
}

// has reports whether every one of privs is set on path.
func (a *acl) has(path string, privs ...string) bool {
	set := a.privileges(path)
	for _, p := range privs {
		if !set[p] {
			return false
		}
	}
	return true
}

// hasAny reports whether one of privs is set on path.
func (a *acl) hasAny(path string, privs ...string) bool {
	set := a.privileges(path)
	for _, p := range privs {
		if set[p] {
			return true
		}
	}
	return false
}

// check is RPCEnvironment::check: every privilege, or 403 naming the first
// one missing.
func (a *acl) check(path string, privs ...string) error {
	set := a.privileges(path)
	for _, p := range privs {
		if !set[p] {
			return permissionError(path, p)
		}
	}
	return nil
}

// checkAny is RPCEnvironment::check_any: 403 names them all, joined by |.
func (a *acl) checkAny(path string, privs ...string) error {
	if a.hasAny(path, privs...) {
		return nil
	}
	return permissionError(path, strings.Join(privs, "|"))
}

// permissionError is raise_perm_exc: "403 Permission check failed (/vms/421, VM.Backup)".
func permissionError(path, what string) error {
	return &apiError{status: http.StatusForbidden, msg: "Permission check failed (" + path + ", " + what + ")"}
}

// canSeeBackup is PVE::Storage::check_volume_access for a backup volume
// of guest vmid on storage: Datastore.Allocate on the storage, or
// Datastore.AllocateSpace on it and VM.Backup on the guest. An Audit role
// alone lists no archive.
func (a *acl) canSeeBackup(storage string, vmid int) bool {
	sp := "/storage/" + storage
	return a.has(sp, "Datastore.Allocate") ||
		a.has(sp, "Datastore.AllocateSpace") && a.has("/vms/"+strconv.Itoa(vmid), "VM.Backup")
}

// routeCheck is the permission a route's schema states (its "check"), run
// before the handler; lists filter their entries themselves.
func (a *acl) routeCheck(rt *route, r *request) error {
	vmPath := func() string { return "/vms/" + r.param("vmid") }
	nodePath := func() string { return "/nodes/" + r.param("node") }
	storePath := func() string { return "/storage/" + r.param("storage") }
	switch rt.method + " " + strings.Join(rt.pattern, "/") {
	case "GET cluster/backup", "GET cluster/backup/{id}":
		return a.check("/", "Sys.Audit")
	case "GET storage/{storage}":
		return a.check(storePath(), "Datastore.Allocate") // the index needs only Audit
	case "GET nodes/{node}/status", "GET nodes/{node}/disks/list", "GET nodes/{node}/disks/smart":
		return a.check(nodePath(), "Sys.Audit")
	case "GET nodes/{node}/storage/{storage}/status", "GET nodes/{node}/storage/{storage}/content",
		"GET nodes/{node}/storage/{storage}/prunebackups":
		return a.checkAny(storePath(), "Datastore.Audit", "Datastore.AllocateSpace")
	case "DELETE nodes/{node}/storage/{storage}/prunebackups":
		// "Datastore.Allocate on the storage, or with a vmid,
		// Datastore.AllocateSpace and VM.Backup for the guest."
		if a.has(storePath(), "Datastore.Allocate") {
			return nil
		}
		if v := r.form.Get("vmid"); v != "" {
			if err := a.check(storePath(), "Datastore.AllocateSpace"); err != nil {
				return err
			}
			return a.check("/vms/"+v, "VM.Backup")
		}
		return a.check(storePath(), "Datastore.Allocate")
	case "GET nodes/{node}/qemu/{vmid}/snapshot", "GET nodes/{node}/qemu/{vmid}/snapshot/{snapname}",
		"GET nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config":
		return a.check(vmPath(), "VM.Audit")
	case "POST nodes/{node}/qemu/{vmid}/snapshot", "DELETE nodes/{node}/qemu/{vmid}/snapshot/{snapname}":
		return a.check(vmPath(), "VM.Snapshot")
	case "POST nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback":
		if err := a.checkAny(vmPath(), "VM.Snapshot", "VM.Snapshot.Rollback"); err != nil {
			return err
		}
		// qemu-server checks VM.PowerMgmt up front when start=1 (since
		// April 2026): the worker starts the VM without vm_start's check.
		if start, err := r.boolParam("start", false); err == nil && start {
			return a.check(vmPath(), "VM.PowerMgmt")
		}
		return nil
	case "GET nodes/{node}/qemu/{vmid}/config", "GET nodes/{node}/qemu/{vmid}/status/current":
		return a.check(vmPath(), "VM.Audit")
	case "PUT nodes/{node}/qemu/{vmid}/config":
		return a.checkAny(vmPath(), "VM.Config.Network", "VM.Config.Options")
	case "POST nodes/{node}/qemu/{vmid}/status/start", "POST nodes/{node}/qemu/{vmid}/status/stop":
		return a.check(vmPath(), "VM.PowerMgmt")
	case "POST nodes/{node}/qemu/{vmid}/agent/ping":
		return a.check(vmPath(), "VM.Monitor")
	case "DELETE nodes/{node}/qemu/{vmid}":
		return a.check(vmPath(), "VM.Allocate")
	}
	return nil
}

// GET /access/permissions: the token's effective privileges, as
// RPCEnvironment::get_effective_permissions computes them: the top-level
// paths and every path an ACL names, each with the privileges set on it
// (value 1: propagated), paths with none left out. With path, only that
// path, even with nothing set on it. Another user's permissions need Sys.Audit
// on /access.
func (w *world) accessPermissions(r *request, now time.Duration) (any, error) {
	if u := r.form.Get("userid"); u != "" && u != w.cfg.tokenUser && !strings.HasPrefix(w.cfg.tokenUser, u+"!") {
		if err := w.acl.check("/access", "Sys.Audit"); err != nil {
			return nil, err
		}
		return map[string]any{}, nil // the lab knows no other user
	}
	paths := []string{"/", "/access", "/access/groups", "/nodes", "/pool", "/sdn", "/storage", "/vms"}
	if p := r.form.Get("path"); p != "" {
		paths = []string{p}
	} else {
		for _, g := range w.acl.grants {
			if !slices.Contains(paths, g.Path) {
				paths = append(paths, g.Path)
			}
		}
	}
	out := map[string]any{}
	for _, p := range paths {
		set := w.acl.privileges(p)
		if len(set) == 0 && r.form.Get("path") == "" {
			continue
		}
		names := make([]string, 0, len(set))
		for n := range set {
			names = append(names, n)
		}
		sort.Strings(names)
		privs := map[string]int{}
		for _, n := range names {
			privs[n] = 1
		}
		out[p] = privs
	}
	return out, nil
}
