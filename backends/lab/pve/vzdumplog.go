package pve

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The lines a vzdump of a QEMU guest prints, in PVE's words and formats
// (PVE::VZDump and PVE::VZDump::QemuServer), and what the backup leaves on
// the storage.

// runState is a guest's status word, in the task log and the resources.
func runState(g *guest) string {
	if g.running {
		return "running"
	}
	return "stopped"
}

// newVMBackup plans a guest's backup starting at tick at: BackupDuration
// long, its archive named after its start.
func (w *world) newVMBackup(t *task, g *guest, st *storage, at time.Duration) *vmBackup {
	run := t.vz
	b := &vmBackup{g: g, st: st, mode: run.mode, from: at, to: at + w.cfg.backup}
	if !g.running {
		b.mode = "stop"
	}
	start := t.timeAt(at)
	ext, size := "vma", g.dataSize
	switch run.compress {
	case "zstd":
		ext, size = "vma.zst", sizeOn(g, start)
	case "gzip":
		ext, size = "vma.gz", sizeOn(g, start)*112/100
	case "1", "lzo":
		ext, size = "vma.lzo", sizeOn(g, start)*145/100
	}
	b.format = ext
	b.size = size
	b.name = fmt.Sprintf("vzdump-qemu-%d-%s.%s", g.vmid, archiveStamp(start), ext)
	b.qstart = at + w.cfg.backup/25
	return b
}

func (b *vmBackup) diskTotal() int64 {
	var n int64
	for _, d := range b.g.disks {
		if d.backup {
			n += d.size
		}
	}
	return n
}

func (w *world) writeHead(t *task, b *vmBackup, outcome Outcome, until time.Duration) {
	run, g, at := t.vz, b.g, b.from
	t.log(at, "INFO: VM Name: "+g.name)
	for _, d := range g.disks {
		if d.backup {
			t.log(at, fmt.Sprintf("INFO: include disk '%s' '%s' %s", d.key, d.volid, formatDiskSize(d.size)))
		} else {
			t.log(at, fmt.Sprintf("INFO: exclude disk '%s' '%s' (backup=no)", d.key, d.volid))
		}
	}
	t.log(at, "INFO: backup mode: "+b.mode, fmt.Sprintf("INFO: ionice priority: %d", run.ionice))
	if b.mode == "stop" && g.running {
		t.log(at, "INFO: stopping virtual guest")
	}
	span := b.to - b.from
	at1 := at + span/50
	t.log(at1, fmt.Sprintf("INFO: creating vzdump archive '%s/dump/%s'", b.st.path, b.name))
	if outcome == OutcomeWarnings {
		t.log(at1, fmt.Sprintf("WARN: VM %d qmp command 'query-proxmox-support' failed - got timeout", g.vmid))
	}
	if g.running && b.mode == "snapshot" {
		if g.agent {
			t.log(at1, "INFO: issuing guest-agent 'fs-freeze' command", "INFO: issuing guest-agent 'fs-thaw' command")
		}
	} else if !g.running {
		t.log(at1, "INFO: starting kvm to execute backup task")
	}
	t.log(b.qstart, "INFO: started backup task '"+randomUUID()+"'")
	if g.running {
		t.log(b.qstart, "INFO: resuming VM again")
	}
	total := float64(b.diskTotal())
	zero := total - float64(g.dataSize)
	steps := int(span / time.Second)
	steps = max(3, min(steps, 99))
	first, last := b.qstart+span/25, b.to-span/50
	prevAt, prevDone, prevZero := b.qstart, 0.0, 0.0
	for i := 1; i <= steps; i++ {
		lineAt := first + (last-first)*time.Duration(i)/time.Duration(steps)
		if lineAt >= until {
			break
		}
		done := total * float64(i) / float64(steps)
		z := zero * float64(i) / float64(steps)
		dt := float64(int64((lineAt - prevAt) / time.Second))
		t.log(lineAt, fmt.Sprintf("INFO: %3d%% (%s of %s) in %s, read: %s, write: %s",
			100*i/steps, renderBytes(done, 1), renderBytes(total, 1),
			renderDuration(int64((lineAt-b.qstart)/time.Second)),
			renderRate(done-prevDone, dt), renderRate((done-prevDone)-(z-prevZero), dt)))
		prevAt, prevDone, prevZero = lineAt, done, z
	}
}

