package backends

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/backdeck/backdeck/model"
)

// EngineOptions wires the engine. Backends are optional: a config with only
// drives has no Proxmox backend, and the console shows what it has.
type EngineOptions struct {
	Concerns []model.ConcernSpec
	// Backends are the sources; those that also implement Runner can run jobs.
	Backends []Observer
	// Interval between refreshes; default 30 s.
	Interval time.Duration
	// SourceTimeout bounds one source's refresh; default 20 s.
	SourceTimeout time.Duration
	// KeepFinished is how many ended jobs stay listed; default 20.
	KeepFinished int
	Now          func() time.Time
	// OpenHistory opens the history database; it runs in a goroutine of
	// its own so a slow or damaged file never holds the console up, and
	// a refresh waits for it only a bounded time. Nil means no history.
	OpenHistory func(ctx context.Context) (History, error)
	// HistoryOpenWait bounds how long a refresh waits for the history to
	// open (history.Open gives up within 2 s by itself); default 5 s.
	HistoryOpenWait time.Duration
	// SampleInterval is the least time between two usage samples of a store
	// (default 10 min); ForecastWindow how far back the forecast fits (30 d).
	SampleInterval time.Duration
	ForecastWindow time.Duration
}

// Engine owns the tool clients: it refreshes them concurrently, runs and
// follows jobs, and publishes events for the console.
type Engine struct {
	opts     EngineOptions
	backends map[model.Source]Observer
	events   chan model.Event
	refresh  chan struct{}

	mu         sync.Mutex
	states     map[model.Source]model.SourceState
	refreshing map[model.Source]bool
	// settled is signalled (on mu) when a source ends its refreshing.
	settled *sync.Cond
	// again marks a source asked to refresh while it was refreshing: the
	// read under way may have started before what the caller wants to see
	// (a job's end), so one more follows it.
	again     map[model.Source]bool
	jobs      map[string]*model.Job
	stopAsked map[string]bool
	posture   *model.Posture
	ctx       context.Context // set by Run; followers live as long as it
	wg        sync.WaitGroup

	history     History // nil until opened, or when there is none
	historyErr  string  // why the history could not be opened ("" when it could)
	historyOnce sync.Once
	historyDone chan struct{} // closed once the open has been tried
}

// eventBuffer bounds the channel: progress events are dropped when it is
// full (a newer one follows), postures and job ends are not.
const eventBuffer = 256

// NewEngine builds an engine; call Run to start it.
func NewEngine(opts EngineOptions) *Engine {
	if opts.Interval <= 0 {
		opts.Interval = 30 * time.Second
	}
	if opts.SourceTimeout <= 0 {
		opts.SourceTimeout = 20 * time.Second
	}
	if opts.KeepFinished <= 0 {
		opts.KeepFinished = 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HistoryOpenWait <= 0 {
		opts.HistoryOpenWait = defaultHistoryOpenWait
	}
	if opts.SampleInterval <= 0 {
		opts.SampleInterval = defaultSampleInterval
	}
	if opts.ForecastWindow <= 0 {
		opts.ForecastWindow = defaultForecastWindow
	}
	e := &Engine{
		opts:       opts,
		backends:   map[model.Source]Observer{},
		events:     make(chan model.Event, eventBuffer),
		refresh:    make(chan struct{}, 1),
		states:     map[model.Source]model.SourceState{},
		refreshing: map[model.Source]bool{},
		again:      map[model.Source]bool{},
		jobs:       map[string]*model.Job{},
		stopAsked:  map[string]bool{},
		ctx:        context.Background(),

		historyDone: make(chan struct{}),
	}
	e.settled = sync.NewCond(&e.mu)
	for _, b := range opts.Backends {
		e.backends[b.Source()] = b
		e.states[b.Source()] = model.SourceState{Source: b.Source(), Pending: true, Insecure: insecure(b)}
	}
	e.posture = e.buildPosture()
	return e
}

// Events is the stream the console reads; there is one reader.
func (e *Engine) Events() <-chan model.Event { return e.events }

// Posture is the latest posture.
func (e *Engine) Posture() *model.Posture {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.posture
}

// Refresh asks for a refresh now without waiting for it.
func (e *Engine) Refresh() {
	select {
	case e.refresh <- struct{}{}:
	default:
	}
}

// Run refreshes every source, picks up the jobs already running on the
// servers, and keeps refreshing until ctx ends. It returns when every
// follower has stopped.
func (e *Engine) Run(ctx context.Context) {
	e.mu.Lock()
	e.ctx = ctx
	e.mu.Unlock()
	e.openHistory(ctx)
	e.refreshAll(ctx, false)
	e.Reattach(ctx)
	t := time.NewTicker(e.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			e.wg.Wait()
			return
		case <-t.C:
			e.refreshAll(ctx, false)
		case <-e.refresh:
			e.refreshAll(ctx, false)
		}
	}
}

// RefreshNow reads every source once and waits for all of them (each within
// its timeout), after the history's open has been tried (within
// HistoryOpenWait): what the headless status command needs, so that a
// history that cannot be opened shows in the posture it returns.
func (e *Engine) RefreshNow(ctx context.Context) *model.Posture {
	e.openHistory(ctx)
	e.refreshAll(ctx, true)
	return e.Posture()
}

