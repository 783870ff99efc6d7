package urbackup

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// fakeURB is a small scripted UrBackup server for the job logic: sessions
// with the salt/challenge login, clients, processes that appear a few
// progress polls after a start and end a few polls later. It answers the
// way the real server does (see helpers_test.go's writeRaw).
type fakeURB struct {
	t   testing.TB
	URL string

	mu        sync.Mutex
	user      string
	password  string
	salt      string
	rounds    int
	sessions  map[string]bool   // logged-in sessions
	rnds      map[string]string // session → challenge of its next login
	nextSes   int
	counts    map[string]int // requests by action
	logins    int            // successful logins
	noImages  bool
	clients   []*fakeClient
	procs     []*fakeProc
	nextProc  int
	stopForms []url.Values
	logs      []fakeLog // newest last

	// knobs
	appearAfter  int             // progress polls before a started process shows
	runPolls     int             // progress polls a process shows before it ends
	expireNext   int             // the next n session calls answer {"error":1} and drop every session
	alwaysRefuse map[string]bool // actions answered {"error":1} whatever the session
	saltError    int             // >= 0: a=salt answers this error
	loginError   int             // >= 0: a=login answers this error
	failPolls    int             // the next n progress polls answer nginx's 502 page
	hook         func(w http.ResponseWriter, action string, form url.Values) bool
}

type fakeClient struct {
	id          int
	name        string
	online      bool
	lastbackup  int64
	lastImage   int64
	lastseen    int64
	fileOK      bool
	issues      int
	backups     []fakeBackup
	failNext    bool // the next backup ends without a new backup, file_ok false
	offlineNext bool // the client disconnects during its next backup
	deadNext    bool // the next backup never shows: the server cannot connect
	disabled    bool // automatic file backups off (file_disabled)
	noImages    bool // the client cannot make images (image_not_supported)
}

// fakeLog is a backup's log with its errors ("level-unixtime-message"
// lines, as a=logs&logid=N answers them).
type fakeLog struct {
	id, clientID, errors int
	data                 string
}

type fakeBackup struct {
	id          int
	time        int64
	incremental bool
	size        int64
}

type fakeProc struct {
	id, clientID, action int
	wait, polls, shown   int
	stopped              bool
}

func newFakeURB(t testing.TB, user, password string) *fakeURB {
	f := &fakeURB{
		t: t, user: user, password: password, salt: "8u2uVtrpyisgKe0Q4ymy", rounds: 1000,
		sessions: map[string]bool{}, rnds: map[string]string{}, counts: map[string]int{},
		appearAfter: 1, runPolls: 3, saltError: -1, loginError: -1, alwaysRefuse: map[string]bool{},
		nextProc: 40,
	}
	day := int64(86400)
	base := time.Now().Unix() - 30*day
	f.clients = []*fakeClient{
		{id: 1, name: "k3sserver01", online: false, lastseen: time.Now().Unix() - 3*3600, lastbackup: base + 27*day, fileOK: true},
		{id: 2, name: "k3sagent01", online: true, lastseen: time.Now().Unix(), fileOK: true},
		{id: 3, name: "k3sagent02", online: true, lastseen: time.Now().Unix(), fileOK: false},
	}
	for i := 0; i < 5; i++ {
		b := fakeBackup{id: 100 + i, time: base + int64(i)*day, incremental: i > 0, size: int64(1+i) << 20}
		f.clients[1].backups = append(f.clients[1].backups, b)
		f.clients[1].lastbackup = b.time
	}
	f.clients[2].backups = []fakeBackup{{id: 7, time: base, size: 5 << 20}}
	f.clients[2].lastbackup = base
	srv := startServer(t, f.serve)
	f.URL = srv.URL
	return f
}

