package urbackup_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/backends/urbackup"
	"github.com/backdeck/backdeck/model"
)

// The tests here run the client against the simulated UrBackup server of
// backends/lab over real HTTP and HTTPS on loopback. Its world: clients
// k3sserver01 (id 1, offline since yesterday), k3sagent01 (2) and
// k3sagent02 (3), a rejected client, image backups switched off, eight
// weeks of nightly file backups.

var _ backends.Backend = (*urbackup.Client)(nil)

// The lab and the clients run on one clock that starts at labNow, not on
// today's date: the world's past, and what its clients change between
// backups, hang on it.
var (
	labNow    = time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC)
	labOrigin = time.Now()
)

func labClock() time.Time { return labNow.Add(time.Since(labOrigin)) }

func startLab(t testing.TB, opts laburbackup.Options) *laburbackup.Server {
	t.Helper()
	if opts.BackupDuration == 0 {
		opts.BackupDuration = 3 * time.Second
	}
	opts.Now = labClock
	if opts.PBKDF2Rounds == 0 {
		opts.PBKDF2Rounds = 1000 // the default 10000 only slows the tests
	}
	u, err := laburbackup.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = u.Close() })
	return u
}

// labClient connects over HTTPS, pinning the front's certificate.
func labClient(t testing.TB, u *laburbackup.Server, mods ...func(*urbackup.Options)) *urbackup.Client {
	t.Helper()
	opts := urbackup.Options{
		Config: model.URBackupConfig{
			URL:       u.TLSURL(),
			Username:  u.Username(),
			TLSConfig: model.TLSConfig{Fingerprint: u.Fingerprint()},
			Clients: []model.URBackupClientConfig{
				{Name: "k3sagent01", Folders: []string{"/mnt/gitea-hdd/repos", "/mnt/gitea-ssd/data", "/mnt/gitea-ssd/db", "/mnt/monitoring-ssd/grafana-data"}},
			},
		},
		Password:     u.Password(),
		PollInterval: 40 * time.Millisecond,
		Now:          labClock,
	}
	opts.Config.Timeout.Duration = 20 * time.Second // a loaded machine
	for _, m := range mods {
		m(&opts)
	}
	c, err := urbackup.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// jobClient follows jobs over plain HTTP: the server closes every
// connection, and a TLS handshake per poll of every test running at once
// loads the machine more than the tests can bear. TLS is tested by the
// inventory, login and bad-gateway tests.
func jobClient(t testing.TB, u *laburbackup.Server, mods ...func(*urbackup.Options)) *urbackup.Client {
	t.Helper()
	return labClient(t, u, append([]func(*urbackup.Options){plainHTTP(u)}, mods...)...)
}

func plainHTTP(u *laburbackup.Server) func(*urbackup.Options) {
	return func(o *urbackup.Options) {
		o.Config.URL = u.URL()
		o.Config.TLSConfig = model.TLSConfig{}
	}
}

func secretFree(t *testing.T, u *laburbackup.Server, err error) {
	t.Helper()
	if err != nil && u.Password() != "" && strings.Contains(err.Error(), u.Password()) {
		t.Errorf("the password is in the error: %v", err)
	}
}

func observe(t *testing.T, c *urbackup.Client) map[string]model.Target {
	t.Helper()
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.OK || st.Source != model.SourceURBackup {
		t.Fatalf("state %+v", st)
	}
	m := map[string]model.Target{}
	for _, tg := range st.Targets {
		m[tg.Name] = tg
	}
	return m
}

func facts(tg model.Target) map[string]string {
	m := map[string]string{}
	for _, f := range tg.Facts {
		m[f.Label] = f.Value
	}
	return m
}

func TestLabInventory(t *testing.T) {
	u := startLab(t, laburbackup.Options{})
	for name, mod := range map[string]func(*urbackup.Options){
		"https pinned": func(*urbackup.Options) {},
		"http":         plainHTTP(u),
	} {
		t.Run(name, func(t *testing.T) {
			c := labClient(t, u, mod)
			st, err := c.Observe(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Targets) != 3 || len(st.Stores) != 0 || st.Insecure {
				t.Fatalf("state %+v", st)
			}
			var names []string
			for _, tg := range st.Targets {
				names = append(names, tg.Name)
			}
			if strings.Join(names, ",") != "k3sagent01,k3sagent02,k3sserver01" {
				t.Errorf("targets %v (the rejected client must not be one)", names)
			}
			tg := observe(t, c)
			a := tg["k3sagent01"]
			if a.ID != "urbackup/k3sagent01" || a.Kind != model.KindClient || a.Source != model.SourceURBackup || a.Offline ||
				a.Detail != "UrBackup client · online" {
				t.Errorf("k3sagent01 %+v", a)
			}
			if got := strings.Join(methodNames(a.Methods), ","); got != "incr-file,full-file" {
				t.Errorf("methods %s (image backups are off)", got)
			}
			if len(a.RestorePoints) < 30 {
				t.Fatalf("%d restore points, want months of nightly backups", len(a.RestorePoints))
			}
			full := 0
			for i, rp := range a.RestorePoints {
				if i > 0 && rp.Time.After(a.RestorePoints[i-1].Time) {
					t.Errorf("restore points not newest first at %d", i)
				}
				if !strings.HasPrefix(rp.ID, "urbackup/k3sagent01/") || rp.Target != a.ID || rp.Size <= 0 {
					t.Errorf("restore point %+v", rp)
				}
				switch rp.Method {
				case model.MethodFullFile:
					full++
					if rp.Notes != "full" {
						t.Errorf("full notes %q", rp.Notes)
					}
				case model.MethodIncrFile:
					if rp.Notes != "incremental" {
						t.Errorf("incremental notes %q", rp.Notes)
					}
				default:
					t.Errorf("method %s", rp.Method)
				}
			}
			if full == 0 {
				t.Error("no full backup among the restore points")
			}
			if age := labClock().Sub(a.RestorePoints[0].Time); age > 27*time.Hour {
				t.Errorf("last backup %s old, the agents back up every evening", age)
			}
			fa := facts(a)
			if fa["online"] != "yes" || !strings.HasPrefix(fa["file backups"], "ok, last ") ||
				fa["image backups"] != "not used (switched off on the server)" ||
				!strings.HasSuffix(fa["usage"], ", images 0 B)") || !strings.Contains(fa["usage"], "GiB (files ") ||
				fa["folders"] != "/mnt/gitea-hdd/repos, /mnt/gitea-ssd/data, /mnt/gitea-ssd/db, /mnt/monitoring-ssd/grafana-data" ||
				fa["client"] != "2.5.25 · linux · Debian GNU/Linux 12 (bookworm)" {
				t.Errorf("k3sagent01 facts %q", fa)
			}
			s := tg["k3sserver01"]
			if !s.Offline || s.Detail != "UrBackup client · offline, last seen 23 h ago" || facts(s)["online"] != "no, last seen 23 h ago" {
				t.Errorf("k3sserver01 %+v", s)
			}
			if age := labClock().Sub(s.RestorePoints[0].Time); age < 29*time.Hour || age > 31*time.Hour {
				t.Errorf("k3sserver01's last backup is %s old, want about 30 h", age)
			}
		})
	}
}

func methodNames(ms []model.Method) []string {
	var s []string
	for _, m := range ms {
		s = append(s, string(m))
	}
	return s
}

func TestLabLoginVariants(t *testing.T) {
	t.Run("no users", func(t *testing.T) {
		u := startLab(t, laburbackup.Options{NoUsers: true})
		c := labClient(t, u)
		if n := len(observe(t, c)); n != 3 {
			t.Errorf("%d targets", n)
		}
		if got := u.RequestsByAction()["salt"]; got != 0 {
			t.Errorf("%d a=salt without a user", got)
		}
	})
	t.Run("plain md5 user", func(t *testing.T) {
		u := startLab(t, laburbackup.Options{PBKDF2Rounds: -1})
		if n := len(observe(t, labClient(t, u))); n != 3 {
			t.Errorf("%d targets", n)
		}
	})
	t.Run("ca file", func(t *testing.T) {
		u := startLab(t, laburbackup.Options{})
		ca := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(ca, u.CertPEM(), 0o600); err != nil {
			t.Fatal(err)
		}
		// The certificate names localhost, not 127.0.0.1.
		c := labClient(t, u, func(o *urbackup.Options) {
			o.Config.TLSConfig = model.TLSConfig{CAFile: ca}
			o.Config.URL = strings.Replace(u.TLSURL(), "127.0.0.1", "localhost", 1)
		})
		if n := len(observe(t, c)); n != 3 {
			t.Errorf("%d targets", n)
		}
	})
	t.Run("wrong pin", func(t *testing.T) {
		u := startLab(t, laburbackup.Options{})
		c := labClient(t, u, func(o *urbackup.Options) {
			o.Config.Fingerprint = strings.Repeat("AB:", 31) + "AB"
		})
		_, err := c.Observe(context.Background())
		if err == nil || !strings.Contains(err.Error(), "presented certificate fingerprint "+u.Fingerprint()) {
			t.Errorf("got %v", err)
		}
		if u.RequestsByAction()["salt"] != 0 {
			t.Error("a request went to a server with the wrong certificate")
		}
	})
}

func TestLabWrongPassword(t *testing.T) {
	u := startLab(t, laburbackup.Options{})
	c := labClient(t, u, func(o *urbackup.Options) { o.Password = "not-" + u.Password() })
	want := `UrBackup says wrong password for user "admin": check password_file (or password_env) in [urbackup]`
	for i := 0; i < 4; i++ {
		_, err := c.Observe(context.Background())
		if err == nil || err.Error() != want {
			t.Fatalf("refresh %d: got %v", i, err)
		}
		secretFree(t, u, err)
		if strings.Contains(err.Error(), "not-"+u.Password()) {
			t.Errorf("the wrong password is in the error")
		}
	}
	// Four refreshes, one attempt: refresh cycles cannot add up to a ban.
	if n := u.LoginFailures(); n != 1 {
		t.Errorf("%d failed logins counted by the server, want 1", n)
	}
	if _, err := c.Start(context.Background(), model.JobRequest{Target: "urbackup/k3sagent01", Method: model.MethodIncrFile}); err == nil || err.Error() != want {
		t.Errorf("start: %v", err)
	}

	other := labClient(t, u, func(o *urbackup.Options) { o.Config.Username = "backdeck" })
	if _, err := other.Observe(context.Background()); err == nil || err.Error() != `UrBackup has no user "backdeck": check username in [urbackup]` {
		t.Errorf("unknown user: %v", err)
	}
}

func TestLabBan(t *testing.T) {
	u := startLab(t, laburbackup.Options{BanDuration: time.Minute})
	// Eleven other consoles with a wrong password get the address banned.
	for i := 0; i < 11; i++ {
		c := labClient(t, u, func(o *urbackup.Options) { o.Password = "wrong" })
		c.Observe(context.Background())
	}
	_, err := labClient(t, u).Observe(context.Background())
	want := "UrBackup refuses logins from this address for a while after 10 failures; retry in about 10 minutes (the server bans for 10 min)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v", err)
	}
}

