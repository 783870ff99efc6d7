package pve

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// A two-node cluster whose nodes are not named pve.
func startCluster(t *testing.T) (*Server, *client) {
	t.Helper()
	return startLab(t, Options{Nodes: []string{"alpha", "beta"}})
}

func TestClusterSpreadsGuestsAndListsEveryNode(t *testing.T) {
	t.Parallel()
	_, c := startCluster(t)
	var res []resource
	c.get("/cluster/resources", &res)
	nodeOf := map[int]string{}
	var nodes, storages, sdn []string
	for _, r := range res {
		switch r.Type {
		case "qemu":
			nodeOf[*r.VMID] = r.Node
		case "node":
			nodes = append(nodes, r.ID)
		case "storage":
			storages = append(storages, r.ID)
		case "sdn":
			sdn = append(sdn, r.ID)
		}
	}
	want := map[int]string{100: "alpha", 101: "beta", 411: "alpha", 421: "beta", 422: "alpha", 431: "beta"}
	for vmid, node := range want {
		if nodeOf[vmid] != node {
			t.Errorf("guest %d on %q, want %s", vmid, nodeOf[vmid], node)
		}
	}
	if !slices.Equal(nodes, []string{"node/alpha", "node/beta"}) || len(sdn) != 2 {
		t.Errorf("nodes %v, sdn %v", nodes, sdn)
	}
	// Each node's own local storages, the shared backup directory on both,
	// the thin pool on the USB drive's node only.
	wantSt := []string{"storage/alpha/local", "storage/alpha/local-lvm", "storage/alpha/hddusb_bkpvzdumps", "storage/alpha/hddusb_bkpdata",
		"storage/beta/local", "storage/beta/local-lvm", "storage/beta/hddusb_bkpvzdumps"}
	if !slices.Equal(storages, wantSt) {
		t.Errorf("storages %v\nwant %v", storages, wantSt)
	}
	var list []map[string]any
	c.get("/nodes", &list)
	if len(list) != 2 || list[0]["node"] != "alpha" || list[1]["node"] != "beta" {
		t.Errorf("/nodes %v", list)
	}
	var st map[string]any
	c.get("/nodes/beta/status", &st)
	if st["cpuinfo"].(map[string]any)["cpus"].(float64) != 4 {
		t.Errorf("beta's status %v", st)
	}
	var qemu []map[string]any
	c.get("/nodes/beta/qemu", &qemu)
	var names []string
	for _, g := range qemu {
		names = append(names, g["name"].(string))
	}
	if !slices.Equal(names, []string{"k3snodetpl", "k3sagent01", "bkpserver"}) {
		t.Errorf("beta's guests %v", names)
	}
	// There is no node pve in this cluster.
	status, msg, _ := c.apiErr(http.MethodGet, "/nodes/pve/qemu", nil)
	if !strings.HasPrefix(status, "500") || !strings.Contains(msg, "hostname lookup 'pve' failed") {
		t.Errorf("node pve: %s %q", status, msg)
	}
}

func TestClusterGuestOnTheWrongNode(t *testing.T) {
	t.Parallel()
	_, c := startCluster(t)
	// PVE::AbstractConfig::load_config on a node that does not have the guest.
	status, msg, _ := c.apiErr(http.MethodGet, "/nodes/alpha/qemu/421/snapshot", nil)
	if status != "500 Configuration file 'nodes/alpha/qemu-server/421.conf' does not exist" ||
		msg != "Configuration file 'nodes/alpha/qemu-server/421.conf' does not exist\n" {
		t.Errorf("wrong node: %q %q", status, msg)
	}
	if _, msg, _ := c.apiErr(http.MethodPost, "/nodes/alpha/qemu/421/snapshot", url.Values{"snapname": {"x1"}}); !strings.Contains(msg, "nodes/alpha/qemu-server/421.conf") {
		t.Errorf("snapshot on the wrong node: %q", msg)
	}
	if snaps := snapshotsOn(c, "beta", "421"); len(snaps) != 2 {
		t.Errorf("421's snapshots on beta: %v", snaps)
	}
}

