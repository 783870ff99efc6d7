package backends_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/model"
)

var failNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// diskSource is the Clonezilla source with one host disk whose two images
// the test sets, and a store of its own.
type diskSource struct {
	images []model.RestorePoint
}

func (s *diskSource) Source() model.Source { return model.SourceClonezilla }
func (s *diskSource) Observe(context.Context) (model.SourceState, error) {
	return model.SourceState{
		Targets: []model.Target{{ID: "clonezilla/pve-ssd", Name: "pve-ssd", Kind: model.KindDisk, Source: model.SourceClonezilla,
			Methods: []model.Method{model.MethodVerify}, RestorePoints: append([]model.RestorePoint(nil), s.images...)}},
		Stores: []model.Store{{ID: "clonezilla/usb-images", Name: "usb-images", Online: true, Backup: true, Used: 400, Total: 1000}},
	}, nil
}

func twoImages() *diskSource {
	return &diskSource{images: []model.RestorePoint{
		{ID: "/cz/new", Time: failNow.Add(-2 * 24 * time.Hour), Stamp: "s-new"},
		{ID: "/cz/old", Time: failNow.Add(-10 * 24 * time.Hour), Stamp: "s-old"},
	}}
}

var hostConcern = []model.ConcernSpec{
	{ID: model.ConcernHost, MaxAge: 35 * 24 * time.Hour, Targets: []string{"clonezilla/pve-ssd"}},
	{ID: model.ConcernBackups},
}

func historyErrors(p *model.Posture) []model.SourceError {
	var out []model.SourceError
	for _, e := range p.Errors {
		if e.Source == model.SourceHistory {
			out = append(out, e)
		}
	}
	return out
}

// assertHistoryFailure checks what a history failure must give: one error of
// source history in the posture (so in the text report, the JSON and the
// console), saying want, and a disk that can be verified rated unknown,
// never ok, with a reason that names the history.
func assertHistoryFailure(t *testing.T, p *model.Posture, want string) {
	t.Helper()
	errs := historyErrors(p)
	if len(errs) != 1 || !strings.Contains(errs[0].Message, want) {
		t.Fatalf("history errors %+v, want one saying %q", errs, want)
	}
	ts, _ := p.Target("clonezilla/pve-ssd")
	if ts.Status != model.StatusUnknown || !strings.Contains(ts.Reason, "history cannot be read") || !strings.Contains(ts.Reason, want) {
		t.Errorf("disk %s (%s), want unknown saying the history cannot be read: %s", ts.Status, ts.Reason, want)
	}
	if p.Overall == model.StatusOK {
		t.Error("overall ok with the history failing")
	}
}

// The case seen: with the history database damaged, status said nothing
// (text), `--json` had `errors: []`, and a damaged image counted as ok.
func TestHistoryThatCannotOpenIsAnError(t *testing.T) {
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{twoImages()}, Now: func() time.Time { return failNow },
		OpenHistory: func(context.Context) (backends.History, error) {
			return nil, errors.New("history database /x/history.db is damaged: move it away and backdeck starts a new one")
		},
		Concerns: hostConcern})
	p := e.RefreshNow(context.Background())
	assertHistoryFailure(t, p, "move it away")
	if !strings.Contains(historyErrors(p)[0].Message, "running without history") {
		t.Errorf("error %q does not say the console runs on", historyErrors(p)[0].Message)
	}
	// The store's own reading does not depend on the history.
	if st := p.Concerns[1].Targets[0]; st.Status != model.StatusOK {
		t.Errorf("store row %s (%s)", st.Status, st.Reason)
	}
}

// failingHistory fails the calls the test names, as a locked or damaged
// file would.
type failingHistory struct {
	backends.History
	failChecks, failUsage bool
}

var errHistoryRead = errors.New("history database /x/history.db is damaged (database disk image is malformed): move it away and backdeck starts a new one")

func (f *failingHistory) Checks(ctx context.Context, points []string) (map[string][]model.Verification, error) {
	if f.failChecks {
		return nil, errHistoryRead
	}
	return f.History.Checks(ctx, points)
}

func (f *failingHistory) RecordUsage(ctx context.Context, id string, at time.Time, used, total int64, min time.Duration) (bool, error) {
	if f.failUsage {
		return false, errHistoryRead
	}
	return f.History.RecordUsage(ctx, id, at, used, total, min)
}

func TestHistoryFailingDuringARefreshIsAnError(t *testing.T) {
	ctx := context.Background()
	db, err := history.Open(ctx, filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The newest image was found damaged.
	if err := db.RecordVerification(ctx, "/cz/new", model.Verification{At: failNow.Add(-time.Hour), Level: 3, Problems: []string{"sda1: CRC mismatch"}, Stamp: "s-new"}); err != nil {
		t.Fatal(err)
	}
	fh := &failingHistory{History: db, failChecks: true}
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{twoImages()}, Now: func() time.Time { return failNow },
		OpenHistory: func(context.Context) (backends.History, error) { return fh, nil }, Concerns: hostConcern})
	assertHistoryFailure(t, e.RefreshNow(ctx), "move it away")

	// Only a write fails: the error is reported, and the disk is rated on
	// the verifications that were read (its newest image is damaged).
	fh.failChecks, fh.failUsage = false, true
	p := e.RefreshNow(ctx)
	if errs := historyErrors(p); len(errs) != 1 {
		t.Fatalf("history errors %+v", errs)
	}
	ts, _ := p.Target("clonezilla/pve-ssd")
	if ts.Status != model.StatusWarning || !strings.Contains(ts.Reason, "newest image (2 d old) is damaged") {
		t.Errorf("disk %s (%s)", ts.Status, ts.Reason)
	}

	// Once the history answers again the error goes.
	fh.failUsage = false
	if p := e.RefreshNow(ctx); len(historyErrors(p)) != 0 {
		t.Fatalf("history errors after it recovered: %+v", p.Errors)
	}
}

