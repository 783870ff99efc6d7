package lab

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// The UrBackup server of the seed homelab (bkpserver, VM 431): file-backup
// clients on the three K3s nodes, image backups switched off server-wide.
// k3sserver01 has been offline for a day; the agents back up every evening.

type urbConfig struct {
	start          time.Time // world time at tick 0
	monotonic      time.Time
	username       string
	noUsers        bool
	salt           string
	rounds         int
	passwordHash   string
	backup         time.Duration
	linger         time.Duration // a dead client shows online this long
	sessionTimeout time.Duration
	ban            time.Duration
}

// urbWorld is everything the server knows. Every access holds URBackup.mu
// and starts with advance(now).
type urbWorld struct {
	cfg urbConfig
	loc *time.Location

	sessions      map[string]*urbSession
	failures      map[string][]time.Duration // failed logins per IP, in the ban window
	banned        map[string]time.Duration   // IP → when the ban began
	loginFailures int
	rndHook       func() string

	clients    []*urbClient // by id
	rejected   []urbRejected
	deletions  []urbDeletion
	logs       []*urbLog
	procs      []*urbProcess // accepted, not finished
	nextBackup int
	nextLog    int
	nextProc   int

	serverIdentity string
	serverPubkey   string
	badGateway     bool
}

type urbClient struct {
	id       int
	name     string
	folders  []string
	online   bool
	ip       string
	lastseen time.Time // when it was last seen while offline
	os       string
	uid      string
	backups  []*urbBackup // oldest first
	fileOK   bool
	failNext bool
	// fileDisabled: automatic file backups switched off for the client
	// (a=status file_disabled); backups asked for by hand still run.
	fileDisabled bool
	// crashed: the client died at crashedAt and the server has not
	// noticed yet; it still shows online.
	crashed   bool
	crashedAt time.Duration
	// profile of its data: a full backup's size, a typical incremental's,
	// the daily growth of the data.
	fullSize, incrSize int64
}

type urbBackup struct {
	id          int
	clientID    int
	at          time.Time // backuptime: when the backup began
	incremental bool
	size        int64
	took        time.Duration // "running" - backuptime
}

// urbDeletion is a del_stats row: the nightly cleanup removing a backup.
type urbDeletion struct {
	b    urbBackup
	at   time.Time
	took time.Duration
}

// urbRejected is a client that connects but is not accepted (wrong key):
// a=status lists it with "id":"-" and "-" for its times.
type urbRejected struct {
	name, ip string
	status   int
}

type urbLogLine struct {
	level int // -1 debug, 0 info, 1 warning, 2 error
	at    time.Time
	msg   string
}

type urbLog struct {
	id          int
	clientID    int
	at          time.Time
	incremental bool
	lines       []urbLogLine
}

func (l *urbLog) count(level int) int {
	n := 0
	for _, ln := range l.lines {
		if ln.level == level {
			n++
		}
	}
	return n
}

// urbSeedClients are the clients in id order, with what their file backups
// cover: the apps' persistent volumes on the agents, K3s's own state on the
// server node.
var urbSeedClients = []struct {
	name     string
	ip       string
	folders  []string
	fullSize int64
	incrSize int64
	fullDay  int // full backups this many days ago, and 30 days before
}{
	{"k3sserver01", "192.168.1.41", []string{"/etc/rancher/k3s", "/var/lib/rancher/k3s/server/db", "/var/lib/rancher/k3s/server/manifests"},
		1840 * mib, 24 * mib, 11},
	{"k3sagent01", "192.168.1.42", []string{"/mnt/gitea-hdd/repos", "/mnt/gitea-ssd/data", "/mnt/gitea-ssd/db", "/mnt/monitoring-ssd/grafana-data"},
		38*gib + 410*mib, 330 * mib, 8},
	{"k3sagent02", "192.168.1.43", []string{"/mnt/nextcloud-hdd/data", "/mnt/nextcloud-ssd/db", "/mnt/vaultwarden-ssd/data", "/mnt/monitoring-ssd/prometheus-data"},
		61*gib + 870*mib, 420 * mib, 3},
}

const (
	urbHistoryDays = 56
	urbRetainDays  = 41 // min_file_incr 40: about 41 daily backups stay
)

