package pve

import (
	"fmt"
	"sort"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// The seed homelab of DESIGN.md: node pve, its guests, storages and disks.
// With several nodes (Options.Nodes) the first node is the seed's host, the
// guests are dealt out over the nodes in turn, and each other node has a
// system disk with its own local and local-lvm storages.

func (w *world) seedNodes(now time.Time) {
	for i, name := range w.cfg.nodes {
		n := &nodeInfo{
			name: name, bootAt: now.Add(-23*24*time.Hour - 4*time.Hour - 17*time.Minute),
			maxcpu: 6, maxmem: 64 * gib, mem: 27*gib + 412*mib, maxdisk: 94 * gib, disk: 17*gib + 300*mib,
		}
		if i > 0 {
			// Smaller machines, booted at other times.
			n.bootAt = now.Add(-time.Duration(4+5*i)*24*time.Hour - time.Duration(13*i)*time.Minute)
			n.maxcpu, n.maxmem, n.mem = 4, 32*gib, 9*gib+int64(i)*700*mib
			n.disk = 12*gib + int64(i)*900*mib
		}
		w.nodes = append(w.nodes, n)
	}
}

func (w *world) seedGuests(now time.Time) {
	added := 0
	add := func(g *guest) {
		n := w.nodes[added%len(w.nodes)]
		added++
		g.node = n.name
		if g.bootAt.IsZero() && g.running {
			// Started a little after their node.
			g.bootAt = n.bootAt.Add(77*time.Minute + time.Duration(g.vmid)*time.Second)
		}
		w.guests[g.vmid] = g
	}
	rootDisk := func(vmid int) []vdisk {
		return []vdisk{{key: "scsi0", volid: fmt.Sprintf("local-lvm:vm-%d-disk-0", vmid), size: 32 * gib, backup: true}}
	}
	add(&guest{vmid: 100, name: "debiantpl", template: true, maxcpu: 2, maxmem: 2 * gib, disks: rootDisk(100),
		archiveSize: 835 * mib, dataSize: 2*gib + 180*mib})
	add(&guest{vmid: 101, name: "k3snodetpl", template: true, maxcpu: 2, maxmem: 4 * gib, disks: rootDisk(101),
		archiveSize: 653 * mib, dataSize: 1*gib + 770*mib})
	add(&guest{vmid: 411, name: "k3sserver01", running: true, agent: true, maxcpu: 4, maxmem: 8 * gib, mem: 5*gib + 310*mib,
		disks: rootDisk(411), tags: "k3s", archiveSize: 1229 * mib, dataSize: 3*gib + 420*mib})
	add(&guest{vmid: 421, name: "k3sagent01", running: true, agent: true, maxcpu: 4, maxmem: 16 * gib, mem: 11*gib + 80*mib,
		disks: rootDisk(421), tags: "k3s", archiveSize: 2765 * mib, dataSize: 7*gib + 640*mib})
	add(&guest{vmid: 422, name: "k3sagent02", running: true, agent: true, maxcpu: 4, maxmem: 16 * gib, mem: 12*gib + 990*mib,
		disks: rootDisk(422), tags: "k3s", archiveSize: 3686 * mib, dataSize: 10*gib + 100*mib})
	bkp := &guest{vmid: 431, name: "bkpserver", running: true, agent: true, maxcpu: 2, maxmem: 4 * gib, mem: 3*gib + 50*mib,
		disks: rootDisk(431), archiveSize: 2458 * mib, dataSize: 6*gib + 300*mib}
	// The UrBackup store lives on the USB drive's thin pool and is backed up
	// by UrBackup itself, so vzdump leaves it out (backup=0).
	bkp.disks = append(bkp.disks, vdisk{key: "scsi1", volid: "hddusb_bkpdata:vm-431-disk-0", size: 1536 * gib})
	add(bkp)
	w.guests[421].snapshots = []*snapshot{{
		name: "pre-upgrade", description: "before k3s 1.31 upgrade",
		snaptime: now.Add(-3*24*time.Hour - 2*time.Hour).Unix(),
	}}
	w.guests[421].parent = "pre-upgrade"
	for i := 0; i < w.cfg.extraGuests; i++ {
		vmid := 1000 + i
		add(&guest{vmid: vmid, name: fmt.Sprintf("guest%d", vmid), running: true, agent: true, maxcpu: 1, maxmem: gib,
			mem: 600 * mib, disks: rootDisk(vmid), archiveSize: 96*mib + int64(vmid%7)*40*mib, dataSize: 400 * mib})
	}
	for vmid := range w.guests {
		w.vmids = append(w.vmids, vmid)
	}
	sort.Ints(w.vmids)
}

func (w *world) seedStorages() {
	add := func(s *storage) { w.storages = append(w.storages, s) }
	first := w.nodes[0].name
	for i, n := range w.nodes {
		add(&storage{id: "local", node: n.name, typ: "dir", content: []string{"iso", "snippets", "vztmpl"}, path: "/var/lib/vz",
			active: true, total: 94 * gib, otherUsed: 17*gib + 300*mib - int64(i)*5*gib, drive: systemDiskSerial(i)})
	}
	for i, n := range w.nodes {
		add(&storage{id: "local-lvm", node: n.name, typ: "lvmthin", content: []string{"images", "rootdir"}, active: true,
			total: 794*gib + 300*mib, otherUsed: 231*gib + 77*mib - int64(i)*61*gib, drive: systemDiskSerial(i)})
	}
	// The USB HDD (Seagate Expansion, 4 TB) on the first node: a directory
	// storage for the vzdump archives and a thin pool for bkpserver's data
	// disk, side by side on it (lab/host's sizes). In a cluster the directory is shared (the first node exports it
	// and the others mount it at the same path, and storage.cfg says shared
	// 1), so every node's guests back up to it; the thin pool cannot be.
	vzdumps := &storage{id: "hddusb_bkpvzdumps", node: first, typ: "dir", content: []string{"backup"}, path: "/mnt/hddusb_bkpvzdumps",
		mountpoint: true, active: true, total: host.BkpVzdumpsFS, otherUsed: host.BkpVzdumpsUsed, drive: "NA8F1234"}
	if len(w.nodes) > 1 {
		vzdumps.node, vzdumps.shared = "", true
	}
	add(vzdumps)
	add(&storage{id: "hddusb_bkpdata", node: first, typ: "lvmthin", content: []string{"images"}, active: true,
		total: host.BkpDataSize, otherUsed: 412*gib + 530*mib, drive: "NA8F1234"})
}

// systemDiskSerial is the serial of the i-th node's system NVMe SSD.
func systemDiskSerial(i int) string {
	if i == 0 {
		return "S5GXNX0T"
	}
	return fmt.Sprintf("S6B%dNX0W", i)
}

func (w *world) seedDisks() {
	first := w.nodes[0].name
	w.disks = []*disk{
		{devpath: "/dev/nvme0n1", typ: "nvme", size: 1000204886016, model: "Samsung SSD 980 PRO 1TB", serial: "S5GXNX0T",
			vendor: "unknown", wwn: "eui.0025385b11a0e1b2", rpm: 0, wearout: 97, health: "PASSED", used: "LVM",
			byID: "/dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S5GXNX0T", present: true},
		{devpath: "/dev/sda", typ: "hdd", size: 2000398934016, model: "ST2000DM008-2FR102", serial: "ZFL1ABCD",
			vendor: "ATA", wwn: "0x5000c500c1234567", rpm: "7200", wearout: "N/A", health: "PASSED", used: "partitions", present: true},
		{devpath: "/dev/sdb", typ: "usb", size: 4000787030016, model: "Expansion_HDD", serial: "NA8F1234",
			vendor: "Seagate", wwn: "unknown", rpm: 0, wearout: "N/A", health: "PASSED", used: "LVM", present: true},
		// The Clonezilla images drive: an old Hitachi behind a JMicron bridge,
		// failing (its SMART: lab/host's, served by disks.go). smartctl's own
		// words for a failed self-assessment are "FAILED!", which PVE keeps.
		{devpath: "/dev/sdc", typ: "usb", size: 500107862016, model: "HDS721050DLE630", serial: "NB2K5678",
			vendor: "Hitachi", wwn: "unknown", rpm: 0, wearout: "N/A", health: "FAILED!", used: "partitions", present: true},
	}
	for _, d := range w.disks {
		d.node = first
	}
	for i, n := range w.nodes[1:] {
		serial := systemDiskSerial(i + 1)
		// 1 TB, as the first node's: its local and local-lvm fit on it.
		w.disks = append(w.disks, &disk{node: n.name, devpath: "/dev/nvme0n1", typ: "nvme", size: 1000204886016,
			model: "Samsung SSD 980 1TB", serial: serial, vendor: "unknown", wwn: fmt.Sprintf("eui.0025385b21b%05x", i+1),
			rpm: 0, wearout: 99, health: "PASSED", used: "LVM", byID: "/dev/disk/by-id/nvme-Samsung_SSD_980_1TB_" + serial, present: true})
	}
}
