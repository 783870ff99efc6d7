package proxmox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/tlspin"
	"github.com/backdeck/backdeck/model"
)

// fakePVE is a small in-process PVE API for the tests of this package: it
// serves the shapes of the fixtures and counts requests. The lab
// (backends/lab) is the full simulation; this one exists so that every rule
// here is tested on its own, with faults injected at will.
type fakePVE struct {
	t     *testing.T
	token string // "id=secret"

	mu        sync.Mutex
	resources []map[string]any
	jobs      []map[string]any
	storages  map[string][]map[string]any // node → /nodes/{n}/storage
	content   map[string][]map[string]any // storage → archives
	snapshots map[string][]map[string]any // "qemu/421" → snapshots
	tasks     map[string]*fakeTask
	vzdumpOK  bool // answer "OK" instead of a UPID
	nextTask  fakeTask
	posts     []fakePost
	hits      map[string]int
	peers     map[string]bool // the clients' addresses: one a connection
	// fault, when set, may answer a request itself (returns true).
	fault func(w http.ResponseWriter, r *http.Request, path string) bool
	seq   int
}

type fakePost struct {
	Path string
	Form url.Values
}

type fakeTask struct {
	node      string
	lines     []string
	perPoll   int // lines revealed per status poll
	exit      string
	shown     int
	polls     int
	stopped   bool
	goneAfter int  // answer "no such task" after this many status polls
	gone400   bool // … as a parameter error (400) rather than a 500
	failFrom  int  // status polls failFrom..failTo answer 503
	failTo    int
	typ, id   string
}

const (
	fakeTokenID = "backdeck@pve!console"
	fakeSecret  = "0b7a4c2e-5d1f-4e8a-9c3b-7f6e5d4c3b2a"
)

