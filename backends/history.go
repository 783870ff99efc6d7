package backends

import (
	"context"
	"slices"
	"time"

	"github.com/backdeck/backdeck/model"
)

// History is what the engine keeps over time (backends/history implements
// it with SQLite). It is optional: without it there are no trends.
type History interface {
	RecordUsage(ctx context.Context, storeID string, at time.Time, used, total int64, minInterval time.Duration) (bool, error)
	Usage(ctx context.Context, storeID string, since time.Time) ([]model.UsageSample, error)
	RecordSMART(ctx context.Context, serial string, r *model.SMARTReading, minInterval time.Duration) (bool, error)
	LastSMART(ctx context.Context, serial string, before time.Time) (*model.SMARTReading, error)
	RecordJob(ctx context.Context, j model.Job) error
	RecordVerification(ctx context.Context, point string, v model.Verification) error
	Verifications(ctx context.Context, points []string) (map[string]model.Verification, error)
}

// Defaults of the history: how often a sample may be written and how far
// back the forecast looks.
const (
	defaultSampleInterval = 10 * time.Minute
	defaultForecastWindow = 30 * 24 * time.Hour
	chartWindow           = 180 * 24 * time.Hour
)

// withHistory records the stores' usage and reads back their series and
// forecasts. Errors are returned to be reported, never fatal: the console
// runs on without history.
func (e *Engine) withHistory(ctx context.Context, h History, state *model.SourceState) error {
	now := e.opts.Now()
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for i := range state.Stores {
		s := &state.Stores[i]
		if s.Online && s.Total > 0 {
			_, err := h.RecordUsage(ctx, s.ID, now, s.Used, s.Total, e.opts.SampleInterval)
			keep(err)
		}
		series, err := h.Usage(ctx, s.ID, now.Add(-chartWindow))
		keep(err)
		if err != nil {
			continue
		}
		s.Usage = series
		s.Forecast = model.ForecastFull(series, now, e.opts.ForecastWindow)
		s.FullAt = s.Forecast.FullAt
	}
	for i := range state.Drives {
		keep(e.judgeDrive(ctx, h, &state.Drives[i], now))
	}
	keep(attachVerifications(ctx, h, state.Targets))
	return firstErr
}

// attachVerifications gives the restore points of targets that can be
// verified their newest recorded check (the others, hundreds of vzdump
// archives, cost no query).
func attachVerifications(ctx context.Context, h History, targets []model.Target) error {
	var ids []string
	for _, t := range targets {
		if !slices.Contains(t.Methods, model.MethodVerify) {
			continue
		}
		for _, rp := range t.RestorePoints {
			ids = append(ids, rp.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := h.Verifications(ctx, ids)
	if err != nil || len(found) == 0 {
		return err
	}
	for i := range targets {
		for j := range targets[i].RestorePoints {
			rp := &targets[i].RestorePoints[j]
			if v, ok := found[rp.ID]; ok {
				rp.Verified = &v
			}
		}
	}
	return nil
}

// judgeDrive keeps a drive's reading and judges it against the one before,
// so a count that grew warns even below the thresholds. A sleeping drive
// shows its last reading instead of being woken.
func (e *Engine) judgeDrive(ctx context.Context, h History, d *model.Drive, now time.Time) error {
	serial := d.Serial
	if serial == "" {
		serial = d.ID
	}
	if serial == "" {
		return nil
	}
	if d.Reading == nil {
		if !d.Asleep {
			return nil
		}
		last, err := h.LastSMART(ctx, serial, now.Add(time.Second))
		if err != nil || last == nil {
			return err
		}
		d.Reading = last
		prev, err := h.LastSMART(ctx, serial, last.At)
		if err != nil {
			return err
		}
		// The posture and the console say it is asleep and when it was read.
		d.Health, d.Reasons = model.SMARTVerdict(last, prev)
		return nil
	}
	if _, err := h.RecordSMART(ctx, serial, d.Reading, e.opts.SampleInterval); err != nil {
		return err
	}
	prev, err := h.LastSMART(ctx, serial, d.Reading.At)
	if err != nil {
		return err
	}
	if prev != nil {
		d.Health, d.Reasons = model.SMARTVerdict(d.Reading, prev)
	}
	return nil
}
