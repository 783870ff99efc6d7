package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
)

// backdeck run job/ID on a two-node cluster: one line per node's progress,
// both parts followed to their end, exit 0.
func TestRunBackupJobOnTwoNodes(t *testing.T) {
	now := testClock
	start := time.Now()
	h, err := lab.StartHomelab(lab.HomelabOptions{PVE: labpve.Options{Nodes: []string{"alpha", "beta"},
		BackupDuration: 300 * time.Millisecond, TaskDuration: 100 * time.Millisecond, Now: func() time.Time { return now.Add(time.Since(start)) }}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	home := t.TempDir()
	cfg, err := h.WriteConfig(filepath.Join(home, "lab"))
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runIn(t, home, "run", "job/backup-k3s-daily", "--json", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	ended := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var line struct {
			Node  string `json:"node"`
			State string `json:"state"`
		}
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		ended[line.Node] = line.State
	}
	if ended["alpha"] != "succeeded" || ended["beta"] != "succeeded" || len(ended) != 2 {
		t.Errorf("last states per node %v\n%s", ended, out)
	}

	_, errOut, code = runIn(t, home, "run", "job/nope", "--config", cfg)
	if code != 2 || !strings.Contains(errOut, "reading backup job nope") {
		t.Errorf("an unknown job: exit %d\n%s", code, errOut)
	}
	_, errOut, code = runIn(t, home, "run", "job/backup-k3s-daily", "--storage", "local", "--config", cfg)
	if code != exitUsage || !strings.Contains(errOut, "its own parameters") {
		t.Errorf("--storage with a job: exit %d\n%s", code, errOut)
	}
}
