package urbackup

import (
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// File backups the console starts. a=start_backup only hands the command to
// an online client (start_ok); the process shows up once the client has
// connected back (startDelay), then runs as progress.go
// describes. Processes run on the world's monotonic clock and finish
// lazily, when someone looks.
//
// What the real pair showed, and the lab does too:
//   - automatic file backups switched off for a client (file_disabled) only
//     stop the schedule: a backup asked for by hand runs;
//   - a stop is honoured only while the client indexes (the process stays
//     listed, unchanged, for a while, and goes without a backup); a stop
//     during the transfer is ignored and the backup completes;
//   - a client that died stays "online" for about 4 minutes; a backup
//     started then gets start_ok and fails to connect, which only the
//     server's log says;
//   - a backup whose files were all stored already has size_bytes 0, a
//     full one too (its files are linked).

const (
	startDelay = 300 * time.Millisecond // invented: the real process showed at once
	// connectShare: invented. How long the server tries to reach a
	// client that died before it logs the failure (really up to 60 s).
	connectShare = 0.1
	// changeEvery: invented. The apps write their data in bursts, one
	// every 10 minutes, a client's incrSize a day: a backup less than
	// 10 minutes after the one before finds nothing new.
	changeEvery = 10 * time.Minute
	// onlineLinger: a dead client stayed "online" this long (recorded:
	// about 4 minutes).
	onlineLinger = 4 * time.Minute
)

// SStatusAction values.
const (
	actionIncrFile = 1
	actionFullFile = 2
)

type process struct {
	id     int
	client *client
	action int
	logID  int
	size   int64         // total_bytes once indexed: what the client sends (0: nothing)
	added  int64         // size_bytes of the backup: the data it stores new
	start  time.Duration // visible from here
	end    time.Duration // planned end
	// indexEnd and xferEnd end the indexing and the transfer.
	indexEnd, xferEnd time.Duration

	failing bool // FailNext: fails half-way
	failAt  time.Duration

	stopping bool // stopped while the client indexed: ends at stopAt
	stopAt   time.Duration

	// connectFail: the client had died; the server cannot reach it and
	// fails the backup at end. It never shows in a=progress.
	connectFail bool
}

// finish is when the process ends and why.
func (p *process) finish() (time.Duration, string) {
	at, why := p.end, "ok"
	if p.connectFail {
		why = "connect"
	}
	if p.failing && p.failAt < at {
		at, why = p.failAt, "fail"
	}
	if p.stopping && p.stopAt < at {
		at, why = p.stopAt, "stop"
	}
	return at, why
}

func (w *world) visibleProcs(c *client, now time.Duration) []*process {
	var out []*process
	for _, p := range w.procs {
		if p.client == c && now >= p.start && !p.connectFail {
			out = append(out, p)
		}
	}
	return out
}

// advance finishes the processes whose time has come, in order, and takes
// dead clients offline once the server has noticed.
func (w *world) advance(now time.Duration) {
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
	for _, c := range w.clients {
		if c.crashed && now >= c.crashedAt+w.cfg.linger {
			c.crashed, c.online = false, false
			c.lastseen = w.timeAt(c.crashedAt)
		}
	}
}

func (w *world) finishProcess(p *process, at time.Duration, why string) {
	c := p.client
	began := w.timeAt(p.start)
	end := w.timeAt(at)
	l := w.logByID(p.logID)
	took := "Time taken for backing up client " + c.name + ": " + prettyDuration(end.Sub(began))
	switch why {
	case "ok":
		w.nextBackup++
		// lastacts' duration is the transfer, not the whole run (recorded).
		b := &fileBackup{id: w.nextBackup, clientID: c.id, at: began, incremental: p.action == actionIncrFile,
			size: p.added, took: max(p.xferEnd, p.indexEnd) - p.start}
		c.backups = append(c.backups, b)
		c.fileOK = true
		l.lines = append(l.lines,
			logLine{0, end, fmt.Sprintf("Transferred %s - Average speed: %.1f MBit/s", prettyBytes(p.size), float64(p.size)*8/1e6/max(end.Sub(began).Seconds(), 1))},
			logLine{0, end, took},
			logLine{0, end, "Backup succeeded"})
	case "fail":
		c.fileOK = false
		l.lines = append(l.lines,
			logLine{2, end, "Error getting file list of \"" + c.folders[len(c.folders)-1] + "\" from client " + c.name + ": read error (Input/output error)"},
			logLine{0, end, took},
			logLine{2, end, "Backup failed"})
	case "offline":
		c.fileOK = false
		l.lines = append(l.lines,
			logLine{2, end, "Client " + c.name + " went offline."},
			logLine{0, end, took},
			logLine{2, end, "Backup failed"})
	case "connect":
		// FileBackup.cpp's words when the client cannot be reached.
		l.lines = append(l.lines,
			logLine{2, end, "Connecting to ClientService of \"" + c.name + "\" failed - CONNECT error during filelist construction"},
			logLine{0, end, took},
			logLine{2, end, "Backup failed"})
	case "stop":
		l.lines = append(l.lines,
			logLine{1, end, "Sever admin stopped backup during indexing"}, // sic, FileBackup.cpp
			logLine{0, end, took},
			logLine{2, end, "Backup failed"})
	}
}

func (w *world) removeLog(id int) {
	for i, l := range w.logs {
		if l.id == id {
			w.logs = append(w.logs[:i], w.logs[i+1:]...)
			return
		}
	}
}

func (w *world) logByID(id int) *logEntry {
	for _, l := range w.logs {
		if l.id == id {
			return l
		}
	}
	return &logEntry{} // not kept
}

// setOnline: a client going offline fails its running backup now and
// cancels one about to start; one coming back (after a crash too: a
// restart) is seen again.
func (w *world) setOnline(name string, online bool, now time.Duration) {
	c := w.clientByName(name)
	if c == nil {
		return
	}
	if online {
		c.crashed = false
	}
	if c.online == online {
		return
	}
	c.online = online
	if online {
		return
	}
	c.lastseen = w.timeAt(now)
	w.dropProcs(c, now)
}

// dropProcs ends the client's backups: running ones fail ("went offline"),
// one about to start never does.
func (w *world) dropProcs(c *client, now time.Duration) {
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

// crash: the client's process dies without a word. Its running backup is
// lost; the server goes on showing it online until it notices (linger).
func (w *world) crash(name string, now time.Duration) {
	c := w.clientByName(name)
	if c == nil || !c.online {
		return
	}
	c.crashed, c.crashedAt = true, now
	w.dropProcs(c, now)
}

// actStartBackup is start_backup.cpp: an empty body without a session or
// without start_client; else one result per listed client. start_ok only
// says a client the server believes online got the command: image backups
// are accepted too and then never start, since the server has no_images;
// a dead client still "online" gets it and the backup fails later.
func (w *world) actStartBackup(r *request) reply {
	s := w.session(r)
	list := r.form.Get("start_client")
	if s == nil || !s.loggedIn || list == "" {
		return emptyReply()
	}
	typ := r.form.Get("start_type")
	result := jsonArr{}
	for _, f := range strings.Split(list, ",") {
		if f == "" {
			continue
		}
		id := atoi(f)
		ok := false
		// file_disabled does not matter here: it only stops the schedule.
		if c := w.clientByID(id); c != nil && c.online {
			switch typ {
			case "incr_file":
				ok = true
				w.startFileBackup(c, actionIncrFile, r.now)
			case "full_file":
				ok = true
				w.startFileBackup(c, actionFullFile, r.now)
			case "incr_image", "full_image":
				ok = true // "Cannot do image backup because no_images=true" (debug log only)
			}
		}
		result = append(result, jsonObj{"clientid": id, "start_ok": ok, "start_type": typ})
	}
	return jsonReply(jsonObj{"result": result})
}

// startFileBackup queues a backup unless the client already has one
// (max_running_jobs_per_client 1: the command is absorbed).
func (w *world) startFileBackup(c *client, action int, now time.Duration) {
	for _, p := range w.procs {
		if p.client == c {
			return
		}
	}
	w.nextProc++
	start := now + startDelay
	at := w.timeAt(start)
	p := &process{id: w.nextProc, client: c, action: action, start: start}
	p.added = c.changedSince(at)
	kind := "incremental"
	if action == actionFullFile {
		// A full backup sends every file; what it stores new is only
		// what changed (the rest is linked).
		kind = "full"
		h := host.Hash(int64(c.id)*131+int64(p.id), at)
		p.size = c.fullSize + int64(h%uint64(c.fullSize/50+1))
	} else {
		p.size = p.added
	}
	if p.size > 0 {
		p.end = start + w.cfg.backup
		p.indexEnd = start + w.scaled(indexShare)
		p.xferEnd = p.indexEnd + w.scaled(transferShare)
	} else {
		p.end = start + w.scaled(noChangeShare)
		p.indexEnd = start + time.Duration(float64(p.end-start)*noChangeIndexShare)
		p.xferEnd = p.indexEnd
	}
	if c.failNext {
		c.failNext = false
		p.failing = true
		p.failAt = start + (p.end-start)/2
	}
	if c.crashed {
		p.connectFail = true
		p.end = start + w.scaled(connectShare)
	}
	l := w.addLog(c, at, action == actionIncrFile, []logLine{{0, at, "Starting unscheduled " + kind + " file backup..."}})
	p.logID = l.id
	w.procs = append(w.procs, p)
}

// actProgress is progress.cpp: the running processes (after handling a
// stop request) and, unless with_lastacts=0, the last activities.
func (w *world) actProgress(r *request) reply {
	s := w.session(r)
	if s == nil {
		return jsonReply(jsonObj{"error": 1})
	}
	if !s.loggedIn {
		return emptyReply()
	}
	if r.form.Has("stop_clientid") && r.form.Has("stop_id") {
		w.stop(atoi(r.form.Get("stop_clientid")), atoi(r.form.Get("stop_id")), r.now)
	}
	pg := jsonArr{}
	for _, c := range w.byName() {
		for _, p := range w.visibleProcs(c, r.now) {
			pg = append(pg, w.progressEntry(p, r.now))
		}
	}
	ret := jsonObj{"progress": pg}
	if r.form.Get("with_lastacts") != "0" {
		ret["lastacts"] = w.lastActs()
	}
	return jsonReply(ret)
}

// stop is honoured only while the client indexes: the process stays as it
// is for a while and goes without a backup. Later the server ignores it
// and the backup completes (both recorded).
func (w *world) stop(clientID, procID int, now time.Duration) {
	for _, p := range w.procs {
		if p.client.id == clientID && p.id == procID && now >= p.start && now < p.indexEnd && !p.stopping {
			p.stopping, p.stopAt = true, now+w.scaled(stopLingerShare)
		}
	}
}

// prettyDuration is PrettyPrintTime: "1h 2m 3s", "4m 5s", "6s".
func prettyDuration(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s >= 3600:
		return fmt.Sprintf("%dh %dm %ds", s/3600, s%3600/60, s%60)
	case s >= 60:
		return fmt.Sprintf("%dm %ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}

func prettyBytes(n int64) string {
	switch {
	case n >= host.GiB:
		return fmt.Sprintf("%.2f GB", float64(n)/float64(host.GiB))
	case n >= host.MiB:
		return fmt.Sprintf("%.2f MB", float64(n)/float64(host.MiB))
	}
	return fmt.Sprintf("%.2f KB", float64(n)/float64(host.KiB))
}
