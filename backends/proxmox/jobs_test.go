package proxmox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func TestStartVzdumpUsesClusterJobStorage(t *testing.T) {
	f := newFakePVE(t)
	srv := f.start(t)
	now := time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC)
	c := f.client(t, srv, func(o *Options) { o.Now = func() time.Time { return now } })
	job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421", Method: model.MethodVzdump})
	if err != nil {
		t.Fatal(err)
	}
	if job.State != model.JobRunning || !strings.HasPrefix(job.TaskID, "UPID:pve:") || job.ID != job.TaskID || job.Target != "pve/qemu/421" ||
		job.Name != "k3sagent01" || job.Node != "pve" || job.Storage != "hddusb_bkpvzdumps" || !job.Started.Equal(now) ||
		job.Progress.Percent != -1 || job.Source != model.SourceProxmox || job.Method != model.MethodVzdump {
		t.Errorf("job %+v", job)
	}
	posts := f.postList()
	if len(posts) != 1 {
		t.Fatalf("posts %+v", posts)
	}
	form := posts[0].Form
	want := map[string]string{"vmid": "421", "storage": "hddusb_bkpvzdumps", "mode": "snapshot", "compress": "zstd", "notes-template": "{{guestname}}"}
	for k, v := range want {
		if form.Get(k) != v {
			t.Errorf("form %s = %q, want %q", k, form.Get(k), v)
		}
	}
	if form.Has("protected") {
		t.Error("protected sent though not asked")
	}
}

func TestStartVzdumpOptions(t *testing.T) {
	f := newFakePVE(t)
	srv := f.start(t)
	c := f.client(t, srv, func(o *Options) {
		o.Config.Vzdump = model.VzdumpDefault{Storage: "local", Mode: "stop", Compress: "lzo", NotesTemplate: "{{vmid}}", Protected: false}
	})
	yes := true
	if _, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/431", Protected: &yes, Compress: "gzip"}); err != nil {
		t.Fatal(err)
	}
	form := f.postList()[0].Form
	if form.Get("storage") != "local" || form.Get("mode") != "stop" || form.Get("compress") != "gzip" || form.Get("notes-template") != "{{vmid}}" || form.Get("protected") != "1" {
		t.Errorf("form %v", form)
	}
	if _, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/431", Mode: "hibernate"}); err == nil {
		t.Error("a bad mode was accepted")
	}
	if _, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/431", Storage: "nowhere"}); err == nil || !strings.Contains(err.Error(), "not a backup storage of node pve") {
		t.Errorf("unknown storage: %v", err)
	}
}

func TestStartRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fakePVE)
		req   model.JobRequest
		want  string
	}{
		{"locked", func(f *fakePVE) { f.resources[3]["lock"] = "backup" },
			model.JobRequest{Target: "pve/qemu/421", Method: model.MethodVzdump},
			"k3sagent01 (VM 421) is locked (backup): wait for the running task to finish"},
		{"offline storage", func(f *fakePVE) { f.storages["pve"][1]["active"] = 0 },
			model.JobRequest{Target: "pve/qemu/421"},
			"storage hddusb_bkpvzdumps is offline: the USB drive is unplugged or not mounted; not starting a backup to it"},
		{"template snapshot", nil,
			model.JobRequest{Target: "pve/qemu/100", Method: model.MethodSnapshot, Snapshot: "before"},
			"PVE cannot snapshot templates"},
		{"unknown guest", nil, model.JobRequest{Target: "pve/qemu/777"}, "there is no guest 777"},
		{"wrong type", nil, model.JobRequest{Target: "pve/lxc/421"}, "is a qemu on PVE, not a lxc"},
		{"method", nil, model.JobRequest{Target: "pve/qemu/421", Method: "image"}, `PVE cannot run "image"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakePVE(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			srv := f.start(t)
			c := f.client(t, srv)
			_, err := c.Start(context.Background(), tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if p := f.postList(); len(p) != 0 {
				t.Errorf("something was started: %+v", p)
			}
		})
	}
}

func TestStartBadSnapshotNameSendsNothing(t *testing.T) {
	f := newFakePVE(t)
	srv := f.start(t)
	c := f.client(t, srv)
	_, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421", Method: model.MethodSnapshot, Snapshot: "1 bad name"})
	if err == nil || !strings.Contains(err.Error(), "must start with a letter") {
		t.Fatalf("error %v", err)
	}
	if f.total() != 0 {
		t.Errorf("%d requests sent", f.total())
	}
}

func TestStartStorageChoice(t *testing.T) {
	// 431 is in no backup job and the node has two online backup storages.
	f := newFakePVE(t)
	srv := f.start(t)
	c := f.client(t, srv)
	_, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/431"})
	var ce *model.ChoiceError
	if !errors.As(err, &ce) {
		t.Fatalf("want a ChoiceError, got %v", err)
	}
	if ce.What != "storage" || strings.Join(ce.Choices, ",") != "hddusb_bkpvzdumps,local" || ce.Reason == "" {
		t.Errorf("choice %+v", ce)
	}
	// With one of them offline, the only online one is taken.
	f.mu.Lock()
	f.storages["pve"][1]["active"] = 0
	f.mu.Unlock()
	job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/431"})
	if err != nil || job.Storage != "local" {
		t.Fatalf("job %+v err %v", job, err)
	}
	// None online: a choice without choices.
	f.mu.Lock()
	f.storages["pve"][0]["active"] = 0
	f.mu.Unlock()
	_, err = c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/431"})
	if !errors.As(err, &ce) || len(ce.Choices) != 0 || !strings.Contains(ce.Reason, "offline: local, hddusb_bkpvzdumps") {
		t.Fatalf("none online: %v", err)
	}
}

func TestStartVzdumpNothingToDo(t *testing.T) {
	f := newFakePVE(t)
	f.vzdumpOK = true
	srv := f.start(t)
	c := f.client(t, srv)
	job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/411"})
	if err != nil {
		t.Fatal(err)
	}
	if job.State != model.JobNothing || job.Message != "nothing to do: PVE started no backup on node pve" || job.TaskID != "" || job.Ended.IsZero() {
		t.Errorf("job %+v", job)
	}
	// A terminal job is returned as is by Follow, with no request.
	f.resetHits()
	got, err := c.Follow(context.Background(), job, nil)
	if err != nil || got.State != model.JobNothing || f.total() != 0 {
		t.Errorf("follow of a finished job: %+v %v (%d requests)", got, err, f.total())
	}
}

// recorder keeps the updates Follow sends.
type recorder struct {
	mu   sync.Mutex
	jobs []model.Job
}

func (r *recorder) update(j model.Job) {
	r.mu.Lock()
	r.jobs = append(r.jobs, j)
	r.mu.Unlock()
}

func startAndFollow(t *testing.T, f *fakePVE, c *Client, req model.JobRequest) (model.Job, *recorder, error) {
	t.Helper()
	job, err := c.Start(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	final, err := c.Follow(ctx, job, rec.update)
	return final, rec, err
}

// startEndless starts a backup of guest 421 whose task never ends.
func startEndless(t *testing.T) (*fakePVE, *Client, model.Job) {
	t.Helper()
	f := newFakePVE(t)
	f.nextTask = fakeTask{lines: okLog, perPoll: 0, exit: "OK"}
	c := f.client(t, f.start(t))
	job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421"})
	if err != nil {
		t.Fatal(err)
	}
	return f, c, job
}

func TestFollowSucceeds(t *testing.T) {
	f := newFakePVE(t)
	f.nextTask = fakeTask{lines: okLog, perPoll: 1, exit: "OK"}
	srv := f.start(t)
	c := f.client(t, srv)
	final, rec, err := startAndFollow(t, f, c, model.JobRequest{Target: "pve/qemu/421"})
	if err != nil {
		t.Fatal(err)
	}
	if final.State != model.JobSucceeded || final.Message != "OK" || final.Ended.IsZero() {
		t.Errorf("final %+v", final)
	}
	if final.Progress.Percent != 100 || final.Progress.TotalBytes != 10*gib || final.Progress.LastLine != "TASK OK" {
		t.Errorf("final progress %+v", final.Progress)
	}
	var pcts []float64
	for i, j := range rec.jobs {
		if i > 0 && j == rec.jobs[i-1] {
			t.Errorf("update %d repeats the previous one", i)
		}
		if len(pcts) == 0 || pcts[len(pcts)-1] != j.Progress.Percent {
			pcts = append(pcts, j.Progress.Percent)
		}
	}
	if fmt.Sprint(pcts) != "[-1 10 50 100]" {
		t.Errorf("percent sequence %v", pcts)
	}
	if last := rec.jobs[len(rec.jobs)-1]; last != final {
		t.Error("the last update is not the final job")
	}
	if f.count("GET /nodes/pve/tasks/"+final.TaskID+"/log") < 2 {
		t.Error("the log was not read incrementally")
	}
}

// The last lines appear with the "stopped" status: the log read after the
// status must catch them.
func TestFollowReadsLogAfterStop(t *testing.T) {
	f := newFakePVE(t)
	f.nextTask = fakeTask{lines: okLog, perPoll: len(okLog), exit: "OK"}
	srv := f.start(t)
	c := f.client(t, srv)
	final, _, err := startAndFollow(t, f, c, model.JobRequest{Target: "pve/qemu/421"})
	if err != nil || final.State != model.JobSucceeded || final.Progress.LastLine != "TASK OK" || final.Progress.Percent != 100 {
		t.Errorf("final %+v %v", final, err)
	}
}

func TestFollowOutcomes(t *testing.T) {
	cases := []struct {
		name  string
		lines []string
		exit  string
		state model.JobState
		msg   string
	}{
		{"warnings", []string{"INFO: Starting Backup of VM 421 (qemu)", "INFO: WARN: no guest agent configured - skipping fs-freeze", "INFO: Backup job finished successfully", "TASK WARNINGS: 1"},
			"WARNINGS: 1", model.JobWarning, "WARNINGS: 1 — WARN: no guest agent configured - skipping fs-freeze"},
		{"failed", []string{"INFO: Starting Backup of VM 421 (qemu)", "ERROR: Backup of VM 421 failed - no space left on device", "INFO: Failed at 2026-11-25 14:31:00", "TASK ERROR: job errors"},
			"job errors", model.JobFailed, "job errors — ERROR: Backup of VM 421 failed - no space left on device"},
		{"ok despite an error line", []string{"INFO: Backup job finished successfully", "ERROR: could not notify via target `mail-to-root`", "TASK OK"},
			"OK", model.JobSucceeded, "OK"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakePVE(t)
			f.nextTask = fakeTask{lines: tc.lines, perPoll: 1, exit: tc.exit}
			srv := f.start(t)
			c := f.client(t, srv)
			final, _, err := startAndFollow(t, f, c, model.JobRequest{Target: "pve/qemu/421"})
			if err != nil || final.State != tc.state || final.Message != tc.msg {
				t.Errorf("got %s %q %v, want %s %q", final.State, final.Message, err, tc.state, tc.msg)
			}
		})
	}
}

func TestFollowTaskGone(t *testing.T) {
	for _, as400 := range []bool{false, true} {
		f := newFakePVE(t)
		f.nextTask = fakeTask{lines: okLog, perPoll: 1, exit: "OK", goneAfter: 2, gone400: as400}
		srv := f.start(t)
		c := f.client(t, srv)
		final, _, err := startAndFollow(t, f, c, model.JobRequest{Target: "pve/qemu/421"})
		if err != nil {
			t.Fatal(err)
		}
		if final.State != model.JobFailed || !strings.Contains(final.Message, "is gone from PVE") || !strings.Contains(final.Message, "no such task") || !strings.Contains(final.Message, final.TaskID) {
			t.Errorf("400=%v: final %+v", as400, final)
		}
	}
}

func TestFollowToleratesTransientFailures(t *testing.T) {
	f := newFakePVE(t)
	f.nextTask = fakeTask{lines: okLog, perPoll: 2, exit: "OK", failFrom: 2, failTo: 4}
	srv := f.start(t)
	c := f.client(t, srv)
	final, _, err := startAndFollow(t, f, c, model.JobRequest{Target: "pve/qemu/421"})
	if err != nil || final.State != model.JobSucceeded {
		t.Fatalf("three failed polls must be survived: %+v %v", final, err)
	}

	f.nextTask = fakeTask{lines: okLog, perPoll: 1, exit: "OK", failFrom: 2, failTo: 100}
	final, _, err = startAndFollow(t, f, c, model.JobRequest{Target: "pve/qemu/421"})
	if err == nil || final.State.Terminal() || !strings.Contains(err.Error(), "lost contact with PVE while following "+final.TaskID+" (5 polls failed in a row): ") || !strings.Contains(err.Error(), "HTML page") {
		t.Fatalf("endless failures: %+v %v", final, err)
	}
}

// A token revoked while a task runs is not a passing failure: Follow
// reports it at the first poll and leaves the job running.
func TestFollowStopsAtRejectedToken(t *testing.T) {
	f, c, job := startEndless(t)
	f.mu.Lock()
	f.token = fakeTokenID + "=revoked"
	f.mu.Unlock()
	f.resetHits()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := c.Follow(ctx, job, nil)
	var ae *APIError
	if !errors.As(err, &ae) || !strings.HasPrefix(err.Error(), "PVE rejected the API token "+fakeTokenID+": 401 invalid token value!") || got.State != model.JobRunning {
		t.Errorf("got %+v %v", got, err)
	}
	if n := f.total(); n != 1 {
		t.Errorf("%d requests after the token was revoked, want the one poll", n)
	}
}

func TestFollowHonoursContext(t *testing.T) {
	_, c, job := startEndless(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	got, err := c.Follow(ctx, job, nil)
	if !errors.Is(err, context.DeadlineExceeded) || got.State != model.JobRunning {
		t.Errorf("got %+v %v", got, err)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("Follow did not return promptly")
	}
}

func TestStopCancels(t *testing.T) {
	f, c, job := startEndless(t)
	done := make(chan model.Job)
	go func() {
		final, _ := c.Follow(context.Background(), job, nil)
		done <- final
	}()
	time.Sleep(30 * time.Millisecond)
	if err := c.Stop(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	select {
	case final := <-done:
		if final.State != model.JobCancelled || !strings.Contains(final.Message, "stopped on request") {
			t.Errorf("final %+v", final)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Follow did not end after Stop")
	}
	if f.count("DELETE /nodes/pve/tasks/"+job.TaskID) != 1 {
		t.Error("no DELETE of the task")
	}
}

func TestRunningPicksUpTasks(t *testing.T) {
	f := newFakePVE(t)
	f.nextTask = fakeTask{lines: okLog, perPoll: 0, exit: "OK"}
	srv := f.start(t)
	c := f.client(t, srv)
	job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421"})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/411", Method: model.MethodSnapshot, Snapshot: "before-upgrade", Description: "k3s 1.31"})
	if err != nil {
		t.Fatal(err)
	}
	// A fresh client: a console that comes back.
	c2 := f.client(t, srv)
	jobs, err := c2.Running(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 {
		t.Fatalf("running %+v", jobs)
	}
	by := map[string]model.Job{}
	for _, j := range jobs {
		by[j.TaskID] = j
	}
	r := by[job.TaskID]
	if r.Target != "pve/qemu/421" || r.Name != "k3sagent01" || r.Method != model.MethodVzdump || r.State != model.JobRunning || r.Node != "pve" || r.Started.Unix() == 0 || r.ID != job.TaskID {
		t.Errorf("vzdump %+v", r)
	}
	s := by[snap.TaskID]
	if s.Method != model.MethodSnapshot || s.Target != "pve/qemu/411" {
		t.Errorf("snapshot %+v", s)
	}
	// The storage is learnt from the log when following a picked-up job.
	f.mu.Lock()
	f.tasks[job.TaskID].perPoll = 100
	f.mu.Unlock()
	final, err := c2.Follow(context.Background(), r, nil)
	if err != nil || final.Storage != "hddusb_bkpvzdumps" || final.State != model.JobSucceeded {
		t.Errorf("picked-up job %+v %v", final, err)
	}
}

func TestSnapshotTasks(t *testing.T) {
	f := newFakePVE(t)
	srv := f.start(t)
	c := f.client(t, srv)
	for _, m := range []model.Method{model.MethodSnapshot, model.MethodRollback, model.MethodDeleteSnapshot} {
		job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421", Method: m, Snapshot: "pre-upgrade", Description: "d"})
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if job.Method != m || job.State != model.JobRunning || job.Storage != "" {
			t.Errorf("%s: %+v", m, job)
		}
		final, err := c.Follow(context.Background(), job, nil)
		if err != nil || final.State != model.JobSucceeded {
			t.Errorf("%s: %+v %v", m, final, err)
		}
	}
	posts := f.postList()
	if len(posts) != 2 || posts[0].Path != "/nodes/pve/qemu/421/snapshot" || posts[0].Form.Get("snapname") != "pre-upgrade" || posts[0].Form.Get("description") != "d" ||
		posts[1].Path != "/nodes/pve/qemu/421/snapshot/pre-upgrade/rollback" {
		t.Errorf("posts %+v", posts)
	}
	if f.count("DELETE /nodes/pve/qemu/421/snapshot/pre-upgrade") != 1 {
		t.Error("no DELETE of the snapshot")
	}
}
