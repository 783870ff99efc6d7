package probe

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Missing is one privilege a feature lacks on one ACL path.
type Missing struct {
	Path      string // "/vms", "/vms/421", "/storage/hddusb_bkpvzdumps"
	Privilege string // "VM.Backup"; alternatives as "Datastore.Audit or Datastore.AllocateSpace"
}

func (m Missing) String() string { return m.Privilege + " on " + m.Path }

// FeatureCheck says whether the token's privileges allow one thing the
// console does.
type FeatureCheck struct {
	ID   string // "guests", "archives", "storages", "vzdump", "snapshots", "rollback", "jobs", "smart", "prune", "restore", "drill"
	Name string // "starting backups (vzdump)"
	// Status: OK; Off when a privilege is missing; Note when the feature
	// is optional or not needed in this mode.
	Status  Status
	Needs   string    // the privileges it takes, in words
	Missing []Missing // empty when OK
	// SwitchedOff is what the console cannot do without it.
	SwitchedOff string
}

// Detail is the feature's line for the operator.
func (f FeatureCheck) Detail() string {
	if len(f.Missing) == 0 {
		if f.Status == Note {
			return f.SwitchedOff
		}
		return "allowed: " + f.Needs
	}
	parts := make([]string, len(f.Missing))
	for i, m := range f.Missing {
		parts[i] = m.String()
	}
	return "missing " + strings.Join(parts, ", ") + ": " + f.SwitchedOff
}

// Features rates each of the console's features against the token's
// privileges, on the paths of what the token found (each guest, each
// backup storage, each node); a path's privilege missing on every guest or
// storage is named once, on /vms or /storage. hostMode: SMART is read on
// this machine, so the PVE disks API is not needed.
func Features(perms Permissions, d Discovery, hostMode bool) []FeatureCheck {
	guests := guestPaths(d, false)
	live := guestPaths(d, true) // snapshots: templates have none
	stores := storagePaths(d)
	nodes := nodePaths(d)
	has := perms.Has
	lacking := func(parent string, paths []string, priv string) []Missing {
		return collapse(parent, paths, priv, func(p string) bool { return !has(p, priv) })
	}
	var out []FeatureCheck
	add := func(f FeatureCheck, missing ...[]Missing) {
		for _, m := range missing {
			f.Missing = append(f.Missing, m...)
		}
		switch {
		case len(f.Missing) == 0:
			f.Status = OK
		case f.ID == "prune", f.ID == "restore", f.ID == "drill":
			f.Status = Note
		default:
			f.Status = Off
		}
		out = append(out, f)
	}

	add(FeatureCheck{ID: "guests", Name: "seeing guests", Needs: "VM.Audit on /vms",
		SwitchedOff: "the guests and templates it lacks it for are not listed"},
		lacking("/vms", guests, "VM.Audit"))

	add(FeatureCheck{ID: "storages", Name: "seeing the backup storages", Needs: "Datastore.Audit on each backup storage",
		SwitchedOff: "the storages' space and the date each will be full are not shown"},
		collapse("/storage", stores, "Datastore.Audit", func(p string) bool {
			return !has(p, "Datastore.Audit") && !has(p, "Datastore.AllocateSpace")
		}))

	// check_volume_access: Datastore.Allocate on the storage, or
	// Datastore.AllocateSpace on it and VM.Backup on the guest.
	var archives []Missing
	for _, s := range stores {
		if has(s, "Datastore.Allocate") {
			continue
		}
		if !has(s, "Datastore.AllocateSpace") {
			archives = append(archives, Missing{Path: s, Privilege: "Datastore.AllocateSpace"})
		}
	}
	archives = mergeParent("/storage", stores, archives)
	archives = append(archives, lacking("/vms", guests, "VM.Backup")...)
	add(FeatureCheck{ID: "archives", Name: "seeing backup content (vzdump archives)",
		Needs:       "Datastore.AllocateSpace on the backup storages and VM.Backup on the guests (an Audit role sees no archive)",
		SwitchedOff: "PVE lists no archive to it: those guests look never backed up"}, archives)

	add(FeatureCheck{ID: "vzdump", Name: "starting backups (vzdump)", Needs: "VM.Backup on the guests and Datastore.AllocateSpace on the backup storage",
		SwitchedOff: "b in the console and backdeck run --method vzdump are refused"},
		lacking("/vms", guests, "VM.Backup"), lacking("/storage", stores, "Datastore.AllocateSpace"))

	add(FeatureCheck{ID: "snapshots", Name: "taking and deleting snapshots", Needs: "VM.Snapshot on the guests",
		SwitchedOff: "s and D in the console and backdeck run --method snapshot are refused"},
		lacking("/vms", live, "VM.Snapshot"))

	add(FeatureCheck{ID: "rollback", Name: "rolling back to a snapshot", Needs: "VM.Snapshot.Rollback (or VM.Snapshot) on the guests",
		SwitchedOff: "R in the console is refused"},
		collapse("/vms", live, "VM.Snapshot.Rollback", func(p string) bool {
			return !has(p, "VM.Snapshot.Rollback") && !has(p, "VM.Snapshot")
		}))

	add(FeatureCheck{ID: "jobs", Name: "reading the backup jobs", Needs: "Sys.Audit on /",
		SwitchedOff: "the jobs' schedules are unknown and guests no job covers are not pointed out"},
		lacking("/", []string{"/"}, "Sys.Audit"))

	smart := FeatureCheck{ID: "smart", Name: "reading the drives' SMART through PVE", Needs: "Sys.Audit on the nodes",
		SwitchedOff: "laptop mode shows no drive health"}
	if hostMode {
		smart.Status, smart.SwitchedOff = Note, "not needed: on the host, smartctl reads the drives"
		out = append(out, smart)
	} else {
		add(smart, lacking("/nodes", nodes, "Sys.Audit"))
	}

	// backdeck prunes one guest at a time (DELETE …/prunebackups with its
	// vmid): PVE then wants these two, not Datastore.Allocate.
	add(FeatureCheck{ID: "prune", Name: "pruning old backups (optional)",
		Needs:       "Datastore.AllocateSpace on the backup storages and VM.Backup on the guests (Datastore.Allocate to protect more than 5 archives of a guest)",
		SwitchedOff: "optional: the preview still shows what a retention removes; pruning and protecting are refused"},
		lacking("/storage", stores, "Datastore.AllocateSpace"), lacking("/vms", guests, "VM.Backup"))

	// A restore makes a guest (VM.Allocate on its new VMID, under /vms);
	// a drill also cuts its network, starts and stops it and pings its agent.
	vms := []string{"/vms"}
	add(FeatureCheck{ID: "restore", Name: "restoring archives (optional)", Needs: "VM.Allocate on /vms, Datastore.AllocateSpace on the storage the disks go to",
		SwitchedOff: "optional: e in the console and backdeck restore are refused"},
		lacking("/vms", vms, "VM.Allocate"))
	add(FeatureCheck{ID: "drill", Name: "restore drills (optional)", Needs: "VM.Allocate, VM.Config.Network, VM.PowerMgmt and VM.Monitor on /vms",
		SwitchedOff: "optional: t in the console and backdeck drill are refused"},
		lacking("/vms", vms, "VM.Allocate"), lacking("/vms", vms, "VM.Config.Network"),
		lacking("/vms", vms, "VM.PowerMgmt"), lacking("/vms", vms, "VM.Monitor"))
	return out
}

