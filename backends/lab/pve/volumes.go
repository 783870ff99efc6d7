package pve

import (
	"fmt"
	"strings"
	"time"
)

// PUT /nodes/{node}/storage/{storage}/content/{volume}: notes and
// protection of a backup (PVE::API2::Storage::Content updateattributes).
func (w *world) volumeUpdate(r *request, now time.Duration) (any, error) {
	s, err := w.storageByID(r)
	if err != nil {
		return nil, err
	}
	volid, err := realVolumeID(s.id, r.param("volume"))
	if err != nil {
		return nil, err
	}
	name, ok := strings.CutPrefix(volid, s.id+":backup/")
	if !ok {
		return nil, serverError("only backups support attribute 'protected'")
	}
	vmid := vmidFromName(name)
	// check_volume_access for a backup volume: Datastore.Allocate on the
	// storage, or Datastore.AllocateSpace on it and VM.Backup on the guest.
	if !w.acl.has("/storage/"+s.id, "Datastore.Allocate") {
		if err := w.acl.check("/storage/"+s.id, "Datastore.AllocateSpace"); err != nil {
			return nil, err
		}
		if err := w.acl.check(fmt.Sprintf("/vms/%d", vmid), "VM.Backup"); err != nil {
			return nil, err
		}
	}
	var a *archive
	for _, x := range s.archives {
		if x.volid == volid {
			a = x
		}
	}
	if r.has("notes") && a != nil {
		a.notes = r.form.Get("notes")
	}
	if !r.has("protected") {
		return nil, nil
	}
	protect, err := r.boolParam("protected", false)
	if err != nil {
		return nil, err
	}
	if a == nil {
		// The directory plugin creates or removes the .protected file
		// beside the archive without looking for the archive itself.
		return nil, nil
	}
	if protect && !a.protected && !w.acl.has("/storage/"+s.id, "Datastore.Allocate") {
		// get_max_protected_backups: 5 per guest without Datastore.Allocate
		// (max-protected-backups unset).
		n := 0
		for _, x := range s.archives {
			if x.protected && x.vmid == vmid && x.guestType() == a.guestType() {
				n++
			}
		}
		if n >= 5 {
			return nil, serverError("The number of protected backups per guest is limited to 5 on storage '%s'", s.id)
		}
	}
	a.protected = protect
	return nil, nil
}

// realVolumeID is the API's real_volume_id: a full volid ("store:backup/…")
// whose storage must be the path's, or a volume name on the path's storage.
func realVolumeID(storage, volume string) (string, error) {
	if sid, _, ok := strings.Cut(volume, ":"); ok {
		if sid != storage {
			return "", paramError(map[string]string{"volume": fmt.Sprintf("storage ID mismatch (%s != %s)\n", sid, storage)})
		}
		return volume, nil
	}
	return storage + ":" + volume, nil
}

// GET /storage: storage.cfg, each storage the token may see once (a
// storage on several nodes is one entry); prune-backups is the property
// string storage.cfg holds.
func (w *world) storageConfigList(r *request, now time.Duration) (any, error) {
	out := []map[string]any{}
	seen := map[string]bool{}
	for _, s := range w.storages {
		if seen[s.id] || !w.acl.hasAny("/storage/"+s.id, "Datastore.Audit", "Datastore.AllocateSpace") {
			continue
		}
		seen[s.id] = true
		out = append(out, w.storageConfig(s))
	}
	return out, nil
}

// GET /storage/{storage}
func (w *world) storageConfigRead(r *request, now time.Duration) (any, error) {
	list := w.storagesNamed(r.param("storage"))
	if len(list) == 0 {
		return nil, serverError("storage '%s' does not exist", r.param("storage"))
	}
	return w.storageConfig(list[0]), nil
}

func (w *world) storageConfig(s *storage) map[string]any {
	m := map[string]any{"storage": s.id, "type": s.typ, "content": strings.Join(s.content, ","), "digest": "5b1c0e7d2a9f4e3b8c6d1a0f9e8d7c6b5a4f3e2d"}
	if s.path != "" {
		m["path"] = s.path
	}
	if s.mountpoint {
		m["is_mountpoint"] = "yes"
	}
	if s.shared {
		m["shared"] = 1
	}
	var nodes []string
	for _, x := range w.storagesNamed(s.id) {
		if x.node != "" {
			nodes = append(nodes, x.node)
		}
	}
	if len(nodes) > 0 && len(nodes) < len(w.nodes) {
		m["nodes"] = strings.Join(nodes, ",")
	}
	if s.pruneBackups != "" {
		m["prune-backups"] = s.pruneBackups
	}
	return m
}

// SetStoragePrune sets a storage's prune-backups in storage.cfg, as
// `pvesm set STORAGE --prune-backups keep-last=3` does ("" removes it).
func (p *Server) SetStoragePrune(storage, spec string) error {
	var err error
	p.withWorld(func(w *world, now time.Duration) {
		if spec != "" {
			if _, err = parseRetention(spec); err != nil {
				return
			}
		}
		list := w.storagesNamed(storage)
		if len(list) == 0 {
			err = fmt.Errorf("lab: there is no storage %s", storage)
		}
		for _, s := range list {
			s.pruneBackups = spec
		}
	})
	return err
}

// RenameArchive renames an archive's file, as an operator does with mv
// beside PVE: PVE still lists it, reads its vmid from the new name where it
// can, and prune marks it "renamed" when the name is not vzdump's own.
func (p *Server) RenameArchive(volid, newName string) error {
	err := fmt.Errorf("lab: there is no archive %s", volid)
	p.withWorld(func(w *world, now time.Duration) {
		for _, s := range w.storages {
			for _, a := range s.archives {
				if a.volid == volid {
					a.volid = s.id + ":backup/" + newName
					a.vmid = vmidFromName(newName)
					s.sorted = false
					err = nil
				}
			}
		}
	})
	return err
}
