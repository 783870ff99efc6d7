package proxmox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/tlspin"
	"github.com/backdeck/backdeck/model"
)

// checkSecretFree fails when an error carries the token secret.
func checkSecretFree(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), fakeSecret) {
		t.Errorf("the secret is in the error: %v", err)
	}
}

func newClient(t *testing.T, url string, tls model.TLSConfig, timeout time.Duration, secret string) *Client {
	t.Helper()
	cfg := model.ProxmoxConfig{URL: url, TokenID: fakeTokenID, TLSConfig: tls}
	cfg.Timeout.Duration = timeout
	c, err := New(Options{Config: cfg, Secret: secret, PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pin(srv *httptest.Server) model.TLSConfig {
	return model.TLSConfig{Fingerprint: tlspin.CertFingerprint(srv.Certificate().Raw)}
}

func TestErrorShapes(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		want    []string
		check   func(t *testing.T, err error)
	}{
		{"401 with the reason in the status line",
			func(w http.ResponseWriter, r *http.Request) { rawStatus(w, "401 invalid token value!") },
			[]string{"PVE rejected the API token backdeck@pve!console: 401 invalid token value! — check token_id and the secret file"},
			func(t *testing.T, err error) {
				var ae *APIError
				if !errors.As(err, &ae) || ae.StatusCode != 401 {
					t.Errorf("not an APIError 401: %#v", err)
				}
			}},
		{"401 of PVE 9.1",
			func(w http.ResponseWriter, r *http.Request) { rawStatus(w, "401 Authentication failed!") },
			[]string{"401 Authentication failed!"}, nil},
		{"HTML 502 page",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(502)
				io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
			},
			[]string{"PVE at https://127.0.0.1:", "answered with an HTML page, not JSON: is the url the API of a PVE host (port 8006)?", "HTTP 502"}, nil},
		{"HTML 200 page without content type",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = nil
				io.WriteString(w, "  <!DOCTYPE html><html><body>Welcome to nginx!</body></html>")
			},
			[]string{"answered with an HTML page, not JSON"}, nil},
		{"500 with a message",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(500)
				io.WriteString(w, `{"data":null,"message":"  unable to read /etc/pve/storage.cfg - got timeout\n"}`)
			},
			[]string{"PVE failed GET /version (HTTP 500): unable to read /etc/pve/storage.cfg - got timeout"},
			func(t *testing.T, err error) {
				if strings.HasSuffix(err.Error(), "\n") || strings.Contains(err.Error(), "  unable") {
					t.Errorf("message not trimmed: %q", err)
				}
			}},
		{"500 without a body",
			func(w http.ResponseWriter, r *http.Request) { rawStatus(w, "500 cluster not ready - no quorum?") },
			[]string{"(HTTP 500): cluster not ready - no quorum?"}, nil},
		{"403 naming the privilege",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(403)
				io.WriteString(w, `{"data":null}`)
			},
			[]string{"PVE refused GET /version to the token backdeck@pve!console: 403 Forbidden — check the token's permissions"}, nil},
		{"garbage",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, "hello there")
			},
			[]string{"answered GET /version with something that is not JSON (HTTP 200, text/plain, 11 bytes)"}, nil},
		{"truncated JSON",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"data":{"version":"8.4`)
			},
			[]string{"cannot decode PVE's answer to GET /version"}, nil},
		{"400 with parameter errors",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				io.WriteString(w, `{"data":null,"errors":{"storage":"storage 'usb9' does not exist"},"message":"Parameter verification failed.\n"}`)
			},
			[]string{"(HTTP 400): Parameter verification failed. (storage: storage 'usb9' does not exist)"}, nil},
		{"an echoing proxy",
			func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(500)
				io.WriteString(w, `{"message":"bad header `+r.Header.Get("Authorization")+`"}`)
			},
			[]string{"<secret>"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(tc.handler)
			defer srv.Close()
			c := newClient(t, srv.URL, pin(srv), 2*time.Second, fakeSecret)
			_, err := c.Observe(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if tc.check != nil {
				tc.check(t, err)
			}
			checkSecretFree(t, err)
		})
	}
}

