package clonezilla

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// DiskPrunePlan is PlanPrune's verdict on one disk, in the shape of PVE's
// prune previews so that the console shows both alike: each image marked
// keep (with why: its rules, "newest image verified whole", or another
// disk's) or remove. The disks carry their images' verifications.
func DiskPrunePlan(disks []model.Target, targetID string, keepLast, keepMonthly int) (model.PrunePlan, error) {
	plan := PlanPrune(disks, nil, keepLast, keepMonthly)
	removed := map[string]bool{}
	for _, p := range plan.Remove {
		removed[p.ID] = true
	}
	for _, d := range plan.Disks {
		if d.Disk.ID != targetID {
			continue
		}
		out := model.PrunePlan{Target: d.Disk.ID, Name: d.Disk.Name, Store: "clonezilla",
			Rules: model.Retention{KeepLast: keepLast, KeepMonthly: keepMonthly}, From: "[clonezilla] keep_last and keep_monthly"}
		for _, m := range d.Marks {
			e := model.PruneEntry{VolID: m.Point.ID, Time: m.Point.Time, Size: m.Point.Size, Mark: model.MarkKeep, Rule: strings.Join(m.Reasons, "; ")}
			switch {
			case removed[m.Point.ID]:
				e.Mark, e.Rule = model.MarkRemove, ""
			case !m.Keep:
				e.Rule = "another disk's image keeps it"
			}
			out.Entries = append(out.Entries, e)
		}
		return out, nil
	}
	return model.PrunePlan{}, fmt.Errorf("there is no host disk %s among the images' disks", targetID)
}

// PlanImagePrune previews the prune of a disk's images with the config's
// keep rules and remembers what it would remove: a prune started next
// (Start with model.MethodPrune) removes exactly those, as confirmed.
func (s *Source) PlanImagePrune(disks []model.Target, targetID string) (model.PrunePlan, error) {
	plan, err := DiskPrunePlan(disks, targetID, s.cfg.KeepLast, s.cfg.KeepMonthly)
	if err != nil {
		return plan, err
	}
	var remove []string
	for _, e := range plan.Entries {
		if e.Mark == model.MarkRemove {
			remove = append(remove, e.VolID)
		}
	}
	s.mu.Lock()
	if s.planned == nil {
		s.planned = map[string][]string{}
	}
	s.planned[targetID] = remove
	s.mu.Unlock()
	return plan, nil
}

// startPrune removes the images the last preview of the disk marked
// remove, one after the other, as a job of this process.
func (s *Source) startPrune(req model.JobRequest) (model.Job, error) {
	s.mu.Lock()
	paths := s.planned[req.Target]
	delete(s.planned, req.Target)
	s.mu.Unlock()
	if len(paths) == 0 {
		return model.Job{}, fmt.Errorf("nothing to prune on %s: preview it first (P), then confirm", req.Target)
	}
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("prune-%d-%s", s.seq, strings.TrimPrefix(req.Target, "clonezilla/"))
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	job := model.Job{ID: id, Target: req.Target, Method: model.MethodPrune, Source: model.SourceClonezilla,
		Started: s.now(), State: model.JobRunning, Progress: model.UnknownProgress()}
	run := &verifyRun{job: job, cancel: cancel, done: make(chan struct{}), stopped: make(chan struct{}), latest: job, change: make(chan struct{}, 1)}
	s.mu.Lock()
	s.running[id] = run
	s.mu.Unlock()
	go s.prune(ctx, run, paths)
	return job, nil
}

func (s *Source) prune(ctx context.Context, run *verifyRun, paths []string) {
	defer close(run.done)
	final := run.job
	removed := 0
	for i, p := range paths {
		if ctx.Err() != nil {
			break
		}
		run.mu.Lock()
		run.latest.Progress.Percent = float64(100*i) / float64(len(paths))
		run.latest.Progress.LastLine = "removing " + filepath.Base(p)
		run.mu.Unlock()
		select {
		case run.change <- struct{}{}:
		default:
		}
		if err := s.RemoveImage(p); err != nil {
			final.State, final.Message = model.JobFailed, fmt.Sprintf("%d of %d images removed; %v", removed, len(paths), err)
			break
		}
		removed++
	}
	final.Ended = s.now()
	switch {
	case final.State == model.JobFailed:
	case ctx.Err() != nil:
		final.State, final.Message = model.JobCancelled, fmt.Sprintf("stopped: %d of %d images removed", removed, len(paths))
	default:
		final.State, final.Message = model.JobSucceeded, fmt.Sprintf("%d image%s removed", removed, map[bool]string{true: "", false: "s"}[removed == 1])
	}
	run.mu.Lock()
	run.final = final
	run.mu.Unlock()
	// The run stays in s.running until Follow reads its end: removing a few
	// directories may take less time than the engine takes to start following.
}
