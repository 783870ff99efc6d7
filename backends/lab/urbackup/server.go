package urbackup

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"sync"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// Options configure Start. Zero values take the defaults.
type Options struct {
	Addr string // default "127.0.0.1:0", for both listeners
	// Username is the one web user; default "admin". Ignored with NoUsers.
	Username string
	// Password is the web user's password; default: random, with characters
	// that need URL-encoding ("+&% @…"). Ignored with NoUsers.
	Password string
	// NoUsers is a server without web users: a=login without credentials
	// gives an anonymous admin session, a=salt knows no user.
	NoUsers bool
	// PBKDF2Rounds is the user's pbkdf2_rounds; default 10000 (the server's
	// default); -1 stores a plain MD5 hash (rounds 0 on the wire), as users
	// created by old versions have.
	PBKDF2Rounds int
	// Salt is the user's stored salt; default 20 random [a-zA-Z0-9].
	Salt string
	// BackupDuration is the wall time of one file backup that sends data
	// (a full one, or an incremental with changes); default 20s. Its
	// phases keep the shares a real run had (progress.go); an
	// incremental with nothing to send takes 10/110 of it, as recorded.
	BackupDuration time.Duration
	// OnlineLinger is how long a client that died (CrashClient) still
	// shows online; default 4m, as a real server did.
	OnlineLinger time.Duration
	// SessionTimeout forgets sessions unused this long; default 1800s
	// (SessionMgr.cpp SESSION_TIMEOUT_S).
	SessionTimeout time.Duration
	// BanDuration is how long an IP with more than 10 failed logins in about
	// 40 s gets {"error":3} from a=salt and a=login; default 10m.
	BanDuration time.Duration
	// Rights are the web user's rights as a=login reports them (status,
	// progress, browse_backups, graph, logs, settings): "all", "none" or
	// client ids ("1,3"). A right not named is "all"; an action whose
	// right is "none" answers {"error":1} (status, usage, logs).
	Rights map[string]string
	// Now is the world's clock at start; the world then runs on a monotonic
	// clock from there, so a fixed Now still lets backups run.
	Now func() time.Time
}

// Server is a running simulated UrBackup Server 2.5 web API: the server
// itself on plain HTTP (URL, port 55414 in real life) and the same server
// behind an nginx-like HTTPS front with a self-signed certificate (TLSURL),
// as the seed homelab reaches it.
type Server struct {
	opts        Options
	plainLn     net.Listener
	tlsLn       net.Listener
	url         string
	tlsURL      string
	certPEM     []byte
	fingerprint string

	mu    sync.Mutex // guards world
	world *world

	connMu  sync.Mutex
	conns   map[net.Conn]struct{}
	closed  bool
	wg      sync.WaitGroup
	closeMu sync.Once

	reqMu       sync.Mutex
	reqTotal    int
	reqByAction map[string]int
}

// Start starts both listeners and returns once they accept connections.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.NoUsers {
		opts.Username, opts.Password = "", ""
	} else {
		if opts.Username == "" {
			opts.Username = "admin"
		}
		if opts.Password == "" {
			opts.Password = randomPassword()
		}
	}
	switch {
	case opts.PBKDF2Rounds == 0:
		opts.PBKDF2Rounds = 10000
	case opts.PBKDF2Rounds < 0:
		opts.PBKDF2Rounds = 0
	}
	if opts.Salt == "" {
		opts.Salt = randomKey(20)
	}
	if opts.BackupDuration <= 0 {
		opts.BackupDuration = 20 * time.Second
	}
	if opts.OnlineLinger <= 0 {
		opts.OnlineLinger = onlineLinger
	}
	if opts.SessionTimeout <= 0 {
		opts.SessionTimeout = 1800 * time.Second
	}
	if opts.BanDuration <= 0 {
		opts.BanDuration = 10 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	start := opts.Now()
	cert, err := host.NewCertificate(start, pkix.Name{
		CommonName:   "bkpserver.homelab.cloud",
		Organization: []string{"homelab"},
	}, []string{"localhost", "bkpserver", "bkpserver.homelab.cloud"})
	if err != nil {
		return nil, fmt.Errorf("lab: urbackup certificate: %w", err)
	}
	plainLn, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("lab: urbackup listen: %w", err)
	}
	rawTLS, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		_ = plainLn.Close()
		return nil, fmt.Errorf("lab: urbackup listen: %w", err)
	}
	u := &Server{
		opts:        opts,
		plainLn:     plainLn,
		url:         "http://" + plainLn.Addr().String(),
		tlsURL:      "https://" + rawTLS.Addr().String(),
		certPEM:     cert.PEM,
		fingerprint: cert.Fingerprint,
		conns:       map[net.Conn]struct{}{},
		reqByAction: map[string]int{},
	}
	// HTTP/1.1 only, as the seed's nginx is configured: the lower-case
	// reason phrase of the backend passes through nginx unchanged.
	u.tlsLn = tls.NewListener(rawTLS, &tls.Config{
		Certificates: []tls.Certificate{cert.TLS},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	})
	u.world = newWorld(config{
		start:          start,
		monotonic:      time.Now(),
		username:       opts.Username,
		noUsers:        opts.NoUsers,
		salt:           opts.Salt,
		rounds:         opts.PBKDF2Rounds,
		passwordHash:   passwordHash(opts.Salt, opts.Password, opts.PBKDF2Rounds),
		backup:         opts.BackupDuration,
		linger:         opts.OnlineLinger,
		sessionTimeout: opts.SessionTimeout,
		ban:            opts.BanDuration,
		rights:         opts.Rights,
	})
	u.wg.Add(2)
	go u.acceptLoop(u.plainLn, false)
	go u.acceptLoop(u.tlsLn, true)
	return u, nil
}