// SwitchedOff lists the features a token's privileges switch off.
func SwitchedOff(fs []FeatureCheck) []FeatureCheck {
	var out []FeatureCheck
	for _, f := range fs {
		if f.Status == Off {
			out = append(out, f)
		}
	}
	return out
}

// collapse lists the paths that lack priv, or parent alone when it lacks
// it too and so does every path (or when there are no paths at all).
func collapse(parent string, paths []string, priv string, lacks func(string) bool) []Missing {
	if len(paths) == 0 {
		if lacks(parent) {
			return []Missing{{Path: parent, Privilege: priv}}
		}
		return nil
	}
	var out []Missing
	for _, p := range paths {
		if lacks(p) {
			out = append(out, Missing{Path: p, Privilege: priv})
		}
	}
	if len(out) == len(paths) && len(paths) > 1 && lacks(parent) {
		return []Missing{{Path: parent, Privilege: priv}}
	}
	return out
}

// mergeParent names parent once when every path in paths is in missing.
func mergeParent(parent string, paths []string, missing []Missing) []Missing {
	if len(paths) > 1 && len(missing) == len(paths) {
		return []Missing{{Path: parent, Privilege: missing[0].Privilege}}
	}
	return missing
}

func guestPaths(d Discovery, skipTemplates bool) []string {
	var out []string
	for _, g := range d.Guests {
		if skipTemplates && g.Template {
			continue
		}
		out = append(out, "/vms/"+strconv.Itoa(g.VMID))
	}
	return out
}

// storagePaths are the backup storages the token sees, and those the
// backup jobs name (a token without Datastore.Audit sees none listed).
func storagePaths(d Discovery) []string {
	seen := map[string]bool{}
	for _, s := range d.Storages {
		seen[s.ID] = true
	}
	for _, j := range d.Jobs {
		if j.Storage != "" {
			seen[j.Storage] = true
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, "/storage/"+s)
	}
	sort.Strings(out)
	return out
}

func nodePaths(d Discovery) []string {
	out := make([]string, 0, len(d.Nodes))
	for _, n := range d.Nodes {
		out = append(out, "/nodes/"+n)
	}
	return out
}

// PveumCommands are the commands that create the least-privilege user,
// roles, token and ACLs on the host, for the storages named (the wizard
// prints them; README keeps them as the manual way). user is
// "backdeck@pve", token the token's name ("console").
func PveumCommands(user, token string, storages []string) []string {
	if len(storages) == 0 {
		storages = []string{"YOUR_BACKUP_STORAGE"}
	}
	out := []string{
		fmt.Sprintf("pveum user add %s --comment %q", user, "backdeck console"),
		fmt.Sprintf("pveum user token add %s %s --privsep 0", user, token),
		`pveum role add BackdeckVMs --privs "VM.Audit VM.Backup VM.Snapshot VM.Snapshot.Rollback"`,
		`pveum role add BackdeckStore --privs "Datastore.Audit Datastore.AllocateSpace"`,
		`pveum role add BackdeckSys --privs "Sys.Audit"`,
		fmt.Sprintf("pveum acl modify /vms --users %s --roles BackdeckVMs", user),
	}
	for _, s := range storages {
		out = append(out, fmt.Sprintf("pveum acl modify /storage/%s --users %s --roles BackdeckStore", s, user))
	}
	return append(out, fmt.Sprintf("pveum acl modify / --users %s --roles BackdeckSys", user))
}
