package cli

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
)

// guestInStatus is one guest as status --json reports it.
type guestInStatus struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	RestorePoints int    `json:"restore_points"`
	Node          string `json:"node"`
}

func guestOf(t *testing.T, statusJSON, id string) guestInStatus {
	t.Helper()
	var doc struct {
		Concerns []struct {
			Targets []guestInStatus `json:"targets"`
		} `json:"concerns"`
	}
	if err := json.Unmarshal([]byte(statusJSON), &doc); err != nil {
		t.Fatalf("%v\n%s", err, statusJSON)
	}
	for _, c := range doc.Concerns {
		for _, g := range c.Targets {
			if g.ID == id {
				return g
			}
		}
	}
	t.Fatalf("no %s in\n%s", id, statusJSON)
	return guestInStatus{}
}

// A cluster whose nodes are not called pve: the config's pve/qemu/<vmid>
// ids find their guests, a guest keeps its id and restore points when it
// migrates between two reads, and run goes to the node it is on now.
func TestATwoNodeClusterWithOtherNames(t *testing.T) {
	now := testClock
	start := time.Now()
	h, err := lab.StartHomelab(lab.HomelabOptions{PVE: labpve.Options{Nodes: []string{"alpha", "beta"},
		BackupDuration: time.Second, TaskDuration: 100 * time.Millisecond, Now: func() time.Time { return now.Add(time.Since(start)) }}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	home := t.TempDir()
	cfg, err := h.WriteConfig(filepath.Join(home, "lab"))
	if err != nil {
		t.Fatal(err)
	}
	from := h.PVE.GuestNode(421)
	to := "alpha"
	if from == "alpha" {
		to = "beta"
	}
	out, errOut, _ := runIn(t, home, "status", "--json", "--config", cfg)
	before := guestOf(t, out, "pve/qemu/421")
	if before.Status != "ok" || before.RestorePoints == 0 || before.Node != from {
		t.Fatalf("before the migration: %+v\n%s", before, errOut)
	}
	if err := h.PVE.Migrate(421, to); err != nil {
		t.Fatal(err)
	}
	out, errOut, _ = runIn(t, home, "status", "--json", "--config", cfg)
	after := guestOf(t, out, "pve/qemu/421")
	if after.Status != "ok" || after.RestorePoints != before.RestorePoints || after.Node != to {
		t.Fatalf("after the migration to %s: %+v (before %+v)\n%s", to, after, before, errOut)
	}
	out, errOut, code := runIn(t, home, "run", "421", "--method", "snapshot", "--name", "after-move", "--config", cfg)
	if code != 0 {
		t.Fatalf("run on the guest's new node: exit %d\n%s%s", code, out, errOut)
	}
}
