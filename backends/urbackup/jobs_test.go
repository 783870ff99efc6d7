package urbackup

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/model"
)

var _ backends.Backend = (*Client)(nil)

// recorder collects the updates Follow sends.
type recorder struct {
	mu   sync.Mutex
	jobs []model.Job
}

func (r *recorder) update(j model.Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs = append(r.jobs, j)
}

func (r *recorder) all() []model.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]model.Job(nil), r.jobs...)
}

func (r *recorder) taskID() string {
	for _, j := range r.all() {
		if j.TaskID != "" {
			return j.TaskID
		}
	}
	return ""
}

func clientFor(t *testing.T, f *fakeURB) *Client {
	return newTestClient(t, f.URL, "admin", testPassword, func(o *Options) {
		o.Config.Clients = []model.URBackupClientConfig{{Name: "k3sagent01", Folders: []string{"/mnt/gitea-hdd/repos", "/mnt/gitea-ssd/data"}}}
	})
}

func TestObserveFake(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	c := clientFor(t, f)
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.OK || st.Insecure || st.Version != "" || len(st.Targets) != 3 {
		t.Fatalf("state %+v", st)
	}
	names := []string{st.Targets[0].Name, st.Targets[1].Name, st.Targets[2].Name}
	if strings.Join(names, ",") != "k3sagent01,k3sagent02,k3sserver01" {
		t.Errorf("targets %v (the rejected client must be skipped)", names)
	}
	a := st.Targets[0]
	if a.ID != "urbackup/k3sagent01" || a.Offline || a.Detail != "UrBackup client · online" || len(a.RestorePoints) != 5 || len(a.Methods) != 4 {
		t.Errorf("k3sagent01: %+v", a)
	}
	rp := a.RestorePoints[0]
	if rp.ID != "urbackup/k3sagent01/104" || rp.Target != a.ID || rp.Method != model.MethodIncrFile || rp.Notes != "incremental" || rp.Size != 5<<20 {
		t.Errorf("newest restore point %+v", rp)
	}
	last := a.RestorePoints[4]
	if last.ID != "urbackup/k3sagent01/100" || last.Method != model.MethodFullFile || last.Notes != "full" || !rp.Time.After(last.Time) {
		t.Errorf("oldest restore point %+v", last)
	}
	fa := factMap(a.Facts)
	if fa["online"] != "yes" || !strings.HasPrefix(fa["file backups"], "ok, last ") || fa["image backups"] != "none yet" ||
		fa["usage"] != "15.0 MiB (files 15.0 MiB, images 0 B)" || fa["folders"] != "/mnt/gitea-hdd/repos, /mnt/gitea-ssd/data" ||
		fa["client"] != "2.5.25 · linux · Debian GNU/Linux 12" {
		t.Errorf("k3sagent01 facts %q", fa)
	}
	// file_ok false with backups on record: said in the facts.
	b := factMap(st.Targets[1].Facts)
	if !strings.HasPrefix(b["file backups"], "failed: UrBackup marks the last file backup as not ok (last good one 30 d ago)") {
		t.Errorf("k3sagent02 file backups %q", b["file backups"])
	}
	s := st.Targets[2]
	if !s.Offline || s.Detail != "UrBackup client · offline, last seen 3 h ago" || factMap(s.Facts)["online"] != "no, last seen 3 h ago" || len(s.RestorePoints) != 0 {
		t.Errorf("k3sserver01: %+v", s)
	}

	f.set(func(f *fakeURB) { f.noImages = true })
	st, err = c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a = st.Targets[0]
	if strings.Join(methodStrings(a.Methods), ",") != "incr-file,full-file" || factMap(a.Facts)["image backups"] != "not used (switched off on the server)" {
		t.Errorf("images off: %v %q", a.Methods, factMap(a.Facts)["image backups"])
	}
}

