package clonezilla

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// repoOf copies fixture images into one fresh image directory.
func repoOf(tb testing.TB, names ...string) string {
	tb.Helper()
	f := images(tb)
	repo := tb.TempDir()
	for _, n := range names {
		src := copyImage(tb, f.image(n))
		if err := os.Rename(src, filepath.Join(repo, n)); err != nil {
			tb.Fatal(err)
		}
	}
	return repo
}

func TestSourceTargets(t *testing.T) {
	repo := repoOf(t, imgSums, imgLVM)
	// The fixture's disks are loop devices: no serial, so the images cover
	// no configured disk and are grouped by the disk they were saved from.
	s := NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{repo},
		Disks: []model.ClonezillaDiskConfig{{Name: "pve-ssd", Serial: "S5GXNX0T"}}}})
	state, err := s.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(state.Targets) < 2 {
		t.Fatalf("targets %+v", state.Targets)
	}
	ssd := state.Targets[0]
	if ssd.ID != "clonezilla/pve-ssd" || ssd.Kind != model.KindDisk || len(ssd.RestorePoints) != 0 || ssd.Detail != "no image yet" {
		t.Errorf("configured disk without images: %+v", ssd)
	}
	if len(ssd.Methods) != 1 || ssd.Methods[0] != model.MethodVerify {
		t.Errorf("methods %v", ssd.Methods)
	}
	points := 0
	for _, tg := range state.Targets[1:] {
		if !strings.HasPrefix(tg.ID, TargetPrefix) || len(tg.RestorePoints) == 0 {
			t.Errorf("unlisted disk's target %+v", tg)
		}
		found := false
		for _, f := range tg.Facts {
			found = found || strings.Contains(f.Value, "not in [[clonezilla.disk]]")
		}
		if !found {
			t.Errorf("%s does not say it is not configured: %+v", tg.ID, tg.Facts)
		}
		for _, rp := range tg.RestorePoints {
			points++
			if rp.Method != MethodClonezilla || rp.Target != tg.ID || rp.Time.IsZero() || rp.Size <= 0 {
				t.Errorf("restore point %+v", rp)
			}
		}
	}
	if points != 2 {
		t.Errorf("%d restore points, want the 2 images", points)
	}
	if got := len(s.Images()); got != 2 {
		t.Errorf("Images() has %d", got)
	}
	if d := s.ImageDirOf(filepath.Join(repo, imgSums)); d != filepath.Clean(repo) {
		t.Errorf("ImageDirOf an image = %q, want %q", d, repo)
	}
	for _, p := range []string{repo, filepath.Join(repo, imgSums, "disk"), filepath.Join(repo, "..", "x"), "/etc"} {
		if d := s.ImageDirOf(p); d != "" {
			t.Errorf("ImageDirOf(%q) = %q, want none", p, d)
		}
	}
}

func TestSourceMissingImageDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cz-images")
	s := NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{dir}}})
	_, err := s.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "plug in and mount the image drive") {
		t.Fatalf("error %v", err)
	}
	file := filepath.Join(t.TempDir(), "cz-images")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s = NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{file}}})
	if _, err := s.Observe(context.Background()); err == nil || !strings.Contains(err.Error(), "not a directory: set [clonezilla] image_dirs") {
		t.Fatalf("a file as image directory: %v", err)
	}
}

// runVerify starts and follows one verification as the engine does.
func runVerify(t *testing.T, s *Source, path string) (model.Job, int) {
	t.Helper()
	job, err := s.Start(context.Background(), model.JobRequest{Target: "clonezilla/x", Method: model.MethodVerify, Point: path})
	if err != nil {
		t.Fatal(err)
	}
	if job.State != model.JobRunning || job.Point != path || job.Method != model.MethodVerify {
		t.Fatalf("started %+v", job)
	}
	updates := 0
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	final, err := s.Follow(ctx, job, func(model.Job) { updates++ })
	if err != nil {
		t.Fatal(err)
	}
	return final, updates
}

