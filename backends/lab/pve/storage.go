package pve

import (
	"strings"
	"time"
)

// storageByID is the storage of a /nodes/{node}/storage/{storage}/… call.
func (w *world) storageByID(r *request) (*storage, error) {
	node, id := r.param("node"), r.param("storage")
	if s := w.storageOn(node, id); s != nil {
		return s, nil
	}
	if len(w.storagesNamed(id)) > 0 {
		// PVE::Storage::storage_check_node
		return nil, serverError("storage '%s' is not available on node '%s'", id, node)
	}
	return nil, serverError("storage '%s' does not exist", id)
}

// storageEntry is a storage as /nodes/{node}/storage lists it. An inactive
// storage (an unplugged USB disk) has active 0 and zero sizes.
func storageEntry(s *storage) map[string]any {
	m := map[string]any{
		"storage": s.id, "type": s.typ, "content": strings.Join(s.content, ","),
		"enabled": 1, "active": 0, "shared": b2i(s.shared), "total": 0, "used": 0, "avail": 0,
	}
	if s.active {
		used := s.used()
		m["active"], m["total"], m["used"], m["avail"] = 1, s.total, used, s.total-used
		m["used_fraction"] = float64(used) / float64(s.total)
	}
	return m
}

// GET /nodes/{node}/storage
func (w *world) storageList(r *request, now time.Duration) (any, error) {
	var wanted []string
	if c := r.form.Get("content"); c != "" {
		wanted = splitList(c)
	}
	if _, err := r.boolParam("enabled", false); err != nil {
		return nil, err
	}
	only := r.form.Get("storage")
	if only != "" && len(w.storagesNamed(only)) == 0 {
		return nil, paramError(map[string]string{"storage": "No such storage."})
	}
	out := []map[string]any{}
	for _, s := range w.storagesOn(r.param("node")) {
		if only != "" && s.id != only || !w.acl.hasAny("/storage/"+s.id, "Datastore.Audit", "Datastore.AllocateSpace") {
			continue
		}
		if wanted != nil {
			ok := false
			for _, c := range wanted {
				ok = ok || s.hasContent(c)
			}
			if !ok {
				continue
			}
		}
		out = append(out, storageEntry(s))
	}
	return out, nil
}

// GET /nodes/{node}/storage/{storage}/status
func (w *world) storageStatus(r *request, now time.Duration) (any, error) {
	s, err := w.storageByID(r)
	if err != nil {
		return nil, err
	}
	m := storageEntry(s)
	delete(m, "storage")
	delete(m, "used_fraction")
	return m, nil
}

// GET /nodes/{node}/storage/{storage}/content: the volumes, sorted by volid.
// Listing needs the storage activated, which fails for an unmounted disk.
func (w *world) storageContent(r *request, now time.Duration) (any, error) {
	s, err := w.storageByID(r)
	if err != nil {
		return nil, err
	}
	content, err := r.enumParam("content", "", "images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import")
	if err != nil {
		return nil, err
	}
	vmid := 0
	if v := r.form.Get("vmid"); v != "" {
		if vmid, err = vmidValue("vmid", v); err != nil {
			return nil, err
		}
	}
	if !s.active {
		return nil, serverError("%s", s.notMountedError())
	}
	out := []map[string]any{}
	if content != "" && content != "backup" || !s.hasContent("backup") {
		return out, nil // the lab keeps only backups; other content lists empty
	}
	for _, a := range s.sortedArchives() {
		if vmid != 0 && a.vmid != vmid || !w.acl.canSeeBackup(s.id, a.vmid) {
			continue
		}
		// The directory plugin reads subtype and vmid from the file name:
		// a renamed archive may have neither.
		m := map[string]any{"volid": a.volid, "content": "backup", "subtype": a.guestType(), "format": a.format,
			"size": a.size, "ctime": a.ctime}
		if a.vmid != 0 {
			m["vmid"] = a.vmid
		}
		if a.notes != "" {
			m["notes"] = a.notes
		}
		if a.protected {
			m["protected"] = 1
		}
		out = append(out, m)
	}
	return out, nil
}
