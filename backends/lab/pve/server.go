package pve

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// Outcome is how the next vzdump ends.
type Outcome int

const (
	OutcomeOK       Outcome = iota // TASK OK
	OutcomeWarnings                // TASK WARNINGS: 1, the archive is still written
	OutcomeFail                    // TASK ERROR: job errors, after an I/O error half-way
)

// Options configure Start. Zero values take the defaults.
type Options struct {
	Addr           string        // default "127.0.0.1:0"
	TokenID        string        // default "backdeck@pve!console"
	TokenSecret    string        // default: a random UUID
	BackupDuration time.Duration // wall time of one guest's vzdump; default 20s
	AuthFailDelay  time.Duration // delay before a 401; real PVE waits about 3s
	ExtraGuests    int           // more QEMU guests (vmid 1000+, "guest1000"…) with a few backups each
	Now            func() time.Time
	// TaskDuration is the wall time of short tasks (snapshot, rollback,
	// snapshot deletion, prune); default 1s.
	TaskDuration time.Duration
	// Grants are the token's privileges; nil: every privilege on / (an
	// Administrator's token). API calls the grants do not allow answer 403
	// "Permission check failed (PATH, PRIVILEGE)", and lists leave out
	// what the token may not see, as PVE does.
	Grants []Grant
	// Nodes are the cluster's node names; default one node, "pve". The
	// first is the seed's host (the USB drives are on it); the guests are
	// dealt out over the nodes in turn.
	Nodes []string
}

// Server is a running simulated Proxmox VE API server.
type Server struct {
	opts        Options
	srv         *http.Server
	ln          net.Listener
	url         string
	certDER     []byte
	certPEM     []byte
	fingerprint string
	closed      chan struct{}
	closeOnce   sync.Once

	mu    sync.Mutex // guards world
	world *world

	routes []route

	reqMu     sync.Mutex
	reqTotal  int
	reqByPath map[string]int
}

// Start starts the server on opts.Addr and returns once it accepts connections.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.TokenID == "" {
		opts.TokenID = "backdeck@pve!console"
	}
	if opts.TokenSecret == "" {
		opts.TokenSecret = randomUUID()
	}
	if opts.BackupDuration <= 0 {
		opts.BackupDuration = 20 * time.Second
	}
	if opts.TaskDuration <= 0 {
		opts.TaskDuration = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ExtraGuests < 0 {
		opts.ExtraGuests = 0
	}
	if len(opts.Nodes) == 0 {
		opts.Nodes = []string{"pve"}
	}
	if err := checkNodeNames(opts.Nodes); err != nil {
		return nil, err
	}
	opts.Nodes = append([]string(nil), opts.Nodes...)
	cert, err := newCertificate(opts.Now())
	if err != nil {
		return nil, fmt.Errorf("lab: certificate: %w", err)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("lab: listen: %w", err)
	}
	p := &Server{
		opts:        opts,
		ln:          ln,
		url:         "https://" + ln.Addr().String(),
		certDER:     cert.DER,
		certPEM:     cert.PEM,
		fingerprint: cert.Fingerprint,
		closed:      make(chan struct{}),
		reqByPath:   map[string]int{},
		routes:      apiRoutes(),
	}
	p.world = newWorld(worldConfig{
		now:          opts.Now,
		backup:       opts.BackupDuration,
		short:        opts.TaskDuration,
		extraGuests:  opts.ExtraGuests,
		nodes:        opts.Nodes,
		fingerprint:  cert.Fingerprint,
		tokenUser:    opts.TokenID,
		monotonicNow: time.Now(),
	})
	p.world.acl = newACL(opts.Grants)
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// An empty non-nil map turns HTTP/2 off: the 401 and error answers need
		// http.Hijacker to write PVE's reason phrases in the status line.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ErrorLog:     discardLogger(),
	}
	tlsLn := tls.NewListener(ln, &tls.Config{
		Certificates: []tls.Certificate{cert.TLS},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	})
	go func() { _ = p.srv.Serve(tlsLn) }()
	return p, nil
}