func TestLabBadGateway(t *testing.T) {
	u := startLab(t, laburbackup.Options{})
	c := labClient(t, u)
	u.SetBadGateway(true)
	_, err := c.Observe(context.Background())
	want := "UrBackup at " + u.TLSURL() + " answered with an HTML page (HTTP 502 Bad Gateway), not JSON: is the UrBackup server running behind nginx?"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	u.SetBadGateway(false)
	if n := len(observe(t, c)); n != 3 {
		t.Errorf("%d targets once the backend is back", n)
	}
}

// recorder collects Follow's updates.
type recorder struct {
	mu   sync.Mutex
	jobs []model.Job
	at   []time.Time // when each update arrived
}

func (r *recorder) update(j model.Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs = append(r.jobs, j)
	r.at = append(r.at, time.Now())
}

// firstSeen is when the first update that knew the process arrived.
func (r *recorder) firstSeen() (model.Job, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, j := range r.jobs {
		if j.TaskID != "" {
			return j, r.at[i]
		}
	}
	return model.Job{}, time.Time{}
}

func (r *recorder) all() []model.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]model.Job(nil), r.jobs...)
}

func (r *recorder) waitFor(t *testing.T, what string, ok func(model.Job) bool) model.Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, j := range r.all() {
			if ok(j) {
				return j
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("never saw %s: %+v", what, r.all())
	return model.Job{}
}

func startJob(t *testing.T, c *urbackup.Client, target string, m model.Method) model.Job {
	t.Helper()
	job, err := c.Start(context.Background(), model.JobRequest{Target: target, Method: m})
	if err != nil {
		t.Fatal(err)
	}
	if job.State != model.JobRunning || job.Target != target || job.Method != m || job.Source != model.SourceURBackup ||
		job.Message != "waiting for the client to connect" || job.Progress.Percent != -1 || job.Started.IsZero() {
		t.Fatalf("started job %+v", job)
	}
	return job
}

// followAsync follows a job in the background.
func followAsync(c *urbackup.Client, job model.Job) (*recorder, <-chan model.Job, <-chan error) {
	rec := &recorder{}
	done, errs := make(chan model.Job, 1), make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		final, err := c.Follow(ctx, job, rec.update)
		done <- final
		errs <- err
	}()
	return rec, done, errs
}

