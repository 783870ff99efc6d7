package cli

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

// restore POINT --yes restores a target's newest archive to the next free
// VMID and follows the task to its end.
func TestRestoreToANewGuest(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	out, errOut, code := runWith(t, home, session{input: "y\n"}, "restore", "k3sagent01", "--storage", "local-lvm", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"restore hddusb_bkpvzdumps:backup/vzdump-qemu-421-", "of      k3sagent01 (pve/qemu/421)",
		"to      a new VM 102, disks on local-lvm, new MAC addresses, not started", "restore? [y/N]", "succeeded",
		"restored hddusb_bkpvzdumps:backup/vzdump-qemu-421-"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if conf := h.PVE.GuestConfig(102); conf["name"] != "k3sagent01" || conf["scsi0"] != "local-lvm:vm-102-disk-0,iothread=1,size=32G" {
		t.Errorf("VM 102: %v", conf)
	}

	// --json: run's lines with the archive and the VMID; --vmid chooses it.
	out, errOut, code = runIn(t, home, "restore", "pve/qemu/411", "--vmid", "150", "--json", "--yes", "--config", cfg)
	if code != 0 {
		t.Fatalf("--json: exit %d\n%s%s", code, out, errOut)
	}
	var last map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
	}
	if last["state"] != "succeeded" || last["vmid"] != float64(150) || !strings.HasPrefix(last["volid"].(string), "hddusb_bkpvzdumps:backup/vzdump-qemu-411-") {
		t.Errorf("last line %v", last)
	}
}

func TestRestoreRefusals(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	before := len(h.PVE.GuestIDs())
	for _, tc := range []struct {
		args  []string
		input string
		code  int
		want  string
	}{
		{[]string{"restore"}, "", exitUsage, "give one POINT"},
		{[]string{"restore", "k3sagent01", "--json"}, "", exitUsage, "add --yes"},
		{[]string{"restore", "k3sagent01", "--over", "--vmid", "150"}, "", exitUsage, "leave --vmid out"},
		{[]string{"restore", "nosuch"}, "", exitUsage, `no target "nosuch" with a restore point`},
		{[]string{"restore", "k3sagent01"}, "n\n", 2, "not confirmed: nothing restored"},
		{[]string{"restore", "k3sagent01"}, "", 2, "not confirmed"},
		{[]string{"restore", "k3sagent01", "--over", "--yes"}, "", 2, "k3sagent01 (VM 421) is running: stop it first"},
		{[]string{"restore", "k3sagent01", "--over"}, "k3sagent0\n", 2, "not confirmed"},
		{[]string{"restore", "k3sagent01", "--yes", "--vmid", "411"}, "", 2, "VMID 411 is taken by k3sserver01 (VM 411)"},
		{[]string{"restore", "k3sagent01", "--yes", "--storage", "hddusb_bkpvzdumps"}, "", 2, "does not take images"},
	} {
		out, errOut, code := runWith(t, home, session{input: tc.input}, append(tc.args, "--config", cfg)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", tc.args, code, tc.code, tc.want, out, errOut)
		}
	}
	if after := len(h.PVE.GuestIDs()); after != before {
		t.Errorf("a refused restore made a guest: %d guests, were %d", after, before)
	}
}

// Over the original guest: stopped first, confirmed by typing its name.
func TestRestoreOverTheOriginal(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	h.PVE.SetGuestRunning(422, false)
	out, errOut, code := runWith(t, home, session{input: "k3sagent02\n"}, "restore", "422", "--over", "--config", cfg)
	if code != 0 || !strings.Contains(out, "over    k3sagent02 (VM 422) on node pve: its disks and config are replaced") ||
		!strings.Contains(out, "type k3sagent02 to replace its disks and config") || !strings.Contains(out, "restored ") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}

// An UrBackup point stays UrBackup's: where the files are and the
// commands, nothing started.
func TestRestoreOfAnUrBackupPointExplains(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	out, errOut, code := runIn(t, home, "restore", "urbackup/k3sagent01", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"UrBackup restores its own backups; backdeck changes nothing.", "of client k3sagent01",
		"web UI", "urbackupclientctl restore-start -b "} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
}

func TestRestoreShowsHostileNamesSafely(t *testing.T) {
	home := t.TempDir()
	h, cfg := labWith(t, home)
	h.PVE.RenameGuest(421, "web"+hostile)
	out, errOut, _ := runWith(t, home, session{input: "n\n"}, "restore", "pve/qemu/421", "--config", cfg)
	mustBeSafe(t, "restore", out+errOut)
	if !strings.Contains(out, "web^[]0;pwned^G") {
		t.Errorf("the name is not shown as text:\n%s", out)
	}
	out, errOut, _ = runWith(t, home, session{input: "web\n"}, "restore", "pve/qemu/421", "--over", "--config", cfg)
	mustBeSafe(t, "restore --over", out+errOut)
}
