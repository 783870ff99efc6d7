package ui

import (
	"slices"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// logCap bounds the error log.
const logCap = 200

// sameFailureWithin is how long after its last sighting a cause is still
// the same failure, whether or not a posture carried it meanwhile: an
// error event no posture carries ("listing running jobs: …") and the
// source's error a refresh later are one line.
const sameFailureWithin = time.Minute

// logEntry is one cause the console saw fail, with the sources it
// affected: "proxmox, smart: PVE rejected the API token …".
type logEntry struct {
	at      time.Time
	sources []string // sorted
	message string
	// live are the sources failing of this cause now (a source's refresh);
	// empty for what happened once (an action, a job).
	live map[model.Source]bool
	seen time.Time // when a source last failed of it
}

// text is the entry in one line: "proxmox, smart: message".
func (e *logEntry) text() string { return strings.Join(e.sources, ", ") + ": " + e.message }

// errLog keeps the recent errors of sources and actions, and the jobs that
// failed (L shows them): one entry per cause.
type errLog struct {
	c       *common
	entries []*logEntry     // oldest first
	noted   map[string]bool // source notes already logged
}

func newErrLog(c *common) errLog {
	return errLog{c: c, noted: map[string]bool{}}
}

// sameCause reports whether two messages tell of one cause: they are equal,
// or one is the other behind a source's own words ("listing the PVE nodes
// for their disks: PVE rejected …" when SMART reads through PVE). The
// cause is the shorter.
func sameCause(a, b string) (string, bool) {
	switch {
	case a == b:
		return a, true
	case strings.HasSuffix(a, ": "+b):
		return b, true
	case strings.HasSuffix(b, ": "+a):
		return a, true
	}
	return "", false
}

// causes groups errors by cause, in their order: one line each, with the
// sources it affects.
func causes(errs []model.SourceError) []*logEntry {
	var l errLog
	for _, e := range errs {
		l.Failing(e)
	}
	return l.entries
}

// Note records a source's note once (a cache it could not write: no
// failure, but the operator should know); it reports whether it is new.
func (l *errLog) Note(n model.SourceError) bool {
	key := string(n.Source) + "\x00" + n.Message
	if l.noted[key] {
		return false
	}
	l.noted[key] = true
	l.Add(n.At, string(n.Source), "note: "+n.Message)
	return true
}

// Add records what failed once: an action, a job.
func (l *errLog) Add(at time.Time, source, message string) *logEntry {
	e := &logEntry{at: at, sources: []string{source}, message: message}
	l.add(e)
	return e
}

func (l *errLog) add(e *logEntry) {
	if e.at.IsZero() && l.c != nil {
		e.at = l.c.now()
	}
	l.entries = append(l.entries, e)
	if len(l.entries) > logCap {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-logCap:]...)
	}
}

// Failing records a source's failure (an engine's error event, a
// posture's error) under its cause: a cause another source fails of now
// gets this source too, and two causes this failure shows to be one
// ("listing running jobs: X" and "listing the disks: X" when X comes)
// become one. It returns the cause's entry, and whether the entry is new
// or names a source more (what the status bar should say again).
func (l *errLog) Failing(e model.SourceError) (*logEntry, bool) {
	var keep *logEntry
	changed := false
	kept := l.entries[:0]
	for _, en := range l.entries {
		cause, same := sameCause(en.message, e.Message)
		if !same || en.live == nil || (len(en.live) == 0 && !l.recent(en)) {
			kept = append(kept, en)
			continue
		}
		if keep == nil {
			keep = en // the oldest: the cause's first failure
			kept = append(kept, en)
		} else {
			changed = keep.merge(en) || changed
		}
		if c, ok := sameCause(keep.message, cause); ok {
			keep.message = c
		}
	}
	l.entries = kept
	if keep == nil {
		keep = &logEntry{at: e.At, message: e.Message, live: map[model.Source]bool{}}
		l.add(keep)
		changed = true
	}
	keep.live[e.Source] = true
	if l.c != nil {
		keep.seen = l.c.now()
	}
	return keep, keep.addSource(string(e.Source)) || changed
}

// recent reports whether a cause failed a moment ago (sameFailureWithin).
func (l *errLog) recent(e *logEntry) bool {
	return l.c != nil && l.c.now().Sub(e.seen) < sameFailureWithin
}

// addSource adds a source to the entry's; it reports whether it is new.
func (e *logEntry) addSource(src string) bool {
	i, found := slices.BinarySearch(e.sources, src)
	if !found {
		e.sources = slices.Insert(e.sources, i, src)
	}
	return !found
}

// merge takes another entry of the same cause into this one; it reports
// whether a source is new to it.
func (e *logEntry) merge(o *logEntry) bool {
	added := false
	for _, s := range o.sources {
		added = e.addSource(s) || added
	}
	for s := range o.live {
		e.live[s] = true
	}
	return added
}

// SourcesOK keeps the failures of the sources still failing of the same
// cause (a posture's errors); the others have ended, and the next failure
// of them is news again.
func (l *errLog) SourcesOK(failing []model.SourceError) {
	for _, en := range l.entries {
		for src := range en.live {
			still := false
			for _, e := range failing {
				if _, same := sameCause(en.message, e.Message); same && e.Source == src {
					still = true
				}
			}
			if !still {
				delete(en.live, src)
			}
		}
	}
}

// Len is the number of entries logged.
func (l *errLog) Len() int { return len(l.entries) }

// View is the log's box content: newest first, as many as fit in h lines.
func (l *errLog) View(w, h int) string {
	th := l.c.theme
	lines := []string{th.Title.Render("Errors and failed jobs") + th.Muted.Render("  (L or esc closes)"), ""}
	if len(l.entries) == 0 {
		lines = append(lines, th.Muted.Render("no errors since the console started"))
	}
	const prefixW = 10 // "15:04:05  "
	for i := len(l.entries) - 1; i >= 0 && len(lines) < h; i-- {
		e := l.entries[i]
		msg := wrapText(e.text(), max(10, w-prefixW))
		src := strings.Join(e.sources, ", ") + ":"
		first := th.Critical.Render(src) + strings.TrimPrefix(msg[0], src)
		if !strings.HasPrefix(msg[0], src) {
			first = msg[0] // the sources alone wider than the line
		}
		lines = append(lines, fit(th.Muted.Render(l.c.local(e.at).Format("15:04:05"))+"  "+first, w))
		for _, more := range msg[1:] {
			if len(lines) >= h {
				break
			}
			lines = append(lines, fit(strings.Repeat(" ", prefixW)+more, w))
		}
	}
	return strings.Join(lines, "\n")
}
