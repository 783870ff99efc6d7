package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/tlspin"
	"github.com/backdeck/backdeck/model"
)

// Connections says what a transport does with a connection after an answer.
type Connections int

const (
	// KeepConnections keeps a few idle connections per host, so that the
	// requests of a refresh share one handshake (pveproxy).
	KeepConnections Connections = iota
	// ConnectionPerRequest dials anew for every request: a server that
	// closes each connection after its answer (UrBackup) would otherwise
	// fail a POST sent on one it is closing, which Go does not retry.
	ConnectionPerRequest
)

// NewTransport is the HTTP/1.1 transport to a section's server: the
// section's TLS trust (a pinned fingerprint, a CA file or none, see
// tlspin), dial and handshake bounded by timeout, a proxy from the
// environment. Waiting for the answer is bounded by the request's context.
func NewTransport(section string, trust model.TLSConfig, timeout time.Duration, conns Connections) (*http.Transport, error) {
	tlsCfg, err := tlspin.Config(section, trust)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: timeout}
	t := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     tlsCfg,
		TLSHandshakeTimeout: timeout,
	}
	switch conns {
	case KeepConnections:
		dialer.KeepAlive = 30 * time.Second
		t.MaxIdleConnsPerHost = 4
		t.IdleConnTimeout = 90 * time.Second
	case ConnectionPerRequest:
		t.DisableKeepAlives = true
	}
	t.DialContext = dialer.DialContext
	return t, nil
}

// errRequestTimeout marks a request's own deadline, to tell it from the
// caller's.
var errRequestTimeout = errors.New("per-request timeout")

// WithRequestTimeout bounds one request by timeout (the section's).
func WithRequestTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, timeout, errRequestTimeout)
}

// TimedOut reports whether a request whose context is rctx failed with err
// because it got no answer in time: its own deadline passed, or err says
// so. The caller's deadline is a timeout error too: check the caller's
// context first.
func TimedOut(rctx context.Context, err error) bool {
	var ne net.Error
	return context.Cause(rctx) == errRequestTimeout || (errors.As(err, &ne) && ne.Timeout())
}

// StatusReason is the status line's text after the code ("Bad Gateway",
// PVE's "invalid token value!"), or the standard text when there is none.
func StatusReason(status string, code int) string {
	r := strings.TrimSpace(strings.TrimPrefix(status, fmt.Sprint(code)))
	if r == "" {
		r = http.StatusText(code)
	}
	return r
}
