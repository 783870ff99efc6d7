package ui

import (
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// logCap bounds the error log.
const logCap = 200

// logEntry is one error the console saw.
type logEntry struct {
	at      time.Time
	source  string
	message string
}

// errLog keeps the recent errors of sources and actions (L shows them).
type errLog struct {
	c       *common
	entries []logEntry // oldest first
	last    map[model.Source]string
	noted   map[string]bool // source notes already logged
}

func newErrLog(c *common) errLog {
	return errLog{c: c, last: map[model.Source]string{}, noted: map[string]bool{}}
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

// Add records an error.
func (l *errLog) Add(at time.Time, source, message string) {
	if at.IsZero() {
		at = l.c.now()
	}
	l.entries = append(l.entries, logEntry{at: at, source: source, message: message})
	if len(l.entries) > logCap {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-logCap:]...)
	}
}

// SourceFailing records a source's error from a posture unless it is the
// one already logged for that source; it reports whether it is new.
func (l *errLog) SourceFailing(e model.SourceError) bool {
	if l.last[e.Source] == e.Message {
		return false
	}
	l.last[e.Source] = e.Message
	l.Add(e.At, string(e.Source), e.Message)
	return true
}

// SourcesOK forgets the failures of sources that are no longer failing.
func (l *errLog) SourcesOK(failing []model.SourceError) {
	still := map[model.Source]bool{}
	for _, e := range failing {
		still[e.Source] = true
	}
	for s := range l.last {
		if !still[s] {
			delete(l.last, s)
		}
	}
}

// Len is the number of errors logged.
func (l *errLog) Len() int { return len(l.entries) }

// View is the log's box content: newest first, as many as fit in h lines.
func (l *errLog) View(w, h int) string {
	th := l.c.theme
	lines := []string{th.Title.Render("Recent errors") + th.Muted.Render("  (L or esc closes)"), ""}
	if len(l.entries) == 0 {
		lines = append(lines, th.Muted.Render("no errors since the console started"))
	}
	const prefixW = 20 // "15:04:05  proxmox    "
	for i := len(l.entries) - 1; i >= 0 && len(lines) < h; i-- {
		e := l.entries[i]
		msg := wrapText(e.message, max(10, w-prefixW))
		lines = append(lines, fit(th.Muted.Render(l.c.local(e.at).Format("15:04:05"))+"  "+th.Critical.Render(fit(e.source, 9))+" "+msg[0], w))
		for _, more := range msg[1:] {
			if len(lines) >= h {
				break
			}
			lines = append(lines, fit(strings.Repeat(" ", prefixW)+more, w))
		}
	}
	return strings.Join(lines, "\n")
}
