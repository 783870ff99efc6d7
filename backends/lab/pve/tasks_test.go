package pve

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

type taskListEntry struct {
	UPID    string `json:"upid"`
	Type    string `json:"type"`
	ID      string `json:"id"`
	User    string `json:"user"`
	Status  string `json:"status"`
	EndTime *int64 `json:"endtime"`
}

func TestTaskListsAndLogPaging(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{Now: fixedNow("2026-11-28 16:00")})
	var archived []taskListEntry
	c.get("/nodes/pve/tasks", &archived)
	if len(archived) < 10 || archived[0].Type != "vzdump" || archived[0].User != "root@pam" || archived[0].Status != "OK" || archived[0].EndTime == nil {
		t.Fatalf("task history %+v", archived)
	}
	// The history keeps its logs: a scheduled run of the three K3s guests.
	var lines []logLineJSON
	c.get("/nodes/pve/tasks/"+url.PathEscape(archived[0].UPID)+"/log?limit=0", &lines)
	if len(lines) < 60 || lines[len(lines)-1].T != "TASK OK" || !contains(texts(lines), "INFO: pruned 1 backup(s) not covered by keep-retention policy") {
		t.Errorf("history log (%d lines) ends %q", len(lines), lines[len(lines)-1].T)
	}
	var page []logLineJSON
	c.get("/nodes/pve/tasks/"+url.PathEscape(archived[0].UPID)+"/log?start=5&limit=3", &page)
	if len(page) != 3 || page[0].N != 6 || page[0].T != lines[5].T {
		t.Errorf("page %+v", page)
	}
	c.get("/nodes/pve/tasks/"+url.PathEscape(archived[0].UPID)+"/log?start=100000", &page)
	if len(page) != 0 {
		t.Errorf("past the end: %+v", page)
	}

	upid := startVzdump(c, "411", nil)
	var active []taskListEntry
	c.get("/nodes/pve/tasks?source=active", &active)
	if len(active) != 1 || active[0].UPID != upid || active[0].Status != "RUNNING" || active[0].EndTime != nil || active[0].User != "backdeck@pve" {
		t.Errorf("active %+v", active)
	}
	c.get("/nodes/pve/tasks?typefilter=vzdump&limit=5", &archived)
	if len(archived) != 5 || archived[0].UPID == upid {
		t.Errorf("archive lists a running task or ignores limit: %+v", archived)
	}
	c.follow(upid, nil)
	c.get("/nodes/pve/tasks?source=active", &active)
	c.get("/nodes/pve/tasks?limit=1", &archived)
	if len(active) != 0 || archived[0].UPID != upid || archived[0].Status != "OK" {
		t.Errorf("after the end: active %+v, archive %+v", active, archived)
	}
}

func texts(lines []logLineJSON) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l.T)
	}
	return out
}

func TestForgetTask(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{BackupDuration: 300 * time.Millisecond})
	upid := startVzdump(c, "411", nil)
	c.follow(upid, nil)
	p.ForgetTask(upid)
	status, msg, errs := c.apiErr("GET", "/nodes/pve/tasks/"+url.PathEscape(upid)+"/status", nil)
	if status != "400 Parameter verification failed." || msg != "Parameter verification failed.\n" || errs["upid"] != "no such task" {
		t.Errorf("status of a forgotten task: %q %q %v", status, msg, errs)
	}
	var lines []logLineJSON
	c.get("/nodes/pve/tasks/"+url.PathEscape(upid)+"/log", &lines)
	if len(lines) != 1 || lines[0].N != 1 || lines[0].T != "unable to open file - No such file or directory" {
		t.Errorf("log of a forgotten task: %+v", lines)
	}
	if _, _, errs := c.apiErr(http.MethodDelete, "/nodes/pve/tasks/"+url.PathEscape(upid), nil); errs["upid"] != "no such task" {
		t.Errorf("stop of a forgotten task: %v", errs)
	}
	if _, _, errs := c.apiErr("GET", "/nodes/pve/tasks/UPID:garbage/status", nil); errs["upid"] != "unable to parse worker upid" {
		t.Errorf("garbage upid: %v", errs)
	}
}

func TestEmptyLogSaysNoContent(t *testing.T) {
	w := newWorld(worldConfig{now: time.Now, backup: time.Second, short: time.Second, monotonicNow: time.Now(), tokenUser: "a@pve!b"})
	task := w.newTask("pve", "vzdump", "421", "a@pve!b", 0)
	r := &request{params: map[string]string{"node": "pve", "upid": task.upid}, form: url.Values{}}
	got, err := w.taskLog(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	wt := got.(withTotal)
	lines := wt.data.([]map[string]any)
	if len(lines) != 1 || lines[0]["t"] != "no content" || lines[0]["n"] != 1 || wt.total != 1 {
		t.Errorf("empty log %v", got)
	}
}

func TestPruneBackups(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	var marks []struct {
		Volid string `json:"volid"`
		Mark  string `json:"mark"`
		Type  string `json:"type"`
		VMID  int    `json:"vmid"`
		CTime int64  `json:"ctime"`
	}
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups?prune-backups=keep-last%3D2&vmid=421", &marks)
	keep, remove := 0, 0
	for i, m := range marks {
		if m.VMID != 421 || m.Type != "qemu" || (i > 0 && m.CTime > marks[i-1].CTime) {
			t.Errorf("entry %d %+v", i, m)
		}
		switch m.Mark {
		case "keep":
			keep++
			if i >= 2 {
				t.Errorf("kept an old one: %+v", m)
			}
		case "remove":
			remove++
		}
	}
	if keep != 2 || remove < 8 {
		t.Errorf("keep %d remove %d", keep, remove)
	}
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups?prune-backups=keep-last%3D1", &marks)
	for _, m := range marks {
		if (m.VMID == 100 || m.VMID == 101) && m.Mark != "protected" {
			t.Errorf("template backup %+v", m)
		}
	}
	if status, _, _ := c.apiErr("GET", "/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups", nil); status != "500 no prune-backups options configured for storage 'hddusb_bkpvzdumps'" {
		t.Errorf("without retention: %q", status)
	}
	var upid string
	c.call(http.MethodDelete, "/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups", nil, &upid)
	if _, st := c.follow(upid, nil); st.ExitStatus != "no prune-backups options configured for storage 'hddusb_bkpvzdumps'" {
		t.Errorf("prune without retention: %q", st.ExitStatus)
	}
	c.call(http.MethodDelete, "/nodes/pve/storage/hddusb_bkpvzdumps/prunebackups", url.Values{"prune-backups": {"keep-last=2"}, "vmid": {"421"}}, &upid)
	lines, st := c.follow(upid, nil)
	if st.Type != "prunebackups" || st.ID != "421@hddusb_bkpvzdumps" || st.ExitStatus != "OK" || len(lines) != remove+1 {
		t.Errorf("prune task %+v, log %q", st, lines)
	}
	if n := len(archives(c, 421)); n != 2 {
		t.Errorf("after prune: %d archives", n)
	}
}