func newURBWorld(cfg urbConfig) *urbWorld {
	w := &urbWorld{
		cfg:      cfg,
		loc:      cfg.start.Location(),
		sessions: map[string]*urbSession{},
		failures: map[string][]time.Duration{},
		banned:   map[string]time.Duration{},
		nextProc: 37,                                                                   // the server has run cleanups and other processes before
		rejected: []urbRejected{{name: "debian-test", ip: "192.168.1.87", status: 13}}, // authentication error
	}
	w.serverIdentity = urbRandomKey(20)
	fp := make([]string, 32)
	for i := range fp {
		fp[i] = fmt.Sprintf("%02X", host.Hash(int64(i), cfg.start)&0xff)
	}
	w.serverPubkey = w.serverIdentity + "#fingerprint=" + strings.Join(fp, ":")
	w.seed(cfg.start)
	return w
}

// seed replays the server's past: every evening an incremental file backup
// of each client (a full one every 30 days), the nightly cleanup deleting
// what falls out of retention, and a failed run on k3sagent02 two weeks ago.
func (w *urbWorld) seed(now time.Time) {
	today := midnight(now)
	var all []*urbBackup
	for i, sc := range urbSeedClients {
		c := &urbClient{
			id: i + 1, name: sc.name, folders: sc.folders, online: true, ip: sc.ip,
			os: "Debian GNU/Linux 12 (bookworm)", fileOK: true,
			uid:      fmt.Sprintf("%016x%016x", host.Hash(int64(i+1), time.Unix(1700000000, 0)), host.Hash(int64(i+11), time.Unix(1700000000, 0))),
			fullSize: sc.fullSize, incrSize: sc.incrSize,
		}
		w.clients = append(w.clients, c)
		for d := urbHistoryDays; d >= 0; d-- {
			var at time.Time
			if c.name == "k3sserver01" {
				// Offline since yesterday: its last backup is about 30 h old.
				at = now.Add(-30*time.Hour - time.Duration(d)*24*time.Hour + time.Duration(host.Hash(int64(c.id), today.AddDate(0, 0, -d))%600)*time.Second)
			} else {
				day := today.AddDate(0, 0, -d)
				at = day.Add(21*time.Hour + time.Duration(host.Hash(int64(c.id), day)%900)*time.Second)
			}
			b := w.historicBackup(c, at, d%30 == sc.fullDay%30)
			if !at.Add(b.took).Before(now) {
				continue // tonight's run has not finished yet
			}
			all = append(all, b)
		}
	}
	off := w.clientByName("k3sserver01")
	off.online = false
	off.lastseen = now.Add(-23*time.Hour - 41*time.Minute)
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	for _, b := range all {
		w.nextBackup++
		b.id = w.nextBackup
		c := w.clients[b.clientID-1]
		// The nightly cleanup (03:00-04:00) deletes what is older than the
		// retention once the next one has run.
		cutoffDay := midnight(b.at).AddDate(0, 0, urbRetainDays+1)
		delAt := cutoffDay.Add(3*time.Hour + time.Duration(host.Hash(int64(b.id), cutoffDay)%1200)*time.Second)
		if delAt.Before(now) {
			w.deletions = append(w.deletions, urbDeletion{b: *b, at: delAt, took: time.Duration(1+b.size/(2*gib)) * time.Second})
			continue
		}
		c.backups = append(c.backups, b)
	}
	// A failed run two weeks ago: the agent rebooted during the backup.
	agent := w.clientByName("k3sagent02")
	at := today.AddDate(0, 0, -14).Add(21*time.Hour + 2*time.Minute)
	w.nextLog = 1200
	w.addLog(agent, at, true, []urbLogLine{
		{0, at, "Starting scheduled incremental file backup..."},
		{2, at.Add(3 * time.Minute), "Client " + agent.name + " went offline."},
		{0, at.Add(3 * time.Minute), "Time taken for backing up client " + agent.name + ": 3m 4s"},
		{2, at.Add(3 * time.Minute), "Backup failed"},
	})
}

// historicBackup is one evening's backup with the sizes and durations real
// runs of these clients have: data grows a little every day.
func (w *urbWorld) historicBackup(c *urbClient, at time.Time, full bool) *urbBackup {
	h := host.Hash(int64(c.id)*31, at)
	grow := 1 + float64(urbHistoryDays-int(w.cfg.start.Sub(at).Hours()/24))*0.001
	b := &urbBackup{clientID: c.id, at: at, incremental: !full}
	if full {
		b.size = int64(float64(c.fullSize) * grow)
		b.took = time.Duration(int64(b.size)/(60*mib)+int64(h%300)) * time.Second
	} else {
		b.size = c.incrSize/2 + int64(h%uint64(c.incrSize))
		b.took = time.Duration(90+int64(b.size)/(8*mib)+int64(h%120)) * time.Second
	}
	return b
}

