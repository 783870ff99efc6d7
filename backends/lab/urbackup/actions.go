package urbackup

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// request is one call of the web API: its action, its form data, the
// caller's IP and the tick it arrived at.
type request struct {
	action string
	form   url.Values
	ip     string
	now    time.Duration
}

// dispatch answers one action. Unknown actions get the server's HTML error.
func (w *world) dispatch(r *request) reply {
	switch r.action {
	case "salt":
		return w.actSalt(r)
	case "login":
		return w.actLogin(r)
	case "status":
		return w.withSession(r, w.withRight("status", w.actStatus))
	case "progress":
		return w.actProgress(r)
	case "lastacts":
		return w.withSession(r, func(r *request) reply {
			return jsonReply(jsonObj{"lastacts": w.lastActs()})
		})
	case "start_backup":
		return w.actStartBackup(r)
	case "usage":
		return w.withSession(r, w.withRight("graph", w.actUsage))
	case "backups":
		return w.actBackups(r)
	case "logs":
		return w.withSession(r, w.withRight("logs", w.actLogs))
	case "settings":
		return w.withSession(r, w.actSettings)
	}
	return reply{contentType: "text/html; charset=UTF-8", body: []byte("Error: Unknown action [" + r.action + "]")}
}

// withSession is the check most actions start with: no session is
// {"error":1}; a session not logged in yet gets nothing at all.
func (w *world) withSession(r *request, f func(r *request) reply) reply {
	s := w.session(r)
	if s == nil {
		return jsonReply(jsonObj{"error": 1})
	}
	if !s.loggedIn {
		return emptyReply()
	}
	return f(r)
}

// withRight refuses an action to a web user whose right for it is
// "none", as the server does: {"error":1}. (The anonymous session of a
// server without users has every right.)
func (w *world) withRight(name string, f func(r *request) reply) func(r *request) reply {
	return func(r *request) reply {
		if !w.cfg.noUsers && w.cfg.right(name) == "none" {
			return jsonReply(jsonObj{"error": 1})
		}
		return f(r)
	}
}

func (w *world) actStatus(r *request) reply {
	now := w.timeAt(r.now)
	status := jsonArr{}
	for _, c := range w.byName() {
		procs := jsonArr{}
		st := 0
		for _, p := range w.visibleProcs(c, r.now) {
			pc, _, _ := p.progress(r.now)
			procs = append(procs, jsonObj{"action": p.action, "pcdone": pc})
			if st == 0 {
				st = p.action
			}
		}
		lastseen := c.lastseen.Unix()
		if c.online {
			lastseen = now.Unix() - int64(host.Hash(int64(c.id), now.Truncate(time.Minute))%40)
		}
		e := jsonObj{
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
		status = append(status, jsonObj{
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
	return jsonReply(jsonObj{
		"admin":                true,
		"allow_add_client":     true,
		"allow_extra_clients":  true,
		"allow_modify_clients": true,
		"extra_clients":        jsonArr{},
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
func (w *world) actUsage(r *request) reply {
	cs := w.byName()
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].usage() > cs[j].usage() })
	usage := jsonArr{}
	for _, c := range cs {
		used := float64(c.usage())
		usage = append(usage, jsonObj{"files": used, "images": float64(0), "name": c.name, "used": used})
	}
	return jsonReply(jsonObj{"reset_statistics": "true", "usage": usage})
}

func (w *world) actBackups(r *request) reply {
	s := w.session(r)
	if s == nil || !s.loggedIn {
		return jsonReply(jsonObj{"error": 1})
	}
	sa := r.form.Get("sa")
	if sa != "backups" {
		clients := jsonArr{}
		for _, c := range w.byName() {
			clients = append(clients, jsonObj{"id": c.id, "lastbackup": c.lastBackupUnix(), "name": c.name})
		}
		return jsonReply(jsonObj{"clients": clients})
	}
	id := atoi(r.form.Get("clientid"))
	backups := jsonArr{}
	name := ""
	if c := w.clientByID(id); c != nil {
		name = c.name
		for i := len(c.backups) - 1; i >= 0; i-- {
			b := c.backups[i]
			o := jsonObj{"archived": 0, "backuptime": b.at.Unix(), "id": b.id, "incremental": boolInt(b.incremental), "size_bytes": b.size}
			if i == len(c.backups)-1 {
				o["disable_delete"] = true // the last file backup cannot be deleted
			}
			backups = append(backups, o)
		}
	}
	rep := jsonReply(jsonObj{
		"backup_images": jsonArr{},
		"backups":       backups,
		"can_archive":   true,
		"can_delete":    true,
		"clientid":      id,
		"clientname":    name,
	})
	rep.frameOptions = 3 // as recorded: the header comes three times here
	return rep
}

// atoi is watoi: leading digits, 0 when there are none.
func atoi(s string) int {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && s[end] == '-') {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
