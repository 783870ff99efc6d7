package proxmox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/backends"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
)

var _ backends.Pruner = (*proxmox.Client)(nil)

// The rules default to the guest's job's, then the storage's own, then
// keep-all; each kept archive names the rule that keeps it.
func TestLabPrunePlansDefaultRules(t *testing.T) {
	t.Parallel()
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	ctx := context.Background()
	plans, err := c.PrunePlans(ctx, "pve/qemu/421", nil)
	if err != nil || len(plans) != 1 {
		t.Fatalf("plans %+v, %v", plans, err)
	}
	pl := plans[0]
	if pl.From != "job backup-k3s-daily" || pl.Rules != (model.Retention{KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 3}) ||
		pl.Store != "pve/"+usbStorage || pl.Name != "k3sagent01" {
		t.Errorf("plan %+v", pl)
	}
	rules := map[string]int{}
	for _, e := range pl.Entries {
		if e.Mark != model.MarkKeep || e.Size <= 0 {
			t.Errorf("entry %+v: the job's own retention pruned already", e)
		}
		rules[e.Rule]++
	}
	if rules["daily"] != 7 || rules["weekly"] < 1 || rules["monthly"] < 1 || rules[""] != 0 {
		t.Errorf("rules %v", rules)
	}
	plans, err = c.PrunePlans(ctx, "pve/qemu/431", nil)
	if err != nil || len(plans) != 1 || plans[0].From != "the keep-all default" || !plans[0].Rules.KeepAll {
		t.Fatalf("431 plans %+v, %v", plans, err)
	}
	if err := p.SetStoragePrune(usbStorage, "keep-last=2"); err != nil {
		t.Fatal(err)
	}
	plans, err = c.PrunePlans(ctx, "pve/qemu/431", nil)
	if err != nil || len(plans) != 1 || plans[0].From != "storage "+usbStorage {
		t.Fatalf("431 plans %+v, %v", plans, err)
	}
	n, bytes := plans[0].Removed()
	last := plans[0].Entries[len(plans[0].Entries)-1]
	if n != 1 || bytes != last.Size || last.Mark != model.MarkRemove || plans[0].Entries[0].Rule != "last" {
		t.Errorf("431 with keep-last=2: %+v", plans[0])
	}
}

// Protect one archive, rename another, and prune with keep-last=1: PVE's
// task removes the rest, not those two; unprotected, it goes too.
func TestLabPruneApplyAndProtect(t *testing.T) {
	t.Parallel()
	p := startLab(t, labpve.Options{})
	c := labClient(t, p)
	ctx := context.Background()
	keep := &model.Retention{KeepLast: 1}
	plans, err := c.PrunePlans(ctx, "pve/qemu/421", keep)
	if err != nil || len(plans) != 1 {
		t.Fatalf("plans %+v, %v", plans, err)
	}
	entries := plans[0].Entries
	protect, rename := entries[2].VolID, entries[len(entries)-1].VolID
	if err := c.SetProtected(ctx, protect, true); err != nil {
		t.Fatal(err)
	}
	if err := p.RenameArchive(rename, "vzdump-qemu-421-before-upgrade.vma.zst"); err != nil {
		t.Fatal(err)
	}
	plans, _ = c.PrunePlans(ctx, "pve/qemu/421", keep)
	marks := map[string]string{}
	for _, e := range plans[0].Entries {
		marks[e.VolID] = e.Mark
		if e.Mark == model.MarkKeep && e.Rule != "last" || e.Mark != model.MarkKeep && e.Rule != "" {
			t.Errorf("entry %+v", e)
		}
	}
	if marks[protect] != model.MarkProtected || marks[usbStorage+":backup/vzdump-qemu-421-before-upgrade.vma.zst"] != model.MarkRenamed {
		t.Errorf("marks %v", marks)
	}
	job, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodPrune, Storage: plans[0].Store, Retention: keep})
	if err != nil || job.Method != model.MethodPrune || !strings.Contains(job.TaskID, ":prunebackups:421@"+usbStorage+":") {
		t.Fatalf("start %+v, %v", job, err)
	}
	end, _ := follow(t, c, job)
	if end.State != model.JobSucceeded {
		t.Fatalf("prune ended %+v", end)
	}
	plans, _ = c.PrunePlans(ctx, "pve/qemu/421", keep)
	if len(plans[0].Entries) != 3 {
		t.Errorf("left %+v", plans[0].Entries)
	}
	if err := c.SetProtected(ctx, protect, false); err != nil {
		t.Fatal(err)
	}
	plans, _ = c.PrunePlans(ctx, "pve/qemu/421", keep)
	if n, _ := plans[0].Removed(); n != 1 {
		t.Errorf("after unprotect: %+v", plans[0].Entries)
	}
	if err := c.SetProtected(ctx, usbStorage+":backup/vzdump-qemu-421-1999_01_01-00_00_00.vma.zst", true); err == nil ||
		!strings.Contains(err.Error(), "there is no backup") {
		t.Errorf("unknown archive: %v", err)
	}
	if _, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/421", Method: model.MethodPrune, Storage: plans[0].Store}); err == nil {
		t.Error("a prune without its retention started")
	}
}

// README's least-privilege token previews and prunes one guest's archives
// (Datastore.AllocateSpace and VM.Backup), and reads the storage's own
// retention from the storage index, not from /storage/{id}.
func TestLabPruneWithLeastPrivilege(t *testing.T) {
	t.Parallel()
	p := startLab(t, labpve.Options{Grants: labpve.LeastPrivilegeGrants(false, usbStorage)})
	if err := p.SetStoragePrune(usbStorage, "keep-last=1"); err != nil {
		t.Fatal(err)
	}
	c := labClient(t, p)
	ctx := context.Background()
	plans, err := c.PrunePlans(ctx, "pve/qemu/431", nil)
	if err != nil || len(plans) != 1 || plans[0].From != "storage "+usbStorage {
		t.Fatalf("plans %+v, %v", plans, err)
	}
	job, err := c.Start(ctx, model.JobRequest{Target: "pve/qemu/431", Method: model.MethodPrune, Storage: plans[0].Store, Retention: &plans[0].Rules})
	if err != nil {
		t.Fatal(err)
	}
	if end, _ := follow(t, c, job); end.State != model.JobSucceeded {
		t.Fatalf("prune %+v", end)
	}
	if err := c.SetProtected(ctx, plans[0].Entries[0].VolID, true); err != nil {
		t.Fatal(err)
	}
}
