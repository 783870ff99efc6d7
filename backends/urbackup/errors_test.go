package urbackup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/tlspin"
	"github.com/backdeck/backdeck/model"
)

const testPassword = "s3cret+&%pw"

func TestBadGatewayHTML(t *testing.T) {
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeRaw(w, "HTTP/1.1 502 Bad Gateway", []string{"Server: nginx", "Content-Type: text/html"},
			"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
	})
	c := newTestClient(t, srv.URL, "admin", testPassword)
	_, err := c.Observe(context.Background())
	want := fmt.Sprintf("UrBackup at %s answered with an HTML page (HTTP 502 Bad Gateway), not JSON: is the UrBackup server running behind nginx?", srv.URL)
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	checkSecretFree(t, err, testPassword)
}

func TestHTMLPageWithOK(t *testing.T) {
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>")
	})
	c := newTestClient(t, srv.URL, "", "")
	_, err := c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "answered with an HTML page (HTTP 200 OK), not JSON: is url in [urbackup] the address of the UrBackup web interface?") {
		t.Errorf("got %v", err)
	}
}

func TestNotJSON(t *testing.T) {
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "hello")
	})
	c := newTestClient(t, srv.URL, "", "")
	_, err := c.Observe(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || !ae.NotJSON || !strings.Contains(err.Error(), "answered a=login with something that is not JSON (HTTP 200, text/plain, 5 bytes)") {
		t.Errorf("got %v", err)
	}
}

func TestUnknownActionWhileStarting(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) {
		f.hook = func(w http.ResponseWriter, action string, form url.Values) bool {
			if action == "usage" {
				writeRaw(w, "HTTP/1.1 200 ok", []string{"Cache-Control: max-age=0", "Content-type: text/html; charset=UTF-8"}, "Error: Unknown action [usage]")
				return true
			}
			return false
		}
	})
	c := newTestClient(t, f.URL, "admin", testPassword)
	_, err := c.Observe(context.Background())
	if err == nil || err.Error() != "UrBackup is still starting or too old: it does not know action usage" {
		t.Errorf("got %v", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newTestClient(t, "http://"+addr, "admin", testPassword)
	_, err = c.Observe(context.Background())
	want := "cannot reach UrBackup at http://" + addr + ": connection refused"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		t.Errorf("not an UnreachableError: %#v", err)
	}
	checkSecretFree(t, err, testPassword)
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := newTestClient(t, srv.URL, "admin", testPassword, func(o *Options) { o.Config.Timeout.Duration = 150 * time.Millisecond })
	start := time.Now()
	_, err := c.Observe(context.Background())
	var te *TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %#v", err)
	}
	if want := fmt.Sprintf("UrBackup at %s did not answer a=salt within 150ms (timeout in [urbackup])", srv.URL); err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the timeout took %s", d)
	}
}

func TestCallerCancel(t *testing.T) {
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	c := newTestClient(t, srv.URL, "", "")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Observe(ctx)
	var te *TimeoutError
	if err == nil || errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a cancelled caller is not a server timeout: %v", err)
	}
}

func TestSessionExpiresOnce(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	c := newTestClient(t, f.URL, "admin", testPassword)
	if _, err := c.Observe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.loginCount() != 1 {
		t.Fatalf("logins %d", f.loginCount())
	}
	f.set(func(f *fakeURB) { f.expireNext = 1 })
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Targets) != 3 {
		t.Errorf("targets %d", len(st.Targets))
	}
	if f.loginCount() != 2 || f.count("salt") != 2 {
		t.Errorf("one re-login expected: logins %d, salts %d", f.loginCount(), f.count("salt"))
	}
}

func TestEmptyBodyIsExpiredSession(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.appearAfter, f.runPolls = 100, 100 })
	c := newTestClient(t, f.URL, "admin", testPassword)
	if _, err := c.Observe(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The session goes; start_backup says so with an empty body.
	f.set(func(f *fakeURB) { f.sessions = map[string]bool{} })
	job, err := c.Start(context.Background(), model.JobRequest{Target: "urbackup/k3sagent01", Method: model.MethodIncrFile})
	if err != nil {
		t.Fatal(err)
	}
	if job.State != model.JobRunning || f.loginCount() != 2 {
		t.Errorf("job %+v, logins %d", job, f.loginCount())
	}
}

