package lab

import (
	"fmt"
	"strings"
	"time"
)

// File backups the console starts. a=start_backup only hands the command to
// an online client (start_ok); the process shows up once the client has
// connected back (urbStartDelay), indexes (pcdone -1, total_bytes -1) for
// the first 15% of BackupDuration, then transfers. Processes run on the
// world's monotonic clock and finish lazily, when someone looks.

const (
	urbStartDelay = 300 * time.Millisecond
	urbStopDelay  = 400 * time.Millisecond // a stopped process lingers this long
	urbIndexShare = 0.15
)

// SStatusAction values.
const (
	urbActionIncrFile = 1
	urbActionFullFile = 2
)

type urbProcess struct {
	id     int
	client *urbClient
	action int
	logID  int
	size   int64         // total_bytes once indexed
	start  time.Duration // visible from here
	end    time.Duration // planned end

	failing bool // FailNext: fails half-way
	failAt  time.Duration

	stopping  bool // stopped by the admin: ends at stopAt
	stopAt    time.Duration
	stoppedIx bool // stopped during indexing
}

// finish is when the process ends and why.
func (p *urbProcess) finish() (time.Duration, string) {
	at, why := p.end, "ok"
	if p.failing && p.failAt < at {
		at, why = p.failAt, "fail"
	}
	if p.stopping && p.stopAt < at {
		at, why = p.stopAt, "stop"
	}
	return at, why
}

func (p *urbProcess) indexEnd() time.Duration {
	return p.start + time.Duration(float64(p.end-p.start)*urbIndexShare)
}

// progress is pcdone, done_bytes and total_bytes at a tick.
func (p *urbProcess) progress(now time.Duration) (pc int, done, total int64) {
	ix := p.indexEnd()
	if now < ix {
		return -1, 0, -1
	}
	f := float64(now-ix) / float64(p.end-ix)
	f = min(max(f, 0), 1)
	pc = min(int(f*100), 99)
	return pc, int64(f * float64(p.size)), p.size
}

// speedBPMS is the transfer rate in bytes per millisecond.
func (p *urbProcess) speedBPMS() float64 {
	ms := float64((p.end - p.indexEnd()) / time.Millisecond)
	if ms <= 0 {
		return 0
	}
	return float64(p.size) / ms
}

func (w *urbWorld) visibleProcs(c *urbClient, now time.Duration) []*urbProcess {
	var out []*urbProcess
	for _, p := range w.procs {
		if p.client == c && now >= p.start {
			out = append(out, p)
		}
	}
	return out
}

// advance finishes the processes whose time has come, in order.
func (w *urbWorld) advance(now time.Duration) {
	kept := w.procs[:0]
	for _, p := range w.procs {
		if at, why := p.finish(); now >= p.start && now >= at {
			w.finishProcess(p, at, why)
			continue
		}
		kept = append(kept, p)
	}
	for i := len(kept); i < len(w.procs); i++ {
		w.procs[i] = nil
	}
	w.procs = kept
}

func (w *urbWorld) finishProcess(p *urbProcess, at time.Duration, why string) {
	c := p.client
	began := w.timeAt(p.start)
	end := w.timeAt(at)
	l := w.logByID(p.logID)
	took := "Time taken for backing up client " + c.name + ": " + urbPrettyDuration(end.Sub(began))
	switch why {
	case "ok":
		w.nextBackup++
		_, _, total := p.progress(p.end)
		b := &urbBackup{id: w.nextBackup, clientID: c.id, at: began, incremental: p.action == urbActionIncrFile,
			size: total, took: end.Sub(began)}
		c.backups = append(c.backups, b)
		c.fileOK = true
		l.lines = append(l.lines,
			urbLogLine{0, end, fmt.Sprintf("Transferred %s - Average speed: %.1f MBit/s", urbPrettyBytes(b.size), float64(b.size)*8/1e6/max(end.Sub(began).Seconds(), 1))},
			urbLogLine{0, end, took},
			urbLogLine{0, end, "Backup succeeded"})
	case "fail":
		c.fileOK = false
		l.lines = append(l.lines,
			urbLogLine{2, end, "Error getting file list of \"" + c.folders[len(c.folders)-1] + "\" from client " + c.name + ": read error (Input/output error)"},
			urbLogLine{0, end, took},
			urbLogLine{2, end, "Backup failed"})
	case "offline":
		c.fileOK = false
		l.lines = append(l.lines,
			urbLogLine{2, end, "Client " + c.name + " went offline."},
			urbLogLine{0, end, took},
			urbLogLine{2, end, "Backup failed"})
	case "stop":
		msg := urbLogLine{2, end, "Server admin stopped backup."}
		if p.stoppedIx {
			msg = urbLogLine{1, end, "Sever admin stopped backup during indexing"} // sic
		}
		l.lines = append(l.lines, msg, urbLogLine{0, end, took}, urbLogLine{2, end, "Backup failed"})
	}
}