func finish(t *testing.T, done <-chan model.Job, errs <-chan error) model.Job {
	t.Helper()
	final := <-done
	if err := <-errs; err != nil {
		t.Fatalf("follow: %v (%+v)", err, final)
	}
	return final
}

func TestLabBackups(t *testing.T) {
	t.Parallel()
	for _, m := range []model.Method{model.MethodIncrFile, model.MethodFullFile} {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			const d = 6 * time.Second
			u := startLab(t, laburbackup.Options{BackupDuration: d})
			c := jobClient(t, u)
			before := observe(t, c)["k3sagent01"]
			begun := time.Now()
			job := startJob(t, c, "urbackup/k3sagent01", m)
			rec, done, errs := followAsync(c, job)
			final := finish(t, done, errs)
			if final.State != model.JobSucceeded || final.Ended.IsZero() || final.TaskID == "" {
				t.Fatalf("final %+v", final)
			}
			ups := rec.all()
			sawIndexing, sawTransfer := false, false
			for i, j := range ups {
				if i > 0 && j == ups[i-1] {
					t.Errorf("update %d repeats the one before", i)
				}
				if j.Progress.LastLine == "indexing" && j.Progress.Percent == -1 {
					sawIndexing = true
				}
				if j.Progress.Percent >= 0 && j.Progress.TotalBytes > 0 && j.Progress.ReadBytesPerS > 0 && j.Progress.ETAKnown {
					sawTransfer = true
				}
			}
			// The client indexes from 300 ms after the start for 5% of
			// the backup: a first reading within that shows it.
			if first, at := rec.firstSeen(); !sawIndexing && at.Sub(begun) < 300*time.Millisecond+d/20 {
				t.Errorf("the first reading, %v after the start, is no indexing: %+v", at.Sub(begun), first.Progress)
			}
			if !sawTransfer {
				t.Errorf("progress: no transfer with a speed and an ETA in %d updates", len(ups))
			}
			after := observe(t, c)["k3sagent01"]
			rp := after.RestorePoints[0]
			if len(after.RestorePoints) != len(before.RestorePoints)+1 || rp.ID == before.RestorePoints[0].ID ||
				rp.Method != m || rp.Time.Before(job.Started.Add(-time.Second)) || rp.Size <= 0 {
				t.Errorf("new restore point %+v (%d → %d points)", rp, len(before.RestorePoints), len(after.RestorePoints))
			}
			if m == model.MethodFullFile && rp.Notes != "full" || m == model.MethodIncrFile && rp.Notes != "incremental" {
				t.Errorf("notes %q", rp.Notes)
			}
		})
	}
}