func (f *fakeURB) client(name string) *fakeClient {
	for _, c := range f.clients {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (f *fakeURB) count(action string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[action]
}

func (f *fakeURB) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

func (f *fakeURB) set(fn func(f *fakeURB)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeURB) newSession() string {
	f.nextSes++
	return fmt.Sprintf("ses%04d", f.nextSes)
}

func (f *fakeURB) serve(w http.ResponseWriter, r *http.Request) {
	action := r.URL.Query().Get("a")
	form := readForm(r)
	f.mu.Lock()
	f.counts[action]++
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, action, form) {
		return
	}
	f.mu.Lock()
	body, empty := f.answer(action, form)
	f.mu.Unlock()
	switch {
	case body == "unknown":
		writeRaw(w, "HTTP/1.1 200 ok", []string{"Cache-Control: max-age=0", "Content-type: text/html; charset=UTF-8"}, "Error: Unknown action ["+action+"]")
	case body == "502":
		writeRaw(w, "HTTP/1.1 502 Bad Gateway", []string{"Content-Type: text/html"}, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
	case empty:
		writeRaw(w, "HTTP/1.1 200 ok", []string{"Cache-Control: max-age=0", "X-Frame-Options: DENY"}, "")
	default:
		writeJSON(w, body)
	}
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// answer is called with f.mu held.
func (f *fakeURB) answer(action string, form url.Values) (string, bool) {
	switch action {
	case "salt":
		if f.saltError >= 0 {
			return js(map[string]any{"error": f.saltError}), false
		}
		ses := f.newSession()
		if form.Get("username") != f.user || f.user == "" {
			return js(map[string]any{"error": 0, "ses": ses}), false
		}
		rnd := fmt.Sprintf("rnd%07d", f.nextSes)
		f.rnds[ses] = rnd
		return js(map[string]any{"ses": ses, "salt": f.salt, "rnd": rnd, "pbkdf2_rounds": f.rounds}), false
	case "login":
		if f.loginError >= 0 {
			return js(map[string]any{"api_version": 2, "error": f.loginError}), false
		}
		if f.user == "" {
			ses := f.newSession()
			f.sessions[ses] = true
			f.logins++
			return js(map[string]any{"api_version": 2, "lang": "en", "session": ses, "success": true}), false
		}
		if form.Get("username") == "" {
			return js(map[string]any{"admin_only": f.user, "api_version": 2, "lang": "en", "success": false}), false
		}
		ses := form.Get("ses")
		rnd, ok := f.rnds[ses]
		delete(f.rnds, ses)
		sum := md5.Sum([]byte(rnd + PasswordHash(f.salt, f.password, f.rounds)))
		if !ok || form.Get("username") != f.user || form.Get("password") != hex.EncodeToString(sum[:]) {
			return js(map[string]any{"api_version": 2, "error": 2}), false
		}
		f.sessions[ses] = true
		f.logins++
		return js(map[string]any{"api_version": 2, "status": "all", "success": true}), false
	}
	if action != "status" && action != "progress" && action != "usage" && action != "backups" && action != "start_backup" && action != "logs" {
		return "unknown", false
	}
	if !f.sessions[form.Get("ses")] || f.alwaysRefuse[action] || f.expireNext > 0 {
		if f.expireNext > 0 {
			f.expireNext--
			f.sessions = map[string]bool{}
		}
		if action == "start_backup" {
			return "", true
		}
		return `{"error": 1}`, false
	}
	switch action {
	case "status":
		return f.status(), false
	case "logs":
		if id := form.Get("logid"); id != "" {
			for _, l := range f.logs {
				if fmt.Sprint(l.id) == id {
					return js(map[string]any{"log": map[string]any{"data": l.data, "time": 0}}), false
				}
			}
			return js(map[string]any{}), false
		}
		var ls []map[string]any
		for i := len(f.logs) - 1; i >= 0; i-- {
			l := f.logs[i]
			if fmt.Sprint(l.clientID) == form.Get("filter") && l.errors > 0 {
				ls = append(ls, map[string]any{"id": l.id, "name": f.clients[l.clientID-1].name, "errors": l.errors, "warnings": 0, "time": 0})
			}
		}
		return js(map[string]any{"logs": ls, "ll": 2}), false
	case "usage":
		var u []map[string]any
		for _, c := range f.clients {
			var files int64
			for _, b := range c.backups {
				files += b.size
			}
			u = append(u, map[string]any{"name": c.name, "files": files, "images": 0, "used": files})
		}
		return js(map[string]any{"reset_statistics": "true", "usage": u}), false
	case "backups":
		for _, c := range f.clients {
			if fmt.Sprint(c.id) != form.Get("clientid") || form.Get("sa") != "backups" {
				continue
			}
			var bs []map[string]any
			for i := len(c.backups) - 1; i >= 0; i-- {
				b := c.backups[i]
				bs = append(bs, map[string]any{"id": b.id, "backuptime": b.time, "incremental": map[bool]int{true: 1}[b.incremental], "size_bytes": b.size, "archived": 0})
			}
			return js(map[string]any{"backup_images": []any{}, "backups": bs, "can_archive": true, "can_delete": true, "clientid": c.id, "clientname": c.name}), false
		}
		return `{"error": 1}`, false
	case "start_backup":
		types := map[string]int{"incr_file": 1, "full_file": 2, "incr_image": 3, "full_image": 4}
		id := form.Get("start_client")
		var res []map[string]any
		for _, c := range f.clients {
			if fmt.Sprint(c.id) != id {
				continue
			}
			ok := c.online && types[form.Get("start_type")] != 0
			if ok && c.deadNext {
				c.deadNext = false
				f.log(c, 1, `2-0-Connecting to ClientService of "`+c.name+`" failed - CONNECT error during filelist construction`)
			} else if ok {
				f.nextProc++
				f.procs = append(f.procs, &fakeProc{id: f.nextProc, clientID: c.id, action: types[form.Get("start_type")], wait: f.appearAfter, polls: f.runPolls})
			}
			res = append(res, map[string]any{"clientid": c.id, "start_ok": ok, "start_type": form.Get("start_type")})
		}
		return js(map[string]any{"result": res}), false
	case "progress":
		if f.failPolls > 0 {
			f.failPolls--
			return "502", false
		}
		if form.Get("stop_id") != "" {
			f.stopForms = append(f.stopForms, form)
			for _, p := range f.procs {
				if fmt.Sprint(p.id) == form.Get("stop_id") && fmt.Sprint(p.clientID) == form.Get("stop_clientid") {
					p.stopped = true
				}
			}
		}
		return f.progress(), false
	}
	return "unknown", false
}

func (f *fakeURB) status() string {
	var st []map[string]any
	for _, c := range f.clients {
		e := map[string]any{
			"id": c.id, "name": c.name, "online": c.online, "lastseen": c.lastseen,
			"lastbackup": c.lastbackup, "lastbackup_image": c.lastImage, "file_ok": c.fileOK && !c.disabled, "image_ok": false,
			"delete_pending": "", "ip": "-", "client_version_string": "2.5.25", "os_simple": "linux",
			"os_version_string": "Debian GNU/Linux 12", "last_filebackup_issues": c.issues, "processes": []any{}, "status": 0, "uid": "",
		}
		if c.disabled {
			e["file_disabled"], e["image_disabled"] = true, true
		}
		if c.noImages {
			e["image_not_supported"] = true
		}
		st = append(st, e)
	}
	st = append(st, map[string]any{"id": "-", "name": "stranger", "lastbackup": "-", "lastseen": "-", "lastbackup_image": "-", "online": true, "rejected": true, "delete_pending": 0, "status": 10, "file_ok": false, "image_ok": false})
	return js(map[string]any{"admin": true, "no_images": f.noImages, "no_file_backups": false, "status": st, "server_identity": "x"})
}

// progress advances every process by one poll and lists those running.
func (f *fakeURB) progress() string {
	var out []map[string]any
	var keep []*fakeProc
	for _, p := range f.procs {
		if p.wait > 0 {
			p.wait--
			keep = append(keep, p)
			continue
		}
		c := f.clients[p.clientID-1]
		if p.stopped || p.shown >= p.polls {
			f.end(c, p)
			continue
		}
		p.shown++
		keep = append(keep, p)
		pc := -1
		if p.shown > 1 {
			pc = 100 * (p.shown - 1) / p.polls
		}
		out = append(out, map[string]any{
			"id": p.id, "clientid": p.clientID, "name": c.name, "action": p.action, "pcdone": pc,
			"done_bytes": int64(pc) << 20, "total_bytes": int64(100) << 20, "speed_bpms": 1024, "eta_ms": 30000,
			"can_stop_backup": true, "details": "", "paused": false, "queue": 0,
		})
	}
	f.procs = keep
	return js(map[string]any{"progress": out})
}

func (f *fakeURB) end(c *fakeClient, p *fakeProc) {
	switch {
	case p.stopped:
	case c.offlineNext:
		c.offlineNext, c.online = false, false
	case c.failNext:
		c.failNext, c.fileOK = false, false
		f.log(c, 1, "2-0-Error getting file list of \"/srv\" from client "+c.name+": read error\n0-0-Time taken: 3s")
	default:
		now := time.Now().Unix()
		c.lastbackup, c.fileOK = now, true
		c.backups = append(c.backups, fakeBackup{id: 1000 + p.id, time: now, incremental: p.action == 1, size: 3 << 20})
	}
}

// log adds a log for the client (f.mu held).
func (f *fakeURB) log(c *fakeClient, errors int, data string) {
	f.logs = append(f.logs, fakeLog{id: 500 + len(f.logs), clientID: c.id, errors: errors, data: data + "\n2-0-Backup failed\n"})
}
