package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/model"
)

// historyOf opens the history of the lab config the CLI used.
func historyOf(t *testing.T, home, cfg string) *history.DB {
	t.Helper()
	vars := map[string]string{"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state")}
	db, err := history.Open(context.Background(), wire.HistoryPath(func(k string) string { return vars[k] }, cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A drill that passes, in the CLI: every step, nothing left, the drill in
// the history and on the target in status.
func TestDrillPasses(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	before := h.PVE.GuestIDs()
	out, errOut, code := runWith(t, home, session{input: "y\n"}, "drill", "k3sagent01", "--boot", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"drill of k3sagent01 (pve/qemu/421)", "run the drill? [y/N]", "restore  ok     restored to VM 102",
		"network  ok     1 network device(s) disconnected", "config   ok", "boot     ok     running, and its guest agent answers",
		"cleanup  ok     VM 102 destroyed with its disks", "drill passed: ", "nothing left behind"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	if after := h.PVE.GuestIDs(); !slices.Equal(after, before) {
		t.Errorf("guests %v, were %v", after, before)
	}
	ds, err := historyOf(t, home, cfg).Drills(context.Background(), []string{"pve/qemu/421"}, 0)
	if err != nil || len(ds["pve/qemu/421"]) != 1 || !ds["pve/qemu/421"][0].OK {
		t.Fatalf("history %+v %v", ds, err)
	}
	out, _, _ = runIn(t, home, "status", "--config", cfg)
	if !strings.Contains(out, "restore tested") {
		t.Errorf("status does not say the restore was tested:\n%s", out)
	}
	out, _, _ = runIn(t, home, "status", "--json", "--config", cfg)
	var rep struct {
		Concerns []struct {
			Targets []struct {
				ID              string         `json:"id"`
				RestoreTestedAt string         `json:"restore_tested_at"`
				LastDrill       map[string]any `json:"last_drill"`
			} `json:"targets"`
		} `json:"concerns"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rep.Concerns {
		for _, tg := range c.Targets {
			if tg.ID == "pve/qemu/421" {
				found = tg.RestoreTestedAt != "" && tg.LastDrill["ok"] == true
			}
		}
	}
	if !found {
		t.Errorf("status --json has no passing drill for pve/qemu/421:\n%s", out)
	}
}

// A drill that fails mid-way (the restore breaks) leaves nothing behind,
// exits 2 and says where it failed; --json gives one line per step and
// the result.
func TestDrillFailsAndLeavesNothing(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	before := h.PVE.GuestIDs()
	h.PVE.SetNextRestore(labpve.OutcomeFail)
	out, errOut, code := runIn(t, home, "drill", "pve/qemu/421", "--yes", "--json", "--config", cfg)
	if code != 2 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	last := lines[len(lines)-1]
	if last["ok"] != false || last["step"] != "restore" || last["cleaned"] != true || last["target"] != "pve/qemu/421" {
		t.Errorf("result %v", last)
	}
	sawCleanup := false
	for _, l := range lines[:len(lines)-1] {
		for _, k := range []string{"step", "state", "message"} {
			if _, ok := l[k]; !ok {
				t.Errorf("line lacks %q: %v", k, l)
			}
		}
		sawCleanup = sawCleanup || l["step"] == "cleanup" && l["state"] == "ok"
	}
	if !sawCleanup {
		t.Errorf("no cleanup: %s", out)
	}
	if after := h.PVE.GuestIDs(); !slices.Equal(after, before) {
		t.Errorf("guests %v, were %v", after, before)
	}
	// Recorded as failed: with drill_max_age the guest warns.
	ds, _ := historyOf(t, home, cfg).Drills(context.Background(), []string{"pve/qemu/421"}, 0)
	if d := ds["pve/qemu/421"]; len(d) != 1 || d[0].OK || d[0].Step != "restore" {
		t.Errorf("history %+v", d)
	}
}

// plantLeftover is what a drill killed after its restore leaves: its
// record, open, two hours old on the CLI's clock, and its scratch guest.
func plantLeftover(t *testing.T, home, cfg string, h *lab.Homelab, vmid int) {
	t.Helper()
	db := historyOf(t, home, cfg)
	ctx := context.Background()
	id := "dead-" + strconv.Itoa(vmid)
	if err := db.BeginDrill(ctx, history.DrillRecord{ID: id, Target: "pve/qemu/411", Point: "x", Started: testClock.Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := db.DrillScratch(ctx, id, "pve", vmid); err != nil {
		t.Fatal(err)
	}
	b, err := wire.Build(ctx, wire.Options{ConfigPath: cfg, Getenv: func(k string) string { return map[string]string{"HOME": home}[k] }})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.Engine.RefreshNow(ctx)
	ts, _ := b.Engine.Posture().Target("pve/qemu/411")
	job, err := b.Proxmox.Start(ctx, model.JobRequest{Method: model.MethodRestore, Point: ts.RestorePoints[0].ID, VMID: vmid, GuestName: "backdeck-drill-" + strconv.Itoa(vmid)})
	if err != nil {
		t.Fatal(err)
	}
	if job, _ = b.Proxmox.Follow(ctx, job, nil); !job.State.Succeeded() {
		t.Fatalf("%+v", job)
	}
	if !slices.Contains(h.PVE.GuestIDs(), vmid) {
		t.Fatal("no leftover to clean")
	}
}

// What a drill killed mid-way left is cleaned up by the next drill.
func TestDrillCleansUpAnEarlierDrillsLeftover(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	plantLeftover(t, home, cfg, h, 150)
	out, errOut, code := runIn(t, home, "drill", "k3sserver01", "--yes", "--config", cfg)
	if code != 0 || !strings.Contains(out, "leftover ok     drill of pve/qemu/411 started") || !strings.Contains(out, "VM 150 destroyed") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	if slices.Contains(h.PVE.GuestIDs(), 150) {
		t.Error("the leftover is still there")
	}
}

// The console cleans up at its start too, and says so in its log.
func TestConsoleStartCleansUpDrillLeftovers(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	plantLeftover(t, home, cfg, h, 160)
	vars := map[string]string{"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state")}
	b, err := wire.Build(context.Background(), wire.Options{ConfigPath: cfg, Getenv: func(k string) string { return vars[k] }, Now: func() time.Time { return testClock }})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	lines := drillLeftovers(context.Background(), b)
	if len(lines) != 1 || !strings.Contains(lines[0], "restore drill of pve/qemu/411") || !strings.Contains(lines[0], "cleaned up: VM 160 destroyed") {
		t.Errorf("lines %q", lines)
	}
	if slices.Contains(h.PVE.GuestIDs(), 160) {
		t.Error("the leftover is still there")
	}
}

func TestDrillRefusals(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	before := h.PVE.GuestIDs()
	for _, tc := range []struct {
		args  []string
		input string
		code  int
		want  string
	}{
		{[]string{"drill"}, "", exitUsage, "give one TARGET"},
		{[]string{"drill", "k3sagent01", "--json"}, "", exitUsage, "add --yes"},
		{[]string{"drill", "nosuch", "--yes"}, "", exitUsage, "no target"},
		{[]string{"drill", "urbackup/k3sagent01", "--yes"}, "", 2, "is not a Proxmox guest"},
		{[]string{"drill", "k3sagent01"}, "n\n", 2, "not confirmed"},
	} {
		out, errOut, code := runWith(t, home, session{input: tc.input}, append(tc.args, "--config", cfg)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", tc.args, code, tc.code, tc.want, out, errOut)
		}
	}
	if after := h.PVE.GuestIDs(); !slices.Equal(after, before) {
		t.Errorf("guests %v, were %v", after, before)
	}
}

func TestDrillShowsHostileNamesSafely(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	h.PVE.RenameGuest(421, "web"+hostile)
	out, errOut, _ := runWith(t, home, session{input: "n\n"}, "drill", "pve/qemu/421", "--config", cfg)
	mustBeSafe(t, "drill", out+errOut)
	if !strings.Contains(out, "web^[]0;pwned^G") {
		t.Errorf("the name is not shown as text:\n%s", out)
	}
}
