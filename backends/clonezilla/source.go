package clonezilla

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/backdeck/backdeck/backends/toolrun"
	"github.com/backdeck/backdeck/model"
)

// TargetPrefix starts every target id of this source: "clonezilla/pve-ssd".
const TargetPrefix = "clonezilla/"

// SourceOptions configures the console's Clonezilla source.
type SourceOptions struct {
	Config model.ClonezillaConfig
	// Run runs the host's tools (lsblk, lvs) for the preflight; nil when
	// backdeck does not run on the Proxmox host.
	Run toolrun.Func
	// VzdumpDrive is the serial of the USB drive holding the vzdump
	// backups, to be unplugged during imaging; "" when none is configured.
	VzdumpDrive string
	// CachePath keeps the last inventory, shown while the image drive is
	// away; "" keeps none.
	CachePath string
	Now       func() time.Time
}

// Source is the console's view of the images: an Observer that lists them
// as the restore points of the host's disks, and a Runner whose jobs are
// verifications. Verifications run in this process: they end when the
// console quits, unlike the servers' jobs.
type Source struct {
	cfg         model.ClonezillaConfig
	run         toolrun.Func
	vzdumpDrive string
	cachePath   string
	now         func() time.Time
	// verifyImage is Verify; tests put a stuck reader in its place.
	verifyImage func(ctx context.Context, img Image, level int, progress func(Progress)) (Report, error)

	mu      sync.Mutex
	images  map[string]Image // by path, from the last scan
	running map[string]*verifyRun
	seq     int
	planned map[string][]string // by disk: what its last prune preview removes
}

// verifyRun is one verification in progress.
type verifyRun struct {
	job    model.Job
	cancel context.CancelFunc
	done   chan struct{}
	// stopped is closed by Stop: Follow then gives the verification a
	// moment to end and reports it cancelled even if a read of a dying
	// drive never returns.
	stopped  chan struct{}
	stopOnce sync.Once
	final    model.Job
	mu       sync.Mutex
	latest   model.Job
	change   chan struct{} // signalled (not closed) on progress
}

// NewSource builds the source.
func NewSource(opts SourceOptions) *Source {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Source{cfg: opts.Config, run: opts.Run, vzdumpDrive: opts.VzdumpDrive, cachePath: opts.CachePath, now: opts.Now, verifyImage: Verify, images: map[string]Image{}, running: map[string]*verifyRun{}}
}

// Source names the tool.
func (s *Source) Source() model.Source { return model.SourceClonezilla }

// Observe scans the image directories. While one of them is not there (the
// image drive is not plugged in or not mounted) the disks are shown with the
// images last seen, marked offline; without such a record the read fails, so
// the disks show "unknown" rather than "never imaged".
func (s *Source) Observe(ctx context.Context) (model.SourceState, error) {
	for _, dir := range s.cfg.ImageDirs {
		st, err := os.Stat(dir)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return s.lastSeen(dir)
		case err != nil:
			return model.SourceState{}, fmt.Errorf("image directory %s: %w", dir, err)
		case !st.IsDir():
			return model.SourceState{}, fmt.Errorf("image directory %s is a file, not a directory: set [clonezilla] image_dirs to the directory that holds the images", dir)
		}
	}
	type result struct {
		images []Image
		errs   []error
	}
	done := make(chan result, 1) // buffered: an abandoned scan still finishes
	go func() {
		imgs, errs := Scan(s.cfg.ImageDirs)
		done <- result{imgs, errs}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		return model.SourceState{}, fmt.Errorf("scanning %s: %w", strings.Join(s.cfg.ImageDirs, ", "), ctx.Err())
	}
	if len(r.errs) > 0 && len(r.images) == 0 {
		return model.SourceState{}, errors.Join(r.errs...)
	}
	s.mu.Lock()
	s.images = map[string]Image{}
	for _, img := range r.images {
		s.images[img.Path] = img
	}
	s.mu.Unlock()
	now := s.now()
	state := model.SourceState{Targets: s.targets(r.images), At: now}
	if s.cachePath != "" {
		c := cachedInventory{Seen: now, Dirs: s.cfg.ImageDirs, Images: r.images}
		if err := saveCache(s.cachePath, c); err != nil {
			// The images were read: a state directory that cannot be
			// written only costs the list shown while the drive is away.
			state.Notes = append(state.Notes, s.cacheNote(err))
		}
	}
	return state, nil
}

