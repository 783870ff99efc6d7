package urbackup

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// The lab's backups against what a real UrBackup Server 2.5.33 with a real
// client 2.5.26 did, second by second (backends/urbackup/testdata/live):
// the shapes and shares of a run are the recording's, scaled to the lab's
// BackupDuration. What the lab invents is said where it is tested.

// testNow is the lab's clock in these tests: the clients' last backups
// were last evening, about 17 h ago.
var testNow = time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC)

func fnum(v any) float64 {
	n, ok := v.(json.Number)
	if !ok {
		return -999999
	}
	f, _ := n.Float64()
	return f
}

// sample is one a=progress reading of a client's process.
type sample struct {
	at time.Duration // since the start answer
	p  map[string]any
}

// sampleRun polls a=progress every few ms until the client's process has
// come and gone (or within passes), and returns the readings.
func sampleRun(t *testing.T, c *testClient, clientID int64, within time.Duration) []sample {
	t.Helper()
	began := time.Now()
	var out []sample
	for time.Since(began) < within {
		p := progressOf(c, clientID)
		if p == nil && len(out) > 0 {
			return out
		}
		if p != nil {
			out = append(out, sample{time.Since(began), p})
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the process did not end within %v (%d readings)", within, len(out))
	return nil
}

func startFile(t *testing.T, c *testClient, clientID, typ string) {
	t.Helper()
	r := arr(c.call("start_backup", url.Values{"start_client": {clientID}, "start_type": {typ}})["result"])
	if len(r) != 1 || r[0]["start_ok"] != true {
		t.Fatalf("start %s of %s: %v", typ, clientID, r)
	}
}

func newestBackup(c *testClient, clientID string) map[string]any {
	return arr(c.call("backups", url.Values{"sa": {"backups"}, "clientid": {clientID}})["backups"])[0]
}

// TestRunsFollowTheRecording: a full backup with indexing, transfer and
// the server's long finish; speed_bpms in windows; eta_ms as the server
// sends it. Then the same again (nothing changed: size_bytes 0, as a real
// full backup of unchanged data said), and an incremental without changes
// (pcdone 100, total_bytes 0).
func TestRunsFollowTheRecording(t *testing.T) {
	t.Parallel()
	const d = 5500 * time.Millisecond // one recorded second is 50 ms
	u := startServer(t, Options{BackupDuration: d})
	c := newTestClient(t, u, false)
	c.login("admin", u.Password())
	before := num(statusOf(c, "k3sagent01")["lastbackup"])

	startFile(t, c, "2", "full_file")
	run := sampleRun(t, c, 2, 3*d)
	first := run[0].p
	if num(first["pcdone"]) != -1 || num(first["total_bytes"]) != -1 || num(first["done_bytes"]) != 0 || num(first["eta_ms"]) != 61000 ||
		fnum(first["speed_bpms"]) != 0 || len(arr2(first["past_speed_bpms"])) != 0 || str(first["details"]) != "0" || num(first["detail_pc"]) != -1 {
		t.Errorf("first reading %v", first)
	}
	final := num(run[len(run)-1].p["done_bytes"])
	var lastPC int64 = -1
	var xferFrom, xferTo, finishFrom time.Duration
	speeds := map[float64]bool{}
	var lastPast int
	lastETA := int64(1 << 40)
	for _, s := range run {
		p := s.p
		pc, done, total, eta := num(p["pcdone"]), num(p["done_bytes"]), num(p["total_bytes"]), num(p["eta_ms"])
		speed, past := fnum(p["speed_bpms"]), len(arr2(p["past_speed_bpms"]))
		if pc < lastPC {
			t.Fatalf("pcdone went back from %d to %d at %v", lastPC, pc, s.at)
		}
		if past < lastPast {
			t.Errorf("past_speed_bpms shrank at %v", s.at)
		}
		lastPC, lastPast = pc, past
		switch {
		case pc < 0:
			if total != -1 || eta != 61000 {
				t.Errorf("indexing %v", p)
			}
		case done < final:
			// The transfer: pcdone is done/total in whole percents,
			// eta_ms 61000 throughout.
			if xferFrom == 0 {
				xferFrom = s.at
			}
			xferTo = s.at
			if pc != done*100/total || eta != 61000 {
				t.Errorf("transfer %v", p)
			}
			if speed > 0 {
				speeds[speed] = true
			}
		default:
			// The server's finish: 99, done_bytes frozen short of the
			// total, speed 0, eta_ms below zero and falling.
			if finishFrom == 0 {
				finishFrom = s.at
			}
			if pc != 99 || done >= total || speed != 0 || eta > 0 || eta > lastETA {
				t.Errorf("finishing at %v: %v", s.at, p)
			}
			lastETA = eta
		}
	}
	span := run[len(run)-1].at - run[0].at
	// Recorded: 39 s of transfer (1.95 s here) and 70 s of finishing
	// (3.2 s) in 110 s; the readings bracket them to a few polls.
	if xfer := xferTo - xferFrom; xfer < d/4 || xfer > d/2 {
		t.Errorf("the transfer took %v of %v", xfer, span)
	}
	if fin := run[len(run)-1].at - finishFrom; fin < d/2 || fin > d*7/10 {
		t.Errorf("the finish took %v of %v", fin, span)
	}
	// speed_bpms: 0 for two windows, then one value per window (two
	// windows of the recorded transfer), none after; past_speed_bpms
	// then holds the three: [0, first, second].
	if len(speeds) == 0 || len(speeds) > 2 || lastPast != 3 {
		t.Errorf("speed values %v, %d past values at the end", speeds, lastPast)
	}
	for v := range speeds {
		if pace := float64(final) / float64((d*39/110)/time.Millisecond); v < pace*0.99 || v > pace*1.01 {
			t.Errorf("speed_bpms %v, the pace %v", v, pace)
		}
	}
	st := statusOf(c, "k3sagent01")
	full := newestBackup(c, "2")
	changed := num(full["size_bytes"])
	if num(st["lastbackup"]) <= before || num(full["incremental"]) != 0 || changed <= 0 || changed >= 1*host.GiB {
		t.Errorf("after the full backup: status %v, backup %v (it stores what changed in 17 h)", st["lastbackup"], full)
	}

	// Nothing has changed since: a full backup sends every file again
	// and stores none of them.
	startFile(t, c, "2", "full_file")
	run = sampleRun(t, c, 2, 3*d)
	maxTotal := int64(0)
	for _, s := range run {
		maxTotal = max(maxTotal, num(s.p["total_bytes"]))
	}
	again := newestBackup(c, "2")
	if maxTotal < 30*host.GiB || num(again["size_bytes"]) != 0 || num(again["id"]) <= num(full["id"]) {
		t.Errorf("second full backup: sent %d, stored %v", maxTotal, again)
	}

	// An incremental without changes: indexing, then 100 with nothing to
	// send, 10/110 of the time.
	startFile(t, c, "2", "incr_file")
	run = sampleRun(t, c, 2, 3*d)
	sawNothing := false
	for _, s := range run {
		if num(s.p["pcdone"]) == 100 {
			sawNothing = true
			if num(s.p["total_bytes"]) != 0 || num(s.p["done_bytes"]) != 0 || num(s.p["eta_ms"]) > 0 {
				t.Errorf("incremental without changes %v", s.p)
			}
		}
	}
	if span := run[len(run)-1].at - run[0].at; !sawNothing || span > d/5 {
		t.Errorf("incremental without changes: 100 seen %v, took %v", sawNothing, span)
	}
	if b := newestBackup(c, "2"); num(b["incremental"]) != 1 || num(b["size_bytes"]) != 0 {
		t.Errorf("incremental %v", b)
	}
}

// TestStopOnlyWhileIndexing: a stop while the client indexes is
// honoured (the process lingers unchanged, then goes without a backup); a
// stop during the transfer is ignored and the backup completes.
func TestStopOnlyWhileIndexing(t *testing.T) {
	t.Parallel()
	t.Run("early", func(t *testing.T) {
		t.Parallel()
		u := startServer(t, Options{BackupDuration: 20 * time.Second}) // indexing 1 s
		c := newTestClient(t, u, false)
		c.login("admin", u.Password())
		ids := backupIDs(c, "3")
		startFile(t, c, "3", "full_file")
		var p map[string]any
		waitFor(t, 2*time.Second, "the process", func() bool { p = progressOf(c, 3); return p != nil })
		if num(p["pcdone"]) != -1 {
			t.Fatalf("the client was no longer indexing when the stop could be sent: %v", p)
		}
		pg := arr(c.call("progress", url.Values{"stop_clientid": {"3"}, "stop_id": {fmt.Sprint(num(p["id"]))}, "with_lastacts": {"0"}})["progress"])
		// The answer is the usual list, the job in it unchanged.
		if len(pg) != 1 || num(pg[0]["pcdone"]) != -1 || pg[0]["can_stop_backup"] != true {
			t.Errorf("stop answer %v", pg)
		}
		stopped := time.Now()
		run := sampleRun(t, c, 3, 10*time.Second)
		for _, s := range run {
			if num(s.p["pcdone"]) != -1 || num(s.p["eta_ms"]) != 61000 {
				t.Errorf("a stopped process moved on: %v", s.p)
			}
		}
		// Recorded: it stayed 10 s of a 110 s backup (1.8 s here).
		if stayed := time.Since(stopped); stayed < 20*time.Second*9/110 || stayed > 20*time.Second*20/110 {
			t.Errorf("the stopped process stayed %v", stayed)
		}
		if got := backupIDs(c, "3"); len(got) != len(ids) {
			t.Errorf("a stopped backup was kept")
		}
		logs := arr(c.call("logs", url.Values{"filter": {"3"}})["logs"])
		one := c.call("logs", url.Values{"logid": {fmt.Sprint(num(logs[0]["id"]))}})
		if data := str(one["log"].(map[string]any)["data"]); !strings.Contains(data, "-Sever admin stopped backup during indexing\n") {
			t.Errorf("log %q", data)
		}
	})
	t.Run("late", func(t *testing.T) {
		t.Parallel()
		u := startServer(t, Options{BackupDuration: 3 * time.Second})
		c := newTestClient(t, u, false)
		c.login("admin", u.Password())
		ids := backupIDs(c, "3")
		startFile(t, c, "3", "incr_file")
		var p map[string]any
		waitFor(t, 3*time.Second, "the transfer", func() bool { p = progressOf(c, 3); return p != nil && num(p["pcdone"]) >= 5 })
		c.call("progress", url.Values{"stop_clientid": {"3"}, "stop_id": {fmt.Sprint(num(p["id"]))}})
		run := sampleRun(t, c, 3, 10*time.Second)
		if last := run[len(run)-1].p; num(last["pcdone"]) != 99 {
			t.Errorf("after a late stop the backup did not go on: %v", last)
		}
		if got := backupIDs(c, "3"); len(got) != len(ids)+1 {
			t.Errorf("the backup stopped late was not kept: %d → %d", len(ids), len(got))
		}
	})
}

// TestCrashedClient: a client that died stays online for a while; a
// backup started then is accepted, never shows, and fails with a connect
// error in its log. The linger is recorded (about 4 minutes; shortened
// here), the failure's timing invented.
func TestCrashedClient(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{BackupDuration: 2 * time.Second, OnlineLinger: 1500 * time.Millisecond})
	c := newTestClient(t, u, false)
	c.login("admin", u.Password())
	logsBefore := len(arr(c.call("logs", nil)["logs"]))
	u.CrashClient("k3sagent01")
	if st := statusOf(c, "k3sagent01"); st["online"] != true {
		t.Fatalf("the server noticed at once: %v", st)
	}
	startFile(t, c, "2", "full_file")
	deadline := time.Now().Add(5 * time.Second)
	var logs []map[string]any
	for time.Now().Before(deadline) {
		if p := progressOf(c, 2); p != nil {
			t.Fatalf("a backup of a dead client shows: %v", p)
		}
		if logs = arr(c.call("logs", nil)["logs"]); len(logs) > logsBefore {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(logs) == logsBefore || str(logs[0]["name"]) != "k3sagent01" || num(logs[0]["errors"]) == 0 {
		t.Fatalf("no failure logged: %v", logs)
	}
	one := c.call("logs", url.Values{"logid": {fmt.Sprint(num(logs[0]["id"]))}})
	if data := str(one["log"].(map[string]any)["data"]); !strings.Contains(data, "-Connecting to ClientService of \"k3sagent01\" failed - CONNECT error during filelist construction\n") {
		t.Errorf("log %q", data)
	}
	waitFor(t, 3*time.Second, "the server to notice", func() bool { return statusOf(c, "k3sagent01")["online"] == false })
	if r := arr(c.call("start_backup", url.Values{"start_client": {"2"}, "start_type": {"full_file"}})["result"]); r[0]["start_ok"] != false {
		t.Errorf("start once offline %v", r)
	}
	// Restarted: backups run again.
	u.SetClientOnline("k3sagent01", true)
	startFile(t, c, "2", "incr_file")
	waitFor(t, 2*time.Second, "the process", func() bool { return progressOf(c, 2) != nil })
}

// TestAutomaticBackupsOff: file_disabled only stops the schedule; a
// backup asked for by hand runs, and file_ok stays false after it
// (recorded).
func TestAutomaticBackupsOff(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{BackupDuration: time.Second})
	c := newTestClient(t, u, false)
	c.login("admin", u.Password())
	u.SetAutomaticFileBackups("k3sagent02", false)
	st := statusOf(c, "k3sagent02")
	if st["file_disabled"] != true || st["file_ok"] != false || statusOf(c, "k3sagent01")["file_disabled"] != nil {
		t.Fatalf("status %v", st)
	}
	startFile(t, c, "3", "incr_file")
	sampleRun(t, c, 3, 3*time.Second)
	after := statusOf(c, "k3sagent02")
	if num(after["lastbackup"]) <= num(st["lastbackup"]) || after["file_ok"] != false {
		t.Errorf("after a backup by hand: %v", after)
	}
	u.SetAutomaticFileBackups("k3sagent02", true)
	if st := statusOf(c, "k3sagent02"); st["file_disabled"] != nil || st["file_ok"] != true {
		t.Errorf("switched back on: %v", st)
	}
}