func start(t *testing.T, c *Client, target string, m model.Method) model.Job {
	t.Helper()
	job, err := c.Start(context.Background(), model.JobRequest{Target: target, Method: m})
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func follow(t *testing.T, c *Client, job model.Job) (model.Job, *recorder) {
	t.Helper()
	rec := &recorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	final, err := c.Follow(ctx, job, rec.update)
	if err != nil {
		t.Fatalf("follow: %v (job %+v)", err, final)
	}
	return final, rec
}

func TestStartFollowSuccess(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	c := clientFor(t, f)
	before := time.Now()
	job := start(t, c, "urbackup/k3sagent01", model.MethodIncrFile)
	if !strings.HasPrefix(job.ID, "urbackup/k3sagent01/") || job.Target != "urbackup/k3sagent01" || job.Name != "k3sagent01" ||
		job.Method != model.MethodIncrFile || job.Source != model.SourceURBackup || job.State != model.JobRunning ||
		job.Started.Before(before) || job.TaskID != "" || job.Message != "waiting for the client to connect" || job.Progress.Percent != -1 {
		t.Fatalf("job %+v", job)
	}
	final, rec := follow(t, c, job)
	if final.State != model.JobSucceeded || final.Message != "UrBackup finished the incremental file backup" || final.Ended.IsZero() || final.TaskID != "41" {
		t.Errorf("final %+v", final)
	}
	ups := rec.all()
	sawIndexing, sawPercent := false, false
	for i, u := range ups {
		if i > 0 && u == ups[i-1] {
			t.Errorf("update %d repeats the one before", i)
		}
		if u.Progress.LastLine == "indexing" && u.TaskID == "41" {
			sawIndexing = true
		}
		// The speed is measured from done_bytes, never taken from eta_ms
		// (the fake's 30 s) or speed_bpms.
		if u.Progress.Percent > 0 && u.Progress.Percent < 100 && u.Progress.ReadBytesPerS > 0 && u.Progress.ReadBytesPerS != 1024000 &&
			u.Progress.ETAKnown && u.Progress.ETA != 30*time.Second {
			sawPercent = true
		}
	}
	if !sawIndexing || !sawPercent {
		t.Errorf("progress not seen (indexing %v, percent %v): %+v", sawIndexing, sawPercent, ups)
	}
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rp := st.Targets[0].RestorePoints[0]
	if rp.ID != "urbackup/k3sagent01/1041" || rp.Method != model.MethodIncrFile || rp.Time.Before(job.Started.Truncate(time.Second)) {
		t.Errorf("new restore point %+v", rp)
	}
	c.mu.Lock()
	left := len(c.jobs)
	c.mu.Unlock()
	if left != 0 {
		t.Errorf("%d job records left", left)
	}
}

func TestFullBackupReplacesIncremental(t *testing.T) {
	// With nothing to build on, the server runs a full backup for an
	// incremental request (action 2 for 1): still the job's process.
	f := newFakeURB(t, "admin", testPassword)
	c := clientFor(t, f)
	job := start(t, c, "urbackup/k3sagent01", model.MethodIncrFile)
	f.set(func(f *fakeURB) { f.procs[0].action = actionFullFile })
	final, _ := follow(t, c, job)
	if final.State != model.JobSucceeded || final.TaskID == "" {
		t.Errorf("final %+v", final)
	}
}

func TestFollowOutcomes(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fakeURB)
		state model.JobState
		msg   string
	}{
		{"failed", func(f *fakeURB) { f.client("k3sagent01").failNext = true }, model.JobFailed,
			`the backup did not complete: Error getting file list of "/srv" from client k3sagent01: read error (UrBackup's log)`},
		{"failed, logs not readable", func(f *fakeURB) { f.client("k3sagent01").failNext = true; f.alwaysRefuse["logs"] = true }, model.JobFailed,
			"the backup did not complete: UrBackup marks the last file backup of k3sagent01 as failed; see the server's logs"},
		{"could not connect", func(f *fakeURB) { f.client("k3sagent01").deadNext = true }, model.JobFailed,
			`UrBackup took the request but the backup of k3sagent01 failed before it began: Connecting to ClientService of "k3sagent01" failed - CONNECT error during filelist construction (UrBackup's log)`},
		{"offline", func(f *fakeURB) { f.client("k3sagent01").offlineNext = true }, model.JobFailed,
			"k3sagent01 went offline during the backup"},
		{"issues", func(f *fakeURB) { f.client("k3sagent01").issues = 2 }, model.JobWarning,
			"UrBackup finished the full file backup with 2 issues; see the server's logs"},
		{"between two polls", func(f *fakeURB) { f.appearAfter, f.runPolls = 0, 0 }, model.JobSucceeded,
			"UrBackup finished the full file backup"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeURB(t, "admin", testPassword)
			f.set(tc.setup)
			c := clientFor(t, f)
			c.logsAfter = 20 * time.Millisecond
			final, _ := follow(t, c, start(t, c, "urbackup/k3sagent01", model.MethodFullFile))
			if final.State != tc.state || final.Message != tc.msg {
				t.Errorf("got %s %q, want %s %q", final.State, final.Message, tc.state, tc.msg)
			}
			// A web user without the logs right is asked once: each
			// refusal costs a login.
			if f.alwaysRefuse["logs"] && (f.count("logs") != 2 || f.loginCount() != 2) {
				t.Errorf("%d a=logs, %d logins with logs refused", f.count("logs"), f.loginCount())
			}
		})
	}
}