func TestLabRefusals(t *testing.T) {
	u := startLab(t, laburbackup.Options{})
	c := labClient(t, u)
	_, err := c.Start(context.Background(), model.JobRequest{Target: "urbackup/k3sserver01", Method: model.MethodIncrFile})
	if err == nil || err.Error() != "UrBackup did not start the backup of k3sserver01: the client is offline (last seen 23 h ago)" {
		t.Errorf("offline: %v", err)
	}
	starts := u.RequestsByAction()["start_backup"]
	for _, m := range []model.Method{model.MethodIncrImage, model.MethodFullImage} {
		_, err := c.Start(context.Background(), model.JobRequest{Target: "urbackup/k3sagent01", Method: m})
		if err == nil || err.Error() != "image backups are switched off on this UrBackup server" {
			t.Errorf("%s: %v", m, err)
		}
	}
	// The server would say start_ok and never start it: nothing is sent.
	if n := u.RequestsByAction()["start_backup"]; n != starts {
		t.Errorf("an image backup was sent to the server")
	}
	if _, err := c.Start(context.Background(), model.JobRequest{Target: "urbackup/debian-test", Method: model.MethodIncrFile}); err == nil ||
		!strings.Contains(err.Error(), `UrBackup has no client "debian-test" (it has k3sagent01, k3sagent02, k3sserver01)`) {
		t.Errorf("rejected client: %v", err)
	}
}

