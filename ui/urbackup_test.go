package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// TestClientBackupKeys: i and I start an incremental backup of the
// selected UrBackup client at once; f and F (Method.Heavy) ask first with
// Cancel focused, and Start is called only once Confirm is pressed; on
// anything else the keys only explain.
func TestClientBackupKeys(t *testing.T) {
	cases := []struct {
		name   string
		target string
		keys   []string
		// a dialog open after the first key, and the text it shows
		dialog string
		want   []model.JobRequest // the Start calls, in order
		say    string             // what the screen shows at the end
	}{
		{name: "i starts an incremental file backup at once", target: urbAgent01, keys: []string{"i"},
			want: []model.JobRequest{{Target: urbAgent01, Method: model.MethodIncrFile}}, say: "started incremental file backup of k3sagent01"},
		{name: "f asks, enter on Cancel starts nothing", target: urbAgent01, keys: []string{"f", "enter"},
			dialog: "Start a FULL file backup of k3sagent01? It reads every file again and loads the client and the server for a long time."},
		{name: "f asks, esc starts nothing", target: urbAgent01, keys: []string{"f", "esc"},
			dialog: "Full file backup of k3sagent01"},
		{name: "f, tab, enter starts the full file backup", target: urbAgent01, keys: []string{"f", "tab", "enter"},
			dialog: "Start a FULL file backup", want: []model.JobRequest{{Target: urbAgent01, Method: model.MethodFullFile}}},
		{name: "f, right, enter starts the full file backup", target: urbAgent01, keys: []string{"f", "right", "enter"},
			dialog: "[ Cancel ]", want: []model.JobRequest{{Target: urbAgent01, Method: model.MethodFullFile}}},
		{name: "f, tab, tab, enter is back on Cancel", target: urbAgent01, keys: []string{"f", "tab", "tab", "enter"},
			dialog: "[ Confirm ]"},
		{name: "I without image backups explains", target: urbAgent01, keys: []string{"I"},
			say: "k3sagent01 has no incremental image backup (switched off); use i or f"},
		{name: "F without image backups explains", target: urbAgent01, keys: []string{"F"},
			say: "k3sagent01 has no full image backup (switched off); use i or f"},
		{name: "I starts an incremental image backup at once", target: urbAgent02, keys: []string{"I"},
			want: []model.JobRequest{{Target: urbAgent02, Method: model.MethodIncrImage}}},
		{name: "F asks, then starts the full image backup", target: urbAgent02, keys: []string{"F", "tab", "enter"},
			dialog: "Start a FULL image backup of k3sagent02? It reads the whole disk again", want: []model.JobRequest{{Target: urbAgent02, Method: model.MethodFullImage}}},
		{name: "f on an offline client says so in the question", target: urbServer01, keys: []string{"f", "esc"},
			dialog: "k3sserver01 is offline now: UrBackup refuses until it connects."},
		{name: "b on a client does nothing and says what does", target: urbAgent01, keys: []string{"b"},
			say: "b backs up guests; for this client use i or f"},
		{name: "b on a client with images lists every key", target: urbAgent02, keys: []string{"b"},
			say: "b backs up guests; for this client use i, f, I or F"},
		{name: "i on a guest does nothing", target: agent01, keys: []string{"i"},
			say: "i starts an incremental file backup of an UrBackup client: select one"},
		{name: "f on a guest does nothing", target: agent01, keys: []string{"f"},
			say: "f starts a full file backup of an UrBackup client"},
		{name: "i on a concern does nothing", keys: []string{"i"},
			say: "i starts an incremental file backup of an UrBackup client"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm := newTestModel(t, 80, 24)
			if c.target != "" {
				tm.selectTarget(c.target)
			}
			tm.run(c.keys[0])
			if c.dialog != "" {
				d, ok := tm.m.dialog().(*confirmDialog)
				if !ok {
					t.Fatalf("%q opened %T, want a confirmation", c.keys[0], tm.m.dialog())
				}
				if d.confirm {
					t.Fatal("Confirm has the focus; Cancel must")
				}
				if n := len(tm.eng.Starts()); n != 0 {
					t.Fatalf("Start called %d times before the confirmation", n)
				}
				tm.mustShow("›[ Cancel ]")
				// the dialog's words, whatever the wrapping
				if flat := strings.Join(strings.Fields(boxText(tm.screen())), " "); !strings.Contains(flat, c.dialog) {
					t.Fatalf("the dialog does not say %q:\n%s", c.dialog, tm.screen())
				}
			} else if tm.m.dialog() != nil {
				t.Fatalf("%q opened %T", c.keys[0], tm.m.dialog())
			}
			tm.run(c.keys[1:]...)
			got := tm.eng.Starts()
			if len(got) != len(c.want) {
				t.Fatalf("Start called with %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i].Target != c.want[i].Target || got[i].Method != c.want[i].Method {
					t.Fatalf("Start %d: %+v, want %+v", i, got[i], c.want[i])
				}
			}
			if tm.m.dialog() != nil {
				t.Fatalf("a dialog is still open at the end: %T", tm.m.dialog())
			}
			for _, w := range c.want {
				if !tm.m.jobs.Has("job-" + w.Target) {
					t.Fatalf("the started job on %s is not listed", w.Target)
				}
			}
			if c.say != "" {
				tm.mustShow(c.say)
			}
		})
	}
}

