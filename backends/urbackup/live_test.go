package urbackup

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// liveReplay plays a recorded run back in its own time: each a=progress
// poll returns the next recorded a=progress answer and moves the clock to
// it; a=status answers the newest status recorded by then (before the
// start: the first one, whose lastbackup is still the old one);
// a=start_backup and the stop answer as recorded. Follow runs on that
// clock, so speeds and times are the recording's.
type liveReplay struct {
	t      *testing.T
	s      recordedSeries
	origin time.Time // the server's wall time at t_ms 0

	mu       sync.Mutex
	vt       int64 // the replay's time, t_ms
	next     int   // the next sample
	started  bool
	stops    []url.Values
	statuses int
}

func newLiveReplay(t *testing.T, name string) (*liveReplay, *Client) {
	r := &liveReplay{t: t, s: loadSeries(t, name), origin: time.Date(2026, 12, 6, 17, 25, 0, 0, time.UTC)}
	srv := startServer(t, r.serve)
	c := newTestClient(t, srv.URL, "", "", func(o *Options) {
		o.Now = func() time.Time { return r.clock() }
		o.PollInterval = time.Millisecond
	})
	c.tick = r.clock
	c.appearWait = 5 * time.Second
	return r, c
}

func (r *liveReplay) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.origin.Add(time.Duration(r.vt) * time.Millisecond)
}

func (r *liveReplay) now() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.vt
}

