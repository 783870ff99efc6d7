package drill_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/drill"
	"github.com/backdeck/backdeck/backends/history"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

type rig struct {
	lab    *labpve.Server
	pve    *proxmox.Client
	db     *history.DB
	d      *drill.Driller
	guests []int // the lab's guests before the drill
	mu     sync.Mutex
	events []drill.Event
	point  string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	lab, err := labpve.Start(labpve.Options{BackupDuration: 900 * time.Millisecond, TaskDuration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lab.Close() })
	c, err := proxmox.New(proxmox.Options{Config: model.ProxmoxConfig{URL: lab.URL(), TokenID: lab.TokenID(),
		TLSConfig: model.TLSConfig{Fingerprint: lab.Fingerprint()}}, Secret: lab.TokenSecret(), PollInterval: 40 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	db, err := history.Open(context.Background(), filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &rig{lab: lab, pve: c, db: db, guests: lab.GuestIDs()}
	r.d, err = drill.New(drill.Options{PVE: c, Log: db, AgentPoll: 50 * time.Millisecond, AgentTimeout: 5 * time.Second,
		Report: func(e drill.Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range st.Targets {
		if tg.ID == "pve/qemu/421" {
			r.point = tg.RestorePoints[0].ID
		}
	}
	return r
}

// nothingLeft checks that the lab has exactly the guests it had.
func (r *rig) nothingLeft(t *testing.T) {
	t.Helper()
	if got := r.lab.GuestIDs(); !slices.Equal(got, r.guests) {
		t.Errorf("guests %v after the drill, were %v", got, r.guests)
	}
}

func (r *rig) saw(step, state string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Step == step && e.State == state {
			return true
		}
	}
	return false
}

func (r *rig) recorded(t *testing.T) []model.Drill {
	t.Helper()
	got, err := r.db.Drills(context.Background(), []string{"pve/qemu/421"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return got["pve/qemu/421"]
}

func TestDrillPassesAndLeavesNothing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	res, err := r.d.Run(context.Background(), drill.Request{Target: "pve/qemu/421", Point: r.point, Storage: "local-lvm"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || !res.Cleaned || res.Scratch != 102 || !strings.Contains(res.Note, "config matches the archive; not booted") {
		t.Fatalf("result %+v", res)
	}
	for _, s := range []string{"restore", "network", "config", "cleanup"} {
		if !r.saw(s, "ok") {
			t.Errorf("no %s ok in %+v", s, r.events)
		}
	}
	if r.saw("boot", "") {
		t.Error("booted without Boot")
	}
	r.nothingLeft(t)
	if ds := r.recorded(t); len(ds) != 1 || !ds[0].OK || ds[0].Point != r.point {
		t.Errorf("history %+v", ds)
	}
	if open, _ := r.db.OpenDrills(context.Background()); len(open) != 0 {
		t.Errorf("open drills %+v", open)
	}
}

func TestDrillBootsAndWaitsForTheAgent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	res, err := r.d.Run(context.Background(), drill.Request{Target: "pve/qemu/421", Point: r.point, Boot: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || !strings.Contains(res.Note, "booted, guest agent answered") || !r.saw("boot", "ok") {
		t.Fatalf("result %+v events %+v", res, r.events)
	}
	r.nothingLeft(t)
}

// A drill that fails mid-way, at the restore or at the config check,
// leaves nothing behind and is recorded as failed at that step.
func TestDrillFailsMidWayAndLeavesNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		set  func(*labpve.Server)
		step string
		note string
	}{
		{"restore", func(l *labpve.Server) { l.SetNextRestore(labpve.OutcomeFail) }, "restore", "failed: exit code 133"},
		{"config", (*labpve.Server).FailNextExtractConfig, "config", "reading the config stored in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			tc.set(r.lab)
			res, err := r.d.Run(context.Background(), drill.Request{Target: "pve/qemu/421", Point: r.point, Boot: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.Step != tc.step || !res.Cleaned || !strings.Contains(res.Note, tc.note) {
				t.Fatalf("result %+v", res)
			}
			if r.saw("boot", "") {
				t.Error("booted after a failed step")
			}
			r.nothingLeft(t)
			if ds := r.recorded(t); len(ds) != 1 || ds[0].OK || ds[0].Step != tc.step {
				t.Errorf("history %+v", ds)
			}
		})
	}
}

// Quitting mid-restore stops the task, waits for its lock and destroys
// the guest it left.
func TestDrillCutShortCleansUp(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	r.d, _ = drill.New(drill.Options{PVE: r.pve, Log: r.db, AgentPoll: 50 * time.Millisecond, Report: func(e drill.Event) {
		if e.Step == "restore" && e.State == "" {
			time.AfterFunc(300*time.Millisecond, cancel)
		}
	}})
	res, err := r.d.Run(ctx, drill.Request{Target: "pve/qemu/421", Point: r.point})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || res.Step != "restore" || !res.Cleaned {
		t.Fatalf("result %+v", res)
	}
	r.nothingLeft(t)
}

// A drill that died (no end recorded) is found at the next start and its
// scratch guest destroyed; a guest that is not ours keeps its VMID.
func TestCleanupOfLeftovers(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	old := time.Now().Add(-2 * time.Hour)
	// A drill killed after its restore: its guest exists, named as ours.
	if err := r.db.BeginDrill(ctx, history.DrillRecord{ID: "dead", Target: "pve/qemu/421", Point: r.point, Started: old}); err != nil {
		t.Fatal(err)
	}
	if err := r.db.DrillScratch(ctx, "dead", "pve", 150); err != nil {
		t.Fatal(err)
	}
	job, err := r.pve.Start(ctx, model.JobRequest{Method: model.MethodRestore, Point: r.point, VMID: 150, GuestName: drill.Tag + "-150"})
	if err != nil {
		t.Fatal(err)
	}
	if job, _ = r.pve.Follow(ctx, job, nil); !job.State.Succeeded() {
		t.Fatalf("restore %+v", job)
	}
	r.lab.SetGuestRunning(150, true)
	// One whose VMID was taken since by a guest of someone else.
	if err := r.db.BeginDrill(ctx, history.DrillRecord{ID: "reused", Target: "pve/qemu/411", Point: r.point, Started: old}); err != nil {
		t.Fatal(err)
	}
	if err := r.db.DrillScratch(ctx, "reused", "pve", 411); err != nil {
		t.Fatal(err)
	}
	// One that may still be running elsewhere.
	if err := r.db.BeginDrill(ctx, history.DrillRecord{ID: "young", Target: "pve/qemu/422", Point: r.point, Started: time.Now()}); err != nil {
		t.Fatal(err)
	}

	left, err := r.d.Cleanup(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 3 || !left[0].Cleaned || !strings.Contains(left[0].Note, "VM 150 destroyed") ||
		!left[1].Cleaned || !strings.Contains(left[1].Note, "not a drill's scratch guest: left alone") ||
		left[2].Cleaned || !strings.Contains(left[2].Note, "may still run elsewhere") {
		t.Fatalf("leftovers %+v", left)
	}
	if _, ok, _ := r.pve.Guest(ctx, 150); ok {
		t.Error("the leftover is still there")
	}
	if _, ok, _ := r.pve.Guest(ctx, 411); !ok {
		t.Error("destroyed a guest that was not a drill's")
	}
	open, _ := r.db.OpenDrills(ctx)
	if len(open) != 1 || open[0].ID != "young" {
		t.Errorf("open drills %+v", open)
	}
	if ds := r.recorded(t); len(ds) != 1 || ds[0].Step != "interrupted" || ds[0].OK {
		t.Errorf("the dead drill's record %+v", ds)
	}
}