func TestFollowNeverStarts(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.appearAfter = 1 << 30 })
	c := clientFor(t, f)
	c.appearWait = 60 * time.Millisecond
	final, _ := follow(t, c, start(t, c, "urbackup/k3sagent01", model.MethodIncrFile))
	if final.State != model.JobFailed || !strings.HasPrefix(final.Message, "the client never started the backup: k3sagent01 did not begin within") ||
		!strings.HasSuffix(final.Message, ", and UrBackup's logs say nothing of it; see the server's own log (/var/log/urbackup.log)") {
		t.Errorf("final %s %q", final.State, final.Message)
	}
}

func TestFollowSessionExpiresMidJob(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.runPolls = 6 })
	c := clientFor(t, f)
	job := start(t, c, "urbackup/k3sagent01", model.MethodIncrFile)
	expired := false
	rec := &recorder{}
	final, err := c.Follow(context.Background(), job, func(j model.Job) {
		rec.update(j)
		if j.TaskID != "" && !expired {
			expired = true
			f.set(func(f *fakeURB) { f.expireNext = 1 })
		}
	})
	if err != nil || final.State != model.JobSucceeded {
		t.Fatalf("final %+v, %v", final, err)
	}
	if !expired || f.loginCount() != 2 {
		t.Errorf("expired %v, logins %d (want one re-login)", expired, f.loginCount())
	}
}

func TestFollowTransientErrors(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.failPolls = maxPollFailures - 1 })
	c := clientFor(t, f)
	final, _ := follow(t, c, start(t, c, "urbackup/k3sagent01", model.MethodIncrFile))
	if final.State != model.JobSucceeded {
		t.Errorf("a few 502s in a row must be tolerated: %+v", final)
	}

	f.set(func(f *fakeURB) { f.failPolls = 1000 })
	job := start(t, c, "urbackup/k3sagent01", model.MethodIncrFile)
	got, err := c.Follow(context.Background(), job, nil)
	if err == nil || got.State != model.JobRunning || !strings.Contains(err.Error(), "lost contact with UrBackup while following the backup of k3sagent01 (5 polls failed in a row)") ||
		!strings.Contains(err.Error(), "HTTP 502 Bad Gateway") {
		t.Errorf("got %+v, %v", got, err)
	}
	checkSecretFree(t, err, testPassword)
}

// A right taken away while a backup runs is not a passing failure: Follow
// reports it at the first refused poll and leaves the job running.
func TestFollowStopsAtRefusedRight(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.runPolls = 1000 })
	c := clientFor(t, f)
	job := start(t, c, "urbackup/k3sagent01", model.MethodIncrFile)
	f.set(func(f *fakeURB) { f.alwaysRefuse["progress"] = true })
	before := f.count("progress")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := c.Follow(ctx, job, nil)
	var re *RightsError
	if !errors.As(err, &re) || got.State != model.JobRunning || !strings.Contains(err.Error(), "a=progress") {
		t.Errorf("got %+v, %v", got, err)
	}
	// One refusal, one fresh login, one more refusal: then it stops.
	if n := f.count("progress") - before; n != 2 {
		t.Errorf("%d progress polls after the right was taken away, want 2", n)
	}
}

func TestStopCancels(t *testing.T) {
	for _, early := range []bool{false, true} {
		name := "seen"
		if early {
			name = "before it shows"
		}
		t.Run(name, func(t *testing.T) {
			f := newFakeURB(t, "admin", testPassword)
			f.set(func(f *fakeURB) { f.runPolls, f.appearAfter = 1000, 3 })
			c := clientFor(t, f)
			job := start(t, c, "urbackup/k3sagent01", model.MethodFullFile)
			rec := &recorder{}
			done := make(chan model.Job)
			go func() {
				final, err := c.Follow(context.Background(), job, rec.update)
				if err != nil {
					t.Error(err)
				}
				done <- final
			}()
			if !early {
				deadline := time.Now().Add(5 * time.Second)
				for rec.taskID() == "" && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				job.TaskID = rec.taskID()
			}
			if err := c.Stop(context.Background(), job); err != nil {
				t.Fatal(err)
			}
			final := <-done
			if final.State != model.JobCancelled || final.Message != "UrBackup stopped it; no backup was made" {
				t.Errorf("final %s %q", final.State, final.Message)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.stopForms) != 1 || f.stopForms[0].Get("stop_clientid") != "2" || f.stopForms[0].Get("stop_id") != "41" {
				t.Errorf("stop requests %v", f.stopForms)
			}
		})
	}
}

func TestStopNothingYet(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.appearAfter = 1 << 30 })
	c := clientFor(t, f)
	c.stopWait = 30 * time.Millisecond
	job := start(t, c, "urbackup/k3sagent01", model.MethodIncrFile)
	err := c.Stop(context.Background(), job)
	if err == nil || !strings.Contains(err.Error(), "has not started on the server yet") {
		t.Errorf("got %v", err)
	}
}