// cacheNote says that the image list could not be kept, and what to do.
func (s *Source) cacheNote(err error) string {
	return fmt.Sprintf("the image list is not kept for when the image drive is away (%v): make %s writable", err, filepath.Dir(s.cachePath))
}

// lastSeen is the state while the image directory dir is away: the images
// of the last scan, their disks offline.
func (s *Source) lastSeen(dir string) (model.SourceState, error) {
	away := fmt.Errorf("image directory %s is not there: plug in and mount the image drive", dir)
	if s.cachePath == "" {
		return model.SourceState{}, away
	}
	all, ok, err := loadCache(s.cachePath)
	if err != nil {
		return model.SourceState{}, fmt.Errorf("%w; %v", away, err)
	}
	if !ok {
		return model.SourceState{}, away
	}
	// Only what the record says of the directories configured now counts,
	// and only that is kept.
	c := all.within(s.cfg.ImageDirs)
	var notes []string
	if len(c.Images) < len(all.Images) || len(c.Dirs) < len(all.Dirs) {
		if err := saveCache(s.cachePath, c); err != nil {
			notes = append(notes, s.cacheNote(err))
		}
	}
	if !c.covers(dir) {
		return model.SourceState{}, away
	}
	state := model.SourceState{At: s.now(), Notes: notes}
	note := fmt.Sprintf("the image drive is not mounted (%s): images as last seen %s", dir, c.Seen.Local().Format("2006-01-02 15:04"))
	state.Targets = s.targets(c.Images)
	for i := range state.Targets {
		state.Targets[i].Offline, state.Targets[i].OfflineNote = true, note
		state.Targets[i].Facts = append(state.Targets[i].Facts, model.Fact{Label: "image drive", Value: note})
	}
	return state, nil
}

// Images is what the last scan found, newest first.
func (s *Source) Images() []Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Image, 0, len(s.images))
	for _, img := range s.images {
		out = append(out, img)
	}
	sortNewestFirst(out)
	return out
}

// targets makes one target per configured disk, and one per disk of the
// images that cover none of them (so an image of an unlisted disk is not
// hidden), each with its images as restore points, newest first.
func (s *Source) targets(images []Image) []model.Target {
	var out []model.Target
	claimed := map[string]bool{}
	for _, d := range s.cfg.Disks {
		t := diskTarget(d.Name, d.Serial)
		for _, img := range images {
			if img.Covers(d.Serial) {
				t.RestorePoints = append(t.RestorePoints, img.RestorePoint(t.ID))
				claimed[img.Path] = true
			}
		}
		out = append(out, s.finishTarget(t))
	}
	others := map[string]*model.Target{}
	var order []string
	for _, img := range images {
		if claimed[img.Path] {
			continue
		}
		key, serial := "unknown", ""
		if len(img.Disks) > 0 {
			key, serial = img.Disks[0].Name, img.Disks[0].Serial
			if serial != "" {
				key = serial
			}
		}
		t, ok := others[key]
		if !ok {
			nt := diskTarget(key, serial)
			nt.Facts = append(nt.Facts, model.Fact{Label: "config", Value: "not in [[clonezilla.disk]]: add it to name it"})
			t = &nt
			others[key] = t
			order = append(order, key)
		}
		t.RestorePoints = append(t.RestorePoints, img.RestorePoint(t.ID))
	}
	for _, k := range order {
		out = append(out, s.finishTarget(*others[k]))
	}
	return out
}

func diskTarget(name, serial string) model.Target {
	t := model.Target{ID: TargetPrefix + name, Name: name, Kind: model.KindDisk, Source: model.SourceClonezilla,
		Methods: []model.Method{model.MethodVerify}}
	if serial != "" {
		t.Facts = append(t.Facts, model.Fact{Label: "serial", Value: serial})
	}
	return t
}