// boxText is the text inside the dialog box drawn over the screen (its
// rows between the rounded border's sides), for matching wrapped sentences.
func boxText(screen string) string {
	var out []string
	x, bw := -1, 0
	for _, l := range strings.Split(screen, "\n") {
		r := []rune(l)
		if x < 0 {
			if i := strings.Index(l, "╭"); i >= 0 {
				x = len([]rune(l[:i]))
				bw = len([]rune(l[i:strings.Index(l, "╮")])) + 1
			}
			continue
		}
		if x+bw > len(r) || r[x] == '╰' {
			break
		}
		out = append(out, string(r[x+1:x+bw-1]))
	}
	return strings.Join(out, " ")
}

// TestClientStartErrors: what Start refuses (an offline client, image
// backups switched off) shows like any other start error: a notice, the
// status bar and the error log, under the urbackup source.
func TestClientStartErrors(t *testing.T) {
	cases := []struct {
		target, key string
		err         string
		title       string
	}{
		{urbServer01, "i", "k3sserver01 is offline: UrBackup cannot back it up until it connects (last seen 2 d ago)", "Cannot start the incremental file backup of k3sserver01"},
		{urbAgent02, "I", "image backups are switched off on the UrBackup server", "Cannot start the incremental image backup of k3sagent02"},
	}
	for _, c := range cases {
		t.Run(c.key+" "+c.target, func(t *testing.T) {
			tm := newTestModel(t, 100, 30)
			tm.eng.startFn = func(model.JobRequest) (model.Job, error) { return model.Job{}, errors.New(c.err) }
			tm.selectTarget(c.target)
			tm.run(c.key)
			if _, ok := tm.m.dialog().(*noticeDialog); !ok {
				t.Fatalf("no notice of the failure, dialog %T", tm.m.dialog())
			}
			tm.mustShow(c.title)
			if flat := strings.Join(strings.Fields(boxText(tm.screen())), " "); !strings.Contains(flat, c.err) {
				t.Fatalf("the notice does not say %q:\n%s", c.err, tm.screen())
			}
			tm.mustShow("✗ urbackup: cannot start the")
			if tm.m.log.Len() != 1 {
				t.Fatalf("%d errors logged, want 1", tm.m.log.Len())
			}
			if tm.m.jobs.Has("job-" + c.target) {
				t.Fatal("a job is listed for a start that failed")
			}
		})
	}
}

