package history

import (
	"context"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func TestUsageRoundTrip(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	base := time.Date(2026, 11, 25, 14, 30, 0, 123_456_789, time.UTC)
	want := []model.UsageSample{
		{At: base, Used: 1 << 40, Total: 4 << 40},
		{At: base.Add(time.Hour), Used: 1<<40 + 5<<30, Total: 4 << 40},
		{At: base.Add(2 * time.Hour), Used: 1<<40 + 9<<30, Total: 4 << 40},
	}
	// Written out of order: Usage sorts by time.
	for _, i := range []int{2, 0, 1} {
		s := want[i]
		if ok, err := d.RecordUsage(ctx, "pve/hddusb_bkpvzdumps", s.At, s.Used, s.Total, 0); err != nil || !ok {
			t.Fatalf("RecordUsage = %v, %v", ok, err)
		}
	}
	if _, err := d.RecordUsage(ctx, "pve/local", base, 7, 8, 0); err != nil {
		t.Fatal(err)
	}
	got, err := d.Usage(ctx, "pve/hddusb_bkpvzdumps", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d samples, want %d", len(got), len(want))
	}
	for i := range want {
		// Stored as milliseconds: the nanoseconds below go.
		if w := want[i].At.Truncate(time.Millisecond); !got[i].At.Equal(w) || got[i].Used != want[i].Used || got[i].Total != want[i].Total {
			t.Errorf("sample %d: %+v, want %+v at %v", i, got[i], want[i], w)
		}
	}
	since, err := d.Usage(ctx, "pve/hddusb_bkpvzdumps", base.Add(time.Hour).Truncate(time.Millisecond))
	if err != nil || len(since) != 2 || since[0].Used != want[1].Used {
		t.Errorf("since the second sample: %+v, %v", since, err)
	}
	if none, err := d.Usage(ctx, "no/such", time.Time{}); err != nil || len(none) != 0 {
		t.Errorf("unknown store: %+v, %v", none, err)
	}
}

func TestRecordUsageMinInterval(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		at      time.Duration
		store   string
		written bool
	}{
		{0, "a", true},
		{30 * time.Second, "a", false},           // too soon
		{30 * time.Second, "b", true},            // per store
		{time.Hour, "a", true},                   // a full interval later
		{time.Hour + 59*time.Minute, "a", false}, // 59 min after the last
		{-30 * time.Minute, "a", false},          // clock set back, still within the interval of a row
		{-2 * time.Hour, "a", true},              // far enough back
		{-2*time.Hour + time.Minute, "a", false}, // …and once only
	}
	for i, s := range steps {
		ok, err := d.RecordUsage(ctx, s.store, t0.Add(s.at), int64(i), 100, time.Hour)
		if err != nil || ok != s.written {
			t.Errorf("step %d (%v, %s): written %v, %v; want %v", i, s.at, s.store, ok, err, s.written)
		}
	}
	got, _ := d.Usage(ctx, "a", time.Time{})
	if len(got) != 3 {
		t.Errorf("store a has %d rows, want 3", len(got))
	}
	// No interval: every call writes.
	for range 3 {
		if ok, err := d.RecordUsage(ctx, "c", t0, 1, 2, 0); err != nil || !ok {
			t.Errorf("min interval 0: written %v, %v", ok, err)
		}
	}
}

func BenchmarkRecordUsage(b *testing.B) {
	ctx := context.Background()
	d, _ := openTemp(b)
	base := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := d.RecordUsage(ctx, "pve/hddusb_bkpvzdumps", base.Add(time.Duration(i)*time.Minute), int64(i), 1<<42, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

// A sample that cannot be true is not kept: one made a store "full now".
func TestRecordUsageDropsImpossibleSamples(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for i, s := range []struct{ used, total int64 }{{11, 10}, {-1, 10}, {5, -10}, {1, 0}} {
		ok, err := d.RecordUsage(ctx, "s", t0.Add(time.Duration(i)*time.Hour), s.used, s.total, 0)
		if err != nil || ok {
			t.Errorf("used %d of %d: written %v, %v; want dropped", s.used, s.total, ok, err)
		}
	}
	if ok, err := d.RecordUsage(ctx, "s", t0, 10, 10, 0); err != nil || !ok {
		t.Errorf("a full store's sample: written %v, %v", ok, err)
	}
	got, err := d.Usage(ctx, "s", time.Time{})
	if err != nil || len(got) != 1 {
		t.Fatalf("kept %+v (%v), want the one possible sample", got, err)
	}
}

// SeedUsage writes a past in one go, in time order when read, and leaves
// out what cannot be true, as RecordUsage does.
func TestSeedUsage(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	base := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	var past []UsageRecord
	for i := 119; i >= 0; i-- {
		past = append(past, UsageRecord{StoreID: "pve/hddusb_bkpvzdumps", At: base.Add(time.Duration(i) * 24 * time.Hour), Used: int64(i+1) << 30, Total: 1 << 40})
	}
	past = append(past, UsageRecord{StoreID: "pve/hddusb_bkpvzdumps", At: base.Add(-time.Hour), Used: 2 << 40, Total: 1 << 40}) // used > total
	if err := d.SeedUsage(ctx, past); err != nil {
		t.Fatal(err)
	}
	got, err := d.Usage(ctx, "pve/hddusb_bkpvzdumps", time.Time{})
	if err != nil || len(got) != 120 {
		t.Fatalf("got %d samples (%v), want 120", len(got), err)
	}
	if !got[0].At.Equal(base) || got[0].Used != 1<<30 || got[119].Used != 120<<30 {
		t.Errorf("first %+v, last %+v", got[0], got[119])
	}
}
