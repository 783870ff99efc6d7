package images

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// lvm saves the PV partition: the LVM lists and metadata, the swap LV's
// info file and root's image; the thin pool cannot be opened.
func (b *build) lvm(p partition) {
	b.logf("Parsing LVM layout for %s ...", strings.Join(partNames(b.img.disk), " "))
	vgdev := fmt.Sprintf("pve /dev/%s %s", p.name, host.NVMePVUUID)
	b.logf("%s", vgdev)
	b.add("lvm_vg_dev.list", []byte(vgdev+"\n"), 0o644)
	b.logf("Parsing logical volumes...")
	swap := fmt.Sprintf("/dev/pve/swap  Linux swap file, 4k page size, little endian, version 1, size %d pages, 0 bad pages, no label, UUID=%s", host.LVNamed("pve", "swap").Size/4096-1, host.PVESwapUUID)
	root := fmt.Sprintf("/dev/pve/root  Linux rev 1.0 ext4 filesystem data, UUID=%s (extents) (64bit) (large files) (huge files)", host.PVERootUUID)
	logv := []string{"/dev/pve/data  cannot open `/dev/pve/data' (No such file or directory)", swap, root}
	for _, l := range logv {
		b.logf("%s", l)
	}
	b.add("lvm_logv.list", []byte(strings.Join(logv, "\n")+"\n"), 0o644)
	b.logf("Saving the VG config... ")
	b.logf("  Volume group \"pve\" successfully backed up.")
	b.add("lvm_pve.conf", []byte(b.vgConf(p)), 0o600)
	b.logf("done.")
	b.logf("Checking if the VG config was saved correctly... ")
	b.logf("done.")
	_, info, _ := strings.Cut(swap, "  ")
	b.logf("Saving /dev/pve/swap as filename: pve-swap. /dev/pve/swap info: %s", info)
	b.logf("Saving swap /dev/pve/swap info in %s/swappt-pve-swap.info... done!", b.dir())
	b.addText("swappt-pve-swap.info", fmt.Sprintf("UUID=\"%s\"\nLABEL=\"\"\n", host.PVESwapUUID))
	b.devfs = append(b.devfs, fmt.Sprintf("/dev/pve/swap swap %s\n", lsblkSize(host.LVNamed("pve", "swap").Size)))
	_, info, _ = strings.Cut(root, "  ")
	b.logf("Saving /dev/pve/root as filename: pve-root. /dev/pve/root info: %s", info)
	b.ptclStream("/dev/pve/root", "ext4", "ext4", filesystem{fs: "EXTFS", blockSize: 4096, total: 131072, used: 440 + uint64(b.rng.IntN(120))})
	b.logf("%s", stars)
}

// vgLV is an LV of VG pve's metadata.
type vgLV struct {
	name    string
	extents int64
	hidden  bool
	status  string // the status list
	skip    bool   // activation skip (PVE's templates and snapshots)
	created time.Time
	seg     string // the segment's type-specific lines
}

