package pve

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func newestArchive(c *client, vmid int) string {
	c.t.Helper()
	list := archives(c, vmid)
	if len(list) == 0 {
		c.t.Fatalf("no archive of %d", vmid)
	}
	best := list[0]
	for _, a := range list {
		if a.CTime > best.CTime {
			best = a
		}
	}
	return best.Volid
}

func vmIDs(c *client) map[int]resource {
	var res []resource
	c.get("/cluster/resources?type=vm", &res)
	out := map[int]resource{}
	for _, r := range res {
		out[*r.VMID] = r
	}
	return out
}

func TestRestoreToNextFreeVMID(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	var next string
	c.get("/cluster/nextid", &next)
	if next != "102" {
		t.Fatalf("nextid %q, want 102 (100 and 101 are the templates)", next)
	}
	if _, msg, errs := c.apiErr(http.MethodGet, "/cluster/nextid?vmid=421", nil); !strings.Contains(errs["vmid"], "VM 421 already exists") {
		t.Errorf("nextid of a used vmid: %q %v", msg, errs)
	}
	volid := newestArchive(c, 421)
	var upid string
	c.call(http.MethodPost, "/nodes/pve/qemu", url.Values{"vmid": {next}, "archive": {volid}, "storage": {"local-lvm"},
		"unique": {"1"}, "start": {"0"}}, &upid)
	if u, _ := parseUPID(upid); u.typ != "qmrestore" || u.id != "102" {
		t.Fatalf("upid %q", upid)
	}
	sawLock := false
	lines, st := c.follow(upid, func(taskStatus) { sawLock = sawLock || guestLock(c, 102) == "create" })
	if st.ExitStatus != "OK" || !sawLock {
		t.Fatalf("restore ended %q, lock seen %v: %q", st.ExitStatus, sawLock, lines)
	}
	for _, want := range []string{"new volume ID is 'local-lvm:vm-102-disk-0'", "rescan volumes...", "TASK OK",
		"DEV: dev_id=1 size: 34359738368 devname: drive-scsi0"} {
		if !contains(lines, want) {
			t.Errorf("log lacks %q: %q", want, lines)
		}
	}
	if !hasPrefix(lines, "restore vma archive: zstd -q -d -c /mnt/hddusb_bkpvzdumps/dump/vzdump-qemu-421-") || !hasPrefix(lines, "progress 100% (read 34359738368 bytes") {
		t.Errorf("log %q", lines)
	}
	r, ok := vmIDs(c)[102]
	if !ok || r.Name != "k3sagent01" || r.Status != "stopped" || r.Lock != "" {
		t.Fatalf("restored guest %+v", r)
	}
	conf := p.GuestConfig(102)
	orig := p.GuestConfig(421)
	if conf["scsi0"] != "local-lvm:vm-102-disk-0,iothread=1,size=32G" || conf["net0"] == orig["net0"] ||
		!strings.HasSuffix(conf["net0"], ",bridge=vmbr0,firewall=1") || conf["memory"] != orig["memory"] {
		t.Errorf("restored config %v (original %v)", conf, orig)
	}

	// extractconfig: the archive's config, with its disk map.
	var text string
	c.get("/nodes/pve/vzdump/extractconfig?volume="+url.QueryEscape(volid), &text)
	if !strings.Contains(text, "name: k3sagent01\n") || !strings.Contains(text, "#qmdump#map:scsi0:drive-scsi0:local-lvm:raw:\n") {
		t.Errorf("extractconfig %q", text)
	}

	// A second restore to the same vmid without force is refused.
	if _, msg, _ := c.apiErr(http.MethodPost, "/nodes/pve/qemu", url.Values{"vmid": {"102"}, "archive": {volid}}); msg != "unable to restore VM 102 - VM 102 already exists on node 'pve'\n" {
		t.Errorf("restore over without force: %q", msg)
	}
}

