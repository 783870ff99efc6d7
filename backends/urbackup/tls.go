package urbackup

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

// tlsConfig turns [urbackup]'s TLS options into a tls.Config. At most one
// of fingerprint, ca_file and insecure may be set; none means the system
// roots. (backends/proxmox has the same logic for [proxmox]; they are kept
// apart until both settle.)
func tlsConfig(t model.TLSConfig) (*tls.Config, error) {
	set := 0
	for _, on := range []bool{t.Fingerprint != "", t.CAFile != "", t.Insecure} {
		if on {
			set++
		}
	}
	if set > 1 {
		return nil, errors.New("[urbackup] sets more than one of fingerprint, ca_file and insecure: keep only one")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case t.Fingerprint != "":
		pin, err := parseFingerprint(t.Fingerprint)
		if err != nil {
			return nil, err
		}
		// The pin replaces chain and hostname checks: the nginx in front of
		// UrBackup usually has a self-signed certificate.
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("the server presented no certificate")
			}
			got := sha256.Sum256(raw[0])
			if string(got[:]) != string(pin) {
				return &FingerprintError{Presented: formatFingerprint(got[:]), Pinned: formatFingerprint(pin)}
			}
			return nil
		}
	case t.CAFile != "":
		path := expandHome(t.CAFile)
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("ca_file in [urbackup]: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s in [urbackup] holds no PEM certificate", path)
		}
		cfg.RootCAs = pool
	case t.Insecure:
		cfg.InsecureSkipVerify = true
	}
	return cfg, nil
}

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

// FingerprintError says that the server's certificate is not the pinned one.
type FingerprintError struct {
	Presented, Pinned string
}

func (e *FingerprintError) Error() string {
	return fmt.Sprintf("the server presented certificate fingerprint %s, the config pins %s; if you replaced the certificate, update fingerprint in [urbackup]", e.Presented, e.Pinned)
}

// parseFingerprint reads a SHA-256 fingerprint written "AA:BB:…", in any
// case, with or without colons (or spaces).
func parseFingerprint(s string) ([]byte, error) {
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("fingerprint %q in [urbackup] is not a SHA-256 fingerprint (32 bytes in hex, AA:BB:…)", s)
	}
	return b, nil
}

// formatFingerprint writes a digest as AA:BB:….
func formatFingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// certFingerprint is the SHA-256 fingerprint of a DER certificate.
func certFingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return formatFingerprint(sum[:])
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}