func (w *world) writeTail(t *task, b *vmBackup, at time.Duration) {
	run, g := t.vz, b.g
	total := float64(b.diskTotal())
	zero := total - float64(g.dataSize)
	secs := int64((at - b.qstart) / time.Second)
	if zero > 0 {
		t.log(at, fmt.Sprintf("INFO: backup is sparse: %s (%d%%) total zero data", renderBytes(zero, 2), int(zero*100/total)))
	}
	if secs > 0 {
		t.log(at, fmt.Sprintf("INFO: transferred %s in %d seconds (%s)", renderBytes(total, 2), secs, renderRate(total, float64(secs))))
	} else {
		t.log(at, fmt.Sprintf("INFO: transferred %s in <1 seconds", renderBytes(total, 2)))
	}
	if !g.running {
		t.log(at, "INFO: stopping kvm after backup task")
	}
	t.log(at, "INFO: archive file size: "+formatArchiveSize(b.size))
	a := &archive{volid: b.st.id + ":backup/" + b.name, vmid: g.vmid, ctime: t.timeAt(b.from).Unix(), size: b.size, format: b.format}
	if run.notes != "" {
		t.log(at, "INFO: adding notes to backup")
		a.notes = expandNotes(run.notes, g, t.u.node)
	}
	if run.protected {
		t.log(at, "INFO: marking backup as protected")
		a.protected = true
	}
	b.st.removeArchives(map[string]bool{a.volid: true}) // same second: vzdump overwrites
	b.st.addArchive(a)
	if run.keep != nil {
		t.log(at, "INFO: prune older backups with retention: "+retentionString(run.keep))
		gone := w.pruneGuest(b.st, g.vmid, run.keep)
		for _, v := range gone {
			t.log(at, fmt.Sprintf("INFO: removing backup '%s'", v))
		}
		extra := ""
		if len(gone) > 0 {
			extra = " not covered by keep-retention policy"
		}
		t.log(at, fmt.Sprintf("INFO: pruned %d backup(s)%s", len(gone), extra))
	}
	t.log(at, fmt.Sprintf("INFO: Finished Backup of VM %d (%s)", g.vmid, formatHMS(int64((at-b.from)/time.Second))),
		"INFO: Backup finished at "+logTime(t.timeAt(at)))
}

func (w *world) pruneGuest(st *storage, vmid int, keep map[string]int) []string {
	list, marks := w.pruneMarks(st, pruneSel{vmid: vmid, keep: keep})
	var gone []string
	set := map[string]bool{}
	for _, a := range list {
		if marks[a] == "remove" {
			gone = append(gone, a.volid)
			set[a.volid] = true
		}
	}
	st.removeArchives(set)
	return gone
}

func expandNotes(tmpl string, g *guest, node string) string {
	return strings.NewReplacer("{{guestname}}", g.name, "{{vmid}}", strconv.Itoa(g.vmid),
		"{{node}}", node, "{{cluster}}", "").Replace(tmpl)
}

func (w *world) guestFailed(t *task, at time.Duration, msg string) {
	run := t.vz
	b := run.cur
	run.cur = nil
	run.errors++
	for i := range t.locks {
		if t.locks[i].to > at {
			t.locks[i].to = at
		}
	}
	t.log(at, "ERROR: "+msg, "INFO: aborting backup job")
	if b.g.running {
		t.log(at, "INFO: resuming VM again")
	} else {
		t.log(at, "INFO: stopping kvm after backup task")
	}
	t.log(at, fmt.Sprintf("ERROR: Backup of VM %d failed - %s", b.g.vmid, msg), "INFO: Failed at "+logTime(t.timeAt(at)))
}

func sizeOn(g *guest, day time.Time) int64 {
	y, m, d := day.Date()
	h := uint32(2166136261)
	for _, c := range fmt.Sprintf("%d/%04d-%02d-%02d", g.vmid, y, m, d) {
		h = (h ^ uint32(c)) * 16777619
	}
	wobble := (float64(h%2001) - 1000) / 1000 * 0.03
	return int64(float64(g.archiveSize) * (1 + wobble))
}