func newFakePVE(t *testing.T) *fakePVE {
	f := &fakePVE{
		t:     t,
		token: fakeTokenID + "=" + fakeSecret,
		resources: []map[string]any{
			{"id": "node/pve", "type": "node", "node": "pve", "status": "online"},
			{"id": "qemu/100", "type": "qemu", "node": "pve", "vmid": 100, "name": "debiantpl", "status": "stopped", "template": 1},
			{"id": "qemu/411", "type": "qemu", "node": "pve", "vmid": 411, "name": "k3sserver01", "status": "running"},
			{"id": "qemu/421", "type": "qemu", "node": "pve", "vmid": 421, "name": "k3sagent01", "status": "running"},
			{"id": "qemu/431", "type": "qemu", "node": "pve", "vmid": "431", "name": "bkpserver", "status": "running", "template": 0},
			{"id": "lxc/200", "type": "lxc", "node": "pve", "vmid": 200, "name": "dns", "status": "running"},
			{"id": "storage/pve/local", "type": "storage", "node": "pve", "storage": "local", "status": "available", "plugintype": "dir", "content": "iso,vztmpl,backup", "shared": 0, "disk": 10, "maxdisk": 100},
			{"id": "storage/pve/hddusb_bkpvzdumps", "type": "storage", "node": "pve", "storage": "hddusb_bkpvzdumps", "status": "available", "plugintype": "dir", "content": "backup", "shared": 0, "disk": 400, "maxdisk": 4000},
			{"id": "storage/pve/hddusb_bkpdata", "type": "storage", "node": "pve", "storage": "hddusb_bkpdata", "status": "available", "plugintype": "lvmthin", "content": "images,rootdir", "shared": 0, "disk": 50, "maxdisk": 500},
		},
		jobs: []map[string]any{
			{"id": "backup-k3s", "type": "vzdump", "enabled": 1, "schedule": "14:20", "storage": "hddusb_bkpvzdumps", "vmid": "411,421,422", "mode": "snapshot", "compress": "zstd", "prune-backups": map[string]any{"keep-last": "3"}},
		},
		storages: map[string][]map[string]any{
			"pve": {
				{"storage": "local", "type": "dir", "content": "iso,vztmpl,backup", "enabled": 1, "active": 1, "shared": 0, "total": 100, "used": 10, "avail": 90},
				{"storage": "hddusb_bkpvzdumps", "type": "dir", "content": "backup", "enabled": 1, "active": 1, "shared": 0, "total": 4000, "used": 400, "avail": 3600},
			},
		},
		content: map[string][]map[string]any{
			"hddusb_bkpvzdumps": {
				{"volid": "hddusb_bkpvzdumps:backup/vzdump-qemu-411-2026_11_24-14_20_02.vma.zst", "content": "backup", "subtype": "qemu", "format": "vma.zst", "size": 1288490188, "ctime": 1795530002, "vmid": 411, "notes": "k3sserver01"},
				{"volid": "hddusb_bkpvzdumps:backup/vzdump-qemu-411-2026_11_25-14_20_02.vma.zst", "content": "backup", "subtype": "qemu", "format": "vma.zst", "size": 1288490190, "ctime": 1795616402, "vmid": 411, "notes": "k3sserver01"},
				{"volid": "hddusb_bkpvzdumps:backup/vzdump-qemu-100-2026_01_01-10_00_00.vma.zst", "content": "backup", "subtype": "qemu", "format": "vma.zst", "size": 875560960, "ctime": 1767261600, "vmid": 100, "protected": 1},
				{"volid": "hddusb_bkpvzdumps:backup/vzdump-qemu-999-2025_01_01-10_00_00.vma.zst", "content": "backup", "subtype": "qemu", "format": "vma.zst", "size": 1, "ctime": 1735725600, "vmid": 999},
			},
			"local": {
				{"volid": "local:backup/vzdump-lxc-200-2026_11_25-01_00_00.tar.zst", "content": "backup", "subtype": "lxc", "format": "tar.zst", "size": 5000, "ctime": 1795568400, "vmid": 200},
			},
		},
		snapshots: map[string][]map[string]any{
			"qemu/421": {
				{"name": "pre-upgrade", "description": "before 1.31", "snaptime": 1795000000, "vmstate": 0},
				{"name": "later", "snaptime": 1795100000, "parent": "pre-upgrade"},
				{"name": "current", "description": "You are here!", "parent": "later"},
			},
		},
		tasks:    map[string]*fakeTask{},
		hits:     map[string]int{},
		peers:    map[string]bool{},
		nextTask: fakeTask{lines: okLog, perPoll: 2, exit: "OK"},
	}
	return f
}

// okLog is a short vzdump log with progress.
var okLog = []string{
	"INFO: starting new backup job: vzdump 421 --storage hddusb_bkpvzdumps --mode snapshot --compress zstd --notes-template '{{guestname}}' --node pve",
	"INFO: Starting Backup of VM 421 (qemu)",
	"INFO:  10% (1.0 GiB of 10.0 GiB) in 5s, read: 200.0 MiB/s, write: 190.0 MiB/s",
	"INFO:  50% (5.0 GiB of 10.0 GiB) in 25s, read: 200.0 MiB/s, write: 190.0 MiB/s",
	"INFO: 100% (10.0 GiB of 10.0 GiB) in 50s, read: 200.0 MiB/s, write: 190.0 MiB/s",
	"INFO: Finished Backup of VM 421 (00:00:52)",
	"INFO: Backup job finished successfully",
	"TASK OK",
}

func (f *fakePVE) start(t *testing.T) *httptest.Server {
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	return srv
}

// client connects to srv pinning its certificate.
func (f *fakePVE) client(t *testing.T, srv *httptest.Server, mods ...func(*Options)) *Client {
	t.Helper()
	opts := Options{
		Config: model.ProxmoxConfig{
			URL: srv.URL, TokenID: fakeTokenID,
			TLSConfig: model.TLSConfig{Fingerprint: tlspin.CertFingerprint(srv.Certificate().Raw)},
		},
		Secret:       fakeSecret,
		PollInterval: 5 * time.Millisecond,
	}
	opts.Config.Timeout.Duration = 2 * time.Second
	for _, m := range mods {
		m(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fakePVE) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[key]
}

func (f *fakePVE) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.hits {
		n += v
	}
	return n
}

