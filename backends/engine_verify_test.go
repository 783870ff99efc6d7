package backends_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/model"
)

// imageSource has one host disk with two images; its verifications end with
// the result the test gives.
type imageSource struct {
	result *model.Verification
}

func (s *imageSource) Source() model.Source { return model.SourceClonezilla }

func (s *imageSource) Observe(context.Context) (model.SourceState, error) {
	now := time.Now()
	return model.SourceState{Targets: []model.Target{{ID: "clonezilla/pve-ssd", Name: "pve-ssd", Kind: "disk", Source: model.SourceClonezilla, Methods: []model.Method{model.MethodVerify},
		RestorePoints: []model.RestorePoint{{ID: "/cz/new", Time: now.Add(-24 * time.Hour)}, {ID: "/cz/old", Time: now.Add(-40 * 24 * time.Hour)}}}}}, nil
}

func (s *imageSource) Start(_ context.Context, req model.JobRequest) (model.Job, error) {
	return model.Job{ID: "verify-1", Target: req.Target, Method: req.Method, Source: model.SourceClonezilla, Point: req.Point,
		State: model.JobRunning, Progress: model.UnknownProgress()}, nil
}

func (s *imageSource) Follow(_ context.Context, job model.Job, _ func(model.Job)) (model.Job, error) {
	job.State, job.Verification = model.JobFailed, s.result
	return job, nil
}

func (s *imageSource) Stop(context.Context, model.Job) error        { return nil }
func (s *imageSource) Running(context.Context) ([]model.Job, error) { return nil, nil }

func TestVerificationIsKeptAndShown(t *testing.T) {
	db, err := history.Open(context.Background(), filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	damaged := &model.Verification{At: time.Now(), Level: 3, Problems: []string{"nvme0n1p2.vfat-ptcl-img.zst.aa: CRC mismatch (level 3)"}}
	src := &imageSource{result: damaged}
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{src}, Interval: time.Hour,
		OpenHistory: func(context.Context) (backends.History, error) { return db, nil },
		Concerns:    []model.ConcernSpec{{ID: model.ConcernHost, MaxAge: 35 * 24 * time.Hour, Targets: []string{"clonezilla/pve-ssd"}}}})
	ctx := context.Background()
	e.RefreshNow(ctx) // opens the history
	if _, err := e.Start(ctx, model.JobRequest{Target: "clonezilla/pve-ssd", Method: model.MethodVerify, Point: "/cz/new"}); err != nil {
		t.Fatal(err)
	}
	for ended := false; !ended; {
		select {
		case ev := <-e.Events():
			je, ok := ev.(model.JobEvent)
			ended = ok && je.Job.State.Terminal()
		case <-time.After(5 * time.Second):
			t.Fatal("the verification never ended")
		}
	}
	// The end is published before the result is written: wait for the row.
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := db.Verifications(ctx, []string{"/cz/new"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the verification was not kept in the history")
		}
		time.Sleep(10 * time.Millisecond)
	}
	p := e.RefreshNow(ctx)
	ts, ok := p.Target("clonezilla/pve-ssd")
	if !ok || len(ts.RestorePoints) == 0 || ts.RestorePoints[0].Verified == nil {
		t.Fatalf("the verification does not show on the restore point: %+v", ts)
	}
	if v := ts.RestorePoints[0].Verified; v.OK || len(v.Problems) != 1 || v.Level != 3 {
		t.Fatalf("verified %+v", v)
	}
	// The damaged image is no good backup: the disk is rated by the
	// 40-day-old one, past its 35-day max age.
	if ts.Status != model.StatusWarning {
		t.Fatalf("status %s (%s), want warning from the older image", ts.Status, ts.Reason)
	}
}

// The case seen: a level-2 verification after a level-3 one that found
// damage marked the image "✓ verified whole at level 2". Damage stays until
// an as deep check passes on the image as it is now.
func TestWeakerVerificationKeepsDamage(t *testing.T) {
	ctx := context.Background()
	db, err := history.Open(ctx, filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := twoImages()
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{src}, Now: func() time.Time { return failNow },
		OpenHistory: func(context.Context) (backends.History, error) { return db, nil }, Concerns: hostConcern})
	record := func(v model.Verification) {
		t.Helper()
		if err := db.RecordVerification(ctx, "/cz/new", v); err != nil {
			t.Fatal(err)
		}
	}
	disk := func() model.TargetStatus {
		t.Helper()
		ts, ok := e.RefreshNow(ctx).Target("clonezilla/pve-ssd")
		if !ok || len(ts.RestorePoints) != 2 {
			t.Fatalf("disk %+v", ts)
		}
		return ts
	}
	record(model.Verification{At: failNow.Add(-3 * time.Hour), Level: 3, Problems: []string{"sda1.ext4-ptcl-img.zst.aa: CRC mismatch"}, Stamp: "s-new"})
	record(model.Verification{At: failNow.Add(-2 * time.Hour), Level: 2, OK: true, Stamp: "s-new"})
	ts := disk()
	if v := ts.RestorePoints[0].Verified; v == nil || v.OK || v.Level != 3 {
		t.Fatalf("after a level-2 pass the image shows %+v, want the level-3 damage", v)
	}
	if ts.Status != model.StatusWarning || ts.Age != 10*24*time.Hour || !strings.Contains(ts.Reason, "newest image (2 d old) is damaged") {
		t.Fatalf("disk %s, age %s (%s)", ts.Status, ts.Age, ts.Reason)
	}
	// A level-3 pass on the same content clears it.
	record(model.Verification{At: failNow.Add(-time.Hour), Level: 3, OK: true, Stamp: "s-new"})
	if v := disk().RestorePoints[0].Verified; v == nil || !v.OK || v.Level != 3 {
		t.Fatalf("after a level-3 pass: %+v", v)
	}
	// The image is written again in place: no check saw what it holds now.
	record(model.Verification{At: failNow.Add(-time.Minute), Level: 3, Problems: []string{"sda1: CRC mismatch"}, Stamp: "s-new"})
	src.images[0].Stamp = "s-rewritten"
	ts = disk()
	if v := ts.RestorePoints[0].Verified; v != nil {
		t.Fatalf("checks of the old content show on the new: %+v", v)
	}
	if ts.Status != model.StatusOK || ts.Age != 2*24*time.Hour {
		t.Fatalf("disk %s, age %s (%s)", ts.Status, ts.Age, ts.Reason)
	}
}
