package cli

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

type pruneLine struct {
	Target    string `json:"target"`
	Store     string `json:"store"`
	VolID     string `json:"volid"`
	Mark      string `json:"mark"`
	SizeBytes *int64 `json:"size_bytes"`
	Rule      string `json:"rule"`
	State     string `json:"state"` // the prune job's lines
}

func pruneLines(t *testing.T, out string) []pruneLine {
	t.Helper()
	var lines []pruneLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l pruneLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

// The preview is the default: the job's rules keep every archive of a K3s
// guest (its job pruned already), --keep-last replaces them, and nothing is
// removed without --apply.
func TestPrunePreviewsByDefault(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	out, errOut, code := runIn(t, home, "prune", "k3sagent01", "--config", cfg)
	if code != 0 || !strings.Contains(out, "k3sagent01 (pve/qemu/421) on pve/hddusb_bkpvzdumps: keep-daily=7,keep-weekly=4,keep-monthly=3 (job backup-k3s-daily)") ||
		!strings.Contains(out, "nothing to remove") || !strings.Contains(out, " daily ") || !strings.Contains(out, "nothing was removed") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = runIn(t, home, "prune", "pve/qemu/421", "--keep-last", "2", "--json", "--config", cfg)
	lines := pruneLines(t, out)
	keep, remove := 0, 0
	for _, l := range lines {
		if l.Target != "pve/qemu/421" || l.Store != "pve/hddusb_bkpvzdumps" || l.SizeBytes == nil || *l.SizeBytes <= 0 ||
			!strings.HasPrefix(l.VolID, "hddusb_bkpvzdumps:backup/vzdump-qemu-421-") {
			t.Errorf("line %+v", l)
		}
		switch l.Mark {
		case "keep":
			keep++
			if l.Rule != "last" {
				t.Errorf("kept by %q: %+v", l.Rule, l)
			}
		case "remove":
			remove++
			if l.Rule != "" {
				t.Errorf("a removed archive with a rule: %+v", l)
			}
		}
	}
	if code != 0 || keep != 2 || remove < 5 {
		t.Errorf("exit %d, keep %d, remove %d\n%s", code, keep, remove, out)
	}
	again, _, _ := runIn(t, home, "prune", "pve/qemu/421", "--keep-last", "2", "--json", "--config", cfg)
	if len(pruneLines(t, again)) != len(lines) {
		t.Error("the preview removed something")
	}
	// No target: every PVE guest with archives, templates' protected ones too.
	out, _, code = runIn(t, home, "prune", "--json", "--config", cfg)
	targets := map[string]string{}
	for _, l := range pruneLines(t, out) {
		targets[l.Target] = l.Mark
	}
	if code != 0 || targets["pve/qemu/100"] != "protected" || targets["pve/qemu/431"] != "keep" || len(targets) != 6 {
		t.Errorf("every guest: exit %d %v", code, targets)
	}
}

// --apply asks for the guest's name; a wrong name prunes nothing (exit 1),
// the right one runs PVE's prune as a task to its end.
func TestPruneApplyNeedsTheName(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	args := []string{"prune", "bkpserver", "--keep-last", "1", "--apply", "--config", cfg}
	out, errOut, code := runWith(t, home, session{input: "bkpsrv\n"}, args...)
	if code != 1 || !strings.Contains(out, "type bkpserver to remove these 2 archives of bkpserver on pve/hddusb_bkpvzdumps") ||
		!strings.Contains(out, "not pruned") {
		t.Fatalf("wrong name: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runWith(t, home, session{input: "bkpserver\n"}, args...)
	if code != 0 || !strings.Contains(out, "pruning bkpserver on pve/hddusb_bkpvzdumps (task UPID:pve:") || !strings.Contains(out, "succeeded") {
		t.Fatalf("right name: exit %d\n%s%s", code, out, errOut)
	}
	out, _, _ = runIn(t, home, "prune", "bkpserver", "--keep-last", "1", "--json", "--config", cfg)
	if l := pruneLines(t, out); len(l) != 1 || l[0].Mark != "keep" {
		t.Errorf("after the prune: %+v", l)
	}
	// --yes does not ask; --json --apply needs it.
	if _, errOut, code := runIn(t, home, "prune", "--apply", "--json", "--config", cfg); code != exitUsage || !strings.Contains(errOut, "add --yes") {
		t.Errorf("--json --apply: exit %d %s", code, errOut)
	}
	out, errOut, code = runIn(t, home, "prune", "k3sagent02", "--keep-last", "3", "--apply", "--yes", "--json", "--config", cfg)
	lines := pruneLines(t, out)
	if code != 0 || lines[len(lines)-1].State != "succeeded" {
		t.Errorf("--yes: exit %d\n%s%s", code, out, errOut)
	}
}

// Protect one archive: the preview marks it protected and --apply leaves it.
func TestPruneProtect(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	out, _, _ := runIn(t, home, "prune", "bkpserver", "--keep-last", "1", "--json", "--config", cfg)
	lines := pruneLines(t, out)
	oldest := lines[len(lines)-1].VolID
	out, errOut, code := runIn(t, home, "prune", "--protect", oldest, "--config", cfg)
	if code != 0 || !strings.Contains(out, oldest+" is protected") {
		t.Fatalf("protect: exit %d\n%s%s", code, out, errOut)
	}
	_, _, _ = runIn(t, home, "prune", "bkpserver", "--keep-last", "1", "--apply", "--yes", "--config", cfg)
	out, _, _ = runIn(t, home, "prune", "bkpserver", "--keep-last", "1", "--json", "--config", cfg)
	lines = pruneLines(t, out)
	if len(lines) != 2 || lines[1].VolID != oldest || lines[1].Mark != "protected" {
		t.Errorf("after prune: %+v", lines)
	}
	if _, _, code := runIn(t, home, "prune", "--unprotect", oldest, "--config", cfg); code != 0 {
		t.Errorf("unprotect: exit %d", code)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--protect", "hddusb_bkpvzdumps:backup/nosuch.vma.zst"}, 2, "no PVE archive"},
		{[]string{"--protect", oldest, "bkpserver"}, exitUsage, "take one volume id"},
		{[]string{"--yes"}, exitUsage, "--yes goes with --apply"},
		{[]string{"urbackup/k3sagent01"}, exitUsage, "no PVE guest"},
		{[]string{"--keep-last", "-1"}, exitUsage, "negative"},
	} {
		_, errOut, code := runIn(t, home, append([]string{"prune", "--config", cfg}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d %q\n%s", tc.args, code, tc.code, tc.want, errOut)
		}
	}
}

// A hostile guest name reaches neither the preview nor the prompt raw.
func TestPruneHostileName(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	out, _, _ := runIn(t, home, "prune", "pve/qemu/431", "--json", "--config", cfg)
	volid := pruneLines(t, out)[1].VolID
	h.PVE.RenameGuest(431, "bkp"+hostile)
	if err := h.PVE.RenameArchive(volid, "vzdump-qemu-431-"+hostile+".vma.zst"); err != nil {
		t.Fatal(err)
	}
	out, errOut, _ := runWith(t, home, session{input: "x\n"}, "prune", "pve/qemu/431", "--keep-last", "1", "--apply", "--config", cfg)
	mustBeSafe(t, "prune", out+errOut)
	if !strings.Contains(out, "bkp^[]0;pwned^G") || !strings.Contains(out, "renamed") || !strings.Contains(out, "vzdump-qemu-431-^[]0;pwned") {
		t.Errorf("the names are not shown as text:\n%s", out)
	}
	out, errOut, _ = runIn(t, home, "prune", "pve/qemu/431", "--json", "--config", cfg)
	mustBeSafe(t, "prune --json", out+errOut)
}