// connections counts the connections requests came on.
func (f *fakePVE) connections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.peers)
}

func (f *fakePVE) resetHits() {
	f.mu.Lock()
	f.hits = map[string]int{}
	f.mu.Unlock()
}

func (f *fakePVE) postList() []fakePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakePost(nil), f.posts...)
}

var (
	reNodeStorage = regexp.MustCompile(`^/nodes/([^/]+)/storage$`)
	reContent     = regexp.MustCompile(`^/nodes/([^/]+)/storage/([^/]+)/content$`)
	reVzdump      = regexp.MustCompile(`^/nodes/([^/]+)/vzdump$`)
	reTaskStatus  = regexp.MustCompile(`^/nodes/([^/]+)/tasks/([^/]+)/status$`)
	reTaskLog     = regexp.MustCompile(`^/nodes/([^/]+)/tasks/([^/]+)/log$`)
	reTask        = regexp.MustCompile(`^/nodes/([^/]+)/tasks/([^/]+)$`)
	reTasks       = regexp.MustCompile(`^/nodes/([^/]+)/tasks$`)
	reSnapList    = regexp.MustCompile(`^/nodes/([^/]+)/(qemu|lxc)/(\d+)/snapshot$`)
	reSnapOne     = regexp.MustCompile(`^/nodes/([^/]+)/(qemu|lxc)/(\d+)/snapshot/([^/]+)(/rollback)?$`)
)

func (f *fakePVE) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api2/json")
	f.mu.Lock()
	f.hits[r.Method+" "+path]++
	f.peers[r.RemoteAddr] = true
	fault := f.fault
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "PVEAPIToken="+f.token {
		rawStatus(w, "401 invalid token value!")
		return
	}
	if fault != nil && fault(w, r, path) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var m []string
	switch {
	case r.Method == "GET" && path == "/version":
		reply(w, map[string]any{"version": "8.4.1", "release": "8.4", "repoid": "2a5fa54a"})
	case r.Method == "GET" && path == "/cluster/resources":
		reply(w, f.resources)
	case r.Method == "GET" && path == "/cluster/backup":
		reply(w, f.jobs)
	case r.Method == "GET" && match(reNodeStorage, path, &m):
		reply(w, f.storages[m[1]])
	case r.Method == "GET" && match(reContent, path, &m):
		if r.URL.Query().Get("content") != "backup" {
			f.t.Errorf("content listing without content=backup: %s", r.URL)
		}
		reply(w, f.content[m[2]])
	case r.Method == "POST" && match(reVzdump, path, &m):
		_ = r.ParseForm()
		f.posts = append(f.posts, fakePost{path, r.PostForm})
		if f.vzdumpOK {
			reply(w, "OK")
			return
		}
		reply(w, f.newTask(m[1], "vzdump", r.PostForm.Get("vmid")))
	case r.Method == "GET" && match(reTaskStatus, path, &m):
		f.serveStatus(w, m[1], m[2])
	case r.Method == "GET" && match(reTaskLog, path, &m):
		f.serveLog(w, r, m[2])
	case r.Method == "DELETE" && match(reTask, path, &m):
		if tk, ok := f.tasks[m[2]]; ok && !tk.stopped {
			tk.stopped, tk.exit = true, "unexpected status"
			tk.lines = append(tk.lines[:tk.shown], "TASK ERROR: unexpected status")
		}
		reply(w, nil)
	case r.Method == "GET" && match(reTasks, path, &m):
		var list []map[string]any
		for upid, tk := range f.tasks {
			if tk.node == m[1] && !tk.stopped {
				list = append(list, map[string]any{"upid": upid, "node": tk.node, "type": tk.typ, "id": tk.id, "user": fakeTokenID, "status": "RUNNING"})
			}
		}
		list = append(list, map[string]any{"upid": "UPID:pve:00000001:00000001:6968A742:vzdump::root@pam:", "node": "pve", "type": "vzdump", "id": "", "status": "OK"})
		reply(w, list)
	case r.Method == "GET" && match(reSnapList, path, &m):
		reply(w, f.snapshots[m[2]+"/"+m[3]])
	case r.Method == "POST" && match(reSnapList, path, &m):
		_ = r.ParseForm()
		f.posts = append(f.posts, fakePost{path, r.PostForm})
		reply(w, f.newTask(m[1], "qmsnapshot", m[3]))
	case r.Method == "POST" && match(reSnapOne, path, &m) && m[5] != "":
		_ = r.ParseForm()
		f.posts = append(f.posts, fakePost{path, r.PostForm})
		reply(w, f.newTask(m[1], "qmrollback", m[3]))
	case r.Method == "DELETE" && match(reSnapOne, path, &m) && m[5] == "":
		reply(w, f.newTask(m[1], "qmdelsnapshot", m[3]))
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(501)
		fmt.Fprintf(w, `{"data":null,"message":"Method '%s %s' not implemented\n"}`, r.Method, path)
	}
}

