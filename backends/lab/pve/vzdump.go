package pve

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// vzdumpParams is the schema of POST /nodes/{node}/vzdump (the options the lab
// reads, and the others PVE accepts and the lab ignores).
func vzdumpParams() []string {
	return []string{"vmid", "all", "exclude", "pool", "storage", "dumpdir", "mode", "compress", "remove",
		"prune-backups", "maxfiles", "notes-template", "protected", "bwlimit", "ionice", "lockwait",
		"stopwait", "tmpdir", "script", "stdexcludes", "exclude-path", "mailto", "mailnotification",
		"notification-mode", "notification-policy", "notification-target", "zstd", "pigz", "quiet", "stop",
		"job-id", "fleecing", "performance", "pbs-change-detection-mode", "stdout", "size"}
}

// vzdumpRun is a vzdump task's job: its guests, one after the other.
type vzdumpRun struct {
	vmids     []int
	skipped   []int // guests of other nodes, left to their own node's job
	storage   string
	mode      string
	compress  string
	notes     string // notes template, "" for none
	protected bool
	keep      map[string]int // retention to prune with; nil for none
	ionice    int
	cmdline   string
	outcome   Outcome // for the first guest
	waiting   bool    // for the node's vzdump lock
	idx       int     // next guest
	cur       *vmBackup
	errors    int
	warnings  int
}

// vmBackup is one guest's backup inside a job.
type vmBackup struct {
	g        *guest
	st       *storage
	mode     string // what the guest gets: stop for a guest that is not running
	name     string // archive file name
	format   string
	size     int64
	from, to time.Duration // ticks of the segment
	qstart   time.Duration // tick of "started backup task": the progress clock
}

// POST /nodes/{node}/vzdump. A node backs up its own guests; when every
// guest asked for is on other nodes (and not all=1), PVE answers "OK" and
// starts no task (PVE::API2::VZDump).
func (w *world) vzdump(r *request, now time.Duration) (any, error) {
	run, all, err := w.parseVzdump(r)
	if err != nil {
		return nil, err
	}
	// API2/VZDump.pm checks before it starts the worker: VM.Backup on each
	// guest of this node, Datastore.AllocateSpace on a named storage.
	if !all {
		for _, vmid := range run.vmids {
			if err := w.acl.check("/vms/"+itoa(vmid), "VM.Backup"); err != nil {
				return nil, err
			}
		}
	}
	if r.has("storage") {
		if err := w.acl.check("/storage/"+run.storage, "Datastore.AllocateSpace"); err != nil {
			return nil, err
		}
	}
	if len(run.vmids) == 0 && !all {
		return "OK", nil
	}
	id := ""
	if len(run.vmids) == 1 {
		id = strconv.Itoa(run.vmids[0])
	}
	node := w.nodeNamed(r.param("node"))
	t := w.newTask(node.name, "vzdump", id, w.cfg.tokenUser, now)
	t.vz = run
	t.stop = (*world).stopVzdump
	if w.nextOutcome != nil {
		run.outcome, w.nextOutcome = *w.nextOutcome, nil
	}
	// PVE::VZDump->new checks the storage before the job takes the lock;
	// failing there, the worker dies before it logs anything.
	if msg := w.storageProblem(node.name, run.storage); msg != "" {
		w.schedule(t, now+50*time.Millisecond, func(at time.Duration) { w.finish(t, at, msg) })
		return t.upid, nil
	}
	if node.vzdumpHolder != nil {
		run.waiting = true
		t.log(now, "INFO: trying to get global lock - waiting...")
		node.vzdumpWaiters = append(node.vzdumpWaiters, t)
		return t.upid, nil
	}
	node.vzdumpHolder = t
	w.startVzdump(t, now)
	return t.upid, nil
}

func (w *world) parseVzdump(r *request) (run *vzdumpRun, all bool, err error) {
	run, all, err = w.readVzdump(r)
	if err != nil {
		return nil, false, err
	}
	run.cmdline = vzdumpCmdline(r, run)
	return run, all, nil
}