// URL is the server itself, plain HTTP: "http://127.0.0.1:PORT".
func (u *Server) URL() string { return u.url }

// TLSURL is the same server behind the nginx front: "https://127.0.0.1:PORT".
func (u *Server) TLSURL() string { return u.tlsURL }

// Fingerprint is the SHA-256 of the front's certificate, "AA:BB:…".
func (u *Server) Fingerprint() string { return u.fingerprint }

// CertPEM is the front's self-signed certificate (its own CA).
func (u *Server) CertPEM() []byte { return append([]byte(nil), u.certPEM...) }

// Username is the web user ("" with NoUsers).
func (u *Server) Username() string { return u.opts.Username }

// Password is the web user's password ("" with NoUsers).
func (u *Server) Password() string { return u.opts.Password }

// Close stops both listeners, drops open connections and waits for them.
func (u *Server) Close() error {
	var err error
	u.closeMu.Do(func() {
		err = errors.Join(u.plainLn.Close(), u.tlsLn.Close())
		u.connMu.Lock()
		u.closed = true
		for c := range u.conns {
			_ = c.Close()
		}
		u.connMu.Unlock()
		u.wg.Wait()
	})
	return err
}

// SetClientOnline takes a client off the network (false) or back (true). A
// backup running when its client goes offline fails ("Client … went
// offline."); one that was about to start never does.
func (u *Server) SetClientOnline(name string, online bool) {
	u.withWorld(func(w *world, now time.Duration) { w.setOnline(name, online, now) })
}

// CrashClient makes a client's process die without a word: its running
// backup is lost, and the server goes on showing it online for
// OnlineLinger; a backup started meanwhile gets start_ok, never shows as a
// process and fails: a=logs says it could not connect. SetClientOnline
// (name, true) brings it back (a restart).
func (u *Server) CrashClient(name string) {
	u.withWorld(func(w *world, now time.Duration) { w.crash(name, now) })
}

// SetAutomaticFileBackups switches the schedule of a client's file backups
// on or off (a=status then says file_disabled, and file_ok stays false);
// backups asked for by hand run either way.
func (u *Server) SetAutomaticFileBackups(name string, on bool) {
	u.withWorld(func(w *world, now time.Duration) {
		if c := w.clientByName(name); c != nil {
			c.fileDisabled = !on
		}
	})
}

// RenameClient gives a client another name, as an internet client may be
// given any; the tests use it to send names with control characters.
func (u *Server) RenameClient(name, to string) {
	u.withWorld(func(w *world, now time.Duration) {
		if c := w.clientByName(name); c != nil {
			c.name = to
		}
	})
}

// FailNext makes the next file backup started for that client fail half-way:
// the process ends, lastbackup stays, file_ok turns false and a=logs gets an
// entry with the error.
func (u *Server) FailNext(name string) {
	u.withWorld(func(w *world, now time.Duration) {
		if c := w.clientByName(name); c != nil {
			c.failNext = true
		}
	})
}

// ExpireSessions forgets every session, as a restart or the 1800 s timeout
// does: the next call with an old ses gets {"error":1}.
func (u *Server) ExpireSessions() {
	u.withWorld(func(w *world, now time.Duration) { w.sessions = map[string]*session{} })
}

// SetBadGateway makes the HTTPS front answer as nginx does while the backend
// is down: 502 with nginx's HTML page. The plain listener is not affected.
func (u *Server) SetBadGateway(on bool) {
	u.withWorld(func(w *world, now time.Duration) { w.badGateway = on })
}

// Requests is the number of HTTP requests received on both listeners
// (502s from the front included).
func (u *Server) Requests() int {
	u.reqMu.Lock()
	defer u.reqMu.Unlock()
	return u.reqTotal
}

// RequestsByAction counts requests by their "a" parameter ("" without one).
func (u *Server) RequestsByAction() map[string]int {
	u.reqMu.Lock()
	defer u.reqMu.Unlock()
	out := make(map[string]int, len(u.reqByAction))
	for k, v := range u.reqByAction {
		out[k] = v
	}
	return out
}

// LoginFailures is the number of failed logins the server counted towards
// its ban: wrong passwords and a=salt for an unknown user.
func (u *Server) LoginFailures() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.world.loginFailures
}

func (u *Server) countRequest(action string) {
	u.reqMu.Lock()
	defer u.reqMu.Unlock()
	u.reqTotal++
	u.reqByAction[action]++
}

// withWorld runs f on the world brought up to date, under the lock.
func (u *Server) withWorld(f func(w *world, now time.Duration)) {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := u.world.tick()
	u.world.advance(now)
	f(u.world, now)
}

// setRndHook makes a=salt hand out rnd values from f (tests use the README's
// recorded rnd to check the login proof byte for byte).
func (u *Server) setRndHook(f func() string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.world.rndHook = f
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomKey is ServerSettings::generateRandomAuthKey: n random [a-zA-Z0-9].
func randomKey(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alnum)))
	for i := range b {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		b[i] = alnum[k.Int64()]
	}
	return string(b)
}

// randomPassword is a password that needs URL-encoding and survives a
// password file being trimmed: alphanumeric at both ends.
func randomPassword() string {
	return randomKey(5) + "+&" + randomKey(3) + " %" + randomKey(4)
}