func (f *fakePVE) newTask(node, typ, id string) string {
	f.seq++
	upid := fmt.Sprintf("UPID:%s:%08X:%08X:%08X:%s:%s:%s:", node, 1000+f.seq, 5000+f.seq, 0x6968A742+f.seq, typ, id, fakeTokenID)
	tk := f.nextTask
	tk.node, tk.typ, tk.id = node, typ, id
	tk.lines = append([]string(nil), f.nextTask.lines...)
	f.tasks[upid] = &tk
	return upid
}

func (f *fakePVE) serveStatus(w http.ResponseWriter, node, upid string) {
	tk, ok := f.tasks[upid]
	if ok {
		tk.polls++
	}
	if ok && tk.gone400 && tk.goneAfter > 0 && tk.polls > tk.goneAfter {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		io.WriteString(w, `{"data":null,"errors":{"upid":"no such task"},"message":"Parameter verification failed.\n"}`)
		return
	}
	if !ok || (tk.goneAfter > 0 && tk.polls > tk.goneAfter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		io.WriteString(w, `{"data":null,"message":"no such task\n"}`)
		return
	}
	if tk.polls >= tk.failFrom && tk.polls <= tk.failTo {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(503)
		io.WriteString(w, "<html><body>503 Service Unavailable</body></html>")
		return
	}
	if !tk.stopped {
		tk.shown = min(tk.shown+tk.perPoll, len(tk.lines))
		if tk.shown == len(tk.lines) {
			tk.stopped = true
		}
	}
	st := map[string]any{"upid": upid, "node": node, "status": "running", "type": tk.typ, "id": tk.id}
	if tk.stopped {
		st["status"], st["exitstatus"] = "stopped", tk.exit
	}
	reply(w, st)
}

func (f *fakePVE) serveLog(w http.ResponseWriter, r *http.Request, upid string) {
	tk, ok := f.tasks[upid]
	if !ok {
		reply(w, []map[string]any{{"n": 1, "t": "unable to open file - No such file or directory"}})
		return
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("start"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	shown := tk.shown
	if tk.stopped {
		shown = len(tk.lines)
	}
	out := []map[string]any{}
	if shown == 0 {
		out = append(out, map[string]any{"n": 1, "t": "no content"})
	}
	for i := start; i < shown && (limit == 0 || len(out) < limit); i++ {
		out = append(out, map[string]any{"n": i + 1, "t": tk.lines[i]})
	}
	// PVE's order is by n; reverse it to check the client sorts.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	reply(w, out)
}

func match(re *regexp.Regexp, s string, m *[]string) bool {
	*m = re.FindStringSubmatch(s)
	if *m == nil {
		return false
	}
	for i, v := range *m {
		if u, err := url.PathUnescape(v); err == nil {
			(*m)[i] = u
		}
	}
	return true
}

func reply(w http.ResponseWriter, data any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// rawStatus writes a status line with a custom reason, as PVE does for
// 401 ("401 invalid token value!"): net/http cannot set a reason, so the
// connection is hijacked.
func rawStatus(w http.ResponseWriter, status string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status)
	_ = buf.Flush()
}
