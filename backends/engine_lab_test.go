package backends_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// A job started by one console goes on when that console quits, and the
// next console picks the running vzdump up from PVE and follows it to its end.
func TestJobSurvivesConsoleRestart(t *testing.T) {
	p, err := labpve.Start(labpve.Options{BackupDuration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	newEngine := func() *backends.Engine {
		c, err := proxmox.New(proxmox.Options{
			Config:       model.ProxmoxConfig{URL: p.URL(), TokenID: p.TokenID(), TLSConfig: model.TLSConfig{Fingerprint: p.Fingerprint()}},
			Secret:       p.TokenSecret(),
			PollInterval: 100 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		return backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{c}, Interval: time.Hour,
			Concerns: []model.ConcernSpec{{ID: model.ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/*"}}}})
	}

	first := newEngine()
	ctx1, quit := context.WithCancel(context.Background())
	done1 := make(chan struct{})
	go func() { first.Run(ctx1); close(done1) }()
	job, err := first.Start(ctx1, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodVzdump})
	if err != nil {
		t.Fatal(err)
	}
	quit() // the console quits while the vzdump runs on PVE
	<-done1

	second := newEngine()
	ctx2, stop := context.WithCancel(context.Background())
	defer stop()
	done2 := make(chan struct{})
	go func() { second.Run(ctx2); close(done2) }()
	defer func() { stop(); <-done2 }()

	deadline := time.After(20 * time.Second)
	var picked bool
	for {
		select {
		case ev := <-second.Events():
			je, ok := ev.(model.JobEvent)
			if !ok || je.Job.ID != job.ID {
				continue
			}
			picked = true
			if je.Job.Target != "pve/qemu/421" {
				t.Fatalf("picked-up job target = %q", je.Job.Target)
			}
			if je.Job.State.Terminal() {
				if je.Job.State != model.JobSucceeded {
					t.Fatalf("job ended %s: %s", je.Job.State, je.Job.Message)
				}
				// The success triggers a refresh: the new archive is there.
				waitNewBackup(t, second, job.Started)
				return
			}
		case <-deadline:
			t.Fatalf("the second console did not follow the job to its end (picked up: %v)", picked)
		}
	}
}

func waitNewBackup(t *testing.T, e *backends.Engine, since time.Time) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if ts, ok := e.Posture().Target("pve/qemu/421"); ok && ts.HasBackup && !ts.LastBackup.Before(since.Add(-time.Second)) {
			return
		}
		select {
		case <-e.Events():
		case <-deadline:
			t.Fatal("the new restore point never showed")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Unplugging the USB drive in the middle of a vzdump fails the job with
// PVE's own words, and the store shows offline in the next posture.
func TestStorageUnpluggedMidBackup(t *testing.T) {
	p, err := labpve.Start(labpve.Options{BackupDuration: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := proxmox.New(proxmox.Options{
		Config:       model.ProxmoxConfig{URL: p.URL(), TokenID: p.TokenID(), TLSConfig: model.TLSConfig{Fingerprint: p.Fingerprint()}},
		Secret:       p.TokenSecret(),
		PollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{c}, Interval: time.Hour,
		Concerns: []model.ConcernSpec{{ID: model.ConcernBackups}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	job, err := e.Start(ctx, model.JobRequest{Target: "pve/qemu/422", Method: model.MethodVzdump})
	if err != nil {
		t.Fatal(err)
	}
	unplugged := false
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev := <-e.Events():
			je, ok := ev.(model.JobEvent)
			if !ok || je.Job.ID != job.ID {
				continue
			}
			if !unplugged && je.Job.Progress.Percent > 0 {
				p.SetStorageActive("hddusb_bkpvzdumps", false)
				unplugged = true
			}
			if !je.Job.State.Terminal() {
				continue
			}
			if !unplugged || je.Job.State != model.JobFailed || je.Job.Message == "" {
				t.Fatalf("job ended %s (%q), unplugged %v; want failed with PVE's text", je.Job.State, je.Job.Message, unplugged)
			}
			t.Logf("failed as PVE says: %s", je.Job.Message)
			post := e.RefreshNow(ctx)
			for _, s := range post.Stores {
				if s.ID == "pve/hddusb_bkpvzdumps" && s.Online {
					t.Fatal("the unplugged store still shows online")
				}
			}
			if _, err := e.Start(ctx, model.JobRequest{Target: "pve/qemu/422", Method: model.MethodVzdump}); err == nil {
				t.Fatal("a backup to an offline storage must be refused")
			} else {
				t.Logf("refused: %v", err)
			}
			return
		case <-deadline:
			t.Fatal("the job never ended")
		}
	}
}

// The console proposes the VMID a restore to a new guest gets: PVE's next
// free one, asked of the guest's source; a source that cannot restore says so.
func TestNextVMIDIsPVEs(t *testing.T) {
	p, err := labpve.Start(labpve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := proxmox.New(proxmox.Options{
		Config: model.ProxmoxConfig{URL: p.URL(), TokenID: p.TokenID(), TLSConfig: model.TLSConfig{Fingerprint: p.Fingerprint()}},
		Secret: p.TokenSecret(),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := backends.NewEngine(backends.EngineOptions{Backends: []backends.Observer{c}, Interval: time.Hour})
	ctx := context.Background()
	want, err := c.NextID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.NextVMID(ctx, "pve/qemu/421")
	if err != nil || got != want || got < 100 {
		t.Errorf("NextVMID = %d, %v; want PVE's %d", got, err, want)
	}
	for _, id := range p.GuestIDs() {
		if id == got {
			t.Errorf("proposed VMID %d is taken", got)
		}
	}
	if _, err := e.NextVMID(ctx, "urbackup/k3sagent01"); err == nil {
		t.Error("a target of a source that is not configured got a VMID")
	}
}
