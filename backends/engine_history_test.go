package backends_test

import (
	"context"
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

func TestBrokenHistoryIsReportedNotFatal(t *testing.T) {
	src := &storeSource{used: 1, total: 10}
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{src},
		OpenHistory: func(context.Context) (backends.History, error) {
			return nil, errors.New("history database /x/history.db is damaged: move it away and backdeck starts a new one")
		},
		Concerns: []model.ConcernSpec{{ID: model.ConcernBackups}}})
	p := e.RefreshNow(context.Background())
	if p.Concerns[0].Status != model.StatusOK {
		t.Fatalf("the console runs on without history: %+v", p.Concerns[0])
	}
	select {
	case ev := <-e.Events():
		ee, ok := ev.(model.ErrorEvent)
		if !ok || ee.Err.Source != "history" || !strings.Contains(ee.Err.Message, "running without history") {
			t.Fatalf("first event = %#v", ev)
		}
	default:
		t.Fatal("the broken history was not reported")
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
