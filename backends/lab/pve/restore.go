package pve

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Restoring a vzdump archive as qemu-server does (PVE::API2::Qemu
// create_vm with archive): the call checks what it can at once (the vmid is
// free, or force=1 over a guest of this node that is not locked; the
// privileges), writes the config with lock "create" and starts a qmrestore
// worker; the worker refuses a running guest, extracts the archive and
// writes the restored config. A failed restore is NOT cleaned up, as PVE
// says in its log: the guest's config stays behind.

// GET /cluster/nextid: the lowest free vmid from 100, or with vmid, that
// one when it is free.
func (w *world) nextID(r *request, now time.Duration) (any, error) {
	if s := r.form.Get("vmid"); s != "" {
		n, err := vmidValue("vmid", s)
		if err != nil {
			return nil, err
		}
		if w.guests[n] != nil {
			return nil, paramError(map[string]string{"vmid": fmt.Sprintf("VM %d already exists", n)})
		}
		return itoa(n), nil
	}
	for n := 100; ; n++ {
		if w.guests[n] == nil {
			return itoa(n), nil // PVE answers a string
		}
	}
}

// restoreParams is what POST /nodes/{node}/qemu takes in the lab: the
// restore options and the config overrides a restore uses.
func restoreParams() []string {
	return []string{"vmid", "archive", "storage", "force", "unique", "start", "pool", "bwlimit",
		"live-restore", "name", "description"}
}

// restoreRun is a qmrestore worker's plan.
type restoreRun struct {
	g        *guest
	a        *archive
	src      *storage // where the archive is
	dst      string   // target storage; "" keeps each disk's own
	unique   bool
	start    bool
	over     bool // over an existing guest
	name     string
	desc     string
	fail     bool
	from, to time.Duration
}

// POST /nodes/{node}/qemu with archive: a "qmrestore" task.
func (w *world) qemuCreate(r *request, now time.Duration) (any, error) {
	if !r.has("vmid") {
		return nil, missing("vmid")
	}
	vmid, err := vmidValue("vmid", r.form.Get("vmid"))
	if err != nil {
		return nil, err
	}
	volid := r.form.Get("archive")
	if volid == "" {
		return nil, notImplemented("POST", "/nodes/"+r.param("node")+"/qemu without archive (the lab creates guests only by restoring a backup)")
	}
	run := &restoreRun{dst: r.form.Get("storage"), name: r.form.Get("name"), desc: r.form.Get("description")}
	for _, b := range []struct {
		name string
		v    *bool
	}{{"unique", &run.unique}, {"start", &run.start}, {"force", &run.over}} {
		if *b.v, err = r.boolParam(b.name, false); err != nil {
			return nil, err
		}
	}
	node := r.param("node")
	old := w.guests[vmid]
	vmPath := "/vms/" + itoa(vmid)
	if run.dst != "" {
		if err := w.acl.check("/storage/"+run.dst, "Datastore.AllocateSpace"); err != nil {
			return nil, err
		}
	}
	if !w.acl.has(vmPath, "VM.Allocate") && !(run.over && old != nil && old.node == node && w.acl.has(vmPath, "VM.Backup")) {
		return nil, permissionError(vmPath, "VM.Allocate")
	}
	if run.start {
		if err := w.acl.check(vmPath, "VM.PowerMgmt"); err != nil {
			return nil, err
		}
	}
	src, a := w.archiveOn(node, volid)
	switch {
	case src == nil:
		id, _, _ := strings.Cut(volid, ":")
		return nil, serverError("storage '%s' does not exist", id)
	case a == nil:
		return nil, serverError("volume '%s' does not exist", volid)
	case !w.acl.canSeeBackup(src.id, a.vmid):
		return nil, permissionError("/storage/"+src.id, "Datastore.AllocateSpace")
	}
	emsg := fmt.Sprintf("unable to restore VM %d -", vmid)
	if old != nil && (!run.over || old.node != node) {
		return nil, serverError("%s VM %d already exists on node '%s'", emsg, vmid, old.node)
	}
	if old != nil {
		if l := w.lock(vmid, now); l != "" {
			return nil, serverError("%s VM is locked (%s)", emsg, l)
		}
	}
	run.a, run.src = a, src
	t := w.newTask(node, "qmrestore", itoa(vmid), w.cfg.tokenUser, now)
	if w.nextRestore != nil {
		run.fail, w.nextRestore = *w.nextRestore == OutcomeFail, nil
	}
	g := old
	if g == nil {
		// create_and_lock_config: an empty config, locked, visible at once.
		g = &guest{vmid: vmid, node: node, maxcpu: 1, maxmem: 512 * mib, conf: map[string]string{}}
		w.addGuest(g)
	} else {
		run.over = true
	}
	run.g = g
	if old != nil && old.running {
		// The worker loads the config and finds the guest running.
		end := now + w.cfg.short/10
		t.locks = append(t.locks, lockSpan{vmid: vmid, name: "create", from: now, to: end})
		w.schedule(t, end, func(at time.Duration) {
			t.log(at, "error before or during data restore, some or all disks were not completely restored. VM "+itoa(vmid)+" state is NOT cleaned up.")
			w.finish(t, at, emsg+" vm is running")
		})
		return t.upid, nil
	}
	w.startRestore(t, run, now)
	return t.upid, nil
}

func (w *world) addGuest(g *guest) {
	w.guests[g.vmid] = g
	i := sort.SearchInts(w.vmids, g.vmid)
	w.vmids = append(w.vmids, 0)
	copy(w.vmids[i+1:], w.vmids[i:])
	w.vmids[i] = g.vmid
}

func (w *world) removeGuest(vmid int) {
	delete(w.guests, vmid)
	if i := sort.SearchInts(w.vmids, vmid); i < len(w.vmids) && w.vmids[i] == vmid {
		w.vmids = append(w.vmids[:i], w.vmids[i+1:]...)
	}
}

// restoreDisk is one disk of the archive and where it goes.
type restoreDisk struct {
	key   string
	size  int64
	store string
	volid string
}

// startRestore logs the worker's steps and schedules its end.
func (w *world) startRestore(t *task, run *restoreRun, now time.Duration) {
	conf := w.archiveConfig(run.a)
	vmid := run.g.vmid
	run.from, run.to = now, now+w.cfg.backup
	t.locks = append(t.locks, lockSpan{vmid: vmid, name: "create", from: now, to: run.to})
	var disks []restoreDisk
	var keys []string
	for k, v := range conf {
		if isDiskKey(k) && !strings.Contains(v, "backup=0") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var total int64
	for i, k := range keys {
		store, _, _ := strings.Cut(conf[k], ":")
		if run.dst != "" {
			store = run.dst
		}
		d := restoreDisk{key: k, size: diskSizeOf(conf[k]), store: store, volid: fmt.Sprintf("%s:vm-%d-disk-%d", store, vmid, i)}
		disks = append(disks, d)
		total += d.size
	}
	path := fmt.Sprintf("%s/dump/%s", run.src.path, strings.TrimPrefix(volName(run.a.volid), "backup/"))
	tmp := fmt.Sprintf("/var/tmp/vzdumptmp%d", t.u.pid)
	extract := fmt.Sprintf("zstd -q -d -c %s | vma extract -v -r %s.fifo - %s", path, tmp, tmp)
	t.log(now, "restore vma archive: "+extract)
	t.log(now, fmt.Sprintf("CFG: size: %d name: qemu-server.conf", len(configText(conf))))
	for i, d := range disks {
		t.log(now, fmt.Sprintf("DEV: dev_id=%d size: %d devname: drive-%s", i+1, d.size, d.key))
	}
	t.log(now, "CTIME: "+time.Unix(run.a.ctime, 0).In(w.loc).Format("Mon Jan _2 15:04:05 2006"))
	for _, d := range disks {
		if st := w.storageOn(t.u.node, d.store); st == nil || !st.hasContent("images") || !st.active {
			msg := fmt.Sprintf("storage '%s' does not exist", d.store)
			switch {
			case st != nil && !st.active:
				msg = st.notMountedError()
			case st != nil:
				msg = fmt.Sprintf("storage '%s' does not support content-type 'images'", d.store)
			}
			end := now + w.quick()
			t.locks[len(t.locks)-1].to = end
			w.schedule(t, end, func(at time.Duration) {
				t.log(at, "error before or during data restore, some or all disks were not completely restored. VM "+itoa(vmid)+" state is NOT cleaned up.")
				w.finish(t, at, msg)
			})
			return
		}
		t.log(now, lvmLines(volName(d.volid), "created.")...)
		t.log(now, fmt.Sprintf("new volume ID is '%s'", d.volid))
		t.log(now, fmt.Sprintf("map 'drive-%s' to '/dev/pve/%s' (write zeros = 0)", d.key, volName(d.volid)))
	}
	end := run.to
	if run.fail {
		end = run.from + (run.to-run.from)*2/5
	}
	// vma prints a line per percent; the lab one per 5 %.
	for p := 5; p <= 100; p += 5 {
		at := run.from + (run.to-run.from)*time.Duration(p)/100
		if at > end || run.fail && at == end {
			break
		}
		secs := int64((at - run.from) / time.Second)
		t.log(at, fmt.Sprintf("progress %d%% (read %d bytes, duration %d sec)", p, total*int64(p)/100, secs))
	}
	if run.fail {
		t.locks[len(t.locks)-1].to = end
		w.schedule(t, end, func(at time.Duration) {
			t.log(at, "vma: restore failed - short vma extent (2801664 < 3801088)",
				fmt.Sprintf("/bin/bash: line 1: %d Broken pipe             zstd -q -d -c %s", t.u.pid+3, path))
			for _, d := range disks {
				t.log(at, lvmLines(volName(d.volid), "successfully removed.")...)
				t.log(at, fmt.Sprintf("temporary volume '%s' successfully removed", d.volid))
			}
			t.log(at, "no lock found trying to remove 'create'  lock",
				"error before or during data restore, some or all disks were not completely restored. VM "+itoa(vmid)+" state is NOT cleaned up.")
			if run.over {
				run.g.disks, run.g.conf = nil, map[string]string{}
			}
			w.finish(t, at, fmt.Sprintf("command 'set -o pipefail && %s' failed: exit code 133", extract))
		})
		return
	}
	w.schedule(t, end, func(at time.Duration) {
		data := w.archiveData(run.a)
		sparse := total - data
		if sparse < 0 {
			sparse = 0
		}
		pct := 0.0
		if total > 0 {
			pct = float64(sparse) * 100 / float64(total)
		}
		t.log(at, fmt.Sprintf("total bytes read %d, sparse bytes %d (%.3g%%)", total, sparse, pct),
			"space reduction due to 4K zero blocks 0.00%", "rescan volumes...")
		w.restored(run, conf, disks, at)
		if run.start {
			t.log(at, "Execute autostart")
			run.g.running, run.g.bootAt = true, t.timeAt(at)
		}
		w.finish(t, at, "OK")
	})
}

// archiveData is what the archive holds that is not zero: its guest's data.
func (w *world) archiveData(a *archive) int64 {
	if g := w.guests[a.vmid]; g != nil && g.dataSize > 0 {
		return g.dataSize
	}
	return a.size * 3
}

// restored writes the guest's new config: the archive's, with the new
// disks, without the disks the backup left out, and with new MACs and
// ids when unique.
func (w *world) restored(run *restoreRun, conf map[string]string, disks []restoreDisk, at time.Duration) {
	g := run.g
	m := map[string]string{}
	for k, v := range conf {
		if !isDiskKey(k) {
			m[k] = v
		}
	}
	g.disks = nil
	for _, d := range disks {
		opts := ""
		if _, rest, ok := strings.Cut(conf[d.key], ","); ok {
			opts = "," + rest
		}
		m[d.key] = d.volid + opts
		g.disks = append(g.disks, vdisk{key: d.key, volid: d.volid, size: d.size, backup: true})
	}
	if run.unique {
		for k, v := range m {
			if n, ok := strings.CutPrefix(k, "net"); ok && strings.Trim(n, "0123456789") == "" {
				m[k] = replaceMAC(v, macOf(g.vmid, numberOrZero(n)))
			}
		}
		m["smbios1"] = "uuid=" + uuidOf(g.vmid*31+int(at))
	}
	m["vmgenid"] = uuidOf(g.vmid*17 + int(at))
	if run.name != "" {
		m["name"] = run.name
	}
	if run.desc != "" {
		m["description"] = run.desc
	}
	g.conf = m
	g.name = m["name"]
	g.agent = agentOn(m["agent"])
	g.template = m["template"] == "1"
	g.tags = m["tags"]
	g.snapshots, g.parent = nil, ""
	if n := numberOr(m["cores"]); n != nil {
		if c, ok := n.(int); ok && c > 0 {
			g.maxcpu = c
		}
	}
	if n, ok := numberOr(m["memory"]).(int); ok && n > 0 {
		g.maxmem = int64(n) * mib
		g.mem = g.maxmem / 2
	}
	if src := w.guests[run.a.vmid]; src != nil && src != g {
		g.archiveSize, g.dataSize = src.archiveSize, src.dataSize
	} else if g.archiveSize == 0 {
		g.archiveSize, g.dataSize = run.a.size, w.archiveData(run.a)
	}
}

// replaceMAC swaps the MAC of a netN value ("virtio=MAC,bridge=…").
func replaceMAC(v, mac string) string {
	model, rest, _ := strings.Cut(v, ",")
	name, _, ok := strings.Cut(model, "=")
	if !ok {
		return v
	}
	out := name + "=" + mac
	if rest != "" {
		out += "," + rest
	}
	return out
}

// diskSizeOf reads size=32G from a disk's value.
func diskSizeOf(v string) int64 {
	for _, opt := range strings.Split(v, ",") {
		s, ok := strings.CutPrefix(opt, "size=")
		if !ok || s == "" {
			continue
		}
		unit := s[len(s)-1]
		n := int64(numberOrZero(strings.TrimRight(s, "KMGT")))
		switch unit {
		case 'K':
			return n << 10
		case 'M':
			return n << 20
		case 'G':
			return n << 30
		case 'T':
			return n << 40
		}
		return n
	}
	return 0
}

func numberOrZero(s string) int {
	if n, ok := numberOr(s).(int); ok {
		return n
	}
	return 0
}
