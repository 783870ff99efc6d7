package proxmox_test

import (
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/model/config"
)

// The config the lab writes names what the client reports: every PVE
// target id, pattern and hold finds its target or store, on one node named
// pve and on a cluster of nodes with other names.
func TestLabConfigNamesWhatObserveReports(t *testing.T) {
	for _, nodes := range [][]string{nil, {"alpha", "beta"}} {
		p := startLab(t, labpve.Options{Nodes: nodes})
		cfgPath, err := lab.WriteConfig(filepath.Join(t.TempDir(), "lab"), p)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(t.Context(), cfgPath)
		if err != nil {
			t.Fatalf("nodes %v: %v", nodes, err)
		}
		st := observe(t, labClient(t, p))
		ids := map[string]bool{}
		for _, tg := range st.Targets {
			ids[tg.ID] = true
		}
		checked := 0
		for _, c := range cfg.Concerns {
			for _, want := range c.Targets {
				if !strings.HasPrefix(want, "pve/") {
					continue
				}
				found := false
				for id := range ids {
					ok, _ := path.Match(want, id)
					found = found || ok
				}
				if !found {
					t.Errorf("nodes %v: concern %s names %s, which PVE does not report", nodes, c.ID, want)
				}
				checked++
			}
		}
		stores := map[string]bool{}
		for _, s := range st.Stores {
			stores[s.ID] = true
		}
		for _, d := range cfg.Drives {
			for _, h := range d.Holds {
				if !stores[h] {
					t.Errorf("nodes %v: drive %s holds %s, which PVE does not report", nodes, d.Name, h)
				}
				checked++
			}
		}
		if checked < 6 {
			t.Errorf("nodes %v: only %d ids checked", nodes, checked)
		}
	}
}
