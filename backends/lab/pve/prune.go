package pve

import (
	"fmt"
	"sort"
	"time"
)

// markBackups is PVE::Storage::prune_mark_backup_group over one guest's
// backups: protected ones are never removed and take no bucket; keep-last
// keeps the newest, then each keep-<period> keeps the newest backup of that
// many periods not already kept (periods in local time, weeks ISO weeks).
func markBackups(group []*archive, keep map[string]int, loc *time.Location) map[*archive]string {
	marks := map[*archive]string{}
	for _, a := range group {
		if a.protected {
			marks[a] = "protected"
		}
	}
	positive := false
	for k, v := range keep {
		positive = positive || (k != "keep-all" && v > 0)
	}
	if keep["keep-all"] > 0 || !positive {
		for _, a := range group {
			if marks[a] == "" {
				marks[a] = "keep"
			}
		}
		return marks
	}
	list := append([]*archive(nil), group...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].ctime > list[j].ctime })
	periods := []struct {
		key string
		id  func(t time.Time) string
	}{
		{"keep-last", func(t time.Time) string { return fmt.Sprint(t.Unix()) }},
		{"keep-hourly", func(t time.Time) string { return t.Format("2006-01-02 15") }},
		{"keep-daily", func(t time.Time) string { return t.Format("2006-01-02") }},
		{"keep-weekly", func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d/%d", w, y) }},
		{"keep-monthly", func(t time.Time) string { return t.Format("2006-01") }},
		{"keep-yearly", func(t time.Time) string { return t.Format("2006") }},
	}
	for _, p := range periods {
		count := keep[p.key]
		if count <= 0 {
			continue
		}
		id := func(a *archive) string { return p.id(time.Unix(a.ctime, 0).In(loc)) }
		already := map[string]bool{}
		for _, a := range list {
			if marks[a] == "keep" {
				already[id(a)] = true
			}
		}
		fresh := map[string]bool{}
		for _, a := range list {
			if marks[a] != "" || already[id(a)] {
				continue
			}
			if !fresh[id(a)] {
				if len(fresh) >= count {
					break
				}
				fresh[id(a)] = true
				marks[a] = "keep"
			} else {
				marks[a] = "remove"
			}
		}
	}
	for _, a := range list {
		if marks[a] == "" {
			marks[a] = "remove"
		}
	}
	return marks
}

// pruneSel says which backups a prune call considers.
type pruneSel struct {
	vmid int    // 0: all guests
	typ  string // "", "qemu" or "lxc"; every archive here is a QEMU one
	keep map[string]int
}

// pruneMarks marks the selected backups of a storage, guest by guest.
func (w *world) pruneMarks(s *storage, sel pruneSel) ([]*archive, map[*archive]string) {
	groups := map[int][]*archive{}
	var all []*archive
	for _, a := range s.archives {
		if (sel.vmid != 0 && a.vmid != sel.vmid) || sel.typ == "lxc" {
			continue
		}
		groups[a.vmid] = append(groups[a.vmid], a)
		all = append(all, a)
	}
	marks := map[*archive]string{}
	for _, g := range groups {
		for a, m := range markBackups(g, sel.keep, w.loc) {
			marks[a] = m
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].vmid != all[j].vmid {
			return all[i].vmid < all[j].vmid
		}
		return all[i].ctime > all[j].ctime
	})
	return all, marks
}

// retentionFor is the retention a prune call uses: its parameter, else the
// storage's own setting (none here, as on a default PVE storage).
func retentionFor(r *request, s *storage) (map[string]int, error) {
	if v := r.form.Get("prune-backups"); v != "" {
		return parseRetention(v)
	}
	return nil, serverError("no prune-backups options configured for storage '%s'", s.id)
}

// GET /nodes/{node}/storage/{storage}/prunebackups: the preview.
func (w *world) pruneBackupsPreview(r *request, now time.Duration) (any, error) {
	s, sel, err := w.pruneArgs(r)
	if err != nil {
		return nil, err
	}
	if !s.active {
		return nil, serverError("%s", s.notMountedError())
	}
	list, marks := w.pruneMarks(s, sel)
	out := []map[string]any{}
	for _, a := range list {
		out = append(out, map[string]any{"volid": a.volid, "ctime": a.ctime, "mark": marks[a], "type": "qemu", "vmid": a.vmid})
	}
	return out, nil
}

// DELETE /nodes/{node}/storage/{storage}/prunebackups: a "prunebackups" task
// that removes what the preview marks "remove".
func (w *world) pruneBackups(r *request, now time.Duration) (any, error) {
	s, sel, err := w.pruneArgs(r)
	id := r.param("storage")
	if v := r.form.Get("vmid"); v != "" {
		id = v + "@" + id
	}
	if e, ok := err.(*apiError); ok && e.status == 500 {
		// PVE checks storage and retention in the worker: the task fails.
		t := w.newTask(r.param("node"), "prunebackups", id, w.cfg.tokenUser, now)
		w.failTask(t, now, e.msg)
		return t.upid, nil
	} else if err != nil {
		return nil, err
	}
	t := w.newTask(r.param("node"), "prunebackups", id, w.cfg.tokenUser, now)
	w.schedule(t, now+w.cfg.short/2, func(at time.Duration) {
		if !s.active {
			w.finish(t, at, s.notMountedError())
			return
		}
		list, marks := w.pruneMarks(s, sel)
		gone := map[string]bool{}
		for _, a := range list {
			if marks[a] == "remove" {
				t.log(at, fmt.Sprintf("removing backup '%s'", a.volid))
				gone[a.volid] = true
			}
		}
		s.removeArchives(gone)
		w.schedule(t, at+w.cfg.short/2, func(at time.Duration) { w.finish(t, at, "OK") })
	})
	return t.upid, nil
}

func (w *world) pruneArgs(r *request) (*storage, pruneSel, error) {
	var sel pruneSel
	s, err := w.storageByID(r)
	if err != nil {
		return nil, sel, err
	}
	if sel.typ, err = r.enumParam("type", "", "qemu", "lxc"); err != nil {
		return nil, sel, err
	}
	if v := r.form.Get("vmid"); v != "" {
		if sel.vmid, err = vmidValue("vmid", v); err != nil {
			return nil, sel, err
		}
	}
	if !s.hasContent("backup") {
		return nil, sel, serverError("storage '%s' does not support backups", s.id)
	}
	if sel.keep, err = retentionFor(r, s); err != nil {
		return nil, sel, err
	}
	return s, sel, nil
}