func TestSourceVerifies(t *testing.T) {
	repo := repoOf(t, imgSums)
	s := NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{repo}}})
	path := filepath.Join(repo, imgSums)
	final, _ := runVerify(t, s, path)
	if final.State != model.JobSucceeded || final.Verification == nil || !final.Verification.OK || final.Verification.Level != LevelPartclone {
		t.Fatalf("pristine image: %+v %+v", final, final.Verification)
	}
	if !strings.HasPrefix(final.Message, "whole (level 3") {
		t.Errorf("message %q", final.Message)
	}

	// The same image with a chunk cut short: failed, the file named.
	v := volumesOf(t, path, diskName(t, path)+"p2")[0]
	if err := os.Truncate(filepath.Join(path, v), 1000); err != nil {
		t.Fatal(err)
	}
	final, _ = runVerify(t, s, path)
	if final.State != model.JobFailed || final.Verification == nil || final.Verification.OK || len(final.Verification.Problems) == 0 {
		t.Fatalf("damaged image: %+v", final)
	}
	if !strings.Contains(final.Message, v) || !strings.Contains(strings.Join(final.Verification.Problems, "\n"), v) {
		t.Errorf("the damaged file %s is not named: %q %v", v, final.Message, final.Verification.Problems)
	}
}

func TestSourceRefuses(t *testing.T) {
	repo := repoOf(t, imgSums)
	s := NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{repo}}})
	ctx := context.Background()
	for _, c := range []struct {
		req  model.JobRequest
		want string
	}{
		{model.JobRequest{Target: "clonezilla/x", Method: model.MethodVzdump, Point: filepath.Join(repo, imgSums)}, "can only be verified"},
		{model.JobRequest{Target: "clonezilla/x", Method: model.MethodVerify}, "which image"},
		{model.JobRequest{Target: "clonezilla/x", Method: model.MethodVerify, Point: repo}, "no Clonezilla image"},
		{model.JobRequest{Target: "clonezilla/x", Method: model.MethodVerify, Point: filepath.Join(repo, imgSums), Level: 4}, "want 1, 2 or 3"},
	} {
		if _, err := s.Start(ctx, c.req); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.req, err, c.want)
		}
	}
	if _, err := s.Follow(ctx, model.Job{ID: "verify-99"}, func(model.Job) {}); err == nil {
		t.Error("following an unknown verification did not fail")
	}
	if err := s.Stop(ctx, model.Job{ID: "verify-99"}); err == nil {
		t.Error("stopping an unknown verification did not fail")
	}
}

func TestSourceShowsLastSeenImagesWhileTheDriveIsAway(t *testing.T) {
	repo := repoOf(t, imgSums)
	cache := filepath.Join(t.TempDir(), "state", "clonezilla-images.json")
	seen := time.Date(2026, 11, 19, 10, 0, 0, 0, time.Local)
	clock := seen
	s := NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{repo}}, CachePath: cache,
		Now: func() time.Time { return clock }})
	ctx := context.Background()
	first, err := s.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The drive is unplugged: its mount point is gone.
	away := repo + ".away"
	if err := os.Rename(repo, away); err != nil {
		t.Fatal(err)
	}
	clock = seen.Add(48 * time.Hour)
	state, err := s.Observe(ctx)
	if err != nil {
		t.Fatalf("with a record of the last scan the disks show: %v", err)
	}
	if len(state.Targets) != len(first.Targets) || len(state.Targets) == 0 {
		t.Fatalf("targets %+v, want those of the last scan %+v", state.Targets, first.Targets)
	}
	tg := state.Targets[0]
	if !tg.Offline || !strings.Contains(tg.OfflineNote, "not mounted") || !strings.Contains(tg.OfflineNote, "2026-11-19 10:00") {
		t.Errorf("offline %v %q", tg.Offline, tg.OfflineNote)
	}
	if len(tg.RestorePoints) != 1 || tg.RestorePoints[0].ID != filepath.Join(repo, imgSums) || !tg.RestorePoints[0].Time.Equal(first.Targets[0].RestorePoints[0].Time) {
		t.Errorf("restore points %+v", tg.RestorePoints)
	}
	_, err = s.Start(ctx, model.JobRequest{Target: tg.ID, Method: model.MethodVerify, Point: tg.RestorePoints[0].ID})
	if err == nil || !strings.Contains(err.Error(), "plug in and mount the image drive") {
		t.Errorf("verifying an image on an absent drive: %v", err)
	}
	// A damaged record is said, with what to do.
	if err := os.WriteFile(cache, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Observe(ctx); err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "plug in") {
		t.Errorf("damaged record: %v", err)
	}
	// Back again: scanned, and the record written anew.
	if err := os.Rename(away, repo); err != nil {
		t.Fatal(err)
	}
	if state, err := s.Observe(ctx); err != nil || state.Targets[0].Offline {
		t.Fatalf("drive back: %v %+v", err, state.Targets)
	}
	if _, ok, err := loadCache(cache); !ok || err != nil {
		t.Errorf("record not rewritten: %v %v", ok, err)
	}
}

