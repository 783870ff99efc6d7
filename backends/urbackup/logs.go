package urbackup

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// The server's per-backup logs (a=logs): a backup that was started and
// failed before it showed as a process (a real server answered start_ok
// and then failed to connect to a client that had just restarted) says why
// only there. a=logs lists the logs that hold errors (ll=2, the default)
// of the clients in filter, newest first; a=logs&logid=N answers one log
// as "level-unixtime-message" lines (level 2 error, 1 warning, 0 info).
// Logs are written when a backup ends, so a running one has none yet.

// logsAnswer is a=logs (the list) or a=logs&logid=N (one log).
type logsAnswer struct {
	Logs []logEntry `json:"logs"`
	Log  *struct {
		Data string `json:"data"`
	} `json:"log"`
}

type logEntry struct {
	ID     num    `json:"id"`
	Name   string `json:"name"`
	Time   num    `json:"time"`
	Errors num    `json:"errors"`
}

// maxLogLine bounds what a log line may add to a message.
const maxLogLine = 300

// failures lists the client's logs that hold errors, newest first.
func (c *Client) failures(ctx context.Context, clientID int64) ([]logEntry, error) {
	c.mu.Lock()
	off := c.logsOff
	c.mu.Unlock()
	if off {
		return nil, errLogsOff
	}
	var ans logsAnswer
	form := url.Values{"filter": {strconv.FormatInt(clientID, 10)}, "ll": {"2"}}
	err := c.call(ctx, "logs", form, &ans)
	var re *RightsError
	var ua *UnknownActionError
	if errors.As(err, &re) || errors.As(err, &ua) {
		// The web user may not read logs: ask no more (each refusal costs
		// a login).
		c.mu.Lock()
		c.logsOff = true
		c.mu.Unlock()
	}
	if err != nil {
		return nil, err
	}
	return ans.Logs, nil
}

var errLogsOff = errors.New("UrBackup's logs cannot be read with this web user")

// newestFailure is the id of the client's newest log with errors (0 when
// there is none); false when the logs cannot be read.
func (c *Client) newestFailure(ctx context.Context, clientID int64) (int64, bool) {
	logs, err := c.failures(ctx, clientID)
	if err != nil {
		return 0, false
	}
	var newest int64
	for _, l := range logs {
		newest = max(newest, l.ID.Int(0))
	}
	return newest, true
}

// failureSince is the first error of the client's newest failed backup
// whose log is newer than base, "" when there is none (or the logs cannot
// be read: the caller then says less, it does not fail).
func (c *Client) failureSince(ctx context.Context, clientID, base int64) string {
	logs, err := c.failures(ctx, clientID)
	if err != nil {
		return ""
	}
	var newest int64
	for _, l := range logs {
		if id := l.ID.Int(0); id > base && id > newest && l.Errors.Int(0) > 0 {
			newest = id
		}
	}
	if newest == 0 {
		return ""
	}
	var one logsAnswer
	if err := c.call(ctx, "logs", url.Values{"logid": {strconv.FormatInt(newest, 10)}}, &one); err != nil || one.Log == nil {
		return "UrBackup logged errors for it (log " + strconv.FormatInt(newest, 10) + ")"
	}
	return firstError(one.Log.Data)
}

// firstError picks the line that says why from a log's data: its first
// error other than the closing "Backup failed", else that one.
func firstError(data string) string {
	fallback := ""
	for _, line := range strings.Split(data, "\n") {
		parts := strings.SplitN(line, "-", 3)
		if len(parts) != 3 || strings.TrimSpace(parts[0]) != "2" {
			continue
		}
		msg := cleanLine(parts[2])
		switch {
		case msg == "":
		case strings.EqualFold(msg, "Backup failed"):
			fallback = msg
		default:
			return msg
		}
	}
	return fallback
}

// cleanLine makes a line from the server safe to show: no control
// characters, no invalid UTF-8, bounded.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxLogLine {
		s = string(r[:maxLogLine-1]) + "…"
	}
	return s
}
