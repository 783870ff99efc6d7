package urbackup_test

import (
	"context"
	"strings"
	"testing"
	"time"

	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/backends/urbackup"
	"github.com/backdeck/backdeck/model"
)

// What a real UrBackup server and client did (testdata/live), against the
// lab that reproduces it.

// phases lists the phases a job's updates went through, in order.
func phases(ups []model.Job) string {
	var out []string
	for _, u := range ups {
		p := u.Progress.Phase
		switch {
		case u.State.Terminal():
			p = string(u.State)
		case p == "":
			p = "transfer"
		}
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	return strings.Join(out, " → ")
}

// TestLabFullBackupPhasesAndETA: waiting for the client, indexing, the
// transfer with a speed and an ETA measured from done_bytes (the lab sends
// eta_ms as the server does: 61000, then negative), finishing on the
// server at 99 %, succeeded; the percent never goes down, and the ETA
// foretells the end of the transfer.
func TestLabFullBackupPhasesAndETA(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{BackupDuration: 4 * time.Second})
	c := jobClient(t, u)
	job := startJob(t, c, "urbackup/k3sagent02", model.MethodFullFile)
	if job.Progress.Phase != "waiting for the client" {
		t.Errorf("started job phase %q", job.Progress.Phase)
	}
	type update struct {
		at time.Time
		j  model.Job
	}
	var got []update
	final, err := c.Follow(context.Background(), job, func(j model.Job) { got = append(got, update{time.Now(), j}) })
	if err != nil || final.State != model.JobSucceeded || final.Progress.Percent != 100 {
		t.Fatalf("final %s %q %v", final.State, final.Message, err)
	}
	var ups []model.Job
	for _, u := range got {
		ups = append(ups, u.j)
	}
	if p := phases(ups); p != "indexing → transfer → finishing on the server → succeeded" {
		t.Errorf("phases %s", p)
	}
	last := -1.0
	// The transfer ended between the last reading of it and the first of
	// the server's finish: the ETAs must point there.
	var lastTransfer, transferEnd time.Time
	var forecasts []update
	for _, u := range got {
		pr := u.j.Progress
		if pr.Phase == "" && !u.j.State.Terminal() {
			lastTransfer = u.at
		}
		if pr.Percent < last {
			t.Fatalf("the percent went down from %v to %v", last, pr.Percent)
		}
		last = pr.Percent
		switch pr.Phase {
		case "":
			if pr.ETAKnown && pr.ETA >= 60*time.Second {
				t.Errorf("an ETA of %v: UrBackup's own eta_ms", pr.ETA)
			}
			if pr.ETAKnown && pr.ReadBytesPerS > 0 && !u.j.State.Terminal() {
				forecasts = append(forecasts, u)
			}
		case "finishing on the server":
			if transferEnd.IsZero() {
				transferEnd = u.at
			}
			if pr.ETAKnown || pr.Percent != 99 || pr.LastLine != "finishing on the server" {
				t.Errorf("finishing %+v", pr)
			}
		}
	}
	if len(forecasts) < 4 {
		t.Fatalf("%d updates with a speed and an ETA", len(forecasts))
	}
	// After the first two, each ETA foretells the end of the transfer
	// (about 1.4 s) to within 300 ms.
	for _, f := range forecasts[2:] {
		end := f.at.Add(f.j.Progress.ETA)
		if end.Before(lastTransfer.Add(-300*time.Millisecond)) || end.After(transferEnd.Add(300*time.Millisecond)) {
			t.Errorf("at %.0f%% the ETA %v foretells the end at %v, it came between %v and %v after that reading", f.j.Progress.Percent,
				f.j.Progress.ETA, end.Sub(f.at), lastTransfer.Sub(f.at), transferEnd.Sub(f.at))
		}
	}
}

// TestLabLateStopIsIgnored: a stop during the transfer changes nothing on
// the server; the job says so while it runs, and ends succeeded with word
// that UrBackup did not stop it.
func TestLabLateStopIsIgnored(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{BackupDuration: 6 * time.Second})
	c := jobClient(t, u)
	before := observe(t, c)["k3sagent01"]
	job := startJob(t, c, "urbackup/k3sagent01", model.MethodFullFile)
	rec, done, errs := followAsync(c, job)
	seen := rec.waitFor(t, "the transfer", func(j model.Job) bool { return j.Progress.Percent >= 5 && j.Progress.Phase == "" })
	if err := c.Stop(context.Background(), seen); err != nil {
		t.Fatal(err)
	}
	final := finish(t, done, errs)
	want := "UrBackup did not stop it; it finished at " + final.Ended.Format("15:04")
	if final.State != model.JobSucceeded || final.Message != want {
		t.Errorf("final %s %q, want succeeded %q", final.State, final.Message, want)
	}
	rec.waitFor(t, "word that UrBackup goes on", func(j model.Job) bool {
		return j.Progress.LastLine == "stop sent, but UrBackup goes on: it stops a backup only while the client indexes"
	})
	if after := observe(t, c)["k3sagent01"]; len(after.RestorePoints) != len(before.RestorePoints)+1 {
		t.Errorf("the backup that went on left no restore point")
	}
}

