package pve

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// seedHistory replays the homelab's past on the backup storage: about four
// months of the daily K3s job (each run pruning with the job's retention, so
// what is left is what PVE would have left), the templates' protected
// backups, bkpserver's occasional manual ones, and the extra guests'. The
// last two weeks of runs stay in the task list with their full logs.
func (w *world) seedHistory(now time.Time) {
	st := w.storageOn(w.nodes[0].name, "hddusb_bkpvzdumps")
	job := w.jobs[0]
	keep := map[string]int{}
	for k, v := range job.prune {
		keep[k], _ = strconv.Atoi(v)
	}
	today := host.Midnight(now)
	for d := 120; d >= 0; d-- {
		day := today.AddDate(0, 0, -d)
		start := day.Add(14*time.Hour + 20*time.Minute + time.Duration(host.Hash(0, day)%3)*time.Second)
		if !now.After(day.Add(14*time.Hour + 25*time.Minute)) {
			continue // today's run has not happened (or finished) yet
		}
		// The job runs on every node, each backing up its own guests.
		for _, n := range w.nodes {
			var vmids []int
			for _, vmid := range []int{411, 421, 422} {
				if w.guests[vmid].node == n.name {
					vmids = append(vmids, vmid)
				}
			}
			if len(vmids) == 0 {
				continue
			}
			run := &vzdumpRun{vmids: vmids, storage: st.id, mode: job.mode, compress: job.compress,
				notes: job.notes, keep: keep, ionice: 7,
				cmdline: "vzdump 411 421 422 --compress zstd --mode snapshot --node " + n.name + " --notes-template '{{guestname}}' " +
					"--prune-backups 'keep-daily=7,keep-monthly=3,keep-weekly=4' --storage hddusb_bkpvzdumps"}
			w.replayJob(n, run, start, "root@pam", "", d <= 14)
		}
	}
	for _, b := range []struct {
		vmid      int
		daysAgo   int
		at        time.Duration
		protected bool
	}{
		{100, 61, 10*time.Hour + 5*time.Minute + 12*time.Second, true},
		{101, 61, 10*time.Hour + 7*time.Minute + 40*time.Second, true},
		{431, 71, 18*time.Hour + 15*time.Minute + 30*time.Second, false},
		{431, 40, 19*time.Hour + 3*time.Minute + 55*time.Second, false},
		{431, 9, 18*time.Hour + 42*time.Minute + 7*time.Second, false},
	} {
		n := w.nodeNamed(w.guests[b.vmid].node)
		run := &vzdumpRun{vmids: []int{b.vmid}, storage: st.id, mode: "snapshot", compress: "zstd",
			notes: "{{guestname}}", protected: b.protected, ionice: 7,
			cmdline: fmt.Sprintf("vzdump %d --compress zstd --mode snapshot --node %s --notes-template '{{guestname}}' --storage hddusb_bkpvzdumps", b.vmid, n.name)}
		if b.protected {
			run.cmdline += " --protected 1"
		}
		w.replayJob(n, run, today.AddDate(0, 0, -b.daysAgo).Add(b.at), "root@pam", fmt.Sprint(b.vmid), true)
	}
	for _, vmid := range w.vmids {
		if vmid < 1000 {
			continue
		}
		g := w.guests[vmid]
		for d := 1; d <= 5; d++ {
			at := today.AddDate(0, 0, -d).Add(2*time.Hour + time.Duration(vmid-1000)*7*time.Second)
			st.addArchive(&archive{
				volid: fmt.Sprintf("%s:backup/vzdump-qemu-%d-%s.vma.zst", st.id, vmid, archiveStamp(at)),
				vmid:  vmid, ctime: at.Unix(), size: sizeOn(g, at), format: "vma.zst", notes: g.name,
			})
		}
	}
	sort.SliceStable(w.taskOrder, func(i, j int) bool { return w.taskOrder[i].u.starttime < w.taskOrder[j].u.starttime })
}

// replayJob runs a vzdump job that happened on node n at start, with the
// durations real backups of these guests take; its archives and prunes land
// on the storage. kept jobs stay in the task list.
func (w *world) replayJob(n *nodeInfo, run *vzdumpRun, start time.Time, user, id string, kept bool) {
	t := &task{start: start, t0: start.Sub(w.start), vz: run}
	t.u = upid{node: n.name, pid: 0x00100000 + uint32(host.Hash(7, start)%0x000FFFFF), pstart: uint32(host.Hash(3, start) % 90000000),
		starttime: start.Unix(), typ: "vzdump", id: id, user: user}
	t.upid = t.u.String()
	at := t.t0
	t.log(at, "INFO: starting new backup job: "+run.cmdline)
	st := w.storageOn(n.name, run.storage)
	for _, vmid := range run.vmids {
		g := w.guests[vmid]
		vmStart := t.timeAt(at)
		// Real runs of these guests take about a minute, a little more for bigger disks.
		dur := time.Duration(30+g.archiveSize/(60*mib)+int64(host.Hash(int64(vmid), vmStart)%10)) * time.Second
		t.log(at, fmt.Sprintf("INFO: Starting Backup of VM %d (qemu)", vmid),
			"INFO: Backup started at "+logTime(vmStart), "INFO: status = "+runState(g))
		b := &vmBackup{g: g, st: st, mode: run.mode, from: at, to: at + dur, format: "vma.zst", size: sizeOn(g, vmStart),
			name: fmt.Sprintf("vzdump-qemu-%d-%s.vma.zst", vmid, archiveStamp(vmStart)), qstart: at + 2*time.Second}
		if !g.running {
			b.mode = "stop"
		}
		w.writeHead(t, b, OutcomeOK, b.to)
		w.writeTail(t, b, b.to)
		at = b.to + time.Second
	}
	t.log(at, "INFO: Backup job finished successfully", "TASK OK")
	t.done, t.end, t.exit = true, at, "OK"
	if kept {
		w.tasks[t.upid] = t
		w.taskOrder = append(w.taskOrder, t)
	}
}
