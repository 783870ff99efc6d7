package backends

import (
	"context"
	"errors"
	"fmt"
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
	// Checks returns every recorded check of each point that has one.
	Checks(ctx context.Context, points []string) (map[string][]model.Verification, error)
	// Drills returns each target's ended restore drills, newest first.
	Drills(ctx context.Context, targets []string, perTarget int) (map[string][]model.Drill, error)
}

// Defaults of the history: how often a sample may be written and how far
// back the forecast looks.
const (
	defaultSampleInterval = 10 * time.Minute
	defaultForecastWindow = 30 * 24 * time.Hour
	chartWindow           = 180 * 24 * time.Hour
)

// The history's bounds. The database gives up on a lock after its own busy
// timeout (2 s) with words that say so; these are backstops above it for
// whatever else could hang (a stalled disk, an OpenHistory that does not
// bound itself).
const (
	historyBudget          = 3 * time.Second // one source's history work in a refresh
	defaultHistoryOpenWait = 5 * time.Second // how long a refresh waits for the open
)

// openHistory starts opening the history (once) and waits for the attempt
// to end, at most HistoryOpenWait: a refresh that follows sees either the
// history or why there is none. A failure is kept for the posture; the
// engine runs on without history.
func (e *Engine) openHistory(ctx context.Context) {
	if e.opts.OpenHistory == nil {
		return
	}
	e.historyOnce.Do(func() {
		go func() {
			defer close(e.historyDone)
			h, err := e.opts.OpenHistory(ctx)
			e.mu.Lock()
			defer e.mu.Unlock()
			if err != nil {
				e.historyErr = err.Error()
				return
			}
			e.history, e.historyErr = h, ""
		}()
	})
	t := time.NewTimer(e.opts.HistoryOpenWait)
	defer t.Stop()
	select {
	case <-e.historyDone:
	case <-ctx.Done():
	case <-t.C:
		e.mu.Lock()
		if e.history == nil {
			e.historyErr = fmt.Sprintf("the history database did not open within %s (a slow or stuck disk?)", e.opts.HistoryOpenWait)
		}
		e.mu.Unlock()
	}
}

// historyRound is one refresh round's use of the history. A locked or
// damaged file fails statement after statement, each after the database's
// busy timeout: the first failure ends the round's work of its kind at
// once, calls waiting behind it included, so a refresh waits out one busy
// timeout, not one per statement and source. A failed write ends the
// writes only: another program's write lock leaves reads working (WAL),
// and the verifications are what the posture needs.
type historyRound struct {
	reads, writes       context.Context
	endReads, endWrites context.CancelCauseFunc
}

func newHistoryRound(ctx context.Context) *historyRound {
	r := &historyRound{}
	r.reads, r.endReads = context.WithCancelCause(ctx)
	r.writes, r.endWrites = context.WithCancelCause(r.reads)
	return r
}

// end releases the round once its refreshes are done.
func (r *historyRound) end() { r.endReads(context.Canceled) }

// explain says what ended a call made with ctx: the failure that ended the
// round rather than "context canceled", the budget in words.
func (r *historyRound) explain(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, context.DeadlineExceeded) && r.reads.Err() == nil:
		return fmt.Errorf("the history database gave no answer within %s (a slow or stuck disk?): %w", historyBudget, err)
	case cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded):
		return cause
	}
	return err
}

// historyWork is one source's history work in a round, each kind within
// historyBudget.
type historyWork struct {
	round       *historyRound
	read, write context.Context
	writeErr    error // the first failed write
}

// wrote notes a write's failure and ends the round's writes with it.
func (w *historyWork) wrote(err error) {
	if err == nil || w.writeErr != nil {
		return
	}
	w.writeErr = w.round.explain(w.write, err)
	w.round.endWrites(w.writeErr)
}

// readFailed ends all of the round's history work with a read's failure.
func (w *historyWork) readFailed(err error) error {
	err = w.round.explain(w.read, err)
	w.round.endReads(err)
	return err
}