func TestRestoreOverGuest(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	volid := newestArchive(c, 421)
	// Over a running guest with force: the worker refuses it.
	var upid string
	c.call(http.MethodPost, "/nodes/pve/qemu", url.Values{"vmid": {"421"}, "archive": {volid}, "force": {"1"}}, &upid)
	lines, st := c.follow(upid, nil)
	if st.ExitStatus != "unable to restore VM 421 - vm is running" || !contains(lines, "error before or during data restore, some or all disks were not completely restored. VM 421 state is NOT cleaned up.") {
		t.Errorf("over a running guest: %q %q", st.ExitStatus, lines)
	}
	if guestLock(c, 421) != "" {
		t.Error("the create lock stayed")
	}
	// A locked guest is refused at once.
	p.SetLock(421, "backup")
	if _, msg, _ := c.apiErr(http.MethodPost, "/nodes/pve/qemu", url.Values{"vmid": {"421"}, "archive": {volid}, "force": {"1"}}); msg != "unable to restore VM 421 - VM is locked (backup)\n" {
		t.Errorf("over a locked guest: %q", msg)
	}
	p.SetLock(421, "")
	c.call(http.MethodPost, "/nodes/pve/qemu/421/status/stop", nil, &upid)
	if _, st := c.follow(upid, nil); st.ExitStatus != "OK" {
		t.Fatalf("stop %+v", st)
	}
	c.call(http.MethodPost, "/nodes/pve/qemu", url.Values{"vmid": {"421"}, "archive": {volid}, "force": {"1"}}, &upid)
	if lines, st := c.follow(upid, nil); st.ExitStatus != "OK" || !contains(lines, "new volume ID is 'local-lvm:vm-421-disk-0'") {
		t.Errorf("over a stopped guest: %q %q", st.ExitStatus, lines)
	}
	var snaps []snapJSON
	c.get("/nodes/pve/qemu/421/snapshot", &snaps)
	if len(snaps) != 1 {
		t.Errorf("a restore drops the snapshots: %+v", snaps)
	}
}

func TestRestoreFailsAndLeavesConfig(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	p.SetNextRestore(OutcomeFail)
	var upid string
	c.call(http.MethodPost, "/nodes/pve/qemu", url.Values{"vmid": {"150"}, "archive": {newestArchive(c, 411)}, "storage": {"local-lvm"}, "unique": {"1"}}, &upid)
	lines, st := c.follow(upid, nil)
	if !strings.HasPrefix(st.ExitStatus, "command 'set -o pipefail && zstd -q -d -c ") || !contains(lines, "vma: restore failed - short vma extent (2801664 < 3801088)") {
		t.Fatalf("failed restore: %q %q", st.ExitStatus, lines)
	}
	r, ok := vmIDs(c)[150]
	if !ok || r.Lock != "" {
		t.Fatalf("PVE leaves the failed guest's config: %+v %v", r, ok)
	}
	// It is destroyed like any guest.
	c.call(http.MethodDelete, "/nodes/pve/qemu/150?purge=1&destroy-unreferenced-disks=1", nil, &upid)
	if lines, st := c.follow(upid, nil); st.ExitStatus != "OK" || st.Type != "qmdestroy" || !contains(lines, "purging VM 150 from related configurations..") {
		t.Errorf("destroy %q %q", st.ExitStatus, lines)
	}
	if _, ok := vmIDs(c)[150]; ok {
		t.Error("destroyed guest still listed")
	}
}

func TestScratchGuestLinkDownBootAgentDestroy(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	var upid string
	c.call(http.MethodPost, "/nodes/pve/qemu", url.Values{"vmid": {"160"}, "archive": {newestArchive(c, 421)}, "unique": {"1"},
		"name": {"backdeck-drill-421"}, "description": {"backdeck-drill of pve/qemu/421"}}, &upid)
	if _, st := c.follow(upid, nil); st.ExitStatus != "OK" {
		t.Fatalf("restore %+v", st)
	}
	var conf map[string]any
	c.get("/nodes/pve/qemu/160/config", &conf)
	net0, _ := conf["net0"].(string)
	c.call(http.MethodPut, "/nodes/pve/qemu/160/config", url.Values{"net0": {net0 + ",link_down=1"}, "digest": {conf["digest"].(string)}}, nil)
	if got := p.GuestConfig(160)["net0"]; !strings.HasSuffix(got, ",link_down=1") {
		t.Errorf("net0 %q", got)
	}
	if _, msg, _ := c.apiErr(http.MethodPut, "/nodes/pve/qemu/160/config", url.Values{"name": {"x"}, "digest": {conf["digest"].(string)}}); !strings.Contains(msg, "detected modified configuration") {
		t.Errorf("stale digest: %q", msg)
	}
	if _, msg, _ := c.apiErr(http.MethodPost, "/nodes/pve/qemu/160/agent/ping", nil); msg != "VM 160 is not running\n" {
		t.Errorf("ping of a stopped guest: %q", msg)
	}
	c.call(http.MethodPost, "/nodes/pve/qemu/160/status/start", nil, &upid)
	if _, st := c.follow(upid, nil); st.ExitStatus != "OK" {
		t.Fatalf("start %+v", st)
	}
	if _, msg, _ := c.apiErr(http.MethodDelete, "/nodes/pve/qemu/160", nil); msg != "VM 160 is running - destroy failed\n" {
		t.Errorf("destroy of a running guest: %q", msg)
	}
	p.FailNextExtractConfig()
	if _, msg, _ := c.apiErr(http.MethodGet, "/nodes/pve/vzdump/extractconfig?volume="+url.QueryEscape(newestArchive(c, 421)), nil); !strings.Contains(msg, "failed") {
		t.Errorf("failed extractconfig: %q", msg)
	}
}