// vgConf is vgcfgbackup's text of VG pve at the save: swap, root, the thin
// pool and its thin LVs (the guests' disks, the templates', and VM 421's
// snapshot once the lab's PVE made it, 3 days 2 hours before now).
func (b *build) vgConf(p partition) string {
	const extent = 4 * host.MiB
	hw := b.hw
	ext := func(bytes int64) int64 { return bytes / extent }
	rw, ro := `["READ", "WRITE", "VISIBLE"]`, `["READ", "VISIBLE"]`
	swap, root := ext(host.LVNamed("pve", "swap").Size), ext(host.LVNamed("pve", "root").Size)
	pool := ext(host.LVNamed("pve", "data").Size)
	meta := ext(host.PVETmetaSize)
	striped := func(at int64) string {
		return fmt.Sprintf("type = \"striped\"\n\t\t\t\tstripe_count = 1\t# linear\n\n\t\t\t\tstripes = [\n\t\t\t\t\t\"pv0\", %d\n\t\t\t\t]", at)
	}
	lvs := []vgLV{
		{name: "swap", extents: swap, status: rw, created: hw.installed, seg: striped(0)},
		{name: "root", extents: root, status: rw, created: hw.installed.Add(2 * time.Second), seg: striped(swap)},
	}
	// The pool's thin LVs in the order PVE made them: the templates' and
	// the guests' disks a few days after the install, the snapshot when
	// the lab's PVE made it (none in an image saved before).
	var thins []host.LV
	var snaps []host.LV
	for _, r := range host.LVs() {
		switch {
		case r.VG != "pve" || r.Pool != "data":
		case r.Origin != "":
			if hw.snapshot.Before(b.clock) {
				snaps = append(snaps, r)
			}
		default:
			thins = append(thins, r)
		}
	}
	thins = append(thins, snaps...)
	lvs = append(lvs, vgLV{name: "data", extents: pool, status: rw, created: hw.installed.Add(5 * time.Second),
		seg: fmt.Sprintf("type = \"thin-pool\"\n\t\t\t\tmetadata = \"data_tmeta\"\n\t\t\t\tpool = \"data_tdata\"\n\t\t\t\ttransaction_id = %d\n\t\t\t\tchunk_size = 128\t# 64 Kilobytes\n\t\t\t\tdiscards = \"passdown\"\n\t\t\t\tzero_new_blocks = 1", len(thins))})
	for i, t := range thins {
		// PVE makes templates' disks and snapshots read-only (lvs's "r")
		// and skipped at activation ("k").
		skip := strings.HasSuffix(t.Attr, "k")
		status := rw
		if strings.HasPrefix(t.Attr, "Vr") {
			status = ro
		}
		created := hw.installed.Add(time.Duration(26+12*i) * time.Hour)
		seg := fmt.Sprintf("type = \"thin\"\n\t\t\t\tthin_pool = \"data\"\n\t\t\t\ttransaction_id = %d\n\t\t\t\tdevice_id = %d", i, i+1)
		if t.Origin != "" {
			seg += fmt.Sprintf("\n\t\t\t\torigin = \"%s\"", t.Origin)
			created = hw.snapshot
		}
		lvs = append(lvs, vgLV{name: t.LV, extents: ext(t.Size), status: status, skip: skip, created: created, seg: seg})
	}
	at := swap + root
	lvs = append(lvs,
		vgLV{name: "data_tdata", extents: pool, hidden: true, status: `["READ", "WRITE"]`, created: hw.installed.Add(4 * time.Second), seg: striped(at)},
		vgLV{name: "data_tmeta", extents: meta, hidden: true, status: `["READ", "WRITE"]`, created: hw.installed.Add(5 * time.Second), seg: striped(at + pool)},
		vgLV{name: "lvol0_pmspare", extents: meta, hidden: true, status: `["READ", "WRITE"]`, created: hw.installed.Add(5 * time.Second), seg: striped(at + pool + meta)})

	now := b.clock.Add(-20 * time.Second)
	var s strings.Builder
	fmt.Fprintf(&s, "# Generated by LVM2 version %s: %s\n\n", lvmVersion, now.Format("Mon Jan _2 15:04:05 2006"))
	fmt.Fprintf(&s, "contents = \"Text Format Volume Group\"\nversion = 1\n\n")
	fmt.Fprintf(&s, "description = \"vgcfgbackup -f /tmp/vgcfg_tmp.%s pve\"\n\n", b.tmpSuffix())
	fmt.Fprintf(&s, "creation_host = \"debian\"\t# Linux debian %s #1 SMP PREEMPT_DYNAMIC Debian %s (2025-02-08) x86_64\n", kernel, strings.TrimSuffix(kernel, "-amd64")+"-1")
	fmt.Fprintf(&s, "creation_time = %d\t# %s\n\n", now.Unix(), now.Format("Mon Jan _2 15:04:05 2006"))
	seqno := 13 + len(thins) // one more metadata change per thin LV
	fmt.Fprintf(&s, "pve {\n\tid = \"%s\"\n\tseqno = %d\n\tformat = \"lvm2\"\t\t\t# informational\n", lvmID("vg pve"), seqno)
	fmt.Fprintf(&s, "\tstatus = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n\tflags = []\n\textent_size = 8192\t\t# 4 Megabytes\n")
	fmt.Fprintf(&s, "\tmax_lv = 0\n\tmax_pv = 0\n\tmetadata_copies = 0\n\n\tphysical_volumes {\n\n\t\tpv0 {\n")
	peCount := (p.len - 2048) / 8192
	fmt.Fprintf(&s, "\t\t\tid = \"%s\"\n\t\t\tdevice = \"/dev/%s\"\t# Hint only\n\n", host.NVMePVUUID, p.name)
	fmt.Fprintf(&s, "\t\t\tstatus = [\"ALLOCATABLE\"]\n\t\t\tflags = []\n\t\t\tdev_size = %d\t# %s\n\t\t\tpe_start = 2048\n\t\t\tpe_count = %d\t# %s\n\t\t}\n\t}\n\n",
		p.len, lvmHuman(p.len*512), peCount, lvmHuman(peCount*extent))
	fmt.Fprintf(&s, "\tlogical_volumes {\n")
	for _, lv := range lvs {
		flags := "[]"
		if lv.skip {
			flags = `["ACTIVATION_SKIP"]`
		}
		fmt.Fprintf(&s, "\n\t\t%s {\n\t\t\tid = \"%s\"\n\t\t\tstatus = %s\n\t\t\tflags = %s\n", lv.name, lvmID("lv "+lv.name), lv.status, flags)
		fmt.Fprintf(&s, "\t\t\tcreation_time = %d\t# %s\n\t\t\tcreation_host = \"pve\"\n\t\t\tsegment_count = 1\n\n",
			lv.created.Unix(), lv.created.UTC().Format("2006-01-02 15:04:05 -0700"))
		fmt.Fprintf(&s, "\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = %d\t# %s\n\n\t\t\t\t%s\n\t\t\t}\n\t\t}\n",
			lv.extents, lvmHuman(lv.extents*extent), lv.seg)
	}
	s.WriteString("\t}\n\n}\n")
	return s.String()
}

// lvmHuman is a size as vgcfgbackup's comments give it: "958.984 Megabytes".
func lvmHuman(bytes int64) string {
	units := []string{"Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Petabytes"}
	v, i := float64(bytes)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'g', 6, 64) + " " + units[i]
}
