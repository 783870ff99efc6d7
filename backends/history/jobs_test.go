package history

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func TestJobsRoundTrip(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	t0 := time.Date(2026, 11, 25, 14, 20, 0, 0, time.UTC)
	upid := "UPID:pve:0000C0DE:0012ABCD:67447A30:vzdump:411:root@pam:"
	running := model.Job{
		ID: upid, Target: "pve/qemu/411", Name: "k3sserver01", Method: model.Method("vzdump"),
		Source: model.Source("proxmox"), Node: "pve", TaskID: upid, Started: t0, State: model.JobRunning,
		Progress: model.Progress{Percent: 45, DoneBytes: 4500 << 20, TotalBytes: 10 << 30, ReadBytesPerS: -1, WriteBytesPerS: -1},
		Storage:  "hddusb_bkpvzdumps",
	}
	if err := d.RecordJob(ctx, running); err != nil {
		t.Fatal(err)
	}
	done := running
	done.State, done.Ended, done.Message = model.JobWarning, t0.Add(90*time.Second), "WARNINGS: 1"
	done.Progress.Percent, done.Progress.DoneBytes = 100, 10<<30
	if err := d.RecordJob(ctx, done); err != nil { // the same id: an update
		t.Fatal(err)
	}
	older := model.Job{ID: "urbackup-7", Target: "urbackup/k3sagent01", Method: model.Method("incr_file"),
		Source: model.Source("urbackup"), Started: t0.Add(-time.Hour), Ended: t0.Add(-50 * time.Minute),
		State: model.JobSucceeded, Progress: model.UnknownProgress()}
	queued := model.Job{ID: "queued-1", Target: "pve/qemu/421", State: model.JobQueued, Progress: model.UnknownProgress()}
	for _, j := range []model.Job{queued, older} {
		if err := d.RecordJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}

	jobs, err := d.Jobs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	if want := []string{upid, "urbackup-7", "queued-1"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("order %v, want newest first %v", ids, want)
	}
	got := jobs[0]
	want := done
	// Speeds and ETA are not kept: they mean nothing after the fact.
	want.Progress = model.UnknownProgress()
	want.Progress.Percent, want.Progress.DoneBytes, want.Progress.TotalBytes = 100, 10<<30, 10<<30
	if !got.Started.Equal(want.Started) || !got.Ended.Equal(want.Ended) {
		t.Errorf("times %v–%v, want %v–%v", got.Started, got.Ended, want.Started, want.Ended)
	}
	got.Started, got.Ended, want.Started, want.Ended = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("job\n got %+v\nwant %+v", got, want)
	}
	if !jobs[2].Started.IsZero() || !jobs[2].Ended.IsZero() {
		t.Errorf("a queued job got times: %v, %v", jobs[2].Started, jobs[2].Ended)
	}
	if two, err := d.Jobs(ctx, 2); err != nil || len(two) != 2 {
		t.Errorf("Jobs(2) = %d jobs, %v", len(two), err)
	}
	if err := d.RecordJob(ctx, model.Job{}); err == nil {
		t.Error("a job without an id was recorded")
	}
}