func (w *urbWorld) removeLog(id int) {
	for i, l := range w.logs {
		if l.id == id {
			w.logs = append(w.logs[:i], w.logs[i+1:]...)
			return
		}
	}
}

func (w *urbWorld) logByID(id int) *urbLog {
	for _, l := range w.logs {
		if l.id == id {
			return l
		}
	}
	return &urbLog{} // not kept
}

// setOnline: a client going offline fails its running backup now and
// cancels one about to start; one coming back is seen again.
func (w *urbWorld) setOnline(name string, online bool, now time.Duration) {
	c := w.clientByName(name)
	if c == nil || c.online == online {
		return
	}
	c.online = online
	if online {
		return
	}
	c.lastseen = w.timeAt(now)
	kept := w.procs[:0]
	for _, p := range w.procs {
		if p.client != c {
			kept = append(kept, p)
			continue
		}
		if now < p.start {
			w.removeLog(p.logID) // the client never connected for it
			continue
		}
		w.finishProcess(p, now, "offline")
	}
	for i := len(kept); i < len(w.procs); i++ {
		w.procs[i] = nil
	}
	w.procs = kept
}

// actStartBackup is start_backup.cpp: an empty body without a session or
// without start_client; else one result per listed client. start_ok only
// says an online client got the command: image backups are accepted too and
// then never start, since the server has no_images.
func (w *urbWorld) actStartBackup(r *urbRequest) urbReply {
	s := w.session(r)
	list := r.form.Get("start_client")
	if s == nil || !s.loggedIn || list == "" {
		return urbEmptyReply()
	}
	typ := r.form.Get("start_type")
	result := urbArr{}
	for _, f := range strings.Split(list, ",") {
		if f == "" {
			continue
		}
		id := urbAtoi(f)
		ok := false
		if c := w.clientByID(id); c != nil && c.online {
			switch typ {
			case "incr_file":
				ok = true
				w.startFileBackup(c, urbActionIncrFile, r.now)
			case "full_file":
				ok = true
				w.startFileBackup(c, urbActionFullFile, r.now)
			case "incr_image", "full_image":
				ok = true // "Cannot do image backup because no_images=true" (debug log only)
			}
		}
		result = append(result, urbObj{"clientid": id, "start_ok": ok, "start_type": typ})
	}
	return urbJSONReply(urbObj{"result": result})
}

// startFileBackup queues a backup unless the client already has one
// (max_running_jobs_per_client 1: the command is absorbed).
func (w *urbWorld) startFileBackup(c *urbClient, action int, now time.Duration) {
	for _, p := range w.procs {
		if p.client == c {
			return
		}
	}
	w.nextProc++
	start := now + urbStartDelay
	p := &urbProcess{id: w.nextProc, client: c, action: action, start: start, end: start + w.cfg.backup}
	at := w.timeAt(start)
	h := hash(int64(c.id)*131+int64(p.id), at)
	kind := "incremental"
	if action == urbActionFullFile {
		kind = "full"
		p.size = c.fullSize + int64(h%uint64(c.fullSize/50+1))
	} else {
		p.size = c.incrSize/2 + int64(h%uint64(c.incrSize))
	}
	if c.failNext {
		c.failNext = false
		p.failing = true
		p.failAt = start + (p.end-start)/2
	}
	l := w.addLog(c, at, action == urbActionIncrFile, []urbLogLine{{0, at, "Starting unscheduled " + kind + " file backup..."}})
	p.logID = l.id
	w.procs = append(w.procs, p)
}