func (s *Source) finishTarget(t model.Target) model.Target {
	n := len(t.RestorePoints)
	switch n {
	case 0:
		t.Detail = "no image yet"
	case 1:
		t.Detail = "1 image"
	default:
		t.Detail = fmt.Sprintf("%d images", n)
	}
	t.Facts = append(t.Facts, model.Fact{Label: "images", Value: t.Detail})
	if rules := s.keepRules(t.RestorePoints); rules != "" {
		t.Facts = append(t.Facts, model.Fact{Label: "keep rules", Value: rules})
	}
	return t
}

// keepRules says what retention would remove from a disk's images. The
// verifications are not known here, and keeping the newest whole image can
// only keep more, so the count is an upper bound: prune says the rest.
func (s *Source) keepRules(points []model.RestorePoint) string {
	if s.cfg.KeepLast == 0 && s.cfg.KeepMonthly == 0 {
		return ""
	}
	rules := fmt.Sprintf("last %d + monthly %d", s.cfg.KeepLast, s.cfg.KeepMonthly)
	drop := 0
	for _, m := range ImageRetention(points, s.cfg.KeepLast, s.cfg.KeepMonthly) {
		if !m.Keep {
			drop++
		}
	}
	switch drop {
	case 0:
		return rules + " · every image is kept"
	case 1:
		return rules + " · up to 1 image to prune"
	}
	return fmt.Sprintf("%s · up to %d images to prune", rules, drop)
}

// image finds an image by path: from the last scan, or read afresh when the
// scan has not seen it yet.
func (s *Source) image(path string) (Image, error) {
	s.mu.Lock()
	img, ok := s.images[path]
	s.mu.Unlock()
	if ok {
		return img, nil
	}
	return ReadImage(path)
}

// Start begins verifying the image req.Point (level req.Level, 0 = 3).
func (s *Source) Start(ctx context.Context, req model.JobRequest) (model.Job, error) {
	if req.Method == model.MethodPrune {
		return s.startPrune(req)
	}
	if req.Method != model.MethodVerify {
		return model.Job{}, fmt.Errorf("a Clonezilla image can only be verified here; images are made from Clonezilla Live (backdeck clonezilla prepare)")
	}
	if req.Point == "" {
		return model.Job{}, errors.New("which image? choose one of the disk's images to verify")
	}
	level := req.Level
	if level == 0 {
		level = LevelPartclone
	}
	if level < LevelChecksums || level > LevelPartclone {
		return model.Job{}, fmt.Errorf("verification level %d: want 1, 2 or 3", level)
	}
	if _, err := os.Stat(req.Point); errors.Is(err, os.ErrNotExist) {
		return model.Job{}, fmt.Errorf("%s is not there: plug in and mount the image drive to verify it", req.Point)
	}
	img, err := s.image(req.Point)
	if err != nil {
		return model.Job{}, err
	}
	s.mu.Lock()
	for _, r := range s.running {
		if r.job.Point == img.Path {
			s.mu.Unlock()
			return model.Job{}, fmt.Errorf("%s is being verified already", img.Name)
		}
	}
	s.seq++
	id := fmt.Sprintf("verify-%d-%s", s.seq, img.Name)
	vctx, cancel := context.WithCancel(context.Background()) // lives as long as the verification, not the request
	job := model.Job{
		ID: id, Target: req.Target, Name: img.Name, Method: model.MethodVerify, Source: model.SourceClonezilla,
		TaskID: img.Path, Point: img.Path, Started: s.now(), State: model.JobRunning, Progress: model.UnknownProgress(),
	}
	job.Progress.LastLine = fmt.Sprintf("verifying %s at level %d", img.Name, level)
	run := &verifyRun{job: job, cancel: cancel, done: make(chan struct{}), stopped: make(chan struct{}), latest: job, change: make(chan struct{}, 1)}
	s.running[id] = run
	s.mu.Unlock()
	go s.verify(vctx, run, img, level)
	return job, nil
}

