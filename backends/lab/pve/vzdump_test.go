package pve

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func startVzdump(c *client, vmid string, extra url.Values) string {
	c.t.Helper()
	form := url.Values{"vmid": {vmid}, "storage": {"hddusb_bkpvzdumps"}, "mode": {"snapshot"},
		"compress": {"zstd"}, "notes-template": {"{{guestname}}"}}
	for k, v := range extra {
		form[k] = v
	}
	var upid string
	c.call(http.MethodPost, "/nodes/pve/vzdump", form, &upid)
	return upid
}

func guestLock(c *client, vmid int) string {
	var res []resource
	c.get("/cluster/resources?type=vm", &res)
	for _, r := range res {
		if *r.VMID == vmid {
			return r.Lock
		}
	}
	c.t.Fatalf("no guest %d", vmid)
	return ""
}

func archives(c *client, vmid int) []backupEntry {
	var list []backupEntry
	c.get("/nodes/pve/storage/hddusb_bkpvzdumps/content?content=backup&vmid="+itoa(vmid), &list)
	return list
}

var progressLine = regexp.MustCompile(`^INFO: +(\d+)% \(([\d.]+ \w+) of 32\.0 GiB\) in (\d+[smhd]( \d+[smhd])*), read: [\d.]+ \w+/s, write: [\d.]+ \w+/s$`)

