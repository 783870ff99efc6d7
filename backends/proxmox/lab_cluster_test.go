package proxmox_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// The tests here run against a two-node lab cluster with nodes alpha and
// beta, and no node named pve. The lab deals the seed's guests out in turn:
// 100, 411, 422 on alpha; 101, 421, 431 on beta.

func startCluster(t *testing.T, opts labpve.Options) (*labpve.Server, *proxmox.Client) {
	t.Helper()
	opts.Nodes = []string{"alpha", "beta"}
	p := startLab(t, opts)
	return p, labClient(t, p)
}

// requestsTo counts the requests whose path starts with prefix.
func requestsTo(p *labpve.Server, prefix string) int {
	n := 0
	for path, count := range p.RequestsByPath() {
		if strings.HasPrefix(path, "/api2/json"+prefix) {
			n += count
		}
	}
	return n
}

func TestClusterInventory(t *testing.T) {
	p, c := startCluster(t, labpve.Options{})
	st := observe(t, c)
	var ids []string
	for _, tg := range st.Targets {
		ids = append(ids, tg.ID)
	}
	want := []string{"pve/qemu/100", "pve/qemu/101", "pve/qemu/411", "pve/qemu/421", "pve/qemu/422", "pve/qemu/431"}
	if !slices.Equal(ids, want) {
		t.Fatalf("target ids %v, want %v", ids, want)
	}
	for id, node := range map[string]string{"pve/qemu/421": "beta", "pve/qemu/411": "alpha", "pve/qemu/101": "beta"} {
		tg := target(t, st, id)
		if tg.Node != node || !strings.Contains(tg.Detail, " · "+node) {
			t.Errorf("%s: node %q, detail %q; want node %s", id, tg.Node, tg.Detail, node)
		}
		if len(tg.RestorePoints) == 0 {
			t.Errorf("%s has no restore points", id)
		}
		for _, rp := range tg.RestorePoints {
			if rp.Store != "pve/"+usbStorage || rp.Target != id {
				t.Errorf("%s: restore point %+v", id, rp)
			}
		}
	}
	ids = nil
	for _, s := range st.Stores {
		ids = append(ids, s.ID)
	}
	// local and local-lvm are each node's own; the USB drive's directory is
	// shared, its thin pool on alpha only.
	wantStores := []string{"pve/hddusb_bkpdata", "pve/hddusb_bkpvzdumps", "pve/local-lvm@alpha", "pve/local-lvm@beta", "pve/local@alpha", "pve/local@beta"}
	if !slices.Equal(ids, wantStores) {
		t.Errorf("store ids %v, want %v", ids, wantStores)
	}
	if s, _ := store(st, "pve/local@beta"); s.Node != "beta" || s.Name != "local" || !s.Online {
		t.Errorf("beta's local %+v", s)
	}
	if s, _ := store(st, "pve/hddusb_bkpvzdumps"); !s.Online || !s.Backup || s.Name != usbStorage {
		t.Errorf("shared backup store %+v", s)
	}
	// The shared storage's archives are listed once, not once per node.
	if a, b := requestsTo(p, "/nodes/alpha/storage/"+usbStorage+"/content"), requestsTo(p, "/nodes/beta/storage/"+usbStorage+"/content"); a+b != 1 {
		t.Errorf("archives listed %d times from alpha, %d from beta", a, b)
	}
}

