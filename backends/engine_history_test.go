package backends_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/model"
)

// storeSource reports one backup store whose usage the test sets.
type storeSource struct{ used, total int64 }

func (s *storeSource) Source() model.Source { return model.SourceProxmox }
func (s *storeSource) Observe(context.Context) (model.SourceState, error) {
	return model.SourceState{Stores: []model.Store{{ID: "pve/hddusb_bkpvzdumps", Name: "hddusb_bkpvzdumps",
		Online: true, Backup: true, Used: s.used, Total: s.total}}}, nil
}
func (s *storeSource) Start(context.Context, model.JobRequest) (model.Job, error) {
	return model.Job{}, errors.New("not here")
}
func (s *storeSource) Follow(_ context.Context, j model.Job, _ func(model.Job)) (model.Job, error) {
	return j, nil
}
func (s *storeSource) Stop(context.Context, model.Job) error        { return nil }
func (s *storeSource) Running(context.Context) ([]model.Job, error) { return nil, nil }

func TestUsageIsRecordedAndForecast(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "history.db")
	db, err := history.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const gib = int64(1) << 30
	total := 4000 * gib
	// Twenty days of growth by 10 GiB a day before now.
	for d := 20; d >= 1; d-- {
		used := 2000*gib - int64(d)*10*gib
		if _, err := db.RecordUsage(context.Background(), "pve/hddusb_bkpvzdumps", now.Add(-time.Duration(d)*24*time.Hour), used, total, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	src := &storeSource{used: 2000 * gib, total: total}
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{src}, Now: func() time.Time { return now },
		OpenHistory: func(context.Context) (backends.History, error) { return db, nil },
		Concerns:    []model.ConcernSpec{{ID: model.ConcernBackups}}})
	p := e.RefreshNow(context.Background())
	if len(p.Stores) != 1 {
		t.Fatalf("stores = %+v", p.Stores)
	}
	s := p.Stores[0]
	if s.FullAt == nil || s.Forecast.State != model.ForecastFilling {
		t.Fatalf("forecast = %+v", s.Forecast)
	}
	// 2000 GiB free at 10 GiB a day: full in 200 days.
	if d := s.FullAt.Sub(now); d < 199*24*time.Hour || d > 201*24*time.Hour {
		t.Fatalf("full in %s, want about 200 d", d)
	}
	if len(s.Usage) != 21 {
		t.Fatalf("the chart's series has %d samples, want 21 (20 seeded + this refresh)", len(s.Usage))
	}
	// A second refresh within the interval writes nothing new.
	p = e.RefreshNow(context.Background())
	if n := len(p.Stores[0].Usage); n != 21 {
		t.Fatalf("a refresh within the sample interval wrote a row: %d samples", n)
	}
}

// driveSource reports one drive whose reading the test sets.
type driveSource struct{ drive model.Drive }

func (s *driveSource) Source() model.Source { return model.SourceSMART }
func (s *driveSource) Observe(context.Context) (model.SourceState, error) {
	d := s.drive
	if d.Reading != nil {
		d.Health, d.Reasons = model.SMARTVerdict(d.Reading, nil)
	}
	return model.SourceState{Drives: []model.Drive{d}}, nil
}

func ataReading(at time.Time, reallocated int64) *model.SMARTReading {
	passed := true
	return &model.SMARTReading{At: at, Serial: "NA8F1234", Protocol: "ATA", Passed: &passed,
		Attributes: []model.SMARTAttribute{{ID: 5, Name: "Reallocated_Sector_Ct", Value: 100, Worst: 100, Thresh: 10, Raw: reallocated, RawString: fmt.Sprint(reallocated)}}}
}

func TestDriveJudgedAgainstItsHistory(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	db, err := history.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.RecordSMART(context.Background(), "NA8F1234", ataReading(now.Add(-7*24*time.Hour), 0), 0); err != nil {
		t.Fatal(err)
	}
	src := &driveSource{drive: model.Drive{ID: "NA8F1234", Serial: "NA8F1234", Present: true, Reading: ataReading(now, 0)}}
	clock := now
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{src}, Now: func() time.Time { return clock },
		OpenHistory: func(context.Context) (backends.History, error) { return db, nil },
		Concerns:    []model.ConcernSpec{{ID: model.ConcernBackups}}})
	if d := e.RefreshNow(context.Background()).Drives[0]; d.Health != model.HealthPassed {
		t.Fatalf("unchanged counts pass: %s %v", d.Health, d.Reasons)
	}
	// Three hours later one sector was reallocated: below the thresholds,
	// but it grew.
	clock = now.Add(3 * time.Hour)
	src.drive.Reading = ataReading(clock, 1)
	d := e.RefreshNow(context.Background()).Drives[0]
	if d.Health != model.HealthWarning || !strings.Contains(strings.Join(d.Reasons, "; "), "grew") {
		t.Fatalf("a growing count warns: %s %v", d.Health, d.Reasons)
	}
	// Then the drive sleeps: it is not woken and shows its last reading.
	clock = now.Add(5 * time.Hour)
	src.drive.Reading, src.drive.Asleep = nil, true
	d = e.RefreshNow(context.Background()).Drives[0]
	if d.Reading == nil || !d.Reading.At.Equal(now.Add(3*time.Hour)) {
		t.Fatalf("asleep: the last reading is shown, got %+v", d.Reading)
	}
	if !d.Asleep || d.Health != model.HealthWarning {
		t.Fatalf("asleep drive: %s %v", d.Health, d.Reasons)
	}
}

// The case seen: one impossible sample (used larger than total) made a store
// "full in 0 s". Such samples are neither recorded nor fitted nor charted.
func TestImpossibleUsageSamplesAreDropped(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "history.db")
	db, err := history.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const gib = int64(1) << 30
	total := 4000 * gib
	for d := 20; d >= 1; d-- {
		if _, err := db.RecordUsage(ctx, "pve/hddusb_bkpvzdumps", now.Add(-time.Duration(d)*24*time.Hour), 2000*gib-int64(d)*10*gib, total, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	// A row an older backdeck kept, before samples were checked.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO usage (store, at, used, total) VALUES (?, ?, ?, ?)`, "pve/hddusb_bkpvzdumps", now.Add(-time.Hour).UnixMilli(), 2*total, total); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	// And the store misreports now.
	src := &storeSource{used: total + 1, total: total}
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{src}, Now: func() time.Time { return now },
		OpenHistory: func(context.Context) (backends.History, error) { return db, nil },
		Concerns:    []model.ConcernSpec{{ID: model.ConcernBackups}}})
	s := e.RefreshNow(ctx).Stores[0]
	if s.Forecast.State != model.ForecastFilling || s.FullAt == nil || s.FullAt.Sub(now) < 100*24*time.Hour {
		t.Fatalf("forecast %+v, want the trend of the possible samples (about 200 d)", s.Forecast)
	}
	for _, u := range s.Usage {
		if !u.Possible() {
			t.Fatalf("the chart has an impossible sample: %+v", u)
		}
	}
	if len(s.Usage) != 20 {
		t.Fatalf("chart has %d samples, want the 20 possible ones", len(s.Usage))
	}
	kept, err := db.Usage(ctx, "pve/hddusb_bkpvzdumps", now.Add(-time.Minute))
	if err != nil || len(kept) != 0 {
		t.Fatalf("the impossible reading of now was kept: %+v, %v", kept, err)
	}
}
