package backends

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// imageFake is a Clonezilla source whose prune preview records the disks
// it was given.
type imageFake struct {
	*fakeBackend
	got []model.Target
}

func (f *imageFake) PlanImagePrune(disks []model.Target, targetID string) (model.PrunePlan, error) {
	f.got = disks
	return model.PrunePlan{Target: targetID}, nil
}

// The images' preview is planned with the images as the engine knows them
// (their verifications from the history); with the verifications unknown,
// nothing may be pruned. PVE guests go to a Pruner, and a source that has
// none says so.
func TestPrunePlansRouteBySource(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	verified := &model.Verification{OK: true, Level: 3}
	cz := &imageFake{fakeBackend: newFake(model.SourceClonezilla)}
	cz.state = model.SourceState{Targets: []model.Target{{ID: "clonezilla/pve-ssd", Name: "pve-ssd",
		RestorePoints: []model.RestorePoint{{ID: "/cz/a", Time: now, Verified: verified}}}}}
	pve := newFake(model.SourceProxmox)
	pve.state = vmState(now)
	e := NewEngine(EngineOptions{Backends: []Observer{cz, pve}, Now: func() time.Time { return now }})
	e.RefreshNow(context.Background())
	plans, err := e.PrunePlans(context.Background(), "clonezilla/pve-ssd", nil)
	if err != nil || len(plans) != 1 || len(cz.got) != 1 || cz.got[0].RestorePoints[0].Verified != verified {
		t.Fatalf("plans %+v %v, disks %+v", plans, err, cz.got)
	}
	e.mu.Lock()
	st := e.states[model.SourceClonezilla]
	st.VerificationsUnknown, st.HistoryErr = true, "database is locked"
	e.states[model.SourceClonezilla] = st
	e.mu.Unlock()
	if _, err := e.PrunePlans(context.Background(), "clonezilla/pve-ssd", nil); err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("with the verifications unknown: %v", err)
	}
	if _, err := e.PrunePlans(context.Background(), "pve/qemu/421", nil); err == nil || !strings.Contains(err.Error(), "no retention to preview") {
		t.Errorf("a source without a Pruner: %v", err)
	}
	if err := e.SetProtected(context.Background(), "urbackup/x", "v", true); err == nil || !strings.Contains(err.Error(), "no urbackup source") {
		t.Errorf("no source: %v", err)
	}
}
