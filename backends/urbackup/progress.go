package urbackup

import (
	"time"

	"github.com/backdeck/backdeck/model"
)

// What a real UrBackup 2.5 server reports while a file backup runs
// (testdata/live/README.md), and why its own figures are not shown as they
// are:
//   - while the client indexes, pcdone and total_bytes are -1;
//   - after the transfer the server works on for a long while (70 s of a
//     110 s backup) with pcdone at 99 and done_bytes frozen below
//     total_bytes; an incremental backup without changes says pcdone 100,
//     total_bytes 0 for that part;
//   - speed_bpms is 0 for the first 20 s of the transfer, then a 10 s
//     average that changes every 10 s, and 0 again once the transfer ends;
//   - eta_ms is no estimate: 61000 throughout, then negative.
//
// So the phase is read from the shape of the figures, and the speed and
// the ETA are measured from done_bytes over time.

const (
	phaseIndexing  = "indexing"
	phaseFinishing = "finishing on the server"
	phaseWaiting   = "waiting for the client"
	// rateWindow is how far back the speed looks: long enough to smooth
	// a poll that came late, short enough to follow a change of pace.
	rateWindow = 10 * time.Second
)

// doneAt is one reading of done_bytes.
type doneAt struct {
	at   time.Time
	done int64
}

// meter follows one process's progress from poll to poll.
type meter struct {
	proc    string   // the process the readings are of
	percent float64  // the highest percent shown: it never goes down
	last    doneAt   // the previous reading of done_bytes (done -1: none)
	window  []doneAt // transfer readings within rateWindow, oldest first
}

func newMeter() *meter { return &meter{percent: -1, last: doneAt{done: -1}} }

// observe turns one a=progress entry, read at `at` (a clock that moves),
// into the console's progress.
func (m *meter) observe(p progressEntry, method model.Method, at time.Time) model.Progress {
	if pid := procID(p); pid != m.proc {
		*m = *newMeter()
		m.proc = pid
	}
	pc, done, total := p.PCDone.Int(-1), p.DoneBytes.Int(-1), p.TotalBytes.Int(-1)
	prev := m.last
	if done >= 0 {
		m.last = doneAt{at: at, done: done}
	}
	pr := model.UnknownProgress()
	if done >= 0 {
		pr.DoneBytes = done
	}
	if total > 0 {
		pr.TotalBytes = total
	}
	indexing := pc < 0
	finishing := !indexing && (total == 0 && pc >= 99 ||
		pc >= 99 && prev.done >= 0 && done == prev.done ||
		total > 0 && done >= total)
	if !indexing {
		// 100 only once the backup is on record: the server is not done
		// when it says 100 (an incremental without changes) or 99.
		m.percent = max(m.percent, float64(min(max(pc, 0), 99)))
	}
	pr.Percent = m.percent
	switch {
	case indexing:
		pr.Phase, pr.LastLine = phaseIndexing, phaseIndexing
		m.window = m.window[:0]
	case finishing:
		pr.Phase, pr.LastLine = phaseFinishing, phaseFinishing
		m.window = m.window[:0]
	default:
		pr.LastLine = "transferring files"
		if isImage(method) {
			pr.LastLine = "transferring the image"
		}
		if rate, ok := m.rate(at, done); ok {
			pr.ReadBytesPerS = rate
			if total > done {
				pr.ETA, pr.ETAKnown = time.Duration(float64(total-done)/rate*float64(time.Second)), true
			}
		} else if done < 0 && p.SpeedBPMS.Valid && p.SpeedBPMS.V > 0 {
			// Nothing to measure: the server's own average is all there is.
			pr.ReadBytesPerS = p.SpeedBPMS.V * 1000
		}
	}
	switch {
	case p.Details != "" && p.Details != "0": // "0" is what a file backup always says
		pr.LastLine = p.Details
	case bool(p.Paused):
		pr.LastLine = "paused"
	}
	return pr
}

// rate adds a transfer reading and returns the bytes per second over the
// window. The first reading above zero is the base: the step from 0 to it
// covers an unknown time before the transfer showed.
func (m *meter) rate(at time.Time, done int64) (float64, bool) {
	if done <= 0 {
		return 0, false
	}
	if n := len(m.window); n > 0 && done < m.window[n-1].done {
		m.window = m.window[:0] // counting again: a new start
	}
	m.window = append(m.window, doneAt{at: at, done: done})
	for len(m.window) > 2 && at.Sub(m.window[1].at) >= rateWindow {
		m.window = m.window[1:]
	}
	first, last := m.window[0], m.window[len(m.window)-1]
	dt := last.at.Sub(first.at).Seconds()
	if dt <= 0 || last.done <= first.done {
		return 0, false
	}
	return float64(last.done-first.done) / dt, true
}