func TestLabOutcomes(t *testing.T) {
	cases := []struct {
		name  string
		setup func(u *laburbackup.Server)
		mid   func(u *laburbackup.Server)
		state model.JobState
		msg   string
	}{
		{"fail next", func(u *laburbackup.Server) { u.FailNext("k3sagent01") }, nil, model.JobFailed,
			`the backup did not complete: Error getting file list of "/mnt/monitoring-ssd/grafana-data" from client k3sagent01: read error (Input/output error) (UrBackup's log)`},
		{"offline mid-backup", nil, func(u *laburbackup.Server) { u.SetClientOnline("k3sagent01", false) }, model.JobFailed,
			"k3sagent01 went offline during the backup"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := startLab(t, laburbackup.Options{})
			if tc.setup != nil {
				tc.setup(u)
			}
			c := jobClient(t, u)
			before := observe(t, c)["k3sagent01"]
			rec, done, errs := followAsync(c, startJob(t, c, "urbackup/k3sagent01", model.MethodIncrFile))
			if tc.mid != nil {
				rec.waitFor(t, "the process", func(j model.Job) bool { return j.TaskID != "" })
				tc.mid(u)
			}
			final := finish(t, done, errs)
			if final.State != tc.state || final.Message != tc.msg {
				t.Errorf("got %s %q, want %s %q", final.State, final.Message, tc.state, tc.msg)
			}
			after := observe(t, c)["k3sagent01"]
			if len(after.RestorePoints) != len(before.RestorePoints) {
				t.Errorf("a failed backup left a restore point")
			}
			if tc.name == "fail next" && !strings.HasPrefix(facts(after)["file backups"], "failed: UrBackup marks the last file backup as not ok") {
				t.Errorf("file backups fact %q", facts(after)["file backups"])
			}
		})
	}
}

// TestLabStop: a stop while the client indexes (the job is stopped as soon
// as it shows) is honoured: the process goes without a backup.
func TestLabStop(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{BackupDuration: 20 * time.Second}) // indexing 1 s
	c := jobClient(t, u)
	before := observe(t, c)["k3sagent01"]
	job := startJob(t, c, "urbackup/k3sagent01", model.MethodFullFile)
	rec, done, errs := followAsync(c, job)
	seen := rec.waitFor(t, "the process", func(j model.Job) bool { return j.TaskID != "" })
	if seen.Progress.Phase != "indexing" {
		t.Fatalf("the client no longer indexed when the stop could be sent: %+v", seen.Progress)
	}
	if err := c.Stop(context.Background(), seen); err != nil {
		t.Fatal(err)
	}
	final := finish(t, done, errs)
	if final.State != model.JobCancelled || final.Message != "UrBackup stopped it; no backup was made" {
		t.Errorf("final %s %q", final.State, final.Message)
	}
	rec.waitFor(t, "word that the stop is pending", func(j model.Job) bool {
		return j.Progress.LastLine == "stop sent; waiting for UrBackup to end the backup"
	})
	if after := observe(t, c)["k3sagent01"]; len(after.RestorePoints) != len(before.RestorePoints) {
		t.Errorf("a stopped backup left a restore point")
	}
}