func snapshotsOn(c *client, node, vmid string) []snapJSON {
	c.t.Helper()
	var list []snapJSON
	c.get("/nodes/"+node+"/qemu/"+vmid+"/snapshot", &list)
	return list
}

func TestClusterStoragesPerNode(t *testing.T) {
	t.Parallel()
	p, c := startCluster(t)
	var beta []storageEntryJSON
	c.get("/nodes/beta/storage", &beta)
	var ids []string
	for _, s := range beta {
		ids = append(ids, s.Storage)
	}
	if !slices.Equal(ids, []string{"local", "local-lvm", "hddusb_bkpvzdumps"}) {
		t.Errorf("beta's storages %v", ids)
	}
	status, msg, _ := c.apiErr(http.MethodGet, "/nodes/beta/storage/hddusb_bkpdata/status", nil)
	if !strings.HasPrefix(status, "500") || msg != "storage 'hddusb_bkpdata' is not available on node 'beta'\n" {
		t.Errorf("thin pool from beta: %s %q", status, msg)
	}
	// The shared directory shows the same archives from both nodes.
	var fromAlpha, fromBeta []backupEntry
	c.get("/nodes/alpha/storage/hddusb_bkpvzdumps/content", &fromAlpha)
	c.get("/nodes/beta/storage/hddusb_bkpvzdumps/content", &fromBeta)
	volids := func(list []backupEntry) []string {
		var out []string
		for _, e := range list {
			out = append(out, e.Volid)
		}
		return out
	}
	if len(fromAlpha) == 0 || !slices.Equal(volids(fromAlpha), volids(fromBeta)) {
		t.Errorf("shared content: %d from alpha, %d from beta", len(fromAlpha), len(fromBeta))
	}
	// Each node's disks: the seed's on alpha, a system SSD on beta.
	var disks []map[string]any
	c.get("/nodes/beta/disks/list", &disks)
	if len(disks) != 1 || disks[0]["type"] != "nvme" || disks[0]["serial"] == "S5GXNX0T" {
		t.Errorf("beta's disks %v", disks)
	}
	c.get("/nodes/alpha/disks/list", &disks)
	if len(disks) != 4 {
		t.Errorf("alpha's disks %v", disks)
	}
	ids = nil
	for _, r := range p.UsageHistory(1) {
		if !slices.Contains(ids, r.StoreID) {
			ids = append(ids, r.StoreID)
		}
	}
	wantIDs := []string{"pve/local@alpha", "pve/local@beta", "pve/local-lvm@alpha", "pve/local-lvm@beta", "pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata"}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("usage history ids %v, want %v", ids, wantIDs)
	}
}

func TestClusterVzdumpRunsOnTheGuestsNode(t *testing.T) {
	t.Parallel()
	_, c := startCluster(t)
	before := len(archivesOn(c, "beta", 421))
	form := url.Values{"vmid": {"421,411"}, "storage": {"hddusb_bkpvzdumps"}, "mode": {"snapshot"}, "compress": {"zstd"}}
	var upid string
	c.call(http.MethodPost, "/nodes/beta/vzdump", form, &upid)
	if !strings.HasPrefix(upid, "UPID:beta:") || !strings.Contains(upid, ":vzdump:421:") {
		t.Fatalf("upid %q", upid)
	}
	lines, st := c.follow(upid, nil)
	if st.ExitStatus != "OK" || !slices.Contains(lines, "INFO: skip external VMs: 411") {
		t.Errorf("exit %q, log %q", st.ExitStatus, lines)
	}
	after := archivesOn(c, "alpha", 421)
	if len(after) != before+1 {
		t.Errorf("421 has %d archives, had %d", len(after), before)
	}
	// Asked of a node where none of its guests are, vzdump starts nothing.
	var answer string
	c.call(http.MethodPost, "/nodes/alpha/vzdump", url.Values{"vmid": {"421"}, "storage": {"hddusb_bkpvzdumps"}}, &answer)
	if answer != "OK" {
		t.Errorf("vzdump of beta's guest on alpha answered %q", answer)
	}
}