func (w *world) readVzdump(r *request) (*vzdumpRun, bool, error) {
	all, err := r.boolParam("all", false)
	if err != nil {
		return nil, false, err
	}
	switch {
	case all && r.has("vmid"):
		return nil, false, paramError(map[string]string{"all": "option conflicts with option 'vmid'"})
	case !all && !r.has("vmid") && !r.has("pool") && !r.has("stop"):
		return nil, false, missing("vmid")
	}
	run := &vzdumpRun{storage: r.form.Get("storage")}
	if run.storage == "" {
		run.storage = "local" // vzdump.conf's default
	}
	if run.mode, err = r.enumParam("mode", "snapshot", "snapshot", "suspend", "stop"); err != nil {
		return nil, false, err
	}
	if run.compress, err = r.enumParam("compress", "0", "0", "1", "gzip", "lzo", "zstd"); err != nil {
		return nil, false, err
	}
	if run.ionice, err = r.intParam("ionice", 7, 0); err != nil {
		return nil, false, err
	}
	if run.protected, err = r.boolParam("protected", false); err != nil {
		return nil, false, err
	}
	remove, err := r.boolParam("remove", true)
	if err != nil {
		return nil, false, err
	}
	spec := r.form.Get("prune-backups")
	if s := w.storageOn(r.param("node"), run.storage); spec == "" && s != nil {
		spec = s.pruneBackups // PVE::VZDump: the storage's own retention, else keep-all
	}
	if v := spec; v != "" && remove {
		if run.keep, err = parseRetention(v); err != nil {
			return nil, false, err
		}
		if run.keep["keep-all"] > 0 {
			run.keep = nil
		}
	}
	run.notes = r.form.Get("notes-template")
	exclude := map[int]bool{}
	for _, s := range splitList(r.form.Get("exclude")) {
		n, err := vmidValue("exclude", s)
		if err != nil {
			return nil, false, err
		}
		exclude[n] = true
	}
	node := r.param("node")
	if all {
		for _, vmid := range w.vmids {
			if !exclude[vmid] && w.guests[vmid].node == node {
				run.vmids = append(run.vmids, vmid)
			}
		}
	} else {
		seen := map[int]bool{}
		for _, s := range splitList(r.form.Get("vmid")) {
			n, err := vmidValue("vmid", s)
			if err != nil {
				return nil, false, err
			}
			// Unknown guests stay in the list: vzdump fails on them visibly.
			// Those of other nodes are theirs to back up.
			switch g := w.guests[n]; {
			case seen[n]:
			case g != nil && g.node != node:
				run.skipped = append(run.skipped, n)
			default:
				run.vmids = append(run.vmids, n)
			}
			seen[n] = true
		}
	}
	sort.Ints(run.vmids)
	sort.Ints(run.skipped)
	return run, all, nil
}

// splitList is PVE::Tools::split_list: items separated by commas, semicolons or spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n' })
}

// vzdumpCmdline is the job's command line as its first log line shows it.
func vzdumpCmdline(r *request, run *vzdumpRun) string {
	var b strings.Builder
	b.WriteString("vzdump")
	if v := r.form.Get("vmid"); v != "" {
		b.WriteString(" " + strings.Join(splitList(v), " "))
	}
	var keys []string
	for k := range r.form {
		if k != "vmid" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(" --" + k + " " + quoteArg(r.form.Get(k)))
	}
	b.WriteString(" --node " + r.param("node"))
	return b.String()
}

func quoteArg(s string) string {
	plain := s != ""
	for _, c := range s {
		plain = plain && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_./:@-", c))
	}
	if plain {
		return s
	}
	return "'" + s + "'"
}

// storageProblem is why vzdump cannot use a storage on a node, as
// PVE::VZDump->new says it.
func (w *world) storageProblem(node, id string) string {
	s := w.storageOn(node, id)
	switch {
	case s == nil && len(w.storagesNamed(id)) > 0:
		return fmt.Sprintf("could not activate storage '%s': storage '%s' is not available on node '%s'", id, id, node)
	case s == nil:
		return fmt.Sprintf("could not activate storage '%s': storage '%s' does not exist", id, id)
	case !s.active:
		return fmt.Sprintf("could not activate storage '%s': %s", id, s.notMountedError())
	case !s.hasContent("backup"):
		return fmt.Sprintf("could not get storage information for '%s': can't use storage '%s' for backups - wrong content type", id, id)
	}
	return ""
}

// passVzdumpLock hands a node's vzdump lock to the next job in line.
func (w *world) passVzdumpLock(n *nodeInfo, at time.Duration) {
	if len(n.vzdumpWaiters) == 0 {
		return
	}
	t := n.vzdumpWaiters[0]
	n.vzdumpWaiters = n.vzdumpWaiters[1:]
	n.vzdumpHolder = t
	w.schedule(t, at, func(at time.Duration) {
		t.vz.waiting = false
		t.log(at, "INFO: got global lock")
		w.startVzdump(t, at)
	})
}

func (w *world) startVzdump(t *task, at time.Duration) {
	t.log(at, "INFO: starting new backup job: "+t.vz.cmdline)
	if len(t.vz.skipped) > 0 {
		skipped := make([]string, len(t.vz.skipped))
		for i, vmid := range t.vz.skipped {
			skipped[i] = strconv.Itoa(vmid)
		}
		t.log(at, "INFO: skip external VMs: "+strings.Join(skipped, ", "))
	}
	w.nextGuest(t, at)
}

// quick is how long a guest's backup takes when it fails before reading data.
func (w *world) quick() time.Duration {
	q := w.cfg.short / 4
	if b := w.cfg.backup / 8; b < q {
		q = b
	}
	return q
}

