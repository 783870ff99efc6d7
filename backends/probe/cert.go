package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/dialerr"
	"github.com/backdeck/backdeck/backends/tlspin"
)

// Certificate is what a site presents before anything about it is trusted.
type Certificate struct {
	// Fingerprint is the SHA-256 of the leaf, "AA:BB:…" as `pvenode cert
	// info` and PVE's web UI show it.
	Fingerprint string
	Subject     string // "CN=pve.homelab.cloud,OU=PVE Cluster Node,O=…"
	Issuer      string
	DNSNames    []string
	NotBefore   time.Time
	NotAfter    time.Time
	// SelfSigned: the leaf signed itself (PVE's pve-ssl.pem is signed by
	// the cluster's own CA instead; both need a pin or a ca_file).
	SelfSigned bool
	// SystemTrusted: the chain verifies against this machine's CAs for the
	// host name dialled (an ACME certificate): no pin is needed.
	SystemTrusted bool
	// chain is what the server sent, leaf first, to verify against a CA file.
	chain []*x509.Certificate
	host  string
}

// certWarnAhead is how long before its end a certificate's expiry warns:
// PVE renews ACME certificates 30 days ahead, and a self-signed
// pve-ssl.pem lasts two years, so a month is time enough to act.
const certWarnAhead = 30 * 24 * time.Hour

// FetchCertificate connects to the site of rawURL (https) and returns the
// certificate it presents, trusting nothing: it is what the operator is
// asked to compare with `pvenode cert info` before it is pinned.
func FetchCertificate(ctx context.Context, rawURL string, timeout time.Duration) (Certificate, error) {
	addr, host, err := tlsAddress(rawURL)
	if err != nil {
		return Certificate{}, err
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: &tls.Config{
		InsecureSkipVerify: true, // nothing is trusted yet: the certificate is shown, then pinned
		MinVersion:         tls.VersionTLS12,
		ServerName:         host,
	}}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return Certificate{}, fmt.Errorf("cannot reach %s: %s", addr, dialerr.Reason(err, "is it an http:// address?"))
	}
	defer conn.Close()
	chain := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(chain) == 0 {
		return Certificate{}, fmt.Errorf("%s presented no certificate", addr)
	}
	leaf := chain[0]
	c := Certificate{
		Fingerprint: tlspin.CertFingerprint(leaf.Raw),
		Subject:     leaf.Subject.String(),
		Issuer:      leaf.Issuer.String(),
		DNSNames:    append([]string(nil), leaf.DNSNames...),
		NotBefore:   leaf.NotBefore,
		NotAfter:    leaf.NotAfter,
		SelfSigned:  leaf.CheckSignatureFrom(leaf) == nil,
		chain:       chain,
		host:        host,
	}
	_, verr := leaf.Verify(x509.VerifyOptions{DNSName: host, Intermediates: pool(chain[1:])})
	c.SystemTrusted = verr == nil
	return c, nil
}

// tlsAddress is the host:port to dial for an https URL (port 443 when
// none is written) and the host name.
func tlsAddress(rawURL string) (addr, host string, err error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" {
		return "", "", fmt.Errorf("%q is not a URL like https://pve.example:8006", rawURL)
	}
	if u.Scheme != "https" {
		return "", "", fmt.Errorf("%q does not use https: there is no certificate to check", rawURL)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "443"
	}
	return net.JoinHostPort(host, port), host, nil
}

func pool(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// VerifyCA reports whether the certificate chains to a CA in caFile (PEM),
// the way ca_file is used: the chain and the host name are checked.
func (c Certificate) VerifyCA(caFile string) error {
	data, err := os.ReadFile(caFile)
	if err != nil {
		return fmt.Errorf("reading the CA file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(data) {
		return fmt.Errorf("%s holds no PEM certificate", caFile)
	}
	if len(c.chain) == 0 {
		return errors.New("no certificate to verify")
	}
	_, err = c.chain[0].Verify(x509.VerifyOptions{DNSName: c.host, Roots: roots, Intermediates: pool(c.chain[1:])})
	if err == nil {
		return nil
	}
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	switch {
	case errors.As(err, &ua):
		return fmt.Errorf("the certificate is not signed by a CA in %s", caFile)
	case errors.As(err, &he):
		return fmt.Errorf("the certificate is not valid for %s: %v", c.host, he)
	}
	return fmt.Errorf("the certificate does not verify with %s: %v", caFile, err)
}

// Expiry rates the certificate's end of validity at now: Fail once it has
// ended (or before it starts), Off within a month of its end, else OK; the
// words say when.
func (c Certificate) Expiry(now time.Time) (Status, string) {
	left := c.NotAfter.Sub(now)
	switch {
	case now.Before(c.NotBefore):
		return Fail, fmt.Sprintf("not valid before %s: is this machine's clock right?", c.NotBefore.UTC().Format("2006-01-02"))
	case left <= 0:
		return Fail, fmt.Sprintf("expired on %s: renew it on the host (pvecm updatecerts --force, or your ACME client), then pin the new one", c.NotAfter.UTC().Format("2006-01-02"))
	case left < certWarnAhead:
		return Off, fmt.Sprintf("expires on %s, in %d days: renew it soon, then pin the new one", c.NotAfter.UTC().Format("2006-01-02"), int(left.Hours()/24))
	}
	return OK, fmt.Sprintf("valid until %s", c.NotAfter.UTC().Format("2006-01-02"))
}

// SamePin reports whether fingerprint (any case, with or without colons)
// is this certificate's.
func (c Certificate) SamePin(fingerprint string) bool {
	pin, err := tlspin.ParseFingerprint("", fingerprint)
	return err == nil && tlspin.Format(pin) == c.Fingerprint
}
