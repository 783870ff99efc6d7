// Package tlspin builds the TLS trust every backend shares: a pinned SHA-256
// fingerprint of the server's leaf certificate (self-signed certificates are
// the norm in a homelab), a CA file, or no verification when the operator
// wrote insecure = true.
package tlspin

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// Config turns a config section's TLS options into a tls.Config; section
// names it in messages ("[proxmox]"). At most one of fingerprint, ca_file
// and insecure may be set; none means the system roots.
func Config(section string, t model.TLSConfig) (*tls.Config, error) {
	set := 0
	for _, on := range []bool{t.Fingerprint != "", t.CAFile != "", t.Insecure} {
		if on {
			set++
		}
	}
	if set > 1 {
		return nil, fmt.Errorf("%s sets more than one of fingerprint, ca_file and insecure: keep only one", section)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case t.Fingerprint != "":
		pin, err := ParseFingerprint(section, t.Fingerprint)
		if err != nil {
			return nil, err
		}
		// The pin replaces chain and hostname checks: self-signed
		// certificates often carry names other than the one dialled.
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("the server presented no certificate")
			}
			got := sha256.Sum256(raw[0])
			if string(got[:]) != string(pin) {
				return &FingerprintError{Section: section, Presented: Format(got[:]), Pinned: Format(pin)}
			}
			return nil
		}
	case t.CAFile != "":
		path := expandHome(t.CAFile)
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("ca_file in %s: %w", section, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s in %s holds no PEM certificate", path, section)
		}
		cfg.RootCAs = pool
	case t.Insecure:
		cfg.InsecureSkipVerify = true
	}
	return cfg, nil
}

// FingerprintError says that the server's certificate is not the pinned one.
type FingerprintError struct {
	Section           string
	Presented, Pinned string
}

func (e *FingerprintError) Error() string {
	return fmt.Sprintf("the server presented certificate fingerprint %s, the config pins %s; if you replaced the certificate, update fingerprint in %s", e.Presented, e.Pinned, e.Section)
}

// ParseFingerprint reads a SHA-256 fingerprint written "AA:BB:…", in any
// case, with or without colons (or spaces).
func ParseFingerprint(section, s string) ([]byte, error) {
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("fingerprint %q in %s is not a SHA-256 fingerprint (32 bytes in hex, AA:BB:…)", s, section)
	}
	return b, nil
}

// Format writes a digest the way PVE shows fingerprints: AA:BB:….
func Format(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// CertFingerprint is the SHA-256 fingerprint of a DER certificate.
func CertFingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return Format(sum[:])
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}

// Explain says in words why a certificate failed verification and which
// fingerprint the server presented (empty when it presented none), so the
// message can offer it ready to pin. selfSigned is said of an unknown
// authority when no CA file is in use.
func Explain(cve *tls.CertificateVerificationError, usingCAFile bool, selfSigned string) (presented, why string) {
	if len(cve.UnverifiedCertificates) > 0 {
		presented = CertFingerprint(cve.UnverifiedCertificates[0].Raw)
	}
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	switch {
	case errors.As(cve.Err, &ua) && usingCAFile:
		why = "its certificate is not signed by the CA in ca_file"
	case errors.As(cve.Err, &ua):
		why = "its certificate is not signed by an authority this system trusts (" + selfSigned + ")"
	case errors.As(cve.Err, &he):
		why = "its certificate is not valid for this host name: " + he.Error()
	default:
		why = "its certificate fails verification: " + cve.Err.Error()
	}
	return presented, why
}