// withHistory completes a source's state from the history: the restore
// points' verifications first (what the posture's verdicts need most), then
// the stores' usage (recorded, read back and forecast) and the drives'
// SMART trends. A failure is kept in the state for the posture, as an
// error of source history; when the verifications could not be read the
// targets that depend on them are unknown.
func (e *Engine) withHistory(round *historyRound, h History, state *model.SourceState) {
	read, cancelRead := context.WithTimeout(round.reads, historyBudget)
	defer cancelRead()
	write, cancelWrite := context.WithTimeout(round.writes, historyBudget)
	defer cancelWrite()
	w := &historyWork{round: round, read: read, write: write}
	err := attachVerifications(read, h, state.Targets)
	if err != nil {
		state.VerificationsUnknown = true
	}
	if err == nil {
		err = attachDrills(read, h, state.Targets)
	}
	if err == nil {
		err = e.withUsage(w, h, state.Stores)
	}
	for i := 0; err == nil && i < len(state.Drives); i++ {
		err = e.judgeDrive(w, h, &state.Drives[i], e.opts.Now())
	}
	switch {
	case err != nil:
		state.HistoryErr = w.readFailed(err).Error()
	case w.writeErr != nil:
		state.HistoryErr = w.writeErr.Error()
	}
}

// withUsage records the stores' usage and reads back their series and
// forecasts. Samples that cannot be true are neither kept nor fitted. It
// returns a read's failure; a write's is in w.
func (e *Engine) withUsage(w *historyWork, h History, stores []model.Store) error {
	now := e.opts.Now()
	for i := range stores {
		s := &stores[i]
		if s.Online && (model.UsageSample{At: now, Used: s.Used, Total: s.Total}).Possible() {
			_, err := h.RecordUsage(w.write, s.ID, now, s.Used, s.Total, e.opts.SampleInterval)
			w.wrote(err)
		}
		series, err := h.Usage(w.read, s.ID, now.Add(-chartWindow))
		if err != nil {
			return err
		}
		s.Usage = slices.DeleteFunc(series, func(u model.UsageSample) bool { return !u.Possible() })
		s.Forecast = model.ForecastFull(s.Usage, now, e.opts.ForecastWindow)
		s.FullAt = s.Forecast.FullAt
	}
	return nil
}

// attachVerifications gives the restore points of targets that can be
// verified their verdict (model.VerificationVerdict: damage stays until an
// as deep check passes on the same content). The others, hundreds of
// vzdump archives, cost no query.
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
	checks, err := h.Checks(ctx, ids)
	if err != nil {
		return err
	}
	for i := range targets {
		if !slices.Contains(targets[i].Methods, model.MethodVerify) {
			continue
		}
		for j := range targets[i].RestorePoints {
			rp := &targets[i].RestorePoints[j]
			rp.Verified = model.VerificationVerdict(checks[rp.ID], rp.Stamp)
		}
	}
	return nil
}

// judgeDrive keeps a drive's reading and judges it against the one before,
// so a count that grew warns even below the thresholds. A sleeping drive
// shows its last reading instead of being woken. It returns a read's
// failure; a write's is in w.
func (e *Engine) judgeDrive(w *historyWork, h History, d *model.Drive, now time.Time) error {
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
		last, err := h.LastSMART(w.read, serial, now.Add(time.Second))
		if err != nil || last == nil {
			return err
		}
		d.Reading = last
		prev, err := h.LastSMART(w.read, serial, last.At)
		if err != nil {
			return err
		}
		// The posture and the console say it is asleep and when it was read.
		d.Health, d.Reasons = model.SMARTVerdict(last, prev)
		return nil
	}
	_, err := h.RecordSMART(w.write, serial, d.Reading, e.opts.SampleInterval)
	w.wrote(err)
	prev, err := h.LastSMART(w.read, serial, d.Reading.At)
	if err != nil {
		return err
	}
	if prev != nil {
		d.Health, d.Reasons = model.SMARTVerdict(d.Reading, prev)
	}
	return nil
}

// recordJob keeps a job's start and end in the history, when there is one.
func (e *Engine) recordJob(ctx context.Context, j model.Job) {
	e.mu.Lock()
	h := e.history
	e.mu.Unlock()
	if h == nil {
		return
	}
	if err := h.RecordJob(ctx, j); err != nil {
		e.send(ctx, model.ErrorEvent{Err: model.SourceError{Source: model.SourceHistory, Message: "recording job: " + err.Error(), At: e.opts.Now()}}, false)
	}
}

// recordVerification keeps a verification's result; the restore point shows
// it from the next refresh on. A result that could not be kept is reported
// without fail: the point would go on showing its older verdict.
func (e *Engine) recordVerification(ctx context.Context, j model.Job) {
	e.mu.Lock()
	h := e.history
	e.mu.Unlock()
	if h == nil {
		return
	}
	if err := h.RecordVerification(ctx, j.Point, *j.Verification); err != nil {
		e.send(ctx, model.ErrorEvent{Err: model.SourceError{Source: model.SourceHistory, Message: "recording verification: " + err.Error(), At: e.opts.Now()}}, true)
	}
}