// refreshAll starts one refresh per source that is not already refreshing;
// a slow source never holds back the others.
func (e *Engine) refreshAll(ctx context.Context, wait bool) {
	round := newHistoryRound(ctx)
	var wg sync.WaitGroup
	for src, b := range e.backends {
		e.mu.Lock()
		busy := e.refreshing[src]
		e.refreshing[src] = true
		if busy {
			e.again[src] = true
		}
		e.mu.Unlock()
		if busy {
			continue
		}
		wg.Add(1)
		go func(src model.Source, b Observer) {
			defer wg.Done()
			e.refreshOne(ctx, round, src, b)
		}(src, b)
	}
	if wait {
		wg.Wait()
		round.end()
		// A source that was busy (Run's own refresh) counts too: the caller
		// wants every source read once after its call, so wait for the
		// read it queued behind the one under way.
		e.mu.Lock()
		for anyBusy(e.refreshing) {
			e.settled.Wait()
		}
		e.mu.Unlock()
		return
	}
	go func() { wg.Wait(); round.end() }()
}

func (e *Engine) refreshOne(ctx context.Context, round *historyRound, src model.Source, b Observer) {
	rctx, cancel := context.WithTimeout(ctx, e.opts.SourceTimeout)
	state, err := b.Observe(rctx)
	cancel()
	if err == nil {
		e.mu.Lock()
		h := e.history
		e.mu.Unlock()
		if h != nil {
			e.withHistory(round, h, &state)
		}
	}
	now := e.opts.Now()
	e.mu.Lock()
	e.refreshing[src] = false
	if err != nil {
		if errors.Is(rctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("no answer within %s", e.opts.SourceTimeout)
			} else {
				err = fmt.Errorf("%w (no answer within %s)", err, e.opts.SourceTimeout)
			}
		}
		// Keep what was known, rated unknown, so the operator still sees it.
		prev := e.states[src]
		prev.Source, prev.OK, prev.Pending, prev.Err, prev.At, prev.Insecure = src, false, false, err.Error(), now, insecure(b)
		e.states[src] = prev
	} else {
		state.Source, state.OK, state.Pending, state.Err = src, true, false, ""
		if state.At.IsZero() {
			state.At = now
		}
		e.states[src] = state
	}
	e.posture = e.buildPosture()
	if e.nameJobs() {
		e.posture = e.buildPosture()
	}
	p := e.posture
	rerun := e.again[src] && ctx.Err() == nil
	e.again[src] = false
	if rerun {
		e.refreshing[src] = true
	} else {
		e.settled.Broadcast()
	}
	e.mu.Unlock()
	if err != nil {
		e.send(ctx, model.ErrorEvent{Err: model.SourceError{Source: src, Message: err.Error(), At: now}}, true)
	}
	// A history failure is in the posture (as an error of source history).
	e.send(ctx, model.PostureEvent{Posture: p}, true)
	if rerun {
		// A round of its own: the one that ended may have found the
		// history locked, and what the caller waits for may be in it now.
		again := newHistoryRound(ctx)
		e.refreshOne(ctx, again, src, b)
		again.end()
	}
}

// anyBusy reports whether a source is refreshing; e.mu must be held.
func anyBusy(refreshing map[model.Source]bool) bool {
	for _, busy := range refreshing {
		if busy {
			return true
		}
	}
	return false
}

// buildPosture rates the current knowledge; e.mu must be held.
func (e *Engine) buildPosture() *model.Posture {
	in := model.PostureInput{Now: e.opts.Now(), Concerns: e.opts.Concerns, HistoryErr: e.historyErr}
	srcs := make([]model.Source, 0, len(e.states))
	for s := range e.states {
		srcs = append(srcs, s)
	}
	sort.Slice(srcs, func(i, j int) bool { return srcs[i] < srcs[j] })
	for _, s := range srcs {
		in.Sources = append(in.Sources, e.states[s])
	}
	in.Jobs = e.jobList()
	return model.BuildPosture(in)
}

// send publishes an event. Progress may be dropped when the reader lags;
// what must arrive waits for the reader or for ctx.
func (e *Engine) send(ctx context.Context, ev model.Event, must bool) {
	if !must {
		select {
		case e.events <- ev:
		default:
		}
		return
	}
	select {
	case e.events <- ev:
	case <-ctx.Done():
	}
}

// Preflight runs the checks before the next imaging run of the host.
func (e *Engine) Preflight(ctx context.Context) (model.Preflight, error) {
	var prep Preparer
	for _, b := range e.opts.Backends {
		if p, ok := b.(Preparer); ok {
			prep = p
			break
		}
	}
	if prep == nil {
		return model.Preflight{}, errors.New("no [clonezilla] section in the config: nothing to prepare")
	}
	p := e.Posture()
	return prep.Preflight(ctx, p.Drives)
}

// Snapshots lists a guest's snapshots through its backend.
func (e *Engine) Snapshots(ctx context.Context, targetID string) ([]model.Snapshot, error) {
	sl, err := capability[SnapshotLister](e, model.SourceOf(targetID), "has no snapshots")
	if err != nil {
		return nil, err
	}
	return sl.Snapshots(ctx, targetID)
}

// capability is the backend of src as the interface T a call needs (a
// snapshot lister, a pruner …); the error says whether the source is not
// configured or cannot do it ("<source> " + cannot).
func capability[T any](e *Engine, src model.Source, cannot string) (T, error) {
	var none T
	b, ok := e.backends[src]
	if !ok {
		return none, fmt.Errorf("no %s source is configured", src)
	}
	c, ok := b.(T)
	if !ok {
		return none, fmt.Errorf("%s %s", src, cannot)
	}
	return c, nil
}

// insecure tells whether a backend skips TLS verification, so the console
// marks it even while the source cannot be read.
func insecure(b Observer) bool {
	i, ok := b.(interface{ Insecure() bool })
	return ok && i.Insecure()
}
