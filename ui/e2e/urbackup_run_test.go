package e2e

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

// TestRunFullFileBackupOfAnUrBackupClient: `backdeck run urbackup/<client>
// --method full-file --json --demo` against the demo's UrBackup, which runs
// a backup as a real server did (indexing, the transfer, then a long finish
// at 99 % with eta_ms counting below zero): one JSON line per change, the
// percent never going down, the phases in words, a speed and an ETA
// measured during the transfer and none after it (never UrBackup's
// 61 s), and the end succeeded.
//
// That status then lists the new restore point is checked in process
// (backends/urbackup TestLabAutomaticBackupsOff): each --demo command runs
// a simulated homelab of its own, so a second process cannot see it.
func TestRunFullFileBackupOfAnUrBackupClient(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCLI(t, nil, "run", "urbackup/k3sagent01", "--method", "full-file", "--json", "--demo")
	if code != 0 {
		t.Fatalf("exit %d; stdout %s; stderr %s", code, out, errOut)
	}
	type line struct {
		State          string   `json:"state"`
		Percent        *float64 `json:"percent"`
		BytesPerSecond *float64 `json:"bytes_per_second"`
		ETASeconds     *int64   `json:"eta_seconds"`
		Message        string   `json:"message"`
	}
	var lines []line
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d is not JSON: %q", len(lines)+1, sc.Text())
		}
		lines = append(lines, l)
	}
	if len(lines) < 5 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	last := -1.0
	var messages []string
	sawRate, sawFinishing := false, false
	for i, l := range lines {
		if l.Percent != nil {
			if *l.Percent < last {
				t.Errorf("line %d: the percent went down from %v to %v", i+1, last, *l.Percent)
			}
			last = *l.Percent
		}
		if len(messages) == 0 || messages[len(messages)-1] != l.Message {
			messages = append(messages, l.Message)
		}
		switch l.Message {
		case "transferring files":
			if l.BytesPerSecond != nil && *l.BytesPerSecond > 0 && l.ETASeconds != nil {
				sawRate = true
				if *l.ETASeconds == 61 {
					t.Errorf("line %d: UrBackup's eta_ms as the ETA: %+v", i+1, l)
				}
			}
		case "finishing on the server":
			sawFinishing = true
			if l.Percent == nil || *l.Percent != 99 || l.ETASeconds != nil || l.BytesPerSecond != nil {
				t.Errorf("line %d: finishing %+v", i+1, l)
			}
		}
	}
	end := lines[len(lines)-1]
	if end.State != "succeeded" || end.Percent == nil || *end.Percent != 100 || end.Message != "UrBackup finished the full file backup" {
		t.Errorf("last line %+v", end)
	}
	if !sawRate || !sawFinishing {
		t.Errorf("speed and ETA seen %v, finishing seen %v; messages %q", sawRate, sawFinishing, messages)
	}
	if messages[0] != "waiting for the client to connect" {
		t.Errorf("messages %q", messages)
	}
	t.Logf("%d lines; messages %q", len(lines), messages)
}
