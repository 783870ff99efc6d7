package pve

import (
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

func TestUsageHistoryEndsNowAndForecasts(t *testing.T) {
	p, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	recs := p.UsageHistory(120)
	series := map[string][]model.UsageSample{}
	for _, r := range recs {
		if r.Used < 0 || r.Used > r.Total {
			t.Fatalf("impossible sample %+v", r)
		}
		series[r.StoreID] = append(series[r.StoreID], model.UsageSample{At: r.At, Used: r.Used, Total: r.Total})
	}
	usb := series["pve/hddusb_bkpvzdumps"]
	if len(usb) != 481 {
		t.Fatalf("samples = %d, want 120 days × 4 + 1", len(usb))
	}
	now := usb[len(usb)-1].At
	f := model.ForecastFull(usb, now.Add(time.Minute), 30*24*time.Hour)
	if f.State != model.ForecastFilling {
		t.Fatalf("the backup drive should be filling: %+v", f)
	}
	if local := model.ForecastFull(series["pve/local"], now.Add(time.Minute), 30*24*time.Hour); local.State == model.ForecastFilling {
		t.Fatalf("the system storage is flat, got %+v", local)
	}
}
