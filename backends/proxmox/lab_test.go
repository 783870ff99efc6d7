package proxmox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// The tests here run the client against the simulated PVE of backends/lab
// over real HTTPS on loopback.

var _ backends.Backend = (*proxmox.Client)(nil)
var _ backends.SnapshotLister = (*proxmox.Client)(nil)

const usbStorage = "hddusb_bkpvzdumps"

func startLab(t testing.TB, opts labpve.Options) *labpve.Server {
	t.Helper()
	if opts.BackupDuration == 0 {
		opts.BackupDuration = 1200 * time.Millisecond
	}
	if opts.TaskDuration == 0 {
		opts.TaskDuration = 200 * time.Millisecond
	}
	if opts.AuthFailDelay == 0 {
		opts.AuthFailDelay = 50 * time.Millisecond
	}
	p, err := labpve.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// labClient connects to the lab pinning its certificate.
func labClient(t testing.TB, p *labpve.Server, mods ...func(*proxmox.Options)) *proxmox.Client {
	t.Helper()
	opts := proxmox.Options{
		Config: model.ProxmoxConfig{
			URL:       p.URL(),
			TokenID:   p.TokenID(),
			TLSConfig: model.TLSConfig{Fingerprint: p.Fingerprint()},
		},
		Secret:       p.TokenSecret(),
		PollInterval: 50 * time.Millisecond,
	}
	opts.Config.Timeout.Duration = 5 * time.Second
	for _, m := range mods {
		m(&opts)
	}
	c, err := proxmox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func observe(t *testing.T, c *proxmox.Client) model.SourceState {
	t.Helper()
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func target(t *testing.T, st model.SourceState, id string) model.Target {
	t.Helper()
	for _, tg := range st.Targets {
		if tg.ID == id {
			return tg
		}
	}
	t.Fatalf("no target %s", id)
	return model.Target{}
}

func store(st model.SourceState, id string) (model.Store, bool) {
	for _, s := range st.Stores {
		if s.ID == id {
			return s, true
		}
	}
	return model.Store{}, false
}

func TestLabInventory(t *testing.T) {
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	st := observe(t, c)
	if !st.OK || !strings.HasPrefix(st.Version, "pve ") || st.Insecure {
		t.Errorf("state %+v", st)
	}
	for id, name := range map[string]string{"pve/qemu/100": "debiantpl", "pve/qemu/101": "k3snodetpl"} {
		tpl := target(t, st, id)
		if tpl.Name != name || tpl.Kind != model.KindTemplate || len(tpl.Methods) != 1 || tpl.Methods[0] != model.MethodVzdump {
			t.Errorf("template %s: %+v", id, tpl)
		}
		if len(tpl.RestorePoints) == 0 || !tpl.RestorePoints[0].Protected {
			t.Errorf("template %s has no protected backup: %+v", id, tpl.RestorePoints)
		}
	}
	for id, name := range map[string]string{"pve/qemu/411": "k3sserver01", "pve/qemu/421": "k3sagent01", "pve/qemu/422": "k3sagent02", "pve/qemu/431": "bkpserver"} {
		vm := target(t, st, id)
		if vm.Name != name || vm.Kind != model.KindVM || vm.Source != model.SourceProxmox || vm.Node != "pve" || len(vm.Methods) != 4 {
			t.Errorf("vm %s: %+v", id, vm)
		}
	}
	vm := target(t, st, "pve/qemu/411")
	if len(vm.RestorePoints) == 0 {
		t.Fatal("k3sserver01 has no restore points")
	}
	for i, rp := range vm.RestorePoints {
		if rp.Store != "pve/"+usbStorage || rp.Target != vm.ID || rp.Method != model.MethodVzdump || rp.Size <= 0 || rp.Time.IsZero() || !strings.HasPrefix(rp.ID, usbStorage+":backup/vzdump-qemu-411-") {
			t.Errorf("restore point %+v", rp)
		}
		if i > 0 && rp.Time.After(vm.RestorePoints[i-1].Time) {
			t.Error("restore points are not newest first")
		}
	}
	usb, ok := store(st, "pve/"+usbStorage)
	if !ok || !usb.Online || !usb.Backup || usb.Total <= 0 || usb.Used <= 0 || usb.Avail <= 0 || usb.Name != usbStorage || usb.Node != "pve" {
		t.Errorf("usb store %+v (found %v)", usb, ok)
	}
	snaps, err := c.Snapshots(context.Background(), "pve/qemu/421")
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || snaps[0].Name != "pre-upgrade" {
		t.Errorf("snapshots of 421: %+v", snaps)
	}
}

func TestLabCAFile(t *testing.T) {
	p := startLab(t, labpve.Options{})
	ca := filepath.Join(t.TempDir(), "pve.pem")
	if err := os.WriteFile(ca, p.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	c := labClient(t, p, func(o *proxmox.Options) { o.Config.TLSConfig = model.TLSConfig{CAFile: ca} })
	observe(t, c)
}

func TestLabWrongToken(t *testing.T) {
	p := startLab(t, labpve.Options{})
	const wrong = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	c := labClient(t, p, func(o *proxmox.Options) { o.Secret = wrong })
	_, err := c.Observe(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "PVE rejected the API token "+p.TokenID()+": 401 ") || !strings.Contains(err.Error(), "check token_id and the secret file") {
		t.Fatalf("error %v", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), p.TokenSecret()) {
		t.Error("a secret is in the error")
	}
	var ae *proxmox.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Reason == "" {
		t.Errorf("the reason of the status line is lost: %#v", err)
	}
}

func TestLabWrongFingerprint(t *testing.T) {
	p := startLab(t, labpve.Options{})
	wrong := strings.Repeat("0F:", 31) + "0F"
	c := labClient(t, p, func(o *proxmox.Options) { o.Config.Fingerprint = wrong })
	_, err := c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "presented certificate fingerprint "+p.Fingerprint()) || !strings.Contains(err.Error(), "update fingerprint in [proxmox]") {
		t.Fatalf("error %v", err)
	}
	// Without any pin the error offers the fingerprint to pin.
	c = labClient(t, p, func(o *proxmox.Options) { o.Config.Fingerprint = "" })
	_, err = c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), `set fingerprint = "`+p.Fingerprint()+`"`) {
		t.Fatalf("error %v", err)
	}
}

func TestLabOfflineStorageRefusesStart(t *testing.T) {
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	p.SetStorageActive(usbStorage, false)
	st := observe(t, c)
	usb, ok := store(st, "pve/"+usbStorage)
	if !ok || usb.Online {
		t.Errorf("store %+v (found %v)", usb, ok)
	}
	p.ResetRequests()
	_, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421", Method: model.MethodVzdump})
	want := "storage hddusb_bkpvzdumps is offline: the USB drive is unplugged or not mounted; not starting a backup to it"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v", err)
	}
	if n := p.RequestsByPath()["/api2/json/nodes/pve/vzdump"]; n != 0 {
		t.Errorf("%d vzdump requests sent", n)
	}
	p.SetStorageActive(usbStorage, true)
	if st := observe(t, c); len(target(t, st, "pve/qemu/421").RestorePoints) == 0 {
		t.Error("replugged storage shows no archives")
	}
}