// A vzdump and a snapshot of a guest on beta go to beta.
func TestClusterJobsRunOnTheGuestsNode(t *testing.T) {
	p, c := startCluster(t, labpve.Options{})
	ctx := context.Background()
	job, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodVzdump})
	if err != nil {
		t.Fatal(err)
	}
	if job.Node != "beta" || !strings.HasPrefix(job.TaskID, "UPID:beta:") || job.Target != "pve/qemu/421" || job.Storage != usbStorage {
		t.Fatalf("job %+v", job)
	}
	if n := requestsTo(p, "/nodes/beta/vzdump"); n != 1 {
		t.Errorf("%d vzdump requests to beta", n)
	}
	if final, _ := follow(t, c, job); final.State != model.JobSucceeded {
		t.Errorf("vzdump on beta: %s %q", final.State, final.Message)
	}
	snap, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodSnapshot, Snapshot: "on-beta"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Node != "beta" || !strings.HasPrefix(snap.TaskID, "UPID:beta:") || requestsTo(p, "/nodes/beta/qemu/421/snapshot") != 1 {
		t.Fatalf("snapshot job %+v", snap)
	}
	if final, _ := follow(t, c, snap); final.State != model.JobSucceeded {
		t.Errorf("snapshot on beta: %s %q", final.State, final.Message)
	}
	snaps, err := c.Snapshots(ctx, "pve/qemu/421")
	if err != nil || len(snaps) != 2 || snaps[0].Name != "on-beta" {
		t.Errorf("snapshots %+v, %v", snaps, err)
	}
	if n := requestsTo(p, "/nodes/alpha/qemu/421"); n != 0 {
		t.Errorf("%d requests for 421 went to alpha", n)
	}
}

// A guest that migrates between two refreshes keeps its id and its restore
// points, and what acts on it goes to its new node.
func TestClusterMigrationBetweenRefreshes(t *testing.T) {
	p, c := startCluster(t, labpve.Options{})
	ctx := context.Background()
	before := target(t, observe(t, c), "pve/qemu/421")
	job, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421"})
	if err != nil {
		t.Fatal(err)
	}
	if final, _ := follow(t, c, job); final.State != model.JobSucceeded {
		t.Fatalf("vzdump: %s %q", final.State, final.Message)
	}
	if err := p.Migrate(421, "alpha"); err != nil {
		t.Fatal(err)
	}
	after := target(t, observe(t, c), "pve/qemu/421")
	if after.Node != "alpha" || after.Name != before.Name || !strings.Contains(after.Detail, " · alpha") {
		t.Errorf("after migrating: %+v", after)
	}
	if len(after.RestorePoints) != len(before.RestorePoints)+1 {
		t.Fatalf("restore points %d → %d", len(before.RestorePoints), len(after.RestorePoints))
	}
	for _, rp := range before.RestorePoints {
		if !slices.ContainsFunc(after.RestorePoints, func(x model.RestorePoint) bool { return x.ID == rp.ID && x.Target == after.ID }) {
			t.Errorf("restore point %s lost in the migration", rp.ID)
		}
	}
	snaps, err := c.Snapshots(ctx, "pve/qemu/421")
	if err != nil || len(snaps) != 1 || snaps[0].Name != "pre-upgrade" {
		t.Errorf("snapshots after migrating %+v, %v", snaps, err)
	}
	snap, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodSnapshot, Snapshot: "on-alpha"})
	if err != nil || snap.Node != "alpha" || !strings.HasPrefix(snap.TaskID, "UPID:alpha:") {
		t.Fatalf("snapshot after migrating: %+v, %v", snap, err)
	}
	if final, _ := follow(t, c, snap); final.State != model.JobSucceeded {
		t.Errorf("snapshot on alpha: %s %q", final.State, final.Message)
	}
}

// A backup that ends, then its guest migrates, then a console comes back to
// follow it: the task is still read on the node where it ran.
func TestClusterJobFollowedAfterItsGuestMigrated(t *testing.T) {
	p, c := startCluster(t, labpve.Options{BackupDuration: 600 * time.Millisecond})
	job, err := c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421"})
	if err != nil {
		t.Fatal(err)
	}
	// The guest is locked while its backup runs; it migrates once that ends.
	deadline := time.Now().Add(10 * time.Second)
	for p.Migrate(421, "alpha") != nil {
		if time.Now().After(deadline) {
			t.Fatal("421 never became free to migrate")
		}
		time.Sleep(20 * time.Millisecond)
	}
	final, _ := follow(t, labClient(t, p), job)
	if final.State != model.JobSucceeded || final.Target != "pve/qemu/421" || final.Progress.LastLine != "TASK OK" {
		t.Errorf("final %s %q %+v", final.State, final.Message, final.Progress)
	}
	if n := requestsTo(p, "/nodes/alpha/tasks"); n != 0 {
		t.Errorf("%d task requests went to alpha", n)
	}
}

