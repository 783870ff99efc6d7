package urbackup

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// The UrBackup server of the seed homelab (bkpserver, VM 431): file-backup
// clients on the three K3s nodes, image backups switched off server-wide.
// k3sserver01 has been offline for a day; the agents back up every evening.

type config struct {
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
	rights         map[string]string // the web user's; absent is "all"
}

// right is the web user's right name: "all" unless Options.Rights says.
func (c config) right(name string) string {
	if v, ok := c.rights[name]; ok {
		return v
	}
	return "all"
}

// world is everything the server knows. Every access holds Server.mu
// and starts with advance(now).
type world struct {
	cfg config
	loc *time.Location

	sessions      map[string]*session
	failures      map[string][]time.Duration // failed logins per IP, in the ban window
	banned        map[string]time.Duration   // IP → when the ban began
	loginFailures int
	rndHook       func() string

	clients    []*client // by id
	rejected   []rejectedClient
	deletions  []deletion
	logs       []*logEntry
	procs      []*process // accepted, not finished
	nextBackup int
	nextLog    int
	nextProc   int

	serverIdentity string
	serverPubkey   string
	badGateway     bool
}

type client struct {
	id       int
	name     string
	folders  []string
	online   bool
	ip       string
	lastseen time.Time // when it was last seen while offline
	os       string
	uid      string
	backups  []*fileBackup // oldest first
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

type fileBackup struct {
	id          int
	clientID    int
	at          time.Time // backuptime: when the backup began
	incremental bool
	size        int64
	took        time.Duration // "running" - backuptime
}

// deletion is a del_stats row: the nightly cleanup removing a backup.
type deletion struct {
	b    fileBackup
	at   time.Time
	took time.Duration
}

// rejectedClient is a client that connects but is not accepted (wrong key):
// a=status lists it with "id":"-" and "-" for its times.
type rejectedClient struct {
	name, ip string
	status   int
}

type logLine struct {
	level int // -1 debug, 0 info, 1 warning, 2 error
	at    time.Time
	msg   string
}

type logEntry struct {
	id          int
	clientID    int
	at          time.Time
	incremental bool
	lines       []logLine
}

func (l *logEntry) count(level int) int {
	n := 0
	for _, ln := range l.lines {
		if ln.level == level {
			n++
		}
	}
	return n
}

// seedClients are the clients in id order, with what their file backups
// cover: the apps' persistent volumes on the agents, K3s's own state on the
// server node.
var seedClients = []struct {
	name     string
	ip       string
	folders  []string
	fullSize int64
	incrSize int64
	fullDay  int // full backups this many days ago, and 30 days before
}{
	{"k3sserver01", "192.168.1.41", []string{"/etc/rancher/k3s", "/var/lib/rancher/k3s/server/db", "/var/lib/rancher/k3s/server/manifests"},
		1840 * host.MiB, 24 * host.MiB, 11},
	{"k3sagent01", "192.168.1.42", []string{"/mnt/gitea-hdd/repos", "/mnt/gitea-ssd/data", "/mnt/gitea-ssd/db", "/mnt/monitoring-ssd/grafana-data"},
		38*host.GiB + 410*host.MiB, 330 * host.MiB, 8},
	{"k3sagent02", "192.168.1.43", []string{"/mnt/nextcloud-hdd/data", "/mnt/nextcloud-ssd/db", "/mnt/vaultwarden-ssd/data", "/mnt/monitoring-ssd/prometheus-data"},
		61*host.GiB + 870*host.MiB, 420 * host.MiB, 3},
}

// Client is one of the seed's clients as a config names it: its name and
// the folders its file backups cover.
type Client struct {
	Name    string
	Folders []string
}

// SeedClients are the seed's clients in id order (RenameClient does not
// change them).
func SeedClients() []Client {
	out := make([]Client, len(seedClients))
	for i, c := range seedClients {
		out[i] = Client{Name: c.name, Folders: slices.Clone(c.folders)}
	}
	return out
}

const (
	historyDays = 56
	retainDays  = 41 // min_file_incr 40: about 41 daily backups stay
)

func newWorld(cfg config) *world {
	w := &world{
		cfg:      cfg,
		loc:      cfg.start.Location(),
		sessions: map[string]*session{},
		failures: map[string][]time.Duration{},
		banned:   map[string]time.Duration{},
		nextProc: 37,                                                                      // the server has run cleanups and other processes before
		rejected: []rejectedClient{{name: "debian-test", ip: "192.168.1.87", status: 13}}, // authentication error
	}
	w.serverIdentity = randomKey(20)
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
func (w *world) seed(now time.Time) {
	today := host.Midnight(now)
	var all []*fileBackup
	for i, sc := range seedClients {
		c := &client{
			id: i + 1, name: sc.name, folders: sc.folders, online: true, ip: sc.ip,
			os: "Debian GNU/Linux 12 (bookworm)", fileOK: true,
			uid:      fmt.Sprintf("%016x%016x", host.Hash(int64(i+1), time.Unix(1700000000, 0)), host.Hash(int64(i+11), time.Unix(1700000000, 0))),
			fullSize: sc.fullSize, incrSize: sc.incrSize,
		}
		w.clients = append(w.clients, c)
		for d := historyDays; d >= 0; d-- {
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
		cutoffDay := host.Midnight(b.at).AddDate(0, 0, retainDays+1)
		delAt := cutoffDay.Add(3*time.Hour + time.Duration(host.Hash(int64(b.id), cutoffDay)%1200)*time.Second)
		if delAt.Before(now) {
			w.deletions = append(w.deletions, deletion{b: *b, at: delAt, took: time.Duration(1+b.size/(2*host.GiB)) * time.Second})
			continue
		}
		c.backups = append(c.backups, b)
	}
	// A failed run two weeks ago: the agent rebooted during the backup.
	agent := w.clientByName("k3sagent02")
	at := today.AddDate(0, 0, -14).Add(21*time.Hour + 2*time.Minute)
	w.nextLog = 1200
	w.addLog(agent, at, true, []logLine{
		{0, at, "Starting scheduled incremental file backup..."},
		{2, at.Add(3 * time.Minute), "Client " + agent.name + " went offline."},
		{0, at.Add(3 * time.Minute), "Time taken for backing up client " + agent.name + ": 3m 4s"},
		{2, at.Add(3 * time.Minute), "Backup failed"},
	})
}

// historicBackup is one evening's backup with the sizes and durations real
// runs of these clients have: data grows a little every day.
func (w *world) historicBackup(c *client, at time.Time, full bool) *fileBackup {
	h := host.Hash(int64(c.id)*31, at)
	grow := 1 + float64(historyDays-int(w.cfg.start.Sub(at).Hours()/24))*0.001
	b := &fileBackup{clientID: c.id, at: at, incremental: !full}
	if full {
		b.size = int64(float64(c.fullSize) * grow)
		b.took = time.Duration(int64(b.size)/(60*host.MiB)+int64(h%300)) * time.Second
	} else {
		b.size = c.incrSize/2 + int64(h%uint64(c.incrSize))
		b.took = time.Duration(90+int64(b.size)/(8*host.MiB)+int64(h%120)) * time.Second
	}
	return b
}

func (w *world) addLog(c *client, at time.Time, incremental bool, lines []logLine) *logEntry {
	w.nextLog++
	l := &logEntry{id: w.nextLog, clientID: c.id, at: at, incremental: incremental, lines: lines}
	w.logs = append(w.logs, l)
	return l
}

func (w *world) tick() time.Duration { return time.Since(w.cfg.monotonic) }

func (w *world) timeAt(at time.Duration) time.Time { return w.cfg.start.Add(at).In(w.loc) }

func (w *world) clientByName(name string) *client {
	for _, c := range w.clients {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (w *world) clientByID(id int) *client {
	for _, c := range w.clients {
		if c.id == id {
			return c
		}
	}
	return nil
}

// byName is the clients ordered by name, as the server's queries order them.
func (w *world) byName() []*client {
	out := append([]*client(nil), w.clients...)
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (c *client) lastBackup() *fileBackup {
	if len(c.backups) == 0 {
		return nil
	}
	return c.backups[len(c.backups)-1]
}

func (c *client) lastBackupUnix() int64 {
	if b := c.lastBackup(); b != nil {
		return b.at.Unix()
	}
	return 0
}

// changedSince is what the apps have written since the client's last
// backup, in whole bursts (changeEvery); all of it without a backup.
func (c *client) changedSince(now time.Time) int64 {
	b := c.lastBackup()
	if b == nil {
		return c.fullSize
	}
	bursts := int64(now.Sub(b.at) / changeEvery)
	return c.incrSize * max(bursts, 0) / int64(24*time.Hour/changeEvery)
}

// usage is bytes_used_files: UrBackup links unchanged files between
// backups, so a client's store is about one full copy plus the changes.
func (c *client) usage() int64 {
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