// TestLabAutomaticBackupsOff: with automatic file backups off for the
// client, a backup by hand is started and succeeds (file_ok stays false);
// the client says so; the new restore point shows in status's report.
// (The demo is one process per command, so the report is built here, in
// one process, as `status --json` builds it.)
func TestLabAutomaticBackupsOff(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{})
	u.SetAutomaticFileBackups("k3sagent02", false)
	c := jobClient(t, u)
	tg := observe(t, c)["k3sagent02"]
	if got := strings.Join(methodNames(tg.Methods), ","); got != "incr-file,full-file" {
		t.Errorf("methods %s", got)
	}
	if f := facts(tg)["file backups"]; !strings.HasPrefix(f, "automatic file backups off (by hand only); last ") {
		t.Errorf("file backups fact %q", f)
	}
	// What status reports of the client: its posture (the CLI renders it).
	type target struct {
		Status        model.Status
		LastBackup    time.Time
		Age           time.Duration
		RestorePoints int
	}
	report := func() target {
		st, err := c.Observe(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		p := model.BuildPosture(model.PostureInput{
			Now:      labClock(),
			Concerns: []model.ConcernSpec{{ID: "userdata", Name: "User data", MaxAge: 26 * time.Hour, Targets: []string{"urbackup/*"}}},
			Sources:  []model.SourceState{st},
		})
		ts, ok := p.Target("urbackup/k3sagent02")
		if !ok {
			t.Fatal("k3sagent02 not in the posture")
		}
		return target{Status: ts.Status, LastBackup: ts.LastBackup, Age: ts.Age, RestorePoints: len(ts.RestorePoints)}
	}
	was := report()
	final, err := c.Follow(context.Background(), startJob(t, c, "urbackup/k3sagent02", model.MethodFullFile), nil)
	if err != nil || final.State != model.JobSucceeded {
		t.Fatalf("final %+v %v", final, err)
	}
	now := report()
	if now.RestorePoints != was.RestorePoints+1 || !now.LastBackup.After(was.LastBackup) ||
		now.Status != model.StatusOK || now.Age > time.Minute {
		t.Errorf("report before %+v, after %+v", was, now)
	}
	if f := facts(observe(t, c)["k3sagent02"])["file backups"]; !strings.HasPrefix(f, "automatic file backups off (by hand only); last ") {
		t.Errorf("after the backup: %q", f)
	}
}

// TestLabCrashedClient: the server still shows a client that died as
// online; a backup started then is accepted and never shows; the job
// reports the line of the server's log that says why.
func TestLabCrashedClient(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{BackupDuration: 2 * time.Second})
	u.CrashClient("k3sagent01")
	c := labClient(t, u, func(o *urbackup.Options) { o.PollInterval = 20 * time.Millisecond })
	if observe(t, c)["k3sagent01"].Offline {
		t.Fatal("the server noticed the crash at once")
	}
	job := startJob(t, c, "urbackup/k3sagent01", model.MethodFullFile)
	final, err := c.Follow(context.Background(), job, nil)
	want := `UrBackup took the request but the backup of k3sagent01 failed before it began: Connecting to ClientService of "k3sagent01" failed - CONNECT error during filelist construction (UrBackup's log)`
	if err != nil || final.State != model.JobFailed || final.Message != want || final.TaskID != "" {
		t.Errorf("final %s %q %v, want %q", final.State, final.Message, err, want)
	}
}

// TestLabFullWithoutChangesIsDeduplicated: a full backup of data that has
// not changed since the last backup stores nothing new (size 0): a whole
// restore point, marked deduplicated.
func TestLabFullWithoutChangesIsDeduplicated(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{})
	c := jobClient(t, u)
	for i := range 2 {
		final, err := c.Follow(context.Background(), startJob(t, c, "urbackup/k3sagent01", model.MethodFullFile), nil)
		if err != nil || final.State != model.JobSucceeded {
			t.Fatalf("backup %d: %+v %v", i, final, err)
		}
	}
	rps := observe(t, c)["k3sagent01"].RestorePoints
	newest, first := rps[0], rps[1]
	if first.Deduplicated || first.Size <= 0 || first.Method != model.MethodFullFile {
		t.Errorf("the first full backup after a night %+v", first)
	}
	if !newest.Deduplicated || newest.Size != 0 || newest.Notes != "full · deduplicated: every file was already stored" {
		t.Errorf("the full backup without changes %+v", newest)
	}
}
