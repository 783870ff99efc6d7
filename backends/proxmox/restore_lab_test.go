package proxmox_test

import (
	"context"
	"strings"
	"testing"

	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

// newestPoint is a target's newest vzdump archive in a fresh Observe.
func newestPoint(t *testing.T, c *proxmox.Client, id string) string {
	t.Helper()
	tg := target(t, observe(t, c), id)
	if len(tg.RestorePoints) == 0 {
		t.Fatalf("%s has no restore point", id)
	}
	best := tg.RestorePoints[0]
	for _, rp := range tg.RestorePoints {
		if rp.Time.After(best.Time) {
			best = rp
		}
	}
	return best.ID
}

func followJob(t *testing.T, c *proxmox.Client, job model.Job) model.Job {
	t.Helper()
	final, err := c.Follow(context.Background(), job, nil)
	if err != nil {
		t.Fatal(err)
	}
	return final
}

func TestRestoreToNextFreeVMID(t *testing.T) {
	t.Parallel()
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	ctx := context.Background()
	point := newestPoint(t, c, "pve/qemu/421")
	var seen []model.Progress
	job, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodRestore, Point: point, Storage: "local-lvm"})
	if err != nil {
		t.Fatal(err)
	}
	if job.Guest != 102 || job.Node != "pve" || job.Point != point || !strings.Contains(job.TaskID, ":qmrestore:102:") {
		t.Fatalf("job %+v", job)
	}
	final, err := c.Follow(ctx, job, func(j model.Job) { seen = append(seen, j.Progress) })
	if err != nil || final.State != model.JobSucceeded {
		t.Fatalf("restore %v: %+v", err, final)
	}
	sawPercent := false
	for _, pr := range seen {
		sawPercent = sawPercent || (pr.Percent > 0 && pr.Percent < 100 && pr.TotalBytes == 32<<30)
	}
	if !sawPercent {
		t.Errorf("no restore progress read: %+v", seen)
	}
	g, ok, err := c.Guest(ctx, 102)
	if err != nil || !ok || g.Name != "k3sagent01" || g.Status != "stopped" {
		t.Fatalf("restored guest %+v %v %v", g, ok, err)
	}
	conf, digest, err := c.GuestConfig(ctx, g)
	if err != nil || digest == "" || conf["scsi0"] != "local-lvm:vm-102-disk-0,iothread=1,size=32G" || conf["memory"] != "16384" {
		t.Errorf("config %v %q %v", conf, digest, err)
	}
	arc, err := c.ExtractConfig(ctx, "pve", point)
	if err != nil || arc["name"] != "k3sagent01" || arc["scsi0"] != "local-lvm:vm-421-disk-0,iothread=1,size=32G" {
		t.Errorf("extractconfig %v %v", arc, err)
	}

	// The VMID is now taken: asking for it is refused before anything is sent.
	if _, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodRestore, Point: point, VMID: 102}); err == nil ||
		!strings.Contains(err.Error(), "VMID 102 is taken by k3sagent01 (VM 102)") {
		t.Errorf("restore to a taken VMID: %v", err)
	}
}

func TestRestoreOverRefusesRunningGuest(t *testing.T) {
	t.Parallel()
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	ctx := context.Background()
	point := newestPoint(t, c, "pve/qemu/421")
	_, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodRestore, Point: point, Over: true})
	if err == nil || !strings.Contains(err.Error(), "k3sagent01 (VM 421) is running: stop it first") {
		t.Fatalf("over a running guest: %v", err)
	}
	g, _, _ := c.Guest(ctx, 421)
	if j := followJob(t, c, mustJob(t)(c.StopGuest(ctx, g))); j.State != model.JobSucceeded {
		t.Fatalf("stop %+v", j)
	}
	job, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodRestore, Point: point, Over: true})
	if err != nil || job.Guest != 421 {
		t.Fatalf("over a stopped guest: %v %+v", err, job)
	}
	if j := followJob(t, c, job); j.State != model.JobSucceeded {
		t.Fatalf("restore over %+v", j)
	}
	// The original keeps its name; a restore drops its snapshots.
	if snaps, err := c.Snapshots(ctx, "pve/qemu/421"); err != nil || len(snaps) != 0 {
		t.Errorf("snapshots after the restore %v %v", snaps, err)
	}
}

func TestRestoreFailureIsReported(t *testing.T) {
	t.Parallel()
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	ctx := context.Background()
	p.SetNextRestore(labpve.OutcomeFail)
	job, err := c.Start(ctx, model.JobRequest{Method: model.MethodRestore, Point: newestPoint(t, c, "pve/qemu/411"), Storage: "local-lvm"})
	if err != nil {
		t.Fatal(err)
	}
	if job.Target != "pve/qemu/411" {
		t.Errorf("a restore without a target belongs to the archive's guest: %q", job.Target)
	}
	final := followJob(t, c, job)
	if final.State != model.JobFailed || !strings.Contains(final.Message, "failed: exit code 133") {
		t.Errorf("failed restore %+v", final)
	}
	if _, ok, _ := c.Guest(ctx, job.Guest); !ok {
		t.Error("PVE leaves a failed restore's guest behind; the lab removed it")
	}
}

func TestRestoreRefusesBadInput(t *testing.T) {
	t.Parallel()
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	ctx := context.Background()
	point := newestPoint(t, c, "pve/qemu/421")
	for _, tc := range []struct {
		req  model.JobRequest
		want string
	}{
		{model.JobRequest{Point: "local:iso/debian.iso"}, "is not a vzdump archive"},
		{model.JobRequest{Point: strings.Replace(point, "vzdump-qemu-421-", "vzdump-qemu-421-1", 1)}, "is not a vzdump archive"},
		{model.JobRequest{Point: "hddusb_bkpvzdumps:backup/vzdump-qemu-421-2001_01_01-00_00_00.vma.zst"}, "there is no archive"},
		{model.JobRequest{Point: point, Storage: "hddusb_bkpvzdumps"}, "storage hddusb_bkpvzdumps does not take images on node pve (those that do: local-lvm, hddusb_bkpdata)"},
		{model.JobRequest{Point: point, VMID: 42}, "out of PVE's range"},
	} {
		tc.req.Method = model.MethodRestore
		if _, err := c.Start(ctx, tc.req); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.req, err, tc.want)
		}
	}
	p.SetStorageActive("hddusb_bkpvzdumps", false)
	if _, err := c.Start(ctx, model.JobRequest{Method: model.MethodRestore, Point: point}); err == nil || !strings.Contains(err.Error(), "hddusb_bkpvzdumps") {
		t.Errorf("archive on an unplugged drive: %v", err)
	}
}

func mustJob(t *testing.T) func(model.Job, error) model.Job {
	return func(j model.Job, err error) model.Job {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
}