// A read that never returns (a dying drive) does not hold a stopped
// verification: it ends cancelled within the grace period.
func TestSourceStopEvenWhenAReadHangs(t *testing.T) {
	repo := repoOf(t, imgSums)
	path := filepath.Join(repo, imgSums)
	release := make(chan struct{})
	defer close(release)
	s := NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{repo}}})
	s.verifyImage = func(ctx context.Context, img Image, level int, progress func(Progress)) (Report, error) {
		progress(Progress{DoneBytes: 1, TotalBytes: 10})
		<-release // deaf to ctx, like a read stuck in the kernel
		return Report{}, ctx.Err()
	}
	ctx := context.Background()
	job, err := s.Start(ctx, model.JobRequest{Target: "clonezilla/x", Method: model.MethodVerify, Point: path})
	if err != nil {
		t.Fatal(err)
	}
	progressed := make(chan struct{}, 1)
	ended := make(chan model.Job, 1)
	go func() {
		final, _ := s.Follow(ctx, job, func(model.Job) {
			select {
			case progressed <- struct{}{}:
			default:
			}
		})
		ended <- final
	}()
	select {
	case <-progressed:
	case <-time.After(5 * time.Second):
		t.Fatal("no progress reported")
	}
	if err := s.Stop(ctx, job); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx, job); err != nil { // twice is harmless
		t.Fatal(err)
	}
	select {
	case j := <-ended:
		if j.State != model.JobCancelled || j.Verification != nil || !strings.Contains(j.Message, "has not returned") {
			t.Errorf("stopped: %+v", j)
		}
	case <-time.After(stopGrace + 3*time.Second):
		t.Fatal("a stopped verification did not end")
	}
	// While the read hangs the image is still busy: no second verification.
	if _, err := s.Start(ctx, model.JobRequest{Target: "clonezilla/x", Method: model.MethodVerify, Point: path}); err == nil {
		t.Error("a second verification of a stuck image started")
	}
}

func TestSourceKeepRulesFact(t *testing.T) {
	day := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	var points []model.RestorePoint
	for i := range 4 {
		points = append(points, model.RestorePoint{ID: fmt.Sprint(i), Time: day.AddDate(0, -i, 0)})
	}
	for _, c := range []struct {
		last, monthly int
		want          string
	}{
		{0, 0, ""},
		{1, 0, "last 1 + monthly 0 · up to 3 images to prune"},
		{1, 3, "last 1 + monthly 3 · up to 1 image to prune"},
		{2, 6, "last 2 + monthly 6 · every image is kept"},
	} {
		s := NewSource(SourceOptions{Config: model.ClonezillaConfig{KeepLast: c.last, KeepMonthly: c.monthly}})
		if got := s.keepRules(points); got != c.want {
			t.Errorf("last %d monthly %d: %q, want %q", c.last, c.monthly, got, c.want)
		}
	}
}

func TestCoversMatchesSerialsAsOcsSrDoes(t *testing.T) {
	img := Image{Disks: []Disk{{Name: "sda", Serial: "WD-WX12 A3456789"}}}
	for serial, want := range map[string]bool{"WD-WX12 A3456789": true, "wd-wx12_a3456789": true, " WD-WX12 A3456789 ": true, "WD-WX12": false, "": false} {
		if got := img.Covers(serial); got != want {
			t.Errorf("Covers(%q) = %v, want %v", serial, got, want)
		}
	}
	if (Image{Disks: []Disk{{Name: "loop0"}}}).Covers("") {
		t.Error("a disk without serial covers the empty serial")
	}
}

func TestSummarySaysTheDiskWasFailing(t *testing.T) {
	img := Image{Disks: []Disk{{Name: "sda", SMART: "FAILED!"}, {Name: "sdb", SMART: "PASSED"}}, Compression: "zstd"}
	if got := img.Summary(); !strings.HasSuffix(got, " · sda SMART FAILED at save") || strings.Contains(got, "sdb SMART") {
		t.Errorf("summary %q", got)
	}
}