func (w *urbWorld) addLog(c *urbClient, at time.Time, incremental bool, lines []urbLogLine) *urbLog {
	w.nextLog++
	l := &urbLog{id: w.nextLog, clientID: c.id, at: at, incremental: incremental, lines: lines}
	w.logs = append(w.logs, l)
	return l
}

func (w *urbWorld) tick() time.Duration { return time.Since(w.cfg.monotonic) }

func (w *urbWorld) timeAt(at time.Duration) time.Time { return w.cfg.start.Add(at).In(w.loc) }

func (w *urbWorld) clientByName(name string) *urbClient {
	for _, c := range w.clients {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (w *urbWorld) clientByID(id int) *urbClient {
	for _, c := range w.clients {
		if c.id == id {
			return c
		}
	}
	return nil
}

// byName is the clients ordered by name, as the server's queries order them.
func (w *urbWorld) byName() []*urbClient {
	out := append([]*urbClient(nil), w.clients...)
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (c *urbClient) lastBackup() *urbBackup {
	if len(c.backups) == 0 {
		return nil
	}
	return c.backups[len(c.backups)-1]
}

func (c *urbClient) lastBackupUnix() int64 {
	if b := c.lastBackup(); b != nil {
		return b.at.Unix()
	}
	return 0
}

// changedSince is what the apps have written since the client's last
// backup, in whole bursts (urbChangeEvery); all of it without a backup.
func (c *urbClient) changedSince(now time.Time) int64 {
	b := c.lastBackup()
	if b == nil {
		return c.fullSize
	}
	bursts := int64(now.Sub(b.at) / urbChangeEvery)
	return c.incrSize * max(bursts, 0) / int64(24*time.Hour/urbChangeEvery)
}

// usage is bytes_used_files: UrBackup links unchanged files between
// backups, so a client's store is about one full copy plus the changes.
func (c *urbClient) usage() int64 {
	var full, incr int64
	for _, b := range c.backups {
		if b.incremental {
			incr += b.size
		} else if b.size > full {
			full = b.size
		}
	}
	if full == 0 {
		full = c.fullSize
	}
	return full + incr
}

type urbRequest struct {
	action string
	form   url.Values
	ip     string
	now    time.Duration
}

// dispatch answers one action. Unknown actions get the server's HTML error.
func (w *urbWorld) dispatch(r *urbRequest) urbReply {
	switch r.action {
	case "salt":
		return w.actSalt(r)
	case "login":
		return w.actLogin(r)
	case "status":
		return w.withSession(r, w.actStatus)
	case "progress":
		return w.actProgress(r)
	case "lastacts":
		return w.withSession(r, func(r *urbRequest) urbReply {
			return urbJSONReply(urbObj{"lastacts": w.lastActs()})
		})
	case "start_backup":
		return w.actStartBackup(r)
	case "usage":
		return w.withSession(r, w.actUsage)
	case "backups":
		return w.actBackups(r)
	case "logs":
		return w.withSession(r, w.actLogs)
	case "settings":
		return w.withSession(r, w.actSettings)
	}
	return urbReply{contentType: "text/html; charset=UTF-8", body: []byte("Error: Unknown action [" + r.action + "]")}
}

// withSession is the check most actions start with: no session is
// {"error":1}; a session not logged in yet gets nothing at all.
func (w *urbWorld) withSession(r *urbRequest, f func(r *urbRequest) urbReply) urbReply {
	s := w.session(r)
	if s == nil {
		return urbJSONReply(urbObj{"error": 1})
	}
	if !s.loggedIn {
		return urbEmptyReply()
	}
	return f(r)
}

func (w *urbWorld) actStatus(r *urbRequest) urbReply {
	now := w.timeAt(r.now)
	status := urbArr{}
	for _, c := range w.byName() {
		procs := urbArr{}
		st := 0
		for _, p := range w.visibleProcs(c, r.now) {
			pc, _, _ := p.progress(r.now)
			procs = append(procs, urbObj{"action": p.action, "pcdone": pc})
			if st == 0 {
				st = p.action
			}
		}
		lastseen := c.lastseen.Unix()
		if c.online {
			lastseen = now.Unix() - int64(host.Hash(int64(c.id), now.Truncate(time.Minute))%40)
		}
		e := urbObj{
			"client_version_string": "2.5.25",
			"delete_pending":        "",
			// file_ok stays false while automatic backups are off, even
			// right after a backup by hand (recorded).
			"file_ok":                c.fileOK && c.lastBackupUnix() != 0 && !c.fileDisabled,
			"groupname":              "",
			"id":                     c.id,
			"image_disabled":         true, // no_images: the server marks every client
			"image_not_supported":    true, // a Linux client without snapshots (recorded)
			"image_ok":               false,
			"ip":                     c.ip,
			"last_filebackup_issues": 0,
			"lastbackup":             c.lastBackupUnix(),
			"lastbackup_image":       0,
			"lastseen":               lastseen,
			"name":                   c.name,
			"online":                 c.online,
			"os_simple":              "linux",
			"os_version_string":      c.os,
			"processes":              procs,
			"status":                 st,
			"uid":                    c.uid,
		}
		if c.fileDisabled {
			e["file_disabled"] = true // absent otherwise (recorded)
		}
		status = append(status, e)
	}
	for _, rc := range w.rejected {
		status = append(status, urbObj{
			"delete_pending":   0,
			"file_ok":          false,
			"id":               "-",
			"image_ok":         false,
			"ip":               rc.ip,
			"lastbackup":       "-",
			"lastbackup_image": "-",
			"lastseen":         "-",
			"name":             rc.name,
			"online":           true,
			"rejected":         true,
			"status":           rc.status,
		})
	}
	return urbJSONReply(urbObj{
		"admin":                true,
		"allow_add_client":     true,
		"allow_extra_clients":  true,
		"allow_modify_clients": true,
		"extra_clients":        urbArr{},
		"has_status_check":     true,
		"no_file_backups":      false,
		"no_images":            true,
		"remove_client":        true,
		"server_identity":      w.serverIdentity,
		"server_pubkey":        w.serverPubkey,
		"status":               status,
	})
}

// actUsage: used/files/images are doubles on the server (atof), printed
// with six significant digits: 5.58346e+10.
func (w *urbWorld) actUsage(r *urbRequest) urbReply {
	cs := w.byName()
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].usage() > cs[j].usage() })
	usage := urbArr{}
	for _, c := range cs {
		used := float64(c.usage())
		usage = append(usage, urbObj{"files": used, "images": float64(0), "name": c.name, "used": used})
	}
	return urbJSONReply(urbObj{"reset_statistics": "true", "usage": usage})
}

