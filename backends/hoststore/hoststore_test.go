package hoststore

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lvm"
	"github.com/backdeck/backdeck/backends/needs"

	"github.com/backdeck/backdeck/model"
)

func fakeLvs(t *testing.T) func(context.Context, string, ...string) ([]byte, int, error) {
	t.Helper()
	b, err := os.ReadFile("testdata/lvs.json")
	if err != nil {
		t.Fatal(err)
	}
	return func(_ context.Context, name string, args ...string) ([]byte, int, error) {
		if name != "lvs" || !slices.Equal(args, lvm.Args) {
			t.Errorf("ran %s %v", name, args)
		}
		return b, 0, nil
	}
}

func byID(stores []model.Store) map[string]model.Store {
	m := map[string]model.Store{}
	for _, s := range stores {
		m[s.ID] = s
	}
	return m
}

func TestThinPoolsAndMounts(t *testing.T) {
	s := New(Options{
		Run:  fakeLvs(t),
		Node: "pve",
		Statfs: func(path string) (uint64, uint64, uint64, error) {
			if path != "/mnt/hddusb_bkpvzdumps" {
				t.Errorf("statfs of %s", path)
			}
			return 1000, 300, 250, nil
		},
		Mounts: []string{"/mnt/hddusb_bkpvzdumps/", "/mnt/unplugged", "/mnt/gone"},
	})
	devs := map[string]uint64{"/mnt": 1, "/mnt/hddusb_bkpvzdumps": 2, "/mnt/unplugged": 1}
	s.dev = func(path string) (uint64, error) {
		d, ok := devs[path]
		if !ok {
			return 0, os.ErrNotExist
		}
		return d, nil
	}
	if s.Source() != "host" {
		t.Errorf("Source() = %q", s.Source())
	}
	st, err := s.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.OK || st.Source != "host" {
		t.Errorf("state %+v", st)
	}
	var ids []string
	for _, s := range st.Stores {
		ids = append(ids, s.ID)
	}
	want := []string{"host/pve_data", "host/pve_data-meta", "host/ssd_thin", "host/ssd_thin-meta",
		"host/mount-mnt-hddusb_bkpvzdumps", "host/mount-mnt-unplugged", "host/mount-mnt-gone"}
	if !slices.Equal(ids, want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	m := byID(st.Stores)
	data := m["host/pve_data"]
	if data.Name != "pve/data" || data.Type != "lvmthin" || !data.Online || data.Total != 1793452163072 ||
		data.Used != 756298777167 || data.Avail != data.Total-data.Used || data.Node != "pve" {
		t.Errorf("pve/data: %+v", data)
	}
	meta := m["host/ssd_thin-meta"]
	if meta.Name != "ssd/thin metadata" || meta.Type != "lvmthin-metadata" || meta.Total != 100 || meta.Used != 86 {
		t.Errorf("ssd/thin metadata: %+v", meta)
	}
	if meta.UsageStatus() != model.StatusWarning || m["host/pve_data-meta"].UsageStatus() != model.StatusOK {
		t.Errorf("metadata statuses %v %v", meta.UsageStatus(), m["host/pve_data-meta"].UsageStatus())
	}
	hdd := m["host/mount-mnt-hddusb_bkpvzdumps"]
	if hdd.Name != "/mnt/hddusb_bkpvzdumps" || hdd.Type != "mount" || !hdd.Online || hdd.Total != 1000 || hdd.Used != 700 || hdd.Avail != 250 {
		t.Errorf("mount: %+v", hdd)
	}
	for _, id := range []string{"host/mount-mnt-unplugged", "host/mount-mnt-gone"} {
		if m[id].Online || m[id].Total != 0 {
			t.Errorf("%s should be offline: %+v", id, m[id])
		}
	}
}

func TestNothingRead(t *testing.T) {
	missing := func(context.Context, string, ...string) ([]byte, int, error) {
		return nil, -1, &exec.Error{Name: "lvs", Err: exec.ErrNotFound}
	}
	// lvs missing but a mount answered: no error.
	s := New(Options{Run: missing, Node: "n", Mounts: []string{"/"},
		Statfs: func(string) (uint64, uint64, uint64, error) { return 10, 5, 4, nil }})
	st, err := s.Observe(context.Background())
	if err != nil || len(st.Stores) != 1 || !st.Stores[0].Online || st.Stores[0].ID != "host/mount-" || st.Stores[0].Node != "n" {
		t.Errorf("lvs missing, / read: %+v, %v", st, err)
	}
	// Nothing at all: the error says why.
	s = New(Options{Run: missing, Node: "n", Mounts: []string{"/"},
		Statfs: func(string) (uint64, uint64, uint64, error) { return 0, 0, 0, errors.New("boom") }})
	if _, err := s.Observe(context.Background()); err == nil || !strings.Contains(err.Error(), "lvm2") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("nothing read: %v", err)
	}
	// lvs output that is not JSON, no mounts.
	s = New(Options{Node: "n", Run: func(context.Context, string, ...string) ([]byte, int, error) { return []byte("oops"), 0, nil }})
	if _, err := s.Observe(context.Background()); err == nil {
		t.Error("garbage lvs output accepted")
	}
}

func TestHungLvsHonoursDeadline(t *testing.T) {
	s := New(Options{Node: "n", Run: func(context.Context, string, ...string) ([]byte, int, error) {
		time.Sleep(5 * time.Second) // ignores ctx, like a process stuck in the kernel
		return nil, 0, nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := s.Observe(ctx); !errors.Is(err, context.DeadlineExceeded) && (err == nil || !strings.Contains(err.Error(), "deadline")) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

// TestReal runs the real lvs and statfs of this machine.
func TestReal(t *testing.T) {
	needs.Command(t, "lvm2", "lvs")
	s := New(Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pools, err := s.thinPools(ctx)
	if err != nil {
		t.Fatalf("real lvs: %v", err)
	}
	t.Logf("%d thin pool stores", len(pools))

	tmp := t.TempDir()
	s = New(Options{Mounts: []string{"/", tmp}})
	st, err := s.Observe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := len(st.Stores)
	root, tmpStore := st.Stores[n-2], st.Stores[n-1]
	if root.Name != "/" || !root.Online || root.Total <= 0 || root.Used < 0 || root.Avail < 0 || root.Used > root.Total {
		t.Errorf("/: %+v", root)
	}
	if tmpStore.Name != tmp || tmpStore.Online {
		t.Errorf("%s is no mount point, should be offline: %+v", tmp, tmpStore)
	}
}
