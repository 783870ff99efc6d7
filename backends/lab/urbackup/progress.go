package urbackup

import (
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// How a file backup looks in a=progress, after a real UrBackup Server
// 2.5.33 with a real client 2.5.26 (recorded second by second in
// backends/urbackup/testdata/live): a full backup of 200 MiB at 5 MiB/s
// took 110 s. The client indexed (pcdone -1, total_bytes -1, done_bytes 0)
// for under a second; the transfer took 39 s, pcdone following done_bytes
// in whole percents; then the server worked on for 70 s with pcdone at 99,
// done_bytes frozen a little short of total_bytes and speed_bpms 0, until
// the process simply went. speed_bpms stayed 0 for the first 20 s of the
// transfer, then changed every 10 s; eta_ms was 61000 until the transfer
// ended, then counted down below zero. An incremental backup with nothing
// to send took 10 s: indexing, then pcdone 100 with total_bytes 0.
// The lab keeps these shapes and shares, scaled to its BackupDuration (the
// wall time of a backup that transfers data).

const (
	// indexShare: invented. The recorded indexing took under 1% of
	// the backup (40 files); the lab's clients hold far more, and a stop
	// sent while the client indexes (the only one UrBackup honours) needs
	// a window wide enough to be sent in.
	indexShare    = 0.05
	transferShare = 39.0 / 110 // recorded
	windowShare   = 10.0 / 110 // speed_bpms changes every 10 s (recorded)
	tickShare     = 1.0 / 110  // one second of the recorded backup
	// doneShort: done_bytes stopped at 207695685 of total_bytes
	// 209715200 (recorded): the total is the client's estimate.
	doneShort = 207695685.0 / 209715200
	// An incremental backup with nothing to send (recorded): 10 s in all,
	// of which 1.5 s indexing.
	noChangeShare      = 10.0 / 110
	noChangeIndexShare = 0.15
	// stopLingerShare: a stop during indexing left the process listed,
	// unchanged, for 10 s before it went (recorded).
	stopLingerShare = 10.0 / 110
	// etaUnknown is the eta_ms the server sends while it has none.
	etaUnknown = 61000
)

// scaled is a share of the backup's wall time.
func (w *world) scaled(share float64) time.Duration {
	return time.Duration(float64(w.cfg.backup) * share)
}

// progress is pcdone, done_bytes and total_bytes at a tick.
func (p *process) progress(now time.Duration) (pc int, done, total int64) {
	switch {
	case p.stopping || now < p.indexEnd:
		return -1, 0, -1
	case p.size == 0:
		return 100, 0, 0
	}
	f := min(float64(now-p.indexEnd)/float64(p.xferEnd-p.indexEnd), 1)
	done = int64(f * doneShort * float64(p.size))
	return int(done * 100 / p.size), done, p.size
}

// rateBPMS is the transfer's pace in bytes per millisecond.
func (p *process) rateBPMS() float64 {
	ms := float64((p.xferEnd - p.indexEnd) / time.Millisecond)
	if ms <= 0 {
		return 0
	}
	return doneShort * float64(p.size) / ms
}

// speeds is speed_bpms and past_speed_bpms at a tick: 0 for the first two
// windows of the transfer, then the pace of the window (with the small
// wobble the recording has), and 0 once the transfer is over; the past
// values are those of the windows before, the last ten.
func (p *process) speeds(now time.Duration, window time.Duration) (float64, []float64) {
	past := []float64{}
	if p.stopping || p.size == 0 || now < p.indexEnd || window <= 0 {
		return 0, past
	}
	k := int((min(now, p.xferEnd) - p.indexEnd) / window)
	of := func(j int) float64 {
		if j < 2 {
			return 0
		}
		wobble := float64(int64(host.Hash(int64(p.id*31+j), time.Unix(int64(p.id), 0))%200)-100) / 100000
		return float64(int64(p.rateBPMS()*(1+wobble)*100)) / 100
	}
	last := k - 1
	if now >= p.xferEnd {
		last = k
	}
	for j := max(1, last-9); j <= last; j++ {
		past = append(past, of(j))
	}
	if now >= p.xferEnd {
		return 0, past
	}
	return of(k), past
}

// etaMS is eta_ms as the server sends it: no estimate at all.
func (p *process) etaMS(now time.Duration) int64 {
	from := p.xferEnd
	if p.size == 0 {
		from = p.indexEnd
	}
	if p.stopping || now < from {
		return etaUnknown
	}
	return -int64((now - from) / time.Millisecond)
}

// queue: the server queued work once, right after the transfer (1 for a
// full backup, 2 for an incremental without changes; recorded).
func (p *process) queue(now time.Duration, tick time.Duration) int {
	from, n := p.xferEnd, 1
	if p.size == 0 {
		from, n = p.indexEnd, 2
	}
	if !p.stopping && now >= from && now < from+tick {
		return n
	}
	return 0
}

func (w *world) progressEntry(p *process, now time.Duration) jsonObj {
	pc, done, total := p.progress(now)
	speed, past := p.speeds(now, w.scaled(windowShare))
	pastArr := jsonArr{}
	for _, v := range past {
		pastArr = append(pastArr, v)
	}
	return jsonObj{
		"action":              p.action,
		"can_show_backup_log": true,
		"can_stop_backup":     true, // also after a stop (recorded)
		"clientid":            p.client.id,
		"detail_pc":           -1,
		"details":             "0", // what a file backup says (recorded)
		"done_bytes":          done,
		"eta_ms":              p.etaMS(now),
		"id":                  p.id,
		"logid":               p.logID,
		"name":                p.client.name,
		"past_speed_bpms":     pastArr,
		"paused":              false,
		"pcdone":              pc,
		"queue":               p.queue(now, w.scaled(tickShare)),
		"speed_bpms":          speed,
		"total_bytes":         total,
	}
}
