package pve

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// archiveTypeRe and archiveStdRe are PVE::Storage::archive_info's: a
// vzdump archive's guest type, and its standard name (vmid and time stamp)
// that prune needs; anything else is "renamed" and never pruned.
var (
	archiveTypeRe = regexp.MustCompile(`^vzdump-(lxc|openvz|qemu)-.+\.(vma|tar)(\.(gz|lzo|zst))?$`)
	archiveStdRe  = regexp.MustCompile(`^vzdump-(lxc|openvz|qemu)-([1-9][0-9]{2,8})-\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2}\.(vma|tar)(\.(gz|lzo|zst))?$`)
	// archiveVMIDRe is how the directory plugin reads a listed archive's vmid.
	archiveVMIDRe = regexp.MustCompile(`-([1-9][0-9]{2,8})-[^/]+$`)
)

// fileName is the archive's file name: its volid after "storage:backup/".
func (a *archive) fileName() string {
	_, name, _ := strings.Cut(a.volid, ":backup/")
	return name
}

// guestType is archive_info's type: qemu, lxc, openvz, or unknown.
func (a *archive) guestType() string {
	if m := archiveTypeRe.FindStringSubmatch(a.fileName()); m != nil {
		return m[1]
	}
	return "unknown"
}

// standard tells whether the archive keeps vzdump's name, which prune needs.
func (a *archive) standard() bool { return archiveStdRe.MatchString(a.fileName()) }

// vmidFromName is the vmid the directory plugin reads from a file name; 0
// when it finds none (k3s-before-upgrade.vma.zst).
func vmidFromName(name string) int {
	if m := archiveVMIDRe.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

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
	typ  string // "", "qemu" or "lxc"
	keep map[string]int
}

// pruneMarks marks the selected backups of a storage as
// PVE::Storage::Plugin::prune_backups does: archives with vzdump's standard
// name are marked guest by guest, the others are "renamed"; protected
// archives are "protected" whatever their name.
func (w *world) pruneMarks(s *storage, sel pruneSel) ([]*archive, map[*archive]string) {
	groups := map[string][]*archive{}
	var all []*archive
	marks := map[*archive]string{}
	for _, a := range s.archives {
		typ := a.guestType()
		if (sel.vmid != 0 && a.vmid != sel.vmid) || (sel.typ != "" && sel.typ != typ) {
			continue
		}
		all = append(all, a)
		if a.standard() {
			g := fmt.Sprintf("%s/%d", typ, a.vmid)
			groups[g] = append(groups[g], a)
		} else {
			marks[a] = "renamed"
		}
		if a.protected {
			marks[a] = "protected"
		}
	}
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
// storage's own prune-backups; PVE refuses a storage that has none.
func retentionFor(r *request, s *storage) (map[string]int, error) {
	if v := r.form.Get("prune-backups"); v != "" {
		return parseRetention(v)
	}
	if s.pruneBackups != "" {
		return parseRetention(s.pruneBackups)
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
		e := map[string]any{"volid": a.volid, "ctime": a.ctime, "mark": marks[a], "type": a.guestType()}
		if a.vmid != 0 {
			e["vmid"] = a.vmid
		}
		out = append(out, e)
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