func TestRefusedRightAfterReloginIsAnError(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.alwaysRefuse["status"] = true })
	c := newTestClient(t, f.URL, "admin", testPassword)
	_, err := c.Observe(context.Background())
	var re *RightsError
	if !errors.As(err, &re) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), `a=status right after a fresh login: user "admin" lacks the right for it`) {
		t.Errorf("message %q", err)
	}
	if f.loginCount() != 2 || f.count("status") != 2 {
		t.Errorf("no loop: logins %d (want 2), status calls %d (want 2)", f.loginCount(), f.count("status"))
	}
	checkSecretFree(t, err, testPassword)
}

func TestWrongPassword(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	c := newTestClient(t, f.URL, "admin", "not the password")
	_, err := c.Observe(context.Background())
	want := `UrBackup says wrong password for user "admin": check password_file (or password_env) in [urbackup]`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v", err)
	}
	checkSecretFree(t, err, "not the password")
	// Refresh cycles must not add up to a ban: the failure is remembered.
	for i := 0; i < 3; i++ {
		_, err2 := c.Observe(context.Background())
		if err2 == nil || err2.Error() != want {
			t.Errorf("again: %v", err2)
		}
	}
	if n := f.count("login"); n != 1 {
		t.Errorf("%d login attempts, want 1", n)
	}
	// After the hold, one new attempt.
	c.mu.Lock()
	c.authHold = 10 * time.Millisecond
	c.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	if _, err := c.Observe(context.Background()); err == nil || err.Error() != want {
		t.Errorf("after the hold: %v", err)
	}
	if n := f.count("login"); n != 2 {
		t.Errorf("%d login attempts after the hold, want 2", n)
	}
}

func TestUnknownUser(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	c := newTestClient(t, f.URL, "backdeck", testPassword)
	_, err := c.Observe(context.Background())
	if err == nil || err.Error() != `UrBackup has no user "backdeck": check username in [urbackup]` {
		t.Fatalf("got %v", err)
	}
	if _, err := c.Observe(context.Background()); err == nil || f.count("salt") != 1 {
		t.Errorf("unknown user tried again: %v, salts %d", err, f.count("salt"))
	}
}

func TestRateLimited(t *testing.T) {
	want := "UrBackup refuses logins from this address for a while after 10 failures; retry in about 10 minutes (the server bans for 10 min)"
	for _, at := range []string{"salt", "login"} {
		t.Run(at, func(t *testing.T) {
			f := newFakeURB(t, "admin", testPassword)
			f.set(func(f *fakeURB) {
				if at == "salt" {
					f.saltError = 3
				} else {
					f.loginError = 3
				}
			})
			c := newTestClient(t, f.URL, "admin", testPassword)
			_, err := c.Observe(context.Background())
			if err == nil || err.Error() != want {
				t.Fatalf("got %v", err)
			}
			checkSecretFree(t, err, testPassword)
			c.Observe(context.Background())
			if n := f.count(at); n != 1 {
				t.Errorf("%d attempts while banned, want 1", n)
			}
		})
	}
}

