package urbackup

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/backdeck/backdeck/backends/tlspin"
	"github.com/backdeck/backdeck/model"
)

// tlsConfig is [urbackup]'s trust: a pinned fingerprint, a CA file or none.
func tlsConfig(t model.TLSConfig) (*tls.Config, error) { return tlspin.Config("[urbackup]", t) }

// FingerprintError says that the server's certificate is not the pinned one.
type FingerprintError = tlspin.FingerprintError

// newTransport dials a new connection for every request: UrBackup closes
// each one after its answer, and a kept connection that the server is
// closing would fail a POST, which Go does not retry.
func newTransport(cfg *tls.Config, timeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: timeout}).DialContext,
		TLSClientConfig:     cfg,
		TLSHandshakeTimeout: timeout,
		DisableKeepAlives:   true,
		ForceAttemptHTTP2:   false,
	}
}

// certFingerprint is the SHA-256 fingerprint of a DER certificate, AA:BB:….
func certFingerprint(der []byte) string { return tlspin.CertFingerprint(der) }