// nextGuest backs up the job's next guest at tick at, or ends the job.
func (w *world) nextGuest(t *task, at time.Duration) {
	run := t.vz
	if run.idx >= len(run.vmids) {
		w.endVzdump(t, at)
		return
	}
	vmid := run.vmids[run.idx]
	run.idx++
	first := run.idx == 1
	g := w.guests[vmid]
	st := w.storageOn(t.u.node, run.storage)
	next := func(d time.Duration) { w.schedule(t, at+d, func(at time.Duration) { w.nextGuest(t, at) }) }
	failed := func(at time.Duration, msg string) {
		run.errors++
		t.log(at, fmt.Sprintf("ERROR: Backup of VM %d failed - %s", vmid, msg), "INFO: Failed at "+logTime(t.timeAt(at)))
	}
	switch {
	case g == nil:
		failed(at, fmt.Sprintf("unable to find VM '%d'", vmid))
		next(w.quick())
		return
	case g.node != t.u.node:
		// It migrated while the job waited: this node has no config for it.
		t.log(at, fmt.Sprintf("INFO: Starting Backup of VM %d (qemu)", vmid), "INFO: Backup started at "+logTime(t.timeAt(at)))
		failed(at+w.quick(), missingConfig(t.u.node, vmid))
		next(w.quick())
		return
	case !st.active:
		// The job resolved its dump directory while the disk was there.
		stamp := archiveStamp(t.timeAt(at))
		failed(at, fmt.Sprintf("unable to create temporary directory '%s/dump/vzdump-qemu-%d-%s.tmp'", st.path, vmid, stamp))
		next(w.quick())
		return
	}
	t.log(at, fmt.Sprintf("INFO: Starting Backup of VM %d (qemu)", vmid),
		"INFO: Backup started at "+logTime(t.timeAt(at)),
		"INFO: status = "+runState(g))
	if lock := w.lock(vmid, at); lock != "" {
		failed(at+w.quick(), fmt.Sprintf("VM is locked (%s)", lock))
		next(w.quick())
		return
	}
	b := w.newVMBackup(t, g, st, at)
	run.cur = b
	t.locks = append(t.locks, lockSpan{vmid: vmid, name: "backup", from: at, to: b.to})
	outcome := OutcomeOK
	if first {
		outcome = run.outcome
	}
	if outcome == OutcomeFail {
		failAt := b.from + (b.to-b.from)*2/5
		w.writeHead(t, b, outcome, failAt)
		w.schedule(t, failAt, func(at time.Duration) {
			w.guestFailed(t, at, "job failed with err -5 - Input/output error")
			w.nextGuest(t, at)
		})
		return
	}
	if outcome == OutcomeWarnings {
		run.warnings++
	}
	w.writeHead(t, b, outcome, b.to)
	w.schedule(t, b.to, func(at time.Duration) {
		w.writeTail(t, b, at)
		run.cur = nil
		w.nextGuest(t, at)
	})
}

// diskTotal is what vzdump reads: the guest's included disks.
// writeHead logs a guest's backup from "VM Name" to the last progress line
// before until (a failure or the end of the data phase).
// writeTail logs the end of a guest's successful backup and adds its archive.
// pruneGuest removes a guest's backups that the retention does not keep and
// returns their volids, newest first.
// expandNotes fills a notes template: {{guestname}}, {{vmid}}, {{node}}, {{cluster}}.
// guestFailed ends the current guest's backup with an error while it reads data.
func (w *world) endVzdump(t *task, at time.Duration) {
	run := t.vz
	exit := "OK"
	switch {
	case run.errors > 0:
		t.log(at, "INFO: Backup job finished with errors")
		exit = "job errors"
	case run.warnings > 0:
		t.log(at, "INFO: Backup job finished successfully")
		exit = fmt.Sprintf("WARNINGS: %d", run.warnings)
	default:
		t.log(at, "INFO: Backup job finished successfully")
	}
	w.finish(t, at, exit)
}

// stopVzdump is SIGTERM to a vzdump worker.
func (w *world) stopVzdump(t *task, now time.Duration) {
	run := t.vz
	if n := w.nodeNamed(t.u.node); run.waiting && n != nil {
		for i, x := range n.vzdumpWaiters {
			if x == t {
				n.vzdumpWaiters = append(n.vzdumpWaiters[:i], n.vzdumpWaiters[i+1:]...)
				break
			}
		}
		// The worker dies in getlock and exits without a TASK line.
		t.log(now, "ERROR: can't acquire lock '/var/run/vzdump.lock' - interrupted by signal")
		w.finish(t, now, "unexpected status")
		return
	}
	if run.cur != nil {
		w.guestFailed(t, now, "interrupted by signal")
	}
	t.log(now, "ERROR: Backup job failed - interrupted by signal")
	w.finish(t, now, "interrupted by signal")
}

// storageLost fails the guest backups writing to a storage that went away.
func (w *world) storageLost(s *storage, now time.Duration) {
	for _, t := range append([]*task(nil), w.live...) {
		run := t.vz
		if run == nil || run.cur == nil || run.cur.st != s {
			continue
		}
		w.cut(t, now)
		w.guestFailed(t, now, "job failed with err -2 - No such file or directory")
		w.schedule(t, now+w.quick(), func(at time.Duration) { w.nextGuest(t, at) })
	}
}

// sizeOn is a guest's zstd archive size on a day: a little smaller in the
// past, with a deterministic day-to-day wobble of a few percent.