// A backup waiting for beta's vzdump lock while its guest migrates to
// alpha: Running still maps it to its target, Follow reads it on beta to its
// end, which PVE makes a failure (beta no longer has the guest's config).
func TestClusterJobFollowedThroughAMigration(t *testing.T) {
	p, c := startCluster(t, labpve.Options{BackupDuration: 1500 * time.Millisecond})
	ctx := context.Background()
	first, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/431"})
	if err != nil {
		t.Fatal(err)
	}
	job, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Migrate(421, "alpha"); err != nil {
		t.Fatal(err)
	}
	jobs, err := c.Running(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(jobs, func(j model.Job) bool { return j.TaskID == job.TaskID })
	if i < 0 || jobs[i].Target != "pve/qemu/421" || jobs[i].Node != "beta" || jobs[i].Name != "k3sagent01" {
		t.Fatalf("running %+v", jobs)
	}
	final, _ := follow(t, c, jobs[i])
	if final.State != model.JobFailed || !strings.Contains(final.Message, "job errors") ||
		!strings.Contains(final.Message, "Configuration file 'nodes/beta/qemu-server/421.conf' does not exist") {
		t.Errorf("final %s %q", final.State, final.Message)
	}
	if n := requestsTo(p, "/nodes/alpha/tasks/"+url.PathEscape(job.TaskID)); n != 0 {
		t.Errorf("%d requests for the task went to alpha", n)
	}
	if final, _ := follow(t, c, first); final.State != model.JobSucceeded {
		t.Errorf("431's backup: %s %q", final.State, final.Message)
	}
}

// An id of the old form, given at run time, says which id to use.
func TestClusterOldTargetIDs(t *testing.T) {
	p, c := startCluster(t, labpve.Options{})
	ctx := context.Background()
	p.ResetRequests()
	_, err := c.Start(ctx, model.JobRequest{Target: "beta/qemu/421"})
	if err == nil || err.Error() != `"beta/qemu/421" is an old target id: use pve/qemu/421` {
		t.Errorf("start: %v", err)
	}
	if _, err := c.Snapshots(ctx, "alpha/qemu/201"); err == nil || err.Error() != `"alpha/qemu/201" is an old target id: use pve/qemu/201` {
		t.Errorf("snapshots: %v", err)
	}
	if n := p.Requests(); n != 0 {
		t.Errorf("%d requests sent for old ids", n)
	}
}

func TestClusterPrunePreview(t *testing.T) {
	_, c := startCluster(t, labpve.Options{})
	ctx := context.Background()
	marks, err := c.PrunePreview(ctx, "pve/"+usbStorage, model.Retention{KeepLast: 1}, 421)
	if err != nil || len(marks) == 0 || marks[0].Mark != "keep" || marks[0].VMID != 421 {
		t.Errorf("preview of the shared store: %+v, %v", marks, err)
	}
	if _, err := c.PrunePreview(ctx, "pve/local", model.Retention{KeepLast: 1}, 0); err == nil ||
		!strings.Contains(err.Error(), "name one of pve/local@alpha, pve/local@beta") {
		t.Errorf("preview of a per-node storage without its node: %v", err)
	}
	if _, err := c.PrunePreview(ctx, "pve/local@beta", model.Retention{KeepLast: 1}, 0); err == nil ||
		!strings.Contains(err.Error(), "storage 'local' does not support backups") {
		t.Errorf("preview of beta's local: %v", err)
	}
}
