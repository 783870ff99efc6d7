package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/tlspin"
	"github.com/backdeck/backdeck/model"
)

// countingServer is a TLS server that would keep connections, counting
// the ones opened to it.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"data":null}`))
	}))
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func pinned(srv *httptest.Server) model.TLSConfig {
	return model.TLSConfig{Fingerprint: tlspin.CertFingerprint(srv.Certificate().Raw)}
}

func getThrice(t *testing.T, tr *http.Transport, url string) {
	t.Helper()
	hc := &http.Client{Transport: tr}
	for range 3 {
		res, err := hc.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
	}
}

func TestTransportConnections(t *testing.T) {
	for conns, want := range map[Connections]int32{KeepConnections: 1, ConnectionPerRequest: 3} {
		srv, opened := countingServer(t)
		tr, err := NewTransport("[nas]", pinned(srv), 2*time.Second, conns)
		if err != nil {
			t.Fatal(err)
		}
		getThrice(t, tr, srv.URL)
		if n := opened.Load(); n != want {
			t.Errorf("mode %d: 3 requests opened %d connections, want %d", conns, n, want)
		}
		if tr.ForceAttemptHTTP2 || tr.TLSNextProto != nil {
			t.Errorf("mode %d may speak HTTP/2; the servers speak HTTP/1.1", conns)
		}
	}
}

func TestTransportTrust(t *testing.T) {
	srv, _ := countingServer(t)
	// No trust configured: the test server's certificate is not signed
	// by an authority this system trusts.
	tr, err := NewTransport("[nas]", model.TLSConfig{}, 2*time.Second, KeepConnections)
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&http.Client{Transport: tr}).Get(srv.URL)
	var cve *tls.CertificateVerificationError
	if !errors.As(err, &cve) {
		t.Errorf("unpinned self-signed server: %v", err)
	}
	// Another pin: tlspin's error, naming the section.
	other := model.TLSConfig{Fingerprint: strings.Repeat("AB", 32)}
	tr, err = NewTransport("[nas]", other, 2*time.Second, KeepConnections)
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&http.Client{Transport: tr}).Get(srv.URL)
	var fe *tlspin.FingerprintError
	if !errors.As(err, &fe) || fe.Section != "[nas]" {
		t.Errorf("wrong pin: %v", err)
	}
	// A bad option is refused before anything is sent, in the section's words.
	_, err = NewTransport("[nas]", model.TLSConfig{Fingerprint: "AB:CD"}, time.Second, KeepConnections)
	if err == nil || !strings.Contains(err.Error(), `fingerprint "AB:CD" in [nas] is not a SHA-256 fingerprint`) {
		t.Errorf("bad fingerprint: %v", err)
	}
}

// A server that accepts and never answers the handshake fails the request
// with a timeout of the transport's own, before the caller's deadline.
func TestTransportBoundsHandshake(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	tr, err := NewTransport("[nas]", model.TLSConfig{Insecure: true}, 50*time.Millisecond, ConnectionPerRequest)
	if err != nil {
		t.Fatal(err)
	}
	// The caller's deadline only keeps a broken bound from hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+ln.Addr().String()+"/", nil)
	_, err = (&http.Client{Transport: tr}).Do(req)
	if err == nil || ctx.Err() != nil || !TimedOut(context.Background(), err) {
		t.Errorf("silent server: %v", err)
	}
}

func TestTimedOut(t *testing.T) {
	rctx, cancel := WithRequestTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-rctx.Done()
	if !TimedOut(rctx, rctx.Err()) {
		t.Error("the request's own deadline is a timeout")
	}
	caller, stop := context.WithTimeout(context.Background(), time.Nanosecond)
	defer stop()
	rctx, cancel = WithRequestTimeout(caller, time.Hour)
	defer cancel()
	<-rctx.Done()
	if TimedOut(rctx, errors.New("read: connection closed")) {
		t.Error("the caller's deadline is not the request's timeout")
	}
	if TimedOut(context.Background(), errors.New("connection refused")) {
		t.Error("a refused connection is not a timeout")
	}
}

func TestStatusReason(t *testing.T) {
	for _, tc := range []struct {
		status string
		code   int
		want   string
	}{
		{"502 Bad Gateway", 502, "Bad Gateway"},
		{"401 invalid token value!", 401, "invalid token value!"},
		{"200 ok", 200, "ok"},
		{"403", 403, "Forbidden"},
		{"", 404, "Not Found"},
	} {
		if got := StatusReason(tc.status, tc.code); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.status, got, tc.want)
		}
	}
}