// verify runs one verification to its end and keeps its result.
func (s *Source) verify(ctx context.Context, run *verifyRun, img Image, level int) {
	defer close(run.done)
	rep, err := s.verifyImage(ctx, img, level, func(p Progress) {
		run.mu.Lock()
		run.latest.Progress = p.Model()
		run.mu.Unlock()
		select {
		case run.change <- struct{}{}:
		default:
		}
	})
	final := run.job
	run.mu.Lock()
	final.Progress = run.latest.Progress
	run.mu.Unlock()
	final.Ended = s.now()
	switch {
	case ctx.Err() != nil:
		final.State, final.Message = model.JobCancelled, "verification stopped; the image's state is as before"
	case err != nil:
		final.State, final.Message = model.JobFailed, "could not check: "+err.Error()
	default:
		final.Verification = Verification(rep)
		if rep.OK {
			final.State = model.JobSucceeded
			final.Message = fmt.Sprintf("whole (level %d, %s read in %s)", rep.Level, model.HumanBytes(rep.Bytes), rep.Duration.Round(time.Millisecond))
		} else {
			final.State = model.JobFailed
			final.Message = rep.Summary() + ": " + rep.Problems[0].String()
		}
	}
	run.mu.Lock()
	run.final = final
	run.mu.Unlock()
	s.mu.Lock()
	delete(s.running, run.job.ID)
	s.mu.Unlock()
}

// Verification is a report as the history and the console keep it.
func Verification(r Report) *model.Verification {
	v := &model.Verification{At: r.Checked, Level: r.Level, OK: r.OK, Stamp: r.Stamp}
	for _, p := range r.Problems {
		v.Problems = append(v.Problems, p.String())
	}
	return v
}

// Follow reports the verification's progress until it ends.
func (s *Source) Follow(ctx context.Context, job model.Job, update func(model.Job)) (model.Job, error) {
	s.mu.Lock()
	run, ok := s.running[job.ID]
	s.mu.Unlock()
	if !ok {
		return job, fmt.Errorf("verification %s is not running in this console", job.ID)
	}
	for {
		select {
		case <-ctx.Done():
			return job, ctx.Err()
		case <-run.done:
			s.mu.Lock()
			delete(s.running, job.ID) // a prune that ended before Follow came waits for it here
			s.mu.Unlock()
			run.mu.Lock()
			defer run.mu.Unlock()
			return run.final, nil
		case <-run.stopped:
			select {
			case <-run.done:
				run.mu.Lock()
				defer run.mu.Unlock()
				return run.final, nil
			case <-time.After(stopGrace):
				j := job
				j.State, j.Ended = model.JobCancelled, s.now()
				j.Message = "verification stopped; a read of the image drive has not returned yet (is the drive failing?)"
				return j, nil
			}
		case <-run.change:
			run.mu.Lock()
			j := run.latest
			run.mu.Unlock()
			update(j)
		}
	}
}

// Stop cancels a verification.
func (s *Source) Stop(ctx context.Context, job model.Job) error {
	s.mu.Lock()
	run, ok := s.running[job.ID]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("verification %s is not running", job.ID)
	}
	run.stopOnce.Do(func() {
		run.cancel()
		close(run.stopped)
	})
	return nil
}

// stopGrace is how long a stopped verification may take to end before it is
// reported cancelled anyway.
const stopGrace = 2 * time.Second

// Running is empty: verifications run in the console that started them and
// end with it, so there is nothing to pick up again.
func (s *Source) Running(ctx context.Context) ([]model.Job, error) { return nil, nil }

// ImageDirOf says which configured image directory holds path, "" when none
// does: the console removes images only inside them.
func (s *Source) ImageDirOf(path string) string {
	clean := filepath.Clean(path)
	for _, d := range s.cfg.ImageDirs {
		d = filepath.Clean(d)
		if rel, err := filepath.Rel(d, clean); err == nil && rel != "." && !strings.HasPrefix(rel, "..") && !strings.Contains(rel, string(filepath.Separator)) {
			return d
		}
	}
	return ""
}