func TestForbiddenNamesPrivilege(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/version") {
			reply(w, map[string]any{"version": "8.4.1", "release": "8.4"})
			return
		}
		rawStatus(w, "403 Permission check failed (/vms/421, VM.Backup)")
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, pin(srv), 2*time.Second, fakeSecret)
	_, err := c.Observe(context.Background())
	want := "PVE refused GET /cluster/resources to the token backdeck@pve!console: Permission check failed (/vms/421, VM.Backup) — grant it the privilege VM.Backup on /vms/421"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant  %s", err, want)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newClient(t, srv.URL, pin(srv), 150*time.Millisecond, fakeSecret)
	start := time.Now()
	_, err := c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not answer GET /version within 150ms") {
		t.Fatalf("error %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("a timeout must be a DeadlineExceeded")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
	// The caller's own cancellation is reported as such, not as our timeout.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	c2 := newClient(t, srv.URL, pin(srv), 5*time.Second, fakeSecret)
	_, err = c2.Observe(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := newClient(t, "https://"+addr, model.TLSConfig{Insecure: true}, time.Second, fakeSecret)
	_, err = c.Observe(context.Background())
	want := "cannot reach PVE at https://" + addr + ": connection refused"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if !c.Insecure() {
		t.Error("Insecure() must report insecure = true")
	}
}

func TestPlainHTTPServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rawStatus(w, "401 invalid token value!")
	}))
	defer srv.Close()
	// https to a plain HTTP server: the TLS handshake fails clearly.
	c := newClient(t, strings.Replace(srv.URL, "http://", "https://", 1), model.TLSConfig{Insecure: true}, time.Second, fakeSecret)
	_, err := c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot reach PVE") {
		t.Errorf("error %v", err)
	}
	// plain http works as a transport (a lab behind a proxy), and a 401 reads the same.
	c = newClient(t, srv.URL, model.TLSConfig{}, time.Second, fakeSecret)
	_, err = c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401 invalid token value!") {
		t.Errorf("error %v", err)
	}
}

func TestFingerprintMismatch(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reply(w, nil) }))
	defer srv.Close()
	presented := tlspin.CertFingerprint(srv.Certificate().Raw)
	wrong := strings.Repeat("AB:", 31) + "AB"
	c := newClient(t, srv.URL, model.TLSConfig{Fingerprint: wrong}, time.Second, fakeSecret)
	_, err := c.Observe(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"the server presented certificate fingerprint " + presented, "the config pins " + wrong, "update fingerprint in [proxmox]"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	var fe *tlspin.FingerprintError
	if !errors.As(err, &fe) || fe.Presented != presented {
		t.Errorf("not a FingerprintError: %#v", err)
	}
	// The same pin in lower case without colons is accepted.
	lower := strings.ToLower(strings.ReplaceAll(presented, ":", ""))
	c = newClient(t, srv.URL, model.TLSConfig{Fingerprint: lower}, time.Second, fakeSecret)
	if _, err := c.versionLabel(context.Background()); err != nil {
		t.Errorf("lower-case pin refused: %v", err)
	}
}

func TestUnknownAuthorityAdvisesFingerprint(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reply(w, nil) }))
	defer srv.Close()
	c := newClient(t, srv.URL, model.TLSConfig{}, time.Second, fakeSecret)
	_, err := c.Observe(context.Background())
	presented := tlspin.CertFingerprint(srv.Certificate().Raw)
	if err == nil || !strings.Contains(err.Error(), "not signed by an authority this system trusts") || !strings.Contains(err.Error(), `set fingerprint = "`+presented+`" in [proxmox]`) {
		t.Errorf("error %v", err)
	}
}

func TestCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"version": "8.4.1", "release": "8.4"})
	}))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "pve-root-ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL, model.TLSConfig{CAFile: ca}, time.Second, fakeSecret)
	v, err := c.versionLabel(context.Background())
	if err != nil || v != "pve 8.4" {
		t.Fatalf("with the CA file: %q %v", v, err)
	}
	bad := filepath.Join(dir, "other.pem")
	_ = os.WriteFile(bad, []byte("not a pem"), 0o600)
	if _, err := New(Options{Config: model.ProxmoxConfig{URL: srv.URL, TokenID: fakeTokenID, TLSConfig: model.TLSConfig{CAFile: bad}}, Secret: "x"}); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Errorf("bad CA file: %v", err)
	}
	if _, err := New(Options{Config: model.ProxmoxConfig{URL: srv.URL, TokenID: fakeTokenID, TLSConfig: model.TLSConfig{CAFile: filepath.Join(dir, "missing.pem")}}, Secret: "x"}); err == nil {
		t.Error("missing CA file accepted")
	}
}

func TestNewValidates(t *testing.T) {
	base := model.ProxmoxConfig{URL: "https://pve:8006", TokenID: fakeTokenID}
	cases := []struct {
		name   string
		mod    func(*model.ProxmoxConfig)
		secret string
		want   string
	}{
		{"no url", func(c *model.ProxmoxConfig) { c.URL = "" }, "s", "no url in [proxmox]"},
		{"bad token id", func(c *model.ProxmoxConfig) { c.TokenID = "backdeck" }, "s", "not a PVE API token id"},
		{"no secret", nil, "  \n", "no API token secret"},
		{"two TLS options", func(c *model.ProxmoxConfig) { c.Insecure = true; c.Fingerprint = strings.Repeat("00", 32) }, "s", "more than one of fingerprint, ca_file and insecure"},
		{"bad fingerprint", func(c *model.ProxmoxConfig) { c.Fingerprint = "AA:BB" }, "s", "is not a SHA-256 fingerprint"},
	}
	for _, tc := range cases {
		cfg := base
		if tc.mod != nil {
			tc.mod(&cfg)
		}
		_, err := New(Options{Config: cfg, Secret: tc.secret})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	c, err := New(Options{Config: base, Secret: fakeSecret})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); strings.Contains(s, fakeSecret) || !strings.Contains(s, "https://pve:8006") {
		t.Errorf("String() = %q", s)
	}
	opts := Options{Config: base, Secret: fakeSecret}
	for _, s := range []string{fmt.Sprint(opts), fmt.Sprintf("%+v", opts), fmt.Sprintf("%#v", opts), fmt.Sprint(c)} {
		if strings.Contains(s, fakeSecret) {
			t.Errorf("the secret is printed: %s", s)
		}
	}
	if c.Source() != model.SourceProxmox || c.Insecure() {
		t.Error("Source/Insecure")
	}
}

// Every error of a client with a wrong secret is free of both secrets.
func TestWrongSecretNeverShown(t *testing.T) {
	f := newFakePVE(t)
	srv := f.start(t)
	const wrong = "11111111-2222-3333-4444-555555555555"
	c := newClient(t, srv.URL, pin(srv), time.Second, wrong)
	_, err := c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "401 invalid token value!") || strings.Contains(err.Error(), wrong) {
		t.Errorf("error %v", err)
	}
	_, err = c.Start(context.Background(), model.JobRequest{Target: "pve/qemu/421"})
	if err == nil || strings.Contains(err.Error(), wrong) {
		t.Errorf("start: %v", err)
	}
	_, err = c.Running(context.Background())
	if err == nil || strings.Contains(err.Error(), wrong) {
		t.Errorf("running: %v", err)
	}
	if len(f.postList()) != 0 {
		t.Error("a post went through with a wrong token")
	}
}

func TestCAFileNotSigningTheServer(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reply(w, nil) }))
	defer srv.Close()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Some other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL, model.TLSConfig{CAFile: ca}, time.Second, fakeSecret)
	_, err = c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not signed by the CA in ca_file") || !strings.Contains(err.Error(), tlspin.CertFingerprint(srv.Certificate().Raw)) {
		t.Errorf("error %v", err)
	}
}
