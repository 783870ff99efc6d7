package proxmox

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// tlsConfig turns [proxmox]'s TLS options into a tls.Config. At most one of
// fingerprint, ca_file and insecure may be set; none means the system roots.
func tlsConfig(t model.TLSConfig) (*tls.Config, error) {
	set := 0
	for _, on := range []bool{t.Fingerprint != "", t.CAFile != "", t.Insecure} {
		if on {
			set++
		}
	}
	if set > 1 {
		return nil, errors.New("[proxmox] sets more than one of fingerprint, ca_file and insecure: keep only one")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case t.Fingerprint != "":
		pin, err := ParseFingerprint(t.Fingerprint)
		if err != nil {
			return nil, err
		}
		// The pin replaces chain and hostname checks: PVE's certificates are
		// self-signed and often carry names other than the one dialled.
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("the server presented no certificate")
			}
			got := sha256.Sum256(raw[0])
			if string(got[:]) != string(pin) {
				return &FingerprintError{Presented: FormatFingerprint(got[:]), Pinned: FormatFingerprint(pin)}
			}
			return nil
		}
	case t.CAFile != "":
		path := expandHome(t.CAFile)
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("ca_file in [proxmox]: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s in [proxmox] holds no PEM certificate", path)
		}
		cfg.RootCAs = pool
	case t.Insecure:
		cfg.InsecureSkipVerify = true
	}
	return cfg, nil
}

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

// FingerprintError says that the server's certificate is not the pinned one.
type FingerprintError struct {
	Presented, Pinned string
}

func (e *FingerprintError) Error() string {
	return fmt.Sprintf("the server presented certificate fingerprint %s, the config pins %s; if you replaced the certificate, update fingerprint in [proxmox]", e.Presented, e.Pinned)
}

// ParseFingerprint reads a SHA-256 fingerprint written "AA:BB:…", in any
// case, with or without colons (or spaces).
func ParseFingerprint(s string) ([]byte, error) {
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("fingerprint %q in [proxmox] is not a SHA-256 fingerprint (32 bytes in hex, AA:BB:…, as PVE shows it under Certificates)", s)
	}
	return b, nil
}

// FormatFingerprint writes a digest the way PVE shows it: AA:BB:….
func FormatFingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// CertFingerprint is the SHA-256 fingerprint of a DER certificate.
func CertFingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return FormatFingerprint(sum[:])
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}