func TestLabStopBeforeTheClientConnects(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{BackupDuration: 20 * time.Second}) // indexing 1 s
	c := jobClient(t, u)
	job := startJob(t, c, "urbackup/k3sagent02", model.MethodIncrFile)
	_, done, errs := followAsync(c, job)
	// Stop at once: the process is not there yet; Stop waits for it.
	if err := c.Stop(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if final := finish(t, done, errs); final.State != model.JobCancelled {
		t.Errorf("final %s %q", final.State, final.Message)
	}
}

func TestLabSessionExpiresMidJob(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{BackupDuration: 4 * time.Second})
	c := jobClient(t, u)
	observe(t, c)
	logins := u.RequestsByAction()["login"]
	rec, done, errs := followAsync(c, startJob(t, c, "urbackup/k3sagent01", model.MethodIncrFile))
	rec.waitFor(t, "the process", func(j model.Job) bool { return j.TaskID != "" })
	u.ExpireSessions()
	final := finish(t, done, errs)
	if final.State != model.JobSucceeded {
		t.Errorf("final %s %q", final.State, final.Message)
	}
	if n := u.RequestsByAction()["login"] - logins; n != 1 {
		t.Errorf("%d logins during the job, want one re-login", n)
	}
}

func TestLabBadGatewayMidJob(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{BackupDuration: 4 * time.Second})
	c := labClient(t, u)
	rec, done, errs := followAsync(c, startJob(t, c, "urbackup/k3sagent01", model.MethodIncrFile))
	rec.waitFor(t, "the process", func(j model.Job) bool { return j.TaskID != "" })
	// nginx answers 502 for a moment (fewer polls than Follow tolerates).
	u.SetBadGateway(true)
	time.Sleep(100 * time.Millisecond)
	u.SetBadGateway(false)
	if final := finish(t, done, errs); final.State != model.JobSucceeded {
		t.Errorf("final %s %q", final.State, final.Message)
	}
}

func TestLabRunning(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{BackupDuration: 4 * time.Second})
	c := jobClient(t, u)
	startJob(t, c, "urbackup/k3sagent02", model.MethodFullFile)

	// Another console comes up while the backup runs.
	other := labClient(t, u, plainHTTP(u))
	var running []model.Job
	deadline := time.Now().Add(5 * time.Second)
	for len(running) == 0 && time.Now().Before(deadline) {
		var err error
		if running, err = other.Running(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(running) != 1 {
		t.Fatalf("running %+v", running)
	}
	r := running[0]
	if !strings.HasPrefix(r.ID, "urbackup/k3sagent02/proc-") || r.TaskID == "" || r.Target != "urbackup/k3sagent02" || r.Name != "k3sagent02" ||
		r.Method != model.MethodFullFile || r.State != model.JobRunning || r.Source != model.SourceURBackup {
		t.Errorf("running job %+v", r)
	}
	// It follows the job to its end, as the first console would have.
	final, err := other.Follow(context.Background(), r, nil)
	if err != nil || final.State != model.JobSucceeded || final.ID != r.ID {
		t.Errorf("re-attached %+v %v", final, err)
	}
}

func TestLabOfflineBeforeTheClientConnects(t *testing.T) {
	t.Parallel()
	u := startLab(t, laburbackup.Options{})
	c := jobClient(t, u)
	job := startJob(t, c, "urbackup/k3sagent01", model.MethodIncrFile)
	// The client drops off before it connects back for the backup.
	u.SetClientOnline("k3sagent01", false)
	final, err := c.Follow(context.Background(), job, nil)
	if err != nil || final.State != model.JobFailed || final.Message != "the client never started the backup: k3sagent01 went offline before it began" {
		t.Errorf("final %s %q %v", final.State, final.Message, err)
	}
}