// A damaged file, through history.Open as main.go opens it.
func TestDamagedHistoryFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{twoImages()}, Now: func() time.Time { return failNow },
		OpenHistory: func(ctx context.Context) (backends.History, error) { return history.Open(ctx, path) }, Concerns: hostConcern})
	assertHistoryFailure(t, e.RefreshNow(context.Background()), "is damaged")
}

// lockBound is how long a refresh may take against a locked history: the
// database's 2 s busy timeout and slack for a slow (race-instrumented) run.
// It guards against the hang seen (12 s, one busy timeout per statement),
// it is not a timing test.
const lockBound = 5 * time.Second

// holdExclusive holds BEGIN EXCLUSIVE on path from another connection, as
// another program would, until release. fresh makes it a rollback-journal
// file with a pending write, which shuts out readers and Open too.
func holdExclusive(t *testing.T, path string, fresh bool) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"BEGIN EXCLUSIVE"}
	if fresh {
		stmts = []string{"CREATE TABLE other (x)", "BEGIN EXCLUSIVE", "INSERT INTO other VALUES (1)"}
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			other.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// manyStores reports several stores and drives, as a real homelab does:
// each was one write, and each write waited out the busy timeout.
type manyStores struct{}

func (manyStores) Source() model.Source { return model.SourceProxmox }
func (manyStores) Observe(context.Context) (model.SourceState, error) {
	var st model.SourceState
	for _, id := range []string{"pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata", "pve/local", "pve/local-lvm"} {
		st.Stores = append(st.Stores, model.Store{ID: id, Name: id, Online: true, Backup: true, Used: 100, Total: 1000})
	}
	return st, nil
}

func TestLockedHistory(t *testing.T) {
	ctx := context.Background()
	t.Run("writes locked", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "history.db")
		db, err := history.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.RecordVerification(ctx, "/cz/new", model.Verification{At: failNow.Add(-time.Hour), Level: 3, Problems: []string{"sda1: CRC mismatch"}, Stamp: "s-new"}); err != nil {
			t.Fatal(err)
		}
		holdExclusive(t, path, false)
		e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{twoImages(), manyStores{}}, Now: func() time.Time { return failNow },
			OpenHistory: func(context.Context) (backends.History, error) { return db, nil }, Concerns: hostConcern})
		start := time.Now()
		p := e.RefreshNow(ctx)
		took := time.Since(start)
		t.Logf("refresh against a locked history: %v", took.Round(10*time.Millisecond))
		if took > lockBound {
			t.Errorf("a locked history held the refresh for %v", took)
		}
		errs := historyErrors(p)
		if len(errs) != 1 || !strings.Contains(errs[0].Message, "locked") {
			t.Fatalf("history errors %+v, want one saying locked", errs)
		}
		// Another program's write lock leaves reads working: the
		// verifications were read, and the damaged newest image shows.
		if ts, _ := p.Target("clonezilla/pve-ssd"); ts.Status != model.StatusWarning || !strings.Contains(ts.Reason, "newest image (2 d old) is damaged") {
			t.Errorf("disk %s (%s), want its damaged newest image read despite the lock", ts.Status, ts.Reason)
		}
	})
	t.Run("open locked", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "history.db")
		holdExclusive(t, path, true)
		e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{twoImages(), manyStores{}}, Now: func() time.Time { return failNow },
			OpenHistory: func(ctx context.Context) (backends.History, error) { return history.Open(ctx, path) }, Concerns: hostConcern})
		start := time.Now()
		p := e.RefreshNow(ctx)
		took := time.Since(start)
		t.Logf("open of a locked history: %v", took.Round(10*time.Millisecond))
		if took > lockBound {
			t.Errorf("a locked history held the refresh for %v", took)
		}
		assertHistoryFailure(t, p, "locked")
	})
}

// A history that takes long to open holds a refresh up a bounded time only:
// status then says so, and the history is used once it is open. It is
// opened once, however many refreshes ask.
func TestSlowHistoryOpen(t *testing.T) {
	ctx := context.Background()
	db, err := history.Open(ctx, filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	release := make(chan struct{})
	var mu sync.Mutex
	opens := 0
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{twoImages()}, Now: func() time.Time { return failNow },
		HistoryOpenWait: 50 * time.Millisecond,
		OpenHistory: func(context.Context) (backends.History, error) {
			mu.Lock()
			opens++
			mu.Unlock()
			<-release
			return db, nil
		},
		Concerns: hostConcern})
	assertHistoryFailure(t, e.RefreshNow(ctx), "did not open within 50ms")
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for len(historyErrors(e.RefreshNow(ctx))) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the history never came into use once open")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ts, _ := e.Posture().Target("clonezilla/pve-ssd"); ts.Status != model.StatusOK {
		t.Errorf("disk %s (%s) with the history open", ts.Status, ts.Reason)
	}
	mu.Lock()
	defer mu.Unlock()
	if opens != 1 {
		t.Errorf("the history was opened %d times", opens)
	}
}