func TestAnonymous(t *testing.T) {
	f := newFakeURB(t, "", "")
	c := newTestClient(t, f.URL, "", "")
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Targets) != 3 || f.count("salt") != 0 || f.loginCount() != 1 {
		t.Errorf("targets %d, salts %d, logins %d", len(st.Targets), f.count("salt"), f.loginCount())
	}
	// A server with users refuses the anonymous session.
	g := newFakeURB(t, "admin", testPassword)
	c = newTestClient(t, g.URL, "", "")
	_, err = c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), `UrBackup has web users (e.g. "admin")`) || !strings.Contains(err.Error(), "set username and password_file in [urbackup]") {
		t.Errorf("got %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	cases := []struct {
		url, user, pw string
		tls           model.TLSConfig
		want          string
	}{
		{"", "admin", "x", model.TLSConfig{}, "no url in [urbackup]: set it to the address of the UrBackup web interface, e.g. https://bkpserver.example"},
		{"ftp://bkpserver", "admin", "x", model.TLSConfig{}, `url "ftp://bkpserver" in [urbackup] is not an http(s) URL like https://bkpserver.example`},
		{" bkpserver ", "admin", "x", model.TLSConfig{}, `url "bkpserver" in [urbackup] is not an http(s) URL like https://bkpserver.example`},
		{"https://bkpserver/?a=status", "admin", "x", model.TLSConfig{}, `url "https://bkpserver/?a=status" in [urbackup] must be a plain base URL like https://bkpserver.example`},
		{"https://admin:x@bkpserver", "admin", "x", model.TLSConfig{}, `in [urbackup] must be a plain base URL like https://bkpserver.example`},
		{"https://bkpserver", "admin", "", model.TLSConfig{}, `no password for UrBackup user "admin"`},
		{"https://bkpserver", "", "x", model.TLSConfig{}, "has a password but no username"},
		{"https://bkpserver", "admin", "x", model.TLSConfig{Fingerprint: "AB:CD", Insecure: true}, "more than one of fingerprint, ca_file and insecure"},
		{"https://bkpserver", "admin", "x", model.TLSConfig{Fingerprint: "AB:CD"}, "is not a SHA-256 fingerprint"},
		{"https://bkpserver", "admin", "x", model.TLSConfig{CAFile: "/nonexistent/ca.pem"}, "ca_file in [urbackup]"},
	}
	for _, tc := range cases {
		_, err := New(Options{Config: model.URBackupConfig{URL: tc.url, Username: tc.user, TLSConfig: tc.tls}, Password: tc.pw})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q/%q: got %v, want %q", tc.url, tc.user, err, tc.want)
		}
		checkSecretFree(t, err, tc.pw+"-never")
	}
	for raw, want := range map[string]string{
		"https://bkpserver":        "https://bkpserver",
		"https://bkpserver/":       "https://bkpserver",
		"https://bkpserver/x":      "https://bkpserver",
		"http://10.0.0.5:55414/x/": "http://10.0.0.5:55414",
		"https://host/urbackup/":   "https://host/urbackup",
	} {
		c, err := New(Options{Config: model.URBackupConfig{URL: raw}})
		if err != nil || c.URL() != want || c.endpoint != want+"/x" {
			t.Errorf("%s: %v %v", raw, c, err)
		}
	}
}

func TestPasswordNeverPrinted(t *testing.T) {
	opts := Options{Config: model.URBackupConfig{URL: "https://bkpserver", Username: "admin"}, Password: testPassword}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(opts), fmt.Sprintf("%+v", opts), fmt.Sprintf("%#v", opts), fmt.Sprint(c), c.String()} {
		if strings.Contains(s, testPassword) {
			t.Errorf("password printed: %s", s)
		}
	}
	if err := c.scrub(errors.New("echo " + testPassword)); strings.Contains(err.Error(), testPassword) {
		t.Errorf("scrub: %v", err)
	}
}

func TestTLSPinning(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	fp := tlspin.CertFingerprint(srv.Certificate().Raw)

	pinned := newTestClient(t, srv.URL, "admin", testPassword, func(o *Options) { o.Config.Fingerprint = strings.ToLower(fp) })
	if _, err := pinned.Observe(context.Background()); err != nil {
		t.Fatalf("pinned: %v", err)
	}

	wrong := "AA:" + fp[3:]
	if fp[:2] == "AA" {
		wrong = "BB:" + fp[3:]
	}
	bad := newTestClient(t, srv.URL, "admin", testPassword, func(o *Options) { o.Config.Fingerprint = wrong })
	_, err := bad.Observe(context.Background())
	var fe *tlspin.FingerprintError
	if !errors.As(err, &fe) || fe.Presented != fp || !strings.Contains(err.Error(), "presented certificate fingerprint "+fp) {
		t.Errorf("pin mismatch: %v", err)
	}

	none := newTestClient(t, srv.URL, "admin", testPassword)
	_, err = none.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("set fingerprint = %q in [urbackup]", fp)) {
		t.Errorf("unverified: %v", err)
	}

	insecure := newTestClient(t, srv.URL, "admin", testPassword, func(o *Options) { o.Config.Insecure = true })
	if _, err := insecure.Observe(context.Background()); err != nil || !insecure.Insecure() {
		t.Errorf("insecure: %v", err)
	}

	// http:// to a TLS port, https:// to a plain one.
	plain := newTestClient(t, strings.Replace(srv.URL, "https://", "http://", 1), "admin", testPassword)
	if _, err := plain.Observe(context.Background()); err == nil {
		t.Error("http to a TLS server worked")
	}
	tlsToPlain := newTestClient(t, strings.Replace(f.URL, "http://", "https://", 1), "admin", testPassword, func(o *Options) { o.Config.Insecure = true })
	_, err = tlsToPlain.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "does not speak TLS") {
		t.Errorf("https to plain: %v", err)
	}
}