func (w *urbWorld) actBackups(r *urbRequest) urbReply {
	s := w.session(r)
	if s == nil || !s.loggedIn {
		return urbJSONReply(urbObj{"error": 1})
	}
	sa := r.form.Get("sa")
	if sa != "backups" {
		clients := urbArr{}
		for _, c := range w.byName() {
			clients = append(clients, urbObj{"id": c.id, "lastbackup": c.lastBackupUnix(), "name": c.name})
		}
		return urbJSONReply(urbObj{"clients": clients})
	}
	id := urbAtoi(r.form.Get("clientid"))
	backups := urbArr{}
	name := ""
	if c := w.clientByID(id); c != nil {
		name = c.name
		for i := len(c.backups) - 1; i >= 0; i-- {
			b := c.backups[i]
			o := urbObj{"archived": 0, "backuptime": b.at.Unix(), "id": b.id, "incremental": urbBool(b.incremental), "size_bytes": b.size}
			if i == len(c.backups)-1 {
				o["disable_delete"] = true // the last file backup cannot be deleted
			}
			backups = append(backups, o)
		}
	}
	rep := urbJSONReply(urbObj{
		"backup_images": urbArr{},
		"backups":       backups,
		"can_archive":   true,
		"can_delete":    true,
		"clientid":      id,
		"clientname":    name,
	})
	rep.frameOptions = 3 // as recorded: the header comes three times here
	return rep
}

// urbAtoi is watoi: leading digits, 0 when there are none.
func urbAtoi(s string) int {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && s[end] == '-') {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

func urbBool(b bool) int {
	if b {
		return 1
	}
	return 0
}