// URL is the server's base, "https://127.0.0.1:PORT" (without /api2/json).
func (p *Server) URL() string { return p.url }

// Fingerprint is the SHA-256 of the certificate, "AA:BB:…" as PVE shows it.
func (p *Server) Fingerprint() string { return p.fingerprint }

// CertPEM is the self-signed certificate; it is its own CA, so it verifies as a root.
func (p *Server) CertPEM() []byte { return append([]byte(nil), p.certPEM...) }

// Nodes are the cluster's node names, the seed's host first.
func (p *Server) Nodes() []string { return append([]string(nil), p.opts.Nodes...) }

// TokenID is the API token id the server accepts.
func (p *Server) TokenID() string { return p.opts.TokenID }

// TokenSecret is the API token secret the server accepts.
func (p *Server) TokenSecret() string { return p.opts.TokenSecret }

// SetGrants replaces the token's privileges (nil: every privilege on /).
func (p *Server) SetGrants(grants []Grant) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.world.acl = newACL(grants)
}

// Close stops the server and drops open connections.
func (p *Server) Close() error {
	var err error
	p.closeOnce.Do(func() {
		close(p.closed)
		// Close, not Shutdown: clients following tasks keep connections alive.
		if err = p.srv.Close(); errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	})
	return err
}

// checkNodeNames wants PVE node names: host names (letters, digits and
// inner hyphens, up to 63 characters), each once.
func checkNodeNames(names []string) error {
	seen := map[string]bool{}
	for _, n := range names {
		ok := n != "" && len(n) <= 63 && n[0] != '-' && n[len(n)-1] != '-'
		for _, c := range n {
			ok = ok && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')
		}
		if !ok {
			return fmt.Errorf("lab: node name %q is not a host name (letters, digits and inner hyphens)", n)
		}
		if seen[n] {
			return fmt.Errorf("lab: node %q is named twice", n)
		}
		seen[n] = true
	}
	return nil
}

// Requests is the number of API requests served, 401s included.
func (p *Server) Requests() int {
	p.reqMu.Lock()
	defer p.reqMu.Unlock()
	return p.reqTotal
}

// RequestsByPath counts requests by URL path (without the query).
func (p *Server) RequestsByPath() map[string]int {
	p.reqMu.Lock()
	defer p.reqMu.Unlock()
	out := make(map[string]int, len(p.reqByPath))
	for k, v := range p.reqByPath {
		out[k] = v
	}
	return out
}

// ResetRequests sets the request counters back to zero.
func (p *Server) ResetRequests() {
	p.reqMu.Lock()
	defer p.reqMu.Unlock()
	p.reqTotal = 0
	p.reqByPath = map[string]int{}
}

func (p *Server) countRequest(path string) {
	p.reqMu.Lock()
	defer p.reqMu.Unlock()
	p.reqTotal++
	p.reqByPath[path]++
}

// withWorld runs f on the world brought up to date, under the lock.
func (p *Server) withWorld(f func(w *world, now time.Duration)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.world.tick()
	p.world.advance(now)
	f(p.world, now)
}

// randomUUID returns a random version-4 UUID string.
func randomUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newCertificate makes a self-signed certificate like a fresh PVE node's,
// except that it is its own CA: pinning its fingerprint and trusting it as a
// root (ca_file) both work.
func newCertificate(now time.Time) (host.Certificate, error) {
	return host.NewCertificate(now, pkix.Name{
		CommonName:         "pve.homelab.cloud",
		OrganizationalUnit: []string{"PVE Cluster Node"},
		Organization:       []string{"Proxmox Virtual Environment"},
	}, []string{"localhost", "pve", "pve.homelab.cloud"})
}

// discardLogger silences net/http's own log lines (TLS handshake errors from
// clients that reject the certificate are expected in tests).
func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
