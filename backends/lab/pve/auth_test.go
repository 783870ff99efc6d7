package pve

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestWrongTokenGets401WithReasonInStatusLine(t *testing.T) {
	t.Parallel()
	p, _ := startLab(t, Options{AuthFailDelay: 150 * time.Millisecond})
	for _, tc := range []struct{ auth, status string }{
		{"PVEAPIToken=" + p.TokenID() + "=wrong-secret", "401 invalid token value!"},
		{"PVEAPIToken=nobody@pve!x=" + p.TokenSecret(), "401 invalid token value!"},
		{"", "401 No ticket"},
	} {
		c := newClient(t, p, tc.auth)
		start := time.Now()
		resp, body := c.do(http.MethodGet, "/version", nil)
		if resp.Status != tc.status {
			t.Errorf("auth %q: status %q, want %q", tc.auth, resp.Status, tc.status)
		}
		if len(body) != 0 || resp.ContentLength != 0 {
			t.Errorf("auth %q: body %q (length %d), want empty", tc.auth, body, resp.ContentLength)
		}
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("auth %q: answered after %v, want the AuthFailDelay first", tc.auth, d)
		}
	}
	if got := p.RequestsByPath()["/api2/json/version"]; got != 3 {
		t.Errorf("refused requests counted %d, want 3", got)
	}
}

func TestRightTokenAndRequestCounters(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{})
	var v struct{ Version, Release, Repoid string }
	c.get("/version", &v)
	if v.Version != "8.4.1" || v.Release != "8.4" || v.Repoid == "" {
		t.Errorf("version %+v", v)
	}
	c.get("/cluster/resources", nil)
	c.get("/cluster/resources?type=vm", nil)
	if p.Requests() != 3 || p.RequestsByPath()["/api2/json/cluster/resources"] != 2 {
		t.Errorf("requests %d, by path %v", p.Requests(), p.RequestsByPath())
	}
	p.ResetRequests()
	if p.Requests() != 0 || len(p.RequestsByPath()) != 0 {
		t.Errorf("after reset: %d %v", p.Requests(), p.RequestsByPath())
	}
}

func TestCertPEMVerifiesAsRoot(t *testing.T) {
	t.Parallel()
	p, _ := startLab(t, Options{})
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(p.CertPEM()) {
		t.Fatal("CertPEM does not parse")
	}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: host},
		}}
		req, _ := http.NewRequest(http.MethodGet, p.URL()+"/api2/json/version", nil)
		req.Header.Set("Authorization", "PVEAPIToken="+p.TokenID()+"="+p.TokenSecret())
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("verify with CertPEM as root for %s: %v", host, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s", host, resp.Status)
		}
	}
	// Without the root, the certificate is rejected: it really is self-signed.
	hc := &http.Client{Timeout: 5 * time.Second}
	if _, err := hc.Get(p.URL() + "/api2/json/version"); err == nil {
		t.Error("system roots accepted the lab's certificate")
	}
}

func TestUnknownMethodIs501(t *testing.T) {
	t.Parallel()
	_, c := startLab(t, Options{})
	status, msg, _ := c.apiErr(http.MethodGet, "/nodes/pve/frobnicate", nil)
	if status != "501 Method 'GET /nodes/pve/frobnicate' not implemented" {
		t.Errorf("status %q", status)
	}
	if msg != "Method 'GET /nodes/pve/frobnicate' not implemented\n" {
		t.Errorf("message %q", msg)
	}
	status, _, errs := c.apiErr(http.MethodGet, "/cluster/resources?bogus=1", nil)
	if status != "400 Parameter verification failed." || errs["bogus"] == "" {
		t.Errorf("unknown parameter: %q %v", status, errs)
	}
	status, _, _ = c.apiErr(http.MethodGet, "/nodes/pve2/storage", nil)
	if status != "500 hostname lookup 'pve2' failed - failed to get address info for: pve2: Name or service not known" {
		t.Errorf("unknown node: %q", status)
	}
}