func (r *liveReplay) serve(w http.ResponseWriter, req *http.Request) {
	form := readForm(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch a := req.URL.Query().Get("a"); a {
	case "login":
		writeJSON(w, `{"api_version": 2, "lang": "en", "session": "SESSION", "success": true}`)
	case "status":
		r.statuses++
		var last json.RawMessage
		for _, sm := range r.s.Samples {
			if sm.Action == "status" && (last == nil || r.started && sm.TMS <= r.vt) {
				last = sm.Response
			}
		}
		writeJSON(w, string(last))
	case "logs":
		writeJSON(w, loadFixture(r.t, "logs_with_client").Response.Body)
	case "start_backup":
		if form.Get("start_client") != "2" {
			r.t.Errorf("start form %v", form)
		}
		r.started = true
		writeJSON(w, r.s.Attempts[0].Response.Body)
	case "progress":
		if form.Has("stop_id") {
			r.stops = append(r.stops, form)
			if r.s.Stop == nil {
				r.t.Errorf("a stop in a series without one: %v", form)
				writeJSON(w, `{"progress": []}`)
				return
			}
			writeJSON(w, r.s.Stop.Response.Body)
			return
		}
		for r.next < len(r.s.Samples) && r.s.Samples[r.next].Action != "progress" {
			r.next++
		}
		if r.next >= len(r.s.Samples) {
			r.vt += 1000
			writeJSON(w, `{"progress": []}`)
			return
		}
		sm := r.s.Samples[r.next]
		r.next++
		r.vt = sm.TMS
		writeJSON(w, string(sm.Response))
	default:
		r.t.Errorf("unexpected a=%s", a)
		writeJSON(w, `{"error": 1}`)
	}
}

// follow starts the recorded backup (the client has automatic file
// backups off: file_disabled) and follows it; stopAt >= 0 sends a stop
// with the first update at or after that time.
func (r *liveReplay) follow(c *Client, m model.Method, stopAt int64) (model.Job, []model.Job) {
	r.t.Helper()
	job, err := c.Start(context.Background(), model.JobRequest{Target: "urbackup/liveclient", Method: m})
	if err != nil {
		r.t.Fatal(err)
	}
	var ups []model.Job
	stopped := false
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	final, err := c.Follow(ctx, job, func(j model.Job) {
		ups = append(ups, j)
		if stopAt >= 0 && !stopped && j.TaskID != "" && r.now() >= stopAt {
			stopped = true
			if err := c.Stop(context.Background(), j); err != nil {
				r.t.Errorf("stop: %v", err)
			}
		}
	})
	if err != nil {
		r.t.Fatalf("follow: %v (%+v)", err, final)
	}
	return final, ups
}

// phasesOf lists the phases the updates went through, in order.
func phasesOf(ups []model.Job) []string {
	var out []string
	for _, u := range ups {
		p := u.Progress.Phase
		if p == "" {
			p = "transfer"
		}
		if u.State.Terminal() {
			p = string(u.State)
		}
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	return out
}

func percentNeverDown(t *testing.T, ups []model.Job) {
	t.Helper()
	last := -1.0
	for i, u := range ups {
		if u.Progress.Percent < last {
			t.Errorf("update %d: the percent went down from %v to %v", i, last, u.Progress.Percent)
		}
		last = u.Progress.Percent
	}
}

func TestLiveFullBackupOfADisabledClient(t *testing.T) {
	r, c := newLiveReplay(t, "full_file_series")
	final, ups := r.follow(c, model.MethodFullFile, -1)
	if final.State != model.JobSucceeded || final.Message != "UrBackup finished the full file backup" || final.Progress.Percent != 100 || final.TaskID != "1" {
		t.Errorf("final %s %q %+v", final.State, final.Message, final.Progress)
	}
	if got := strings.Join(phasesOf(ups), " → "); got != "indexing → transfer → finishing on the server → succeeded" {
		t.Errorf("phases %s", got)
	}
	percentNeverDown(t, ups)
	for _, u := range ups {
		if u.Progress.ETAKnown && u.Progress.ETA > 45*time.Second {
			t.Errorf("an ETA of %v in a transfer of 40 s (UrBackup's eta_ms is 61000 throughout)", u.Progress.ETA)
		}
	}
	if end := final.Ended.Sub(r.origin); end < 110*time.Second || end > 112*time.Second {
		t.Errorf("ended %v after the start, the recording 111 s", end)
	}
}

func TestLiveIncrementalWithoutChanges(t *testing.T) {
	r, c := newLiveReplay(t, "incr_file_series")
	final, ups := r.follow(c, model.MethodIncrFile, -1)
	if final.State != model.JobSucceeded || final.Progress.Percent != 100 {
		t.Errorf("final %s %q", final.State, final.Message)
	}
	if got := strings.Join(phasesOf(ups), " → "); got != "indexing → finishing on the server → succeeded" {
		t.Errorf("phases %s", got)
	}
	percentNeverDown(t, ups)
}

// TestLiveEarlyStop: a stop while the client indexes is honoured; the
// process lingers some 10 s and goes without a backup.
func TestLiveEarlyStop(t *testing.T) {
	r, c := newLiveReplay(t, "stop_early_series")
	final, ups := r.follow(c, model.MethodFullFile, 0)
	if final.State != model.JobCancelled || final.Message != "UrBackup stopped it; no backup was made" {
		t.Errorf("final %s %q", final.State, final.Message)
	}
	if len(r.stops) != 1 || r.stops[0].Get("stop_clientid") != "2" || r.stops[0].Get("stop_id") != "3" {
		t.Errorf("stops %v", r.stops)
	}
	saw := false
	for _, u := range ups {
		saw = saw || u.Progress.LastLine == "stop sent; waiting for UrBackup to end the backup"
	}
	if !saw {
		t.Errorf("no update says the stop is pending: %+v", ups)
	}
}

// TestLiveLateStop: a stop during the transfer is ignored and the backup
// completes; the job says so, it is no "cancelled".
func TestLiveLateStop(t *testing.T) {
	r, c := newLiveReplay(t, "stop_late_series")
	final, ups := r.follow(c, model.MethodFullFile, 18000)
	want := "UrBackup did not stop it; it finished at " + final.Ended.Format("15:04")
	if final.State != model.JobSucceeded || final.Message != want || final.Ended.Sub(r.origin) < 100*time.Second {
		t.Errorf("final %s %q at %v, want succeeded %q", final.State, final.Message, final.Ended, want)
	}
	if len(r.stops) != 1 || r.stops[0].Get("stop_id") != "4" {
		t.Errorf("stops %v", r.stops)
	}
	saw := false
	for _, u := range ups {
		saw = saw || u.Progress.LastLine == "stop sent, but UrBackup goes on: it stops a backup only while the client indexes" && u.Progress.Phase == ""
	}
	if !saw {
		t.Errorf("no update says UrBackup goes on")
	}
	percentNeverDown(t, ups)
}

// TestLiveClientInventory: the recorded client with automatic backups off
// and no image support, and its backups of which all but the first stored
// nothing new.
func TestLiveClientInventory(t *testing.T) {
	status := loadFixture(t, "live/status_live")
	backups := loadFixture(t, "live/backups_liveclient")
	srv := startServer(t, func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Query().Get("a") {
		case "login":
			writeJSON(w, `{"session": "SESSION", "success": true}`)
		case "status":
			replay(w, status)
		case "usage":
			writeJSON(w, `{"usage": []}`)
		case "backups":
			if readForm(req).Get("clientid") == "2" {
				replay(w, backups)
				return
			}
			writeJSON(w, `{"backups": [], "backup_images": []}`)
		default:
			writeJSON(w, `{"error": 1}`)
		}
	})
	now := time.Unix(1796578058+3600, 0)
	c := newTestClient(t, srv.URL, "", "", func(o *Options) { o.Now = func() time.Time { return now } })
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var tg model.Target
	for _, x := range st.Targets {
		if x.Name == "liveclient" {
			tg = x
		}
	}
	if got := strings.Join(methodStrings(tg.Methods), ","); got != "incr-file,full-file" {
		t.Errorf("methods %s (file backups by hand run; images the client cannot make)", got)
	}
	f := factMap(tg.Facts)
	if f["file backups"] != "automatic file backups off (by hand only); last 1 h ago" ||
		f["image backups"] != "not possible: the client does not support image backups" {
		t.Errorf("facts %q", f)
	}
	if len(tg.RestorePoints) != 14 {
		t.Fatalf("%d restore points", len(tg.RestorePoints))
	}
	for _, rp := range tg.RestorePoints {
		first := rp.ID == "urbackup/liveclient/1"
		if rp.Deduplicated == first || first && rp.Size != 209715200 {
			t.Errorf("%s: size %d, deduplicated %v", rp.ID, rp.Size, rp.Deduplicated)
		}
		switch {
		case first && rp.Notes != "full",
			rp.ID == "urbackup/liveclient/14" && rp.Notes != "incremental · no changes",
			rp.ID == "urbackup/liveclient/15" && rp.Notes != "full · deduplicated: every file was already stored":
			t.Errorf("%s: notes %q", rp.ID, rp.Notes)
		}
	}
	// The newest is the last backup, however old; deduplicated counts.
	if last, ok := tg.LastBackup(); !ok || last.ID != "urbackup/liveclient/15" {
		t.Errorf("last backup %+v", last)
	}
}