func TestStartRefusals(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.noImages = true })
	c := clientFor(t, f)
	cases := []struct {
		target string
		m      model.Method
		want   string
	}{
		{"urbackup/k3sagent01", model.MethodIncrImage, "image backups are switched off on this UrBackup server"},
		{"urbackup/k3sagent01", model.MethodFullImage, "image backups are switched off on this UrBackup server"},
		{"urbackup/k3sagent01", model.MethodVzdump, `UrBackup cannot run "vzdump"`},
		{"urbackup/nosuch", model.MethodIncrFile, `UrBackup has no client "nosuch" (it has k3sagent01, k3sagent02, k3sserver01)`},
		{"urbackup/stranger", model.MethodIncrFile, `UrBackup has no client "stranger"`},
		{"pve/qemu/411", model.MethodIncrFile, "is not an UrBackup target"},
		{"urbackup/k3sserver01", model.MethodIncrFile, "UrBackup did not start the backup of k3sserver01: the client is offline (last seen 3 h ago)"},
	}
	for _, tc := range cases {
		_, err := c.Start(context.Background(), model.JobRequest{Target: tc.target, Method: tc.m})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: got %v, want %q", tc.target, tc.m, err, tc.want)
		}
	}
	if n := f.count("start_backup"); n != 1 {
		t.Errorf("%d start_backup requests, want 1 (only the offline client's)", n)
	}
	// Automatic backups off only stop the schedule: a backup by hand is
	// sent. Images the client cannot make are refused without asking.
	f.set(func(f *fakeURB) {
		f.noImages = false
		f.client("k3sagent01").disabled = true
		f.client("k3sagent01").noImages = true
	})
	if _, err := c.Start(context.Background(), model.JobRequest{Target: "urbackup/k3sagent01", Method: model.MethodFullImage}); err == nil ||
		err.Error() != "k3sagent01 cannot make image backups: its UrBackup client does not support them" {
		t.Errorf("image on a client without image support: %v", err)
	}
	if n := f.count("start_backup"); n != 1 {
		t.Errorf("%d start_backup requests after the image refusal", n)
	}
	if job, err := c.Start(context.Background(), model.JobRequest{Target: "urbackup/k3sagent01", Method: model.MethodFullFile}); err != nil || job.State != model.JobRunning {
		t.Errorf("full file backup with automatic backups off: %+v %v", job, err)
	}
	if n := f.count("start_backup"); n != 2 {
		t.Errorf("%d start_backup requests, want the disabled client's too", n)
	}
	// No method: the first offered, an incremental file backup.
	job, err := c.Start(context.Background(), model.JobRequest{Target: "urbackup/k3sagent02"})
	if err != nil || job.Method != model.MethodIncrFile {
		t.Errorf("default method: %+v %v", job, err)
	}
}

func TestRunning(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.runPolls, f.appearAfter = 8, 0 })
	c := clientFor(t, f)
	job := start(t, c, "urbackup/k3sagent02", model.MethodFullFile)

	// Another console (a fresh client) picks the process up.
	other := clientFor(t, f)
	jobs, err := other.Running(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 {
		t.Fatalf("running %+v", jobs)
	}
	j := jobs[0]
	if j.ID != "urbackup/k3sagent02/proc-41" || j.TaskID != "41" || j.Target != "urbackup/k3sagent02" || j.Name != "k3sagent02" ||
		j.Method != model.MethodFullFile || j.State != model.JobRunning || j.Source != model.SourceURBackup || j.Started.IsZero() {
		t.Errorf("running job %+v", j)
	}

	// The console that started it names it as Start did, once Follow has
	// seen the process, so the engine does not follow it twice.
	rec := &recorder{}
	done := make(chan model.Job)
	go func() {
		final, _ := c.Follow(context.Background(), job, rec.update)
		done <- final
	}()
	deadline := time.Now().Add(5 * time.Second)
	for rec.taskID() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	mine, err := c.Running(context.Background())
	if err != nil || len(mine) != 1 || mine[0].ID != job.ID || !mine[0].Started.Equal(job.Started) {
		t.Errorf("own running %+v %v", mine, err)
	}
	<-done

	// Re-attached: the other console follows the process to its end.
	f.set(func(f *fakeURB) { f.runPolls = 6 })
	start(t, c, "urbackup/k3sagent01", model.MethodIncrFile)
	jobs, err = other.Running(context.Background())
	if err != nil || len(jobs) != 1 {
		t.Fatalf("running %+v %v", jobs, err)
	}
	final, _ := follow(t, other, jobs[0])
	if final.State != model.JobSucceeded || final.ID != jobs[0].ID {
		t.Errorf("re-attached final %+v", final)
	}
}