func TestLabLockedGuestRefusesStart(t *testing.T) {
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	p.SetLock(421, "backup")
	if tg := target(t, observe(t, c), "pve/qemu/421"); tg.Lock != "backup" {
		t.Errorf("lock %q", tg.Lock)
	}
	p.ResetRequests()
	_, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421"})
	if err == nil || err.Error() != "k3sagent01 (VM 421) is locked (backup): wait for the running task to finish" {
		t.Fatalf("error %v", err)
	}
	if n := p.RequestsByPath()["/api2/json/nodes/pve/vzdump"]; n != 0 {
		t.Errorf("%d vzdump requests sent", n)
	}
}

// follow runs Follow and keeps the updates.
func follow(t *testing.T, c *proxmox.Client, job model.Job) (model.Job, []model.Job) {
	t.Helper()
	var mu sync.Mutex
	var updates []model.Job
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	final, err := c.Follow(ctx, job, func(j model.Job) {
		mu.Lock()
		updates = append(updates, j)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("follow: %v", err)
	}
	return final, updates
}

func TestLabVzdumpSucceeds(t *testing.T) {
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	before := len(target(t, observe(t, c), "pve/qemu/421").RestorePoints)
	job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421", Method: model.MethodVzdump})
	if err != nil {
		t.Fatal(err)
	}
	if job.State != model.JobRunning || job.Storage != usbStorage || job.Name != "k3sagent01" || !strings.HasPrefix(job.TaskID, "UPID:pve:") {
		t.Fatalf("job %+v", job)
	}
	// While it runs, the guest carries the backup lock.
	if tg := target(t, observe(t, c), "pve/qemu/421"); tg.Lock != "backup" {
		t.Errorf("lock during backup %q", tg.Lock)
	}
	final, updates := follow(t, c, job)
	if final.State != model.JobSucceeded || final.Message != "OK" || final.Ended.IsZero() {
		t.Fatalf("final %+v", final)
	}
	sawPartial := false
	for _, u := range updates {
		if u.Progress.Percent > 0 && u.Progress.Percent < 100 {
			sawPartial = true
			if u.Progress.TotalBytes <= 0 || u.Progress.DoneBytes <= 0 || u.Progress.ReadBytesPerS <= 0 {
				t.Errorf("progress %+v", u.Progress)
			}
		}
	}
	if !sawPartial {
		t.Error("no progress between 0 and 100 %")
	}
	if final.Progress.Percent != 100 || final.Progress.LastLine != "TASK OK" {
		t.Errorf("final progress %+v", final.Progress)
	}
	after := target(t, observe(t, c), "pve/qemu/421")
	if len(after.RestorePoints) != before+1 {
		t.Fatalf("restore points %d → %d", before, len(after.RestorePoints))
	}
	if newest := after.RestorePoints[0]; newest.Time.Before(job.Started.Add(-2*time.Second)) || newest.Notes != "k3sagent01" {
		t.Errorf("newest restore point %+v (job started %v)", newest, job.Started)
	}
	if after.Lock != "" {
		t.Errorf("lock after backup %q", after.Lock)
	}
}

func TestLabVzdumpOutcomes(t *testing.T) {
	cases := []struct {
		outcome labpve.Outcome
		state   model.JobState
		prefix  string
	}{
		{labpve.OutcomeWarnings, model.JobWarning, "WARNINGS: 1"},
		{labpve.OutcomeFail, model.JobFailed, "job errors"},
	}
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	for _, tc := range cases {
		p.SetNextOutcome(tc.outcome)
		job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/422"})
		if err != nil {
			t.Fatal(err)
		}
		final, _ := follow(t, c, job)
		if final.State != tc.state || !strings.HasPrefix(final.Message, tc.prefix) {
			t.Errorf("outcome %v: %s %q", tc.outcome, final.State, final.Message)
		}
		if tc.state == model.JobFailed && !strings.Contains(final.Message, "ERROR:") {
			t.Errorf("the failure has no context from the log: %q", final.Message)
		}
	}
}

func TestLabStopCancels(t *testing.T) {
	p := startLab(t, labpve.Options{BackupDuration: 10 * time.Second})
	c := labClient(t, p)
	job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/411"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan model.Job, 1)
	go func() {
		final, _ := c.Follow(context.Background(), job, nil)
		done <- final
	}()
	time.Sleep(300 * time.Millisecond)
	if err := c.Stop(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	select {
	case final := <-done:
		if final.State != model.JobCancelled {
			t.Errorf("final %s %q", final.State, final.Message)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not end after Stop")
	}
}

// A console that quits and comes back finds the running backup and follows
// it to its end.
func TestLabRunningAfterRestart(t *testing.T) {
	p := startLab(t, labpve.Options{BackupDuration: 2 * time.Second})
	first := labClient(t, p)
	job, err := first.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421"})
	if err != nil {
		t.Fatal(err)
	}
	second := labClient(t, p)
	jobs, err := second.Running(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var found model.Job
	for _, j := range jobs {
		if j.TaskID == job.TaskID {
			found = j
		}
	}
	if found.TaskID == "" {
		t.Fatalf("running jobs %+v lack %s", jobs, job.TaskID)
	}
	if found.Target != "pve/qemu/421" || found.Name != "k3sagent01" || found.Method != model.MethodVzdump || found.State != model.JobRunning ||
		found.Started.IsZero() || found.Started.Sub(job.Started).Abs() > 2*time.Second {
		t.Errorf("picked up %+v (started %v)", found, job.Started)
	}
	final, _ := follow(t, second, found)
	if final.State != model.JobSucceeded || final.Storage != usbStorage {
		t.Errorf("final %+v", final)
	}
	if jobs, _ := second.Running(context.Background()); len(jobs) != 0 {
		t.Errorf("still running: %+v", jobs)
	}
}

func TestLabTaskForgotten(t *testing.T) {
	p := startLab(t, labpve.Options{BackupDuration: 10 * time.Second})
	c := labClient(t, p)
	job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/411"})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		p.ForgetTask(job.TaskID)
	}()
	final, _ := follow(t, c, job)
	if final.State != model.JobFailed || !strings.Contains(final.Message, "is gone from PVE") {
		t.Errorf("final %s %q", final.State, final.Message)
	}
}

func TestLabSnapshots(t *testing.T) {
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	ctx := context.Background()
	run := func(req model.JobRequest) model.Job {
		t.Helper()
		job, err := c.Start(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", req.Method, err)
		}
		final, _ := follow(t, c, job)
		if final.State != model.JobSucceeded {
			t.Fatalf("%s: %s %q", req.Method, final.State, final.Message)
		}
		return final
	}
	run(model.JobRequest{Target: "pve/qemu/421", Method: model.MethodSnapshot, Snapshot: "backdeck-test", Description: "made by the tests"})
	snaps, err := c.Snapshots(ctx, "pve/qemu/421")
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 || snaps[0].Name != "backdeck-test" || snaps[0].Description != "made by the tests" || snaps[0].Parent != "pre-upgrade" {
		t.Fatalf("snapshots %+v", snaps)
	}
	run(model.JobRequest{Target: "pve/qemu/421", Method: model.MethodRollback, Snapshot: "pre-upgrade"})
	run(model.JobRequest{Target: "pve/qemu/421", Method: model.MethodDeleteSnapshot, Snapshot: "backdeck-test"})
	snaps, err = c.Snapshots(ctx, "pve/qemu/421")
	if err != nil || len(snaps) != 1 || snaps[0].Name != "pre-upgrade" {
		t.Fatalf("after delete: %+v %v", snaps, err)
	}
	if _, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/100", Method: model.MethodSnapshot, Snapshot: "x1"}); err == nil {
		t.Error("a template snapshot was started")
	}
}

// BenchmarkObserve1000Guests measures Observe on a lab with 1000 more
// guests and checks that the requests per Observe do not depend on the
// number of guests.
func BenchmarkObserve1000Guests(b *testing.B) {
	perObserve := func(p *labpve.Server) (int, map[string]int) {
		c := labClient(b, p)
		if _, err := c.Observe(context.Background()); err != nil { // warms the version cache
			b.Fatal(err)
		}
		p.ResetRequests()
		if _, err := c.Observe(context.Background()); err != nil {
			b.Fatal(err)
		}
		return p.Requests(), p.RequestsByPath()
	}
	small, smallPaths := perObserve(startLab(b, labpve.Options{}))
	big := startLab(b, labpve.Options{ExtraGuests: 1000})
	n, bigPaths := perObserve(big)
	if n != small {
		b.Fatalf("requests per Observe depend on the guests: %d with 1000 extra guests (%v), %d without (%v)", n, bigPaths, small, smallPaths)
	}
	c := labClient(b, big)
	st, err := c.Observe(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if len(st.Targets) < 1000 {
		b.Fatalf("%d targets", len(st.Targets))
	}
	big.ResetRequests()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Observe(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(big.Requests())/float64(b.N), "requests/op")
}

// PVE's own list of the guests no job selects marks them: bkpserver is
// backed up only by hand; the K3s VMs are in the daily job; the templates,
// backed up once by hand, are not expected to be in one.
func TestObserveMarksGuestsNoJobCovers(t *testing.T) {
	p := startLab(t, labpve.Options{})
	st, err := labClient(t, p).Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]bool{100: false, 101: false, 411: false, 421: false, 422: false, 431: true}
	for _, tg := range st.Targets {
		if w, ok := want[tg.VMID]; ok && tg.NoJob != w {
			t.Errorf("%s (%d): NoJob %v, want %v", tg.Name, tg.VMID, tg.NoJob, w)
		}
	}
}
