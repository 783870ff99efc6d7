package urbackup

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// lastActs is getLastActs: the 20 newest finished backups and cleanup
// deletions. Failed or stopped backups never appear (complete=1 only).
func (w *world) lastActs() jsonArr {
	type act struct {
		at  time.Time
		obj jsonObj
	}
	var acts []act
	for _, c := range w.clients {
		for _, b := range c.backups {
			acts = append(acts, act{b.at, jsonObj{
				"backuptime": b.at.Unix(), "clientid": c.id, "del": false, "details": "", "duration": int64(b.took / time.Second),
				"id": b.id, "image": 0, "incremental": boolInt(b.incremental), "name": c.name, "restore": 0, "resumed": 0, "size_bytes": b.size,
			}})
		}
	}
	for _, d := range w.deletions {
		c := w.clientByID(d.b.clientID)
		acts = append(acts, act{d.at, jsonObj{
			"backuptime": d.at.Unix(), "clientid": c.id, "del": true, "details": "", "duration": int64(d.took / time.Second),
			"id": d.b.id, "image": 0, "incremental": boolInt(d.b.incremental), "name": c.name, "restore": 0, "resumed": 0, "size_bytes": d.b.size,
		}})
	}
	sort.SliceStable(acts, func(i, j int) bool { return acts[i].at.After(acts[j].at) })
	out := jsonArr{}
	for i := 0; i < len(acts) && i < 20; i++ {
		out = append(out, acts[i].obj)
	}
	return out
}

// actLogs is a=logs: the backup logs with errors (ll=2, the default), with
// warnings too (ll=1) or all (ll=0), newest first, 50 at most; logid=N
// answers one log's text ("level-unixtime-message" lines).
func (w *world) actLogs(r *request) reply {
	ret := jsonObj{
		"all_clients":            true,
		"can_report_script_edit": true,
		"filter":                 r.form.Get("filter"),
		"has_user":               !w.cfg.noUsers,
		"HAS_MAIL_START":         "",
		"HAS_MAIL_STOP":          "",
		"report_loglevel":        "",
		"report_mail":            "",
		"report_sendonly":        "",
	}
	withLogs := map[int]bool{}
	for _, l := range w.logs {
		withLogs[l.clientID] = true
	}
	clients, rights := jsonArr{}, jsonArr{}
	for _, c := range w.byName() {
		if withLogs[c.id] {
			clients = append(clients, jsonObj{"id": c.id, "name": c.name})
		}
		rights = append(rights, jsonObj{"id": c.id, "name": c.name})
	}
	ret["clients"], ret["log_right_clients"] = clients, rights
	if id := r.form.Get("logid"); id != "" {
		for _, l := range w.logs {
			if l.id == atoi(id) {
				var data strings.Builder
				for _, ln := range l.lines {
					fmt.Fprintf(&data, "%d-%d-%s\n", ln.level, ln.at.Unix(), ln.msg)
				}
				ret["log"] = jsonObj{"clientname": w.clientByID(l.clientID).name, "data": data.String(), "time": l.at.Unix()}
			}
		}
		delete(ret, "HAS_MAIL_START")
		delete(ret, "HAS_MAIL_STOP")
		delete(ret, "report_loglevel")
		delete(ret, "report_mail")
		delete(ret, "report_sendonly")
		delete(ret, "can_report_script_edit")
		return jsonReply(ret)
	}
	ll := 2
	if s := r.form.Get("ll"); s != "" {
		ll = atoi(s)
	}
	filter := map[int]bool{}
	for _, f := range strings.Split(r.form.Get("filter"), ",") {
		if f != "" {
			filter[atoi(f)] = true
		}
	}
	sorted := append([]*logEntry(nil), w.logs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].at.After(sorted[j].at) })
	logs := jsonArr{}
	for _, l := range sorted {
		errs, warns := l.count(2), l.count(1)
		if (ll == 2 && errs == 0) || (ll == 1 && errs+warns == 0) || (len(filter) > 0 && !filter[l.clientID]) {
			continue
		}
		if len(logs) == 50 {
			break
		}
		logs = append(logs, jsonObj{
			"errors": errs, "id": l.id, "image": 0, "incremental": boolInt(l.incremental), "name": w.clientByID(l.clientID).name,
			"restore": 0, "resumed": 0, "time": l.at.Unix(), "warnings": warns,
		})
	}
	ret["logs"], ret["ll"] = logs, ll
	return jsonReply(ret)
}