func archivesOn(c *client, node string, vmid int) []backupEntry {
	c.t.Helper()
	var list []backupEntry
	c.get("/nodes/"+node+"/storage/hddusb_bkpvzdumps/content?content=backup&vmid="+itoa(vmid), &list)
	return list
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	p, c := startCluster(t)
	for _, tc := range []struct {
		vmid int
		node string
		want string
	}{
		{421, "beta", "target is local node"},
		{421, "gamma", "no such cluster node 'gamma'"},
		{777, "alpha", "no guest 777"},
	} {
		if err := p.Migrate(tc.vmid, tc.node); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Migrate(%d, %s) = %v, want %q", tc.vmid, tc.node, err, tc.want)
		}
	}
	if err := p.Migrate(421, "alpha"); err != nil {
		t.Fatal(err)
	}
	if n := p.GuestNode(421); n != "alpha" {
		t.Errorf("421 on %q after migrating", n)
	}
	var res []resource
	c.get("/cluster/resources?type=vm", &res)
	for _, r := range res {
		if *r.VMID == 421 && r.Node != "alpha" {
			t.Errorf("resources show 421 on %s", r.Node)
		}
	}
	if snaps := snapshotsOn(c, "alpha", "421"); len(snaps) != 2 || snaps[0].Name != "pre-upgrade" {
		t.Errorf("snapshots moved with the guest: %v", snaps)
	}
	if _, msg, _ := c.apiErr(http.MethodGet, "/nodes/beta/qemu/421/snapshot", nil); !strings.Contains(msg, "nodes/beta/qemu-server/421.conf") {
		t.Errorf("beta still answers for 421: %q", msg)
	}
	// A locked guest stays where it is, as qm migrate refuses it.
	p.SetLock(411, "backup")
	if err := p.Migrate(411, "beta"); err == nil || err.Error() != "VM is locked (backup)" {
		t.Errorf("migrating a locked guest: %v", err)
	}
}

// A job that waits for its node's vzdump lock while its guest migrates
// finds no config for it when its turn comes; the other node's lock is its
// own.
func TestMigrateWhileAJobWaits(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{Nodes: []string{"alpha", "beta"}, BackupDuration: 2 * time.Second})
	form := func(vmid string) url.Values {
		return url.Values{"vmid": {vmid}, "storage": {"hddusb_bkpvzdumps"}}
	}
	var first, waiting, other string
	c.call(http.MethodPost, "/nodes/beta/vzdump", form("431"), &first)
	c.call(http.MethodPost, "/nodes/beta/vzdump", form("421"), &waiting)
	c.call(http.MethodPost, "/nodes/alpha/vzdump", form("411"), &other)
	if err := p.Migrate(421, "alpha"); err != nil {
		t.Fatal(err)
	}
	var log []logLineJSON
	c.get("/nodes/alpha/tasks/"+url.PathEscape(other)+"/log", &log)
	if len(log) == 0 || !strings.HasPrefix(log[0].T, "INFO: starting new backup job") {
		t.Errorf("alpha's job waited for beta's lock: %v", log)
	}
	lines, st := c.follow(waiting, nil)
	wantErr := "ERROR: Backup of VM 421 failed - Configuration file 'nodes/beta/qemu-server/421.conf' does not exist"
	if st.ExitStatus != "job errors" || !slices.Contains(lines, wantErr) || lines[0] != "INFO: trying to get global lock - waiting..." {
		t.Errorf("exit %q, log %q", st.ExitStatus, lines)
	}
	if _, st := c.follow(first, nil); st.ExitStatus != "OK" {
		t.Errorf("431's job: %q", st.ExitStatus)
	}
}

func TestNodeNamesChecked(t *testing.T) {
	for _, nodes := range [][]string{{"alpha", "alpha"}, {"-x"}, {"a b"}, {""}} {
		if p, err := Start(Options{Nodes: nodes}); err == nil {
			_ = p.Close()
			t.Errorf("nodes %q accepted", nodes)
		}
	}
}