// actProgress is progress.cpp: the running processes (after handling a
// stop request) and, unless with_lastacts=0, the last activities.
func (w *urbWorld) actProgress(r *urbRequest) urbReply {
	s := w.session(r)
	if s == nil {
		return urbJSONReply(urbObj{"error": 1})
	}
	if !s.loggedIn {
		return urbEmptyReply()
	}
	if r.form.Has("stop_clientid") && r.form.Has("stop_id") {
		w.stop(urbAtoi(r.form.Get("stop_clientid")), urbAtoi(r.form.Get("stop_id")), r.now)
	}
	pg := urbArr{}
	for _, c := range w.byName() {
		for _, p := range w.visibleProcs(c, r.now) {
			pg = append(pg, w.progressEntry(p, r.now))
		}
	}
	ret := urbObj{"progress": pg}
	if r.form.Get("with_lastacts") != "0" {
		ret["lastacts"] = w.lastActs()
	}
	return urbJSONReply(ret)
}

func (w *urbWorld) stop(clientID, procID int, now time.Duration) {
	for _, p := range w.procs {
		if p.client.id == clientID && p.id == procID && now >= p.start && !p.stopping {
			p.stopping, p.stopAt = true, now+urbStopDelay
			p.stoppedIx = now < p.indexEnd()
		}
	}
}

func (w *urbWorld) progressEntry(p *urbProcess, now time.Duration) urbObj {
	pc, done, total := p.progress(now)
	// Before the client's first estimate eta_ms is 0 minus the time since
	// eta_set_time 0, i.e. minus the server's uptime in ms.
	eta := -int64((now + 3*time.Hour) / time.Millisecond)
	speed := 0.0
	past := urbArr{}
	queue := 0
	if pc >= 0 {
		speed = p.speedBPMS() * (0.9 + float64(hash(int64(p.id), w.timeAt(now).Truncate(time.Second))%200)/1000)
		eta = int64((p.end - now) / time.Millisecond)
		// progress.cpp: a positive ETA under a minute is shown as 61 s.
		if eta > 0 && eta < 60*1000 {
			eta = 61 * 1000
		}
		for i := 0; i < min(10, int((now-p.indexEnd())/time.Second)+1); i++ {
			past = append(past, p.speedBPMS()*(0.85+float64(hash(int64(p.id+i), w.timeAt(p.indexEnd()))%300)/1000))
		}
		queue = (100 - pc) / 4
	}
	return urbObj{
		"action":              p.action,
		"can_show_backup_log": true,
		"can_stop_backup":     true,
		"clientid":            p.client.id,
		"detail_pc":           -1,
		"details":             "",
		"done_bytes":          done,
		"eta_ms":              eta,
		"id":                  p.id,
		"logid":               p.logID,
		"name":                p.client.name,
		"past_speed_bpms":     past,
		"paused":              false,
		"pcdone":              pc,
		"queue":               queue,
		"speed_bpms":          speed,
		"total_bytes":         total,
	}
}

// urbPrettyDuration is PrettyPrintTime: "1h 2m 3s", "4m 5s", "6s".
func urbPrettyDuration(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s >= 3600:
		return fmt.Sprintf("%dh %dm %ds", s/3600, s%3600/60, s%60)
	case s >= 60:
		return fmt.Sprintf("%dm %ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}

func urbPrettyBytes(n int64) string {
	switch {
	case n >= gib:
		return fmt.Sprintf("%.2f GB", float64(n)/float64(gib))
	case n >= mib:
		return fmt.Sprintf("%.2f MB", float64(n)/float64(mib))
	}
	return fmt.Sprintf("%.2f KB", float64(n)/float64(kib))
}