func TestVzdumpRunsAndAddsArchive(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	before := archives(c, 421)
	var st0 []storageEntryJSON
	c.get("/nodes/pve/storage?content=backup", &st0)

	upid := startVzdump(c, "421", nil)
	u, ok := parseUPID(upid)
	if !ok || u.node != "pve" || u.typ != "vzdump" || u.id != "421" || u.user != p.TokenID() ||
		!regexp.MustCompile(`^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:vzdump:421:backdeck@pve!console:$`).MatchString(upid) {
		t.Fatalf("upid %q", upid)
	}
	sawLock, sawRunning := false, false
	lines, st := c.follow(upid, func(st taskStatus) {
		sawRunning = sawRunning || st.Status == "running"
		sawLock = sawLock || guestLock(c, 421) == "backup"
	})
	if !sawRunning || !sawLock {
		t.Errorf("running %v, lock seen %v", sawRunning, sawLock)
	}
	if st.ExitStatus != "OK" || st.User != "backdeck@pve" || st.TokenID != "console" || st.ID != "421" {
		t.Errorf("final status %+v", st)
	}
	if lines[len(lines)-1] != "TASK OK" || !strings.HasPrefix(lines[0], "INFO: starting new backup job: vzdump 421 ") {
		t.Errorf("log %q … %q", lines[0], lines[len(lines)-1])
	}
	last := -1
	for _, l := range lines {
		if m := progressLine.FindStringSubmatch(l); m != nil {
			pct, _ := strconv.Atoi(m[1])
			if pct <= last {
				t.Errorf("progress went from %d to %d", last, pct)
			}
			last = pct
		} else if strings.Contains(l, "%") && strings.Contains(l, " of ") {
			t.Errorf("malformed progress line %q", l)
		}
	}
	if last != 100 {
		t.Errorf("last progress %d%%", last)
	}
	for _, want := range []string{"INFO: VM Name: k3sagent01", "INFO: include disk 'scsi0' 'local-lvm:vm-421-disk-0' 32G",
		"INFO: backup mode: snapshot", "INFO: adding notes to backup", "INFO: Backup job finished successfully"} {
		if !contains(lines, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if guestLock(c, 421) != "" {
		t.Error("lock kept after the backup")
	}
	after := archives(c, 421)
	if len(after) != len(before)+1 {
		t.Fatalf("%d archives before, %d after", len(before), len(after))
	}
	n := after[len(after)-1]
	if n.Notes != "k3sagent01" || n.Format != "vma.zst" || time.Since(time.Unix(n.CTime, 0)) > time.Minute ||
		!contains(lines, "INFO: creating vzdump archive '/mnt/hddusb_bkpvzdumps/dump/"+strings.TrimPrefix(n.Volid, "hddusb_bkpvzdumps:backup/")+"'") {
		t.Errorf("new archive %+v", n)
	}
	var st1 []storageEntryJSON
	c.get("/nodes/pve/storage?content=backup", &st1)
	if st1[0].Used != st0[0].Used+n.Size {
		t.Errorf("used %d → %d, archive %d", st0[0].Used, st1[0].Used, n.Size)
	}
}

func contains(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestVzdumpOutcomes(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{BackupDuration: 800 * time.Millisecond})

	p.SetNextOutcome(OutcomeWarnings)
	n0 := len(archives(c, 411))
	lines, st := c.follow(startVzdump(c, "411", nil), nil)
	if st.ExitStatus != "WARNINGS: 1" || lines[len(lines)-1] != "TASK WARNINGS: 1" {
		t.Errorf("warnings: %q / %q", st.ExitStatus, lines[len(lines)-1])
	}
	if !hasPrefix(lines, "WARN: ") || len(archives(c, 411)) != n0+1 {
		t.Errorf("warnings: no WARN line or no archive: %q", lines)
	}

	p.SetNextOutcome(OutcomeFail)
	lines, st = c.follow(startVzdump(c, "411", nil), nil)
	if st.ExitStatus != "job errors" || lines[len(lines)-1] != "TASK ERROR: job errors" {
		t.Errorf("fail: %q / %q", st.ExitStatus, lines[len(lines)-1])
	}
	if !contains(lines, "ERROR: Backup of VM 411 failed - job failed with err -5 - Input/output error") ||
		!contains(lines, "INFO: Backup job finished with errors") || len(archives(c, 411)) != n0+1 {
		t.Errorf("fail log %q", lines)
	}

	// The knob is for the next vzdump only.
	_, st = c.follow(startVzdump(c, "411", nil), nil)
	if st.ExitStatus != "OK" {
		t.Errorf("after the knob: %q", st.ExitStatus)
	}
}

func hasPrefix(lines []string, p string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

func TestVzdumpStop(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	n0 := len(archives(c, 422))
	upid := startVzdump(c, "422", nil)
	time.Sleep(500 * time.Millisecond)
	c.call(http.MethodDelete, "/nodes/pve/tasks/"+url.PathEscape(upid), nil, nil)
	lines, st := c.follow(upid, nil)
	if st.ExitStatus != "interrupted by signal" || lines[len(lines)-1] != "TASK ERROR: interrupted by signal" {
		t.Errorf("stopped: %q / %q", st.ExitStatus, lines[len(lines)-1])
	}
	for _, want := range []string{"ERROR: interrupted by signal", "INFO: aborting backup job",
		"ERROR: Backup of VM 422 failed - interrupted by signal", "ERROR: Backup job failed - interrupted by signal"} {
		if !contains(lines, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if guestLock(c, 422) != "" || len(archives(c, 422)) != n0 {
		t.Error("stopped backup kept its lock or added an archive")
	}
	// Stopping a finished task changes nothing.
	c.call(http.MethodDelete, "/nodes/pve/tasks/"+url.PathEscape(upid), nil, nil)
	if st2 := c.status(upid); st2.ExitStatus != st.ExitStatus {
		t.Errorf("second stop changed the exit status to %q", st2.ExitStatus)
	}
}

func TestUnplugDuringVzdump(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	n0 := len(archives(c, 421))
	upid := startVzdump(c, "421,422", nil)
	if u, _ := parseUPID(upid); u.id != "" {
		t.Errorf("a two-guest job has id %q", u.id)
	}
	time.Sleep(500 * time.Millisecond)
	p.SetStorageActive("hddusb_bkpvzdumps", false)
	lines, st := c.follow(upid, nil)
	if st.ExitStatus != "job errors" {
		t.Errorf("exit %q", st.ExitStatus)
	}
	if !contains(lines, "ERROR: Backup of VM 421 failed - job failed with err -2 - No such file or directory") ||
		!hasPrefix(lines, "ERROR: Backup of VM 422 failed - unable to create temporary directory '/mnt/hddusb_bkpvzdumps/dump/vzdump-qemu-422-") {
		t.Errorf("log %q", lines)
	}
	p.SetStorageActive("hddusb_bkpvzdumps", true)
	if len(archives(c, 421)) != n0 || guestLock(c, 421) != "" {
		t.Error("failed backup added an archive or kept its lock")
	}
}

func TestVzdumpQueuesOnTheNodeLock(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{BackupDuration: time.Second})
	first := startVzdump(c, "411", nil)
	second := startVzdump(c, "411", nil) // the same guest: it waits, it is not refused
	var chunk []logLineJSON
	c.get("/nodes/pve/tasks/"+url.PathEscape(second)+"/log", &chunk)
	if len(chunk) != 1 || chunk[0].T != "INFO: trying to get global lock - waiting..." {
		t.Errorf("waiting log %+v", chunk)
	}
	if guestLock(c, 411) != "backup" {
		t.Error("first job holds no lock")
	}
	_, st1 := c.follow(first, nil)
	lines, st2 := c.follow(second, nil)
	if len(lines) < 2 {
		t.Fatalf("second job log %q", lines)
	}
	if st1.ExitStatus != "OK" || st2.ExitStatus != "OK" || lines[1] != "INFO: got global lock" {
		t.Errorf("queued jobs: %q %q %q", st1.ExitStatus, st2.ExitStatus, lines[:2])
	}
	// A job stopped while waiting dies in getlock, without a TASK line.
	a := startVzdump(c, "411", nil)
	b := startVzdump(c, "422", nil)
	c.call(http.MethodDelete, "/nodes/pve/tasks/"+url.PathEscape(b), nil, nil)
	lines, st := c.follow(b, nil)
	if st.ExitStatus != "unexpected status" || lines[len(lines)-1] != "ERROR: can't acquire lock '/var/run/vzdump.lock' - interrupted by signal" {
		t.Errorf("stopped while waiting: %q %q", st.ExitStatus, lines)
	}
	c.follow(a, nil)
}

func TestVzdumpLockedAndUnknownGuests(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	p.SetLock(421, "backup")
	if guestLock(c, 421) != "backup" {
		t.Error("stale lock not shown")
	}
	lines, st := c.follow(startVzdump(c, "421", nil), nil)
	if st.ExitStatus != "job errors" || !contains(lines, "ERROR: Backup of VM 421 failed - VM is locked (backup)") {
		t.Errorf("locked: %q %q", st.ExitStatus, lines)
	}
	p.SetLock(421, "")

	lines, st = c.follow(startVzdump(c, "999", nil), nil)
	if st.ExitStatus != "job errors" || !contains(lines, "ERROR: Backup of VM 999 failed - unable to find VM '999'") {
		t.Errorf("unknown guest: %q %q", st.ExitStatus, lines)
	}
	status, msg, errs := c.apiErr(http.MethodPost, "/nodes/pve/vzdump", url.Values{"storage": {"hddusb_bkpvzdumps"}})
	if status != "400 Parameter verification failed." || msg != "Parameter verification failed.\n" ||
		errs["vmid"] != "property is missing and it is not optional" {
		t.Errorf("no vmid: %q %q %v", status, msg, errs)
	}
	if _, _, errs := c.apiErr(http.MethodPost, "/nodes/pve/vzdump", url.Values{"vmid": {"421"}, "mode": {"fast"}}); errs["mode"] == "" {
		t.Errorf("bad mode: %v", errs)
	}
}

func TestVzdumpProtectedPrunedStoppedGuest(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{BackupDuration: 600 * time.Millisecond})
	lines, st := c.follow(startVzdump(c, "100", url.Values{"protected": {"1"}}), nil)
	if st.ExitStatus != "OK" || !contains(lines, "INFO: status = stopped") || !contains(lines, "INFO: backup mode: stop") ||
		!contains(lines, "INFO: marking backup as protected") || !contains(lines, "INFO: stopping kvm after backup task") {
		t.Errorf("template backup log %q", lines)
	}
	list := archives(c, 100)
	if len(list) != 2 || list[1].Protected == nil {
		t.Errorf("template archives %+v", list)
	}
	lines, _ = c.follow(startVzdump(c, "411", url.Values{"prune-backups": {"keep-last=2"}}), nil)
	if !contains(lines, "INFO: prune older backups with retention: keep-last=2") || !hasPrefix(lines, "INFO: removing backup 'hddusb_bkpvzdumps:backup/vzdump-qemu-411-") {
		t.Errorf("prune log %q", lines)
	}
	if n := len(archives(c, 411)); n != 2 {
		t.Errorf("after keep-last=2: %d archives", n)
	}
}
