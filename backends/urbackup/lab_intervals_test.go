package urbackup_test

import (
	"context"
	"strings"
	"testing"
	"time"

	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/backends/urbackup"
	"github.com/backdeck/backdeck/model"
)

// Each client's intervals and retention as the lab's server reports them
// (a=settings&sa=clientsettings), k3sagent02 with its own setting.
func TestLabClientIntervals(t *testing.T) {
	u := startLab(t, laburbackup.Options{})
	c := labClient(t, u, func(o *urbackup.Options) { o.Config.Store = "pve/hddusb_bkpdata" })
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byClient := map[string][]model.BackupInterval{}
	for _, iv := range st.Intervals {
		byClient[iv.Name] = append(byClient[iv.Name], iv)
	}
	a1 := byClient["k3sagent01"]
	if len(a1) != 2 || a1[0].Method != model.MethodIncrFile || a1[0].Every != 24*time.Hour || a1[1].Every != 30*24*time.Hour ||
		a1[0].Store != "pve/hddusb_bkpdata" || a1[0].Last.IsZero() {
		t.Errorf("k3sagent01 %+v (images are off on the seed server)", a1)
	}
	a2 := byClient["k3sagent02"]
	if len(a2) == 0 || a2[0].Every != 12*time.Hour || a2[0].Window != "1-7/18-23" {
		t.Errorf("k3sagent02's own setting: %+v", a2)
	}
	for _, tg := range st.Targets {
		if tg.Name != "k3sagent01" {
			continue
		}
		facts := ""
		for _, f := range tg.Facts {
			facts += f.Label + ": " + f.Value + "\n"
		}
		for _, want := range []string{"schedule: incremental file every 24 h, full file every 30 d", "retention: keeps incremental file 40–100, full file 2–10 (min–max)"} {
			if !strings.Contains(facts, want) {
				t.Errorf("k3sagent01's facts lack %q:\n%s", want, facts)
			}
		}
	}
}

// A web user without the settings right: the refresh goes on without the
// schedule, and the settings are not asked again on the next refresh.
func TestLabClientIntervalsWithoutTheRight(t *testing.T) {
	u := startLab(t, laburbackup.Options{Rights: map[string]string{"settings": "none"}})
	c := labClient(t, u)
	asked := 0
	for i := 0; i < 2; i++ {
		st, err := c.Observe(context.Background())
		if err != nil || !st.OK {
			t.Fatalf("refresh %d: %v", i, err)
		}
		if len(st.Intervals) != 0 || len(st.Targets) == 0 {
			t.Errorf("refresh %d: %d intervals, %d targets", i, len(st.Intervals), len(st.Targets))
		}
		if i == 0 {
			asked = u.RequestsByAction()["settings"]
		}
	}
	if n := u.RequestsByAction()["settings"]; n != asked || asked == 0 {
		t.Errorf("settings asked %d times by the first refresh, %d by both", asked, n)
	}
}
