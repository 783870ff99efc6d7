package history

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func ataReading(at time.Time, realloc int64) *model.SMARTReading {
	passed, temp, hours := true, 34, 12034
	return &model.SMARTReading{
		At: at, Device: "/dev/sdb", Model: "Seagate Expansion 4TB", Serial: "NA8F1234",
		Protocol: "ATA", Transport: "usb", Passed: &passed, TemperatureC: &temp, PowerOnHours: &hours,
		Attributes: []model.SMARTAttribute{
			{ID: 5, Name: "Reallocated_Sector_Ct", Value: 100, Worst: 100, Thresh: 10, Raw: realloc, RawString: "8"},
			{ID: 194, Name: "Temperature_Celsius", Value: 34, Worst: 46, Raw: 34, RawString: "34 (Min/Max 20/46)"},
			{ID: 197, Name: "Current_Pending_Sector", Value: 100, Worst: 100, Raw: 1, RawString: "1", WhenFailed: "past"},
		},
		Messages: []string{"=== START OF INFORMATION SECTION ==="}, ExitStatus: 64,
	}
}

func TestSMARTRoundTrip(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	first, second := ataReading(t0, 0), ataReading(t0.Add(24*time.Hour), 8)
	nvme := &model.SMARTReading{At: t0, Serial: "S4EWNX0R", Protocol: "NVMe",
		NVMe: &model.NVMeHealth{AvailableSpare: 100, AvailableSpareThreshold: 10, PercentageUsed: 3, MediaErrors: 2}}
	for _, r := range []*model.SMARTReading{second, first} {
		if ok, err := d.RecordSMART(ctx, "NA8F1234", r, 0); err != nil || !ok {
			t.Fatalf("RecordSMART = %v, %v", ok, err)
		}
	}
	if _, err := d.RecordSMART(ctx, "S4EWNX0R", nvme, 0); err != nil {
		t.Fatal(err)
	}

	// The whole reading comes back.
	last, err := d.LastSMART(ctx, "NA8F1234", second.At.Add(time.Minute))
	if err != nil || !reflect.DeepEqual(last, second) {
		t.Fatalf("LastSMART = %+v, %v; want %+v", last, err, second)
	}
	// Strictly before: the reading taken at `before` is not "last".
	if last, err := d.LastSMART(ctx, "NA8F1234", second.At); err != nil || last == nil || last.Attributes[0].Raw != 0 {
		t.Errorf("LastSMART before the second = %+v, %v; want the first", last, err)
	}
	if last, err := d.LastSMART(ctx, "NA8F1234", t0); err != nil || last != nil {
		t.Errorf("LastSMART before any = %+v, %v; want nil", last, err)
	}
	hist, err := d.SMARTHistory(ctx, "NA8F1234", time.Time{})
	if err != nil || len(hist) != 2 || !hist[0].At.Equal(t0) || !hist[1].At.Equal(second.At) {
		t.Fatalf("SMARTHistory = %d readings, %v", len(hist), err)
	}
	if hist, _ := d.SMARTHistory(ctx, "NA8F1234", t0.Add(time.Hour)); len(hist) != 1 {
		t.Errorf("SMARTHistory since = %d readings, want 1", len(hist))
	}

	// Key columns, for queries that need no JSON.
	type keys struct {
		passed, temp, a5, a187, a197, a198, media sql.NullInt64
	}
	read := func(serial string) keys {
		var k keys
		err := d.db.QueryRow(`SELECT passed, temperature, attr5, attr187, attr197, attr198, media_errors
			FROM smart WHERE serial = ? ORDER BY at DESC LIMIT 1`, serial).
			Scan(&k.passed, &k.temp, &k.a5, &k.a187, &k.a197, &k.a198, &k.media)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	n := sql.NullInt64{}
	v := func(x int64) sql.NullInt64 { return sql.NullInt64{Int64: x, Valid: true} }
	if got, want := read("NA8F1234"), (keys{v(1), v(34), v(8), n, v(1), n, n}); got != want {
		t.Errorf("ATA columns %+v, want %+v", got, want)
	}
	if got, want := read("S4EWNX0R"), (keys{n, n, n, n, n, n, v(2)}); got != want {
		t.Errorf("NVMe columns %+v, want %+v", got, want)
	}

	if _, err := d.RecordSMART(ctx, "x", nil, 0); err == nil {
		t.Error("a nil reading was recorded")
	}
	if _, err := d.RecordSMART(ctx, "x", &model.SMARTReading{}, 0); err == nil {
		t.Error("a reading without a time was recorded")
	}
}

func TestRecordSMARTMinInterval(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	steps := []struct {
		at      time.Duration
		serial  string
		written bool
	}{
		{0, "A", true},
		{10 * time.Minute, "A", false},
		{10 * time.Minute, "B", true},
		{6 * time.Hour, "A", true},
		{11 * time.Hour, "A", false},
	}
	for i, s := range steps {
		ok, err := d.RecordSMART(ctx, s.serial, ataReading(t0.Add(s.at), int64(i)), 6*time.Hour)
		if err != nil || ok != s.written {
			t.Errorf("step %d: written %v, %v; want %v", i, ok, err, s.written)
		}
	}
}
