package proxmox

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/backdeck/backdeck/backends/tlspin"
	"github.com/backdeck/backdeck/model"
)

// tlsConfig is [proxmox]'s trust: a pinned fingerprint, a CA file or none.
func tlsConfig(t model.TLSConfig) (*tls.Config, error) { return tlspin.Config("[proxmox]", t) }

// FingerprintError says that the server's certificate is not the pinned one.
type FingerprintError = tlspin.FingerprintError

// newTransport is an HTTP/1.1 transport (pveproxy speaks nothing else) whose
// dial and handshake are bounded by the request timeout.
func newTransport(cfg *tls.Config, timeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       cfg,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: 0, // the per-request context bounds the wait
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
}

// CertFingerprint is the SHA-256 fingerprint of a DER certificate, AA:BB:….
func CertFingerprint(der []byte) string { return tlspin.CertFingerprint(der) }