// TestClientInTheTreeAndDetail: clients show under their concerns with an
// age; an offline one says "offline" in words; the detail pane has the
// title, the facts, the restore points with their kind, and the actions.
func TestClientInTheTreeAndDetail(t *testing.T) {
	tm := newTestModel(t, 160, 48)
	tm.mustShow("k3sserver01                         offline 29 h")
	tm.selectTarget(urbAgent01)
	lines := tm.detailText()
	if lines[0] != "k3sagent01 · UrBackup client · online" {
		t.Fatalf("title %q", lines[0])
	}
	for _, want := range []string{
		"last backup   9 h ago   509.0 MiB   ✓ ok",
		"max age       26 h",
		"why           last backup 9 h ago, within the max age of 26 h",
		"file backups  ok, last 9 h ago",
		"image backups not used (switched off for this client)",
		"usage         66.8 GiB (files 66.8 GiB, images 0 B)",
		"folders       /var/lib/rancher/k3s/storage, /srv/appdata",
		"Restore points (6, 67.3 GiB)",
	} {
		if indexOf(lines, want) < 0 {
			t.Fatalf("no line %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if indexOf(lines, "online ") >= 0 || indexOf(lines, "about") >= 0 {
		t.Fatalf("the title's words are repeated below it:\n%s", strings.Join(lines, "\n"))
	}
	full := 0
	for _, l := range lines {
		if strings.HasSuffix(l, " full") && strings.Contains(l, "65.2 GiB") {
			full++
		}
	}
	if full != 1 {
		t.Fatalf("the full backup is not marked \"full\":\n%s", strings.Join(lines, "\n"))
	}
	if last := lines[len(lines)-1]; last != "i incremental  f full" {
		t.Fatalf("actions %q", last)
	}

	tm.selectTarget(urbServer01)
	lines = tm.detailText()
	if lines[0] != "k3sserver01 · UrBackup client · offline" || indexOf(lines, "online        no, last seen 2 d ago") < 0 {
		t.Fatalf("the offline client:\n%s", strings.Join(lines, "\n"))
	}
	tm.selectTarget(urbAgent02)
	if last := tm.detailText(); !strings.HasSuffix(strings.Join(last, "  "), "i incremental  f full  I incr. image  F full image") {
		t.Fatalf("actions of a client with images: %q", last[len(last)-1])
	}
	// the footer and the ? overlay know the keys
	tm.keys("enter")
	tm.mustShow("i incremental · f full (asks)")
	tm.keys("?")
	for _, s := range []string{"i incremental file backup", "f full file backup (asks)", "I incremental image backup", "F full image backup (asks)"} {
		tm.mustShow(s)
	}
}

// TestClientDetailAt80x24: the facts give way to the restore points and the
// actions on a small terminal.
func TestClientDetailAt80x24(t *testing.T) {
	tm := newTestModel(t, 80, 24)
	tm.selectTarget(urbAgent01)
	lines := tm.detailText()
	for _, want := range []string{"k3sagent01 · UrBackup client · online", "last backup", "why", "file backups", "Restore points (6,", "9 h    11-25 05:22 509.0 MiB  incremental", "… 4 older"} {
		if indexOf(lines, want) < 0 {
			t.Fatalf("no line %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if last := lines[len(lines)-1]; last != "i incremental  f full" {
		t.Fatalf("actions %q", last)
	}
}

// TestClientScrollsAfterAGuest: j on a client's pane scrolls its restore
// points, also when the guest selected before it had snapshots (the client
// has none: they are not the guest's any more).
func TestClientScrollsAfterAGuest(t *testing.T) {
	tm := onAgent01(t, 80, 24)
	tm.selectTarget(urbAgent01)
	tm.keys("enter", "j")
	if lines := tm.detailText(); indexOf(lines, "… 2 newer") < 0 {
		t.Fatalf("j did not scroll the client's restore points:\n%s", strings.Join(lines, "\n"))
	}
}

// TestUrBackupJobProgress: UrBackup says -1 while it indexes: the spinner
// turns, and unknown bytes, speed and ETA are left out, never shown as 0.
func TestUrBackupJobProgress(t *testing.T) {
	tm := newTestModel(t, 160, 48)
	j := model.Job{
		ID: "urbackup/k3sagent01/1", Target: urbAgent01, Name: "k3sagent01", Method: model.MethodIncrFile,
		Source: model.SourceURBackup, State: model.JobRunning, Started: testNow.Add(-10 * time.Second),
		Progress: model.UnknownProgress(),
	}
	j.Progress.DoneBytes, j.Progress.LastLine = 0, "indexing"
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	row := jobLine(t, tm, "k3sagent01")
	if !strings.Contains(row, "incr file k3sagent01") || !strings.Contains(row, "working") || !strings.Contains(row, "indexing") {
		t.Fatalf("indexing row %q", row)
	}
	for _, bad := range []string{"0.0 B", " 0 B", "0%", "B/s"} {
		if strings.Contains(row, bad) {
			t.Fatalf("the indexing row shows %q: %q", bad, row)
		}
	}
	if !tm.m.spinArmed {
		t.Fatal("no spinner while UrBackup indexes")
	}
	// transferring: a percentage and bytes done, the total, speed and ETA unknown
	j.Progress.Percent, j.Progress.DoneBytes, j.Progress.LastLine = 40, 3*GiB/2, "transferring files"
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	tm.send(flushMsg{})
	row = jobLine(t, tm, "k3sagent01")
	if !strings.Contains(row, " 40%") || !strings.Contains(row, "1.5 GiB") || strings.Contains(row, "B/s") || strings.Contains(row, "working") {
		t.Fatalf("transferring row %q", row)
	}
	// the end: the job's word; the next posture brings the new restore point
	j.State, j.Ended = model.JobSucceeded, testNow
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	if row = jobLine(t, tm, "k3sagent01"); !strings.Contains(row, "succeeded") {
		t.Fatalf("ended row %q", row)
	}
}

// jobLine is the jobs panel's row of a target, ANSI stripped.
func jobLine(t *testing.T, tm *testModel, name string) string {
	t.Helper()
	tm.m.View()
	for _, l := range tm.m.jobs.cache {
		if s := ansiStrip(l); strings.Contains(s, name) {
			return s
		}
	}
	t.Fatalf("no job row for %s:\n%s", name, tm.screen())
	return ""
}

func TestDoneOfTotal(t *testing.T) {
	for _, c := range []struct {
		done, total int64
		want        string
	}{
		{-1, -1, ""},
		{0, -1, ""}, // UrBackup while it indexes: nothing to say, not "0 B"
		{3 * GiB / 2, -1, "1.5 GiB"},
		{-1, 10 * GiB, "?/10.0 GiB"},
		{45 * GiB / 10, 10 * GiB, "4.5/10.0 GiB"},
		{104 * MiB, 309 * MiB, "104/309 MiB"},
	} {
		if got := doneOfTotal(c.done, c.total); got != c.want {
			t.Errorf("doneOfTotal(%d, %d) = %q, want %q", c.done, c.total, got, c.want)
		}
	}
}

// TestUrBackupJobPhases: the phase words stand where the figures mislead:
// "indexing" by the spinner, "finishing on the server" by a bar at 99 %
// (which alone reads as stuck), at 80 columns too.
func TestUrBackupJobPhases(t *testing.T) {
	for _, w := range []int{80, 160} {
		tm := newTestModel(t, w, 24)
		j := model.Job{
			ID: "urbackup/k3sagent01/1", Target: urbAgent01, Name: "k3sagent01", Method: model.MethodFullFile,
			Source: model.SourceURBackup, State: model.JobRunning, Started: testNow.Add(-10 * time.Second),
			Progress: model.UnknownProgress(),
		}
		j.Progress.DoneBytes, j.Progress.LastLine, j.Progress.Phase = 0, "indexing", "indexing"
		tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
		row := jobLine(t, tm, "k3sagent01")
		if !strings.Contains(row, "indexing") || strings.Contains(row, "working") || strings.Count(row, "indexing") != 1 {
			t.Errorf("%d columns, indexing row %q", w, row)
		}
		j.Progress = model.Progress{Percent: 99, DoneBytes: 198 * MiB, TotalBytes: 200 * MiB, ReadBytesPerS: -1, WriteBytesPerS: -1,
			LastLine: "finishing on the server", Phase: "finishing on the server"}
		tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
		tm.send(flushMsg{})
		row = jobLine(t, tm, "k3sagent01")
		if !strings.Contains(row, " 99%") || !strings.Contains(row, "finishing on the server") || strings.Count(row, "finishing") != 1 {
			t.Errorf("%d columns, finishing row %q", w, row)
		}
	}
}

// TestDeduplicatedRestorePoint: a backup that stored nothing new (UrBackup
// says size 0: every file was already there) reads as deduplicated, not as
// an empty backup of 0 B.
func TestDeduplicatedRestorePoint(t *testing.T) {
	p := seedPosture()
	for ci := range p.Concerns {
		for ti := range p.Concerns[ci].Targets {
			if tg := &p.Concerns[ci].Targets[ti]; tg.ID == urbAgent01 {
				rp := &tg.RestorePoints[0]
				rp.Size, rp.Deduplicated, rp.Method = 0, true, model.MethodFullFile
				rp.Notes = "full · deduplicated: every file was already stored"
			}
		}
	}
	tm := newTestModel(t, 160, 48)
	tm.send(eventsMsg{evs: []model.Event{model.PostureEvent{Posture: p}}})
	tm.selectTarget(urbAgent01)
	lines := tm.detailText()
	for _, want := range []string{
		"last backup   9 h ago   deduplicated   ✓ ok",
		"9 h    2026-11-25 05:22     dedup  full · deduplicated: every file was already stored",
	} {
		if indexOf(lines, want) < 0 {
			t.Fatalf("no line %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if strings.Contains(strings.Join(lines, "\n"), " 0 B ") {
		t.Errorf("a deduplicated point shows as 0 B:\n%s", strings.Join(lines, "\n"))
	}
}

// TestStopOfAnUrBackupJobSaysWhatUrBackupDoes: UrBackup ignores a stop once
// the client has indexed; the dialog does not promise that the server ends
// the task.
func TestStopOfAnUrBackupJobSaysWhatUrBackupDoes(t *testing.T) {
	tm := newTestModel(t, 160, 48)
	j := model.Job{
		ID: "urbackup/k3sagent01/1", Target: urbAgent01, Name: "k3sagent01", Method: model.MethodFullFile,
		Source: model.SourceURBackup, State: model.JobRunning, Started: testNow.Add(-10 * time.Second),
		Progress: model.Progress{Percent: 40, DoneBytes: 80 * MiB, TotalBytes: 200 * MiB, ReadBytesPerS: float64(5 * MiB), WriteBytesPerS: -1},
	}
	tm.send(eventsMsg{evs: []model.Event{model.JobEvent{Job: j}}})
	tm.selectTarget(urbAgent01)
	tm.keys("x")
	if _, ok := tm.m.dialog().(*confirmDialog); !ok {
		t.Fatalf("no confirmation, dialog %T", tm.m.dialog())
	}
	box := strings.Join(strings.Fields(boxText(tm.screen())), " ")
	if !strings.Contains(box, "UrBackup stops a backup only while the client indexes") || strings.Contains(box, "discarded") {
		t.Errorf("stop dialog %q", box)
	}
}
