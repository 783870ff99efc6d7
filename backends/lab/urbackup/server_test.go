package urbackup

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// testClient is a plain net/http client of the simulated UrBackup server,
// over its plain listener or its HTTPS front (pinned by fingerprint).
type testClient struct {
	t    testing.TB
	u    *Server
	base string
	hc   *http.Client
	ses  string
	xff  string // X-Forwarded-For, to appear from another IP
}

func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.BackupDuration == 0 {
		opts.BackupDuration = 1500 * time.Millisecond
	}
	if opts.Now == nil {
		// The world's past and the data its clients change since their
		// last backup hang on the clock: a fixed one, not today's.
		opts.Now = func() time.Time { return testNow }
	}
	u, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = u.Close() })
	return u
}

func newTestClient(t testing.TB, u *Server, front bool) *testClient {
	c := &testClient{t: t, u: u, base: u.URL(), hc: &http.Client{Timeout: 10 * time.Second}}
	if front {
		want := u.Fingerprint()
		c.base = u.TLSURL()
		c.hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true, // replaced by the pin
			VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
				if got := host.FingerprintOf(raw[0]); got != want {
					return fmt.Errorf("fingerprint %s, want %s", got, want)
				}
				return nil
			},
		}}
	}
	return c
}

// raw posts form (plus ses, when logged in) to /x?a=action.
func (c *testClient) raw(action string, form url.Values) (*http.Response, []byte) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if c.ses != "" && !form.Has("ses") {
		form.Set("ses", c.ses)
	}
	req, err := http.NewRequest(http.MethodPost, c.base+"/x?a="+action, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.xff != "" {
		req.Header.Set("X-Forwarded-For", c.xff)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, body
}

// call is raw decoded as JSON (numbers as json.Number).
func (c *testClient) call(action string, form url.Values) map[string]any {
	c.t.Helper()
	resp, body := c.raw(action, form)
	if resp.Status != "200 ok" {
		c.t.Fatalf("a=%s: status %q", action, resp.Status)
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		c.t.Fatalf("a=%s: %v in %q", action, err, body)
	}
	return out
}

// login does what the web UI does, computing the proof independently of
// the server's code (crypto/pbkdf2).
func (c *testClient) login(user, password string) map[string]any {
	c.t.Helper()
	salt := c.call("salt", url.Values{"username": {user}})
	ses, _ := salt["ses"].(string)
	if ses == "" {
		c.t.Fatalf("salt: %v", salt)
	}
	proof := loginProof(c.t, str(salt["salt"]), password, str(salt["rnd"]), num(salt["pbkdf2_rounds"]))
	c.ses = ses
	return c.call("login", url.Values{"username": {user}, "password": {proof}})
}

func loginProof(t testing.TB, salt, password, rnd string, rounds int64) string {
	sum := md5.Sum([]byte(salt + password))
	stored := hex.EncodeToString(sum[:])
	if rounds > 0 {
		key, err := pbkdf2.Key(sha256.New, string(sum[:]), []byte(salt), int(rounds), 32)
		if err != nil {
			t.Fatal(err)
		}
		stored = hex.EncodeToString(key)
	}
	p := md5.Sum([]byte(rnd + stored))
	return hex.EncodeToString(p[:])
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) int64 {
	n, ok := v.(json.Number)
	if !ok {
		return -999999
	}
	i, err := n.Int64()
	if err != nil {
		f, _ := n.Float64()
		return int64(f)
	}
	return i
}

func arr(v any) []map[string]any {
	var out []map[string]any
	for _, e := range v.([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

func TestPBKDF2AndREADMEVector(t *testing.T) {
	t.Parallel()
	const salt, pw = "8u2uVtrpyisgKe0Q4ymy", "UrB@ckup pw+&%1"
	if got := passwordHash(salt, pw, 0); got != "a1416fe1f19aedf0a9f7b1eb5e3867ea" {
		t.Errorf("md5 hash %s", got)
	}
	stored := passwordHash(salt, pw, 10000)
	if stored != "1a7f21ee47010cbac0a203775aa42e4e950535709dbdc4eb2594187418a61c73" {
		t.Errorf("stored hash %s", stored)
	}
	if got := md5Hex("d3DASHwgde" + stored); got != "75c37d4fa6f98a05426c53edaec3a280" {
		t.Errorf("proof %s", got)
	}
	for _, c := range []struct {
		pw, salt   string
		iter, size int
	}{{"password", "salt", 1, 32}, {"password", "salt", 2, 32}, {"pw", "NaCl", 100, 80}} {
		want, _ := pbkdf2.Key(sha256.New, c.pw, []byte(c.salt), c.iter, c.size)
		if got := pbkdf2SHA256([]byte(c.pw), []byte(c.salt), c.iter, c.size); !bytes.Equal(got, want) {
			t.Errorf("pbkdf2(%q, %q, %d, %d) = %x, want %x", c.pw, c.salt, c.iter, c.size, got, want)
		}
	}
}

func TestJSONPrintsLikeTheServer(t *testing.T) {
	t.Parallel()
	got := string(encodeJSON(jsonObj{"b": jsonArr{jsonObj{"x": 1}, jsonObj{}}, "a": jsonObj{"n": "q\"\n\x01"}, "c": 5.58346e10, "d": int64(-1)}))
	want := "{\n\"a\": {\n\"n\": \"q\\\"\\n\\u0001\"\n}\n,\n\"b\": [{\n\"x\": 1\n}\n,{\n}\n],\n\"c\": 5.58346e+10,\n\"d\": -1\n}\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestTransportQuirks(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{})

	// The backend, byte for byte: lower-case reason, no length, closed.
	conn, err := net.Dial("tcp", strings.TrimPrefix(u.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "POST /x?a=status HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\n\r\n")
	all, err := io.ReadAll(conn) // ends only because the server closes
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := "HTTP/1.1 200 ok\r\nCache-Control: max-age=0\r\nContent-type: application/json\r\nX-Frame-Options: DENY\r\n\r\n{\n\"error\": 1\n}\n"
	if string(all) != want {
		t.Errorf("raw answer %q, want %q", all, want)
	}

	for _, front := range []bool{false, true} {
		c := newTestClient(t, u, front)
		resp, body := c.raw("status", nil)
		if resp.Status != "200 ok" || resp.ContentLength != -1 || resp.Header.Get("Content-Length") != "" {
			t.Errorf("front=%v: status %q length %d", front, resp.Status, resp.ContentLength)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("front=%v: content type %q", front, ct)
		}
		if string(body) != "{\n\"error\": 1\n}\n" {
			t.Errorf("front=%v: body %q", front, body)
		}
		if front && (resp.Header.Get("Server") != "nginx" || len(resp.TransferEncoding) == 0) {
			t.Errorf("front: server %q, transfer encoding %v", resp.Header.Get("Server"), resp.TransferEncoding)
		}
		// Unknown actions answer HTML.
		resp, body = c.raw("nosuchaction", nil)
		if string(body) != "Error: Unknown action [nosuchaction]" || resp.Header.Get("Content-Type") != "text/html; charset=UTF-8" {
			t.Errorf("front=%v: unknown action %q %q", front, body, resp.Header.Get("Content-Type"))
		}
		// start_backup without a session: nothing at all.
		resp, body = c.raw("start_backup", url.Values{"start_client": {"2"}, "start_type": {"incr_file"}})
		if len(body) != 0 || resp.Header.Get("Content-Type") != "" || resp.Status != "200 ok" {
			t.Errorf("front=%v: start_backup without session %q %q", front, body, resp.Header.Get("Content-Type"))
		}
	}

	// The front keeps connections alive like nginx.
	c := newTestClient(t, u, true)
	reused := 0
	for i := 0; i < 3; i++ {
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
			if info.Reused {
				reused++
			}
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			http.MethodPost, u.TLSURL()+"/x?a=status", strings.NewReader(""))
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if reused != 2 {
		t.Errorf("front reused %d connections of 3 requests", reused)
	}
	// A GET without body works like an empty POST; the query's ses is ignored.
	resp, err := c.hc.Get(u.URL() + "/x?a=login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "{\n\"admin_only\": \"admin\",\n\"api_version\": 2,\n\"lang\": \"en\",\n\"success\": false\n}\n" {
		t.Errorf("GET login %q", body)
	}
	if got := u.RequestsByAction()["status"]; got != 6 {
		t.Errorf("status requests %d, want 6", got)
	}
	if u.Requests() < 11 {
		t.Errorf("requests %d", u.Requests())
	}
}

func TestLoginWithREADMEVector(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{Username: "admin", Password: "UrB@ckup pw+&%1", Salt: "8u2uVtrpyisgKe0Q4ymy"})
	u.setRndHook(func() string { return "d3DASHwgde" })
	c := newTestClient(t, u, true)
	salt := c.call("salt", url.Values{"username": {"admin"}})
	if str(salt["salt"]) != "8u2uVtrpyisgKe0Q4ymy" || num(salt["pbkdf2_rounds"]) != 10000 || str(salt["rnd"]) != "d3DASHwgde" || len(str(salt["ses"])) != 30 {
		t.Fatalf("salt %v", salt)
	}
	c.ses = str(salt["ses"])
	// Before login the session gets nothing from status.
	if _, body := c.raw("status", nil); len(body) != 0 {
		t.Errorf("status before login: %q", body)
	}
	resp, body := c.raw("login", url.Values{"username": {"admin"}, "password": {"75c37d4fa6f98a05426c53edaec3a280"}})
	want := "{\n\"api_version\": 2,\n\"browse_backups\": \"all\",\n\"graph\": \"all\",\n\"logs\": \"all\",\n\"progress\": \"all\",\n\"settings\": \"all\",\n\"status\": \"all\",\n\"success\": true\n}\n"
	if string(body) != want || resp.Status != "200 ok" {
		t.Fatalf("login %q", body)
	}
	if st := c.call("status", nil); st["status"] == nil {
		t.Errorf("status after login: %v", st)
	}
	// The rnd served one attempt: replaying the proof fails.
	if l := c.call("login", url.Values{"username": {"admin"}, "password": {"75c37d4fa6f98a05426c53edaec3a280"}}); num(l["error"]) != 2 {
		t.Errorf("replayed proof: %v", l)
	}
	// a=salt on a session without username: the session's user, a new rnd, no ses.
	u.setRndHook(nil)
	s := c.call("salt", nil)
	if str(s["salt"]) != "8u2uVtrpyisgKe0Q4ymy" || len(str(s["rnd"])) != 10 || s["ses"] != nil {
		t.Errorf("salt on session: %v", s)
	}
	// The session stays logged in (the failed replay does not log it out).
	if st := c.call("usage", nil); st["usage"] == nil {
		t.Errorf("usage: %v", st)
	}
}

func TestLoginRandomPassword(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{})
	if u.Username() != "admin" || len(u.Password()) < 12 || !strings.ContainsAny(u.Password(), "+&% ") {
		t.Fatalf("user %q password %q", u.Username(), u.Password())
	}
	c := newTestClient(t, u, false)
	if l := c.login("admin", u.Password()); l["success"] != true || l["session"] != nil {
		t.Fatalf("login %v", l)
	}
	if st := c.call("status", nil); len(arr(st["status"])) != 4 {
		t.Errorf("status %v", st)
	}
	// Wrong password: error 2, counted.
	w := newTestClient(t, u, true)
	if l := w.login("admin", u.Password()+"x"); num(l["error"]) != 2 || num(l["api_version"]) != 2 || len(l) != 2 {
		t.Errorf("wrong password: %v", l)
	}
	// Unknown user: error 0 with a new session, counted too.
	w.ses = ""
	if s := w.call("salt", url.Values{"username": {"nosuchuser"}}); num(s["error"]) != 0 || len(str(s["ses"])) != 30 || s["salt"] != nil {
		t.Errorf("unknown user: %v", s)
	}
	if u.LoginFailures() != 2 {
		t.Errorf("failures %d", u.LoginFailures())
	}
	// plainpw=1 without a session: the server makes one and returns it.
	p := newTestClient(t, u, true)
	l := p.call("login", url.Values{"username": {"admin"}, "password": {u.Password()}, "plainpw": {"1"}})
	if l["success"] != true || len(str(l["session"])) != 30 {
		t.Fatalf("plainpw login %v", l)
	}
	p.ses = str(l["session"])
	if b := p.call("backups", nil); len(arr(b["clients"])) != 3 {
		t.Errorf("backups %v", b)
	}
	// Without credentials while a user exists.
	if l := newTestClient(t, u, false).call("login", nil); l["success"] != false || str(l["admin_only"]) != "admin" {
		t.Errorf("login without credentials %v", l)
	}
}

func TestBan(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{BanDuration: 700 * time.Millisecond})
	c := newTestClient(t, u, false)
	c.xff = "192.168.1.50"
	for i := 0; i < 11; i++ {
		c.ses = ""
		if l := c.login("admin", "wrong"); num(l["error"]) != 2 {
			t.Fatalf("attempt %d: %v", i+1, l)
		}
	}
	c.ses = ""
	if s := c.call("salt", url.Values{"username": {"admin"}}); num(s["error"]) != 3 || s["salt"] != nil || s["ses"] == nil {
		t.Errorf("salt while banned: %v", s)
	}
	if l := c.call("login", url.Values{"username": {"admin"}, "password": {u.Password()}, "plainpw": {"1"}}); num(l["error"]) != 3 || num(l["api_version"]) != 2 {
		t.Errorf("login while banned: %v", l)
	}
	if u.LoginFailures() != 11 {
		t.Errorf("failures %d", u.LoginFailures())
	}
	// Another address is not banned.
	other := newTestClient(t, u, false)
	if l := other.login("admin", u.Password()); l["success"] != true {
		t.Errorf("other IP: %v", l)
	}
	time.Sleep(800 * time.Millisecond)
	c.ses = ""
	if l := c.login("admin", u.Password()); l["success"] != true {
		t.Errorf("after the ban: %v", l)
	}
}

func TestNoUsersAndPlainMD5(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{NoUsers: true})
	if u.Username() != "" || u.Password() != "" {
		t.Errorf("user %q password %q", u.Username(), u.Password())
	}
	c := newTestClient(t, u, true)
	l := c.call("login", url.Values{"lang": {"en"}})
	if l["success"] != true || len(str(l["session"])) != 30 || str(l["lang"]) != "en" {
		t.Fatalf("anonymous login %v", l)
	}
	c.ses = str(l["session"])
	if st := c.call("status", nil); st["admin"] != true || len(arr(st["status"])) != 4 {
		t.Errorf("status %v", st)
	}
	if s := newTestClient(t, u, false).call("salt", url.Values{"username": {"admin"}}); num(s["error"]) != 0 || s["ses"] == nil {
		t.Errorf("salt without users %v", s)
	}
	if lg := c.call("logs", nil); lg["has_user"] != false {
		t.Errorf("logs has_user %v", lg["has_user"])
	}

	m := startServer(t, Options{PBKDF2Rounds: -1, Password: "plain md5 pw"})
	mc := newTestClient(t, m, false)
	salt := mc.call("salt", url.Values{"username": {"admin"}})
	if num(salt["pbkdf2_rounds"]) != 0 {
		t.Fatalf("salt %v", salt)
	}
	mc.ses = str(salt["ses"])
	proof := md5Hex(str(salt["rnd"]) + md5Hex(str(salt["salt"])+"plain md5 pw"))
	if l := mc.call("login", url.Values{"username": {"admin"}, "password": {proof}}); l["success"] != true {
		t.Errorf("md5 login %v", l)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{SessionTimeout: 400 * time.Millisecond})
	c := newTestClient(t, u, false)
	c.login("admin", u.Password())
	ses := c.ses
	// Use keeps it alive.
	for i := 0; i < 4; i++ {
		time.Sleep(200 * time.Millisecond)
		if st := c.call("status", nil); st["error"] != nil {
			t.Fatalf("status after %d uses: %v", i, st)
		}
	}
	// The ses in the query string is ignored.
	q := newTestClient(t, u, false)
	if st := q.call("status&ses="+ses, nil); num(st["error"]) != 1 {
		t.Errorf("ses in query: %v", st)
	}
	time.Sleep(500 * time.Millisecond)
	if st := c.call("status", nil); num(st["error"]) != 1 || len(st) != 1 {
		t.Errorf("after timeout: %v", st)
	}
	c.ses = ""
	c.login("admin", u.Password())
	u.ExpireSessions()
	if st := c.call("progress", nil); num(st["error"]) != 1 {
		t.Errorf("after ExpireSessions: %v", st)
	}
}

func TestBadGateway(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{})
	c := newTestClient(t, u, true)
	u.SetBadGateway(true)
	resp, body := c.raw("status", nil)
	if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("Server") != "nginx" || string(body) != badGatewayPage {
		t.Errorf("502: %d %q", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), "<html><head><title>502 Bad Gateway</title>") && !strings.Contains(string(body), "<center>nginx</center>") {
		t.Errorf("page %q", body)
	}
	// The backend itself still answers.
	if st := newTestClient(t, u, false).call("status", nil); num(st["error"]) != 1 {
		t.Errorf("plain: %v", st)
	}
	u.SetBadGateway(false)
	if st := c.call("status", nil); num(st["error"]) != 1 {
		t.Errorf("front back: %v", st)
	}
}

func TestWorld(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC)
	u := startServer(t, Options{Now: func() time.Time { return now }})
	c := newTestClient(t, u, true)
	c.login("admin", u.Password())

	resp, body := c.raw("status", nil)
	if !strings.HasPrefix(string(body), "{\n\"admin\": true,\n\"allow_add_client\": true,\n") || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("status body starts %q", body[:min(60, len(body))])
	}
	st := c.call("status", nil)
	if st["no_images"] != true || st["no_file_backups"] != false {
		t.Errorf("no_images %v", st["no_images"])
	}
	list := arr(st["status"])
	if len(list) != 4 {
		t.Fatalf("status has %d entries", len(list))
	}
	names := []string{"k3sagent01", "k3sagent02", "k3sserver01", "debian-test"}
	ids := []int64{2, 3, 1}
	for i, e := range list {
		if str(e["name"]) != names[i] {
			t.Errorf("entry %d is %v", i, e["name"])
		}
		if i == 3 {
			if e["id"] != "-" || e["lastbackup"] != "-" || e["rejected"] != true || e["processes"] != nil {
				t.Errorf("rejected client %v", e)
			}
			continue
		}
		if num(e["id"]) != ids[i] || e["image_disabled"] != true || e["image_not_supported"] != true || e["image_ok"] != false || num(e["lastbackup_image"]) != 0 ||
			e["delete_pending"] != "" || e["file_disabled"] != nil || str(e["client_version_string"]) != "2.5.25" || str(e["os_simple"]) != "linux" {
			t.Errorf("client %v", e)
		}
		age := now.Sub(time.Unix(num(e["lastbackup"]), 0))
		if names[i] == "k3sserver01" {
			seen := now.Sub(time.Unix(num(e["lastseen"]), 0))
			if e["online"] != false || age < 29*time.Hour || age > 31*time.Hour || seen < 22*time.Hour || seen > 25*time.Hour {
				t.Errorf("k3sserver01: online %v, last backup %v ago, seen %v ago", e["online"], age, seen)
			}
		} else if e["online"] != true || e["file_ok"] != true || age > 26*time.Hour || age < 0 {
			t.Errorf("%s: online %v file_ok %v last backup %v ago", names[i], e["online"], e["file_ok"], age)
		}
	}

	// a=backups: the client list, then one client's backups, newest first.
	if cl := arr(c.call("backups", nil)["clients"]); len(cl) != 3 || str(cl[0]["name"]) != "k3sagent01" {
		t.Errorf("clients %v", cl)
	}
	resp, _ = c.raw("backups", url.Values{"sa": {"backups"}, "clientid": {"2"}})
	if n := len(resp.Header.Values("X-Frame-Options")); n != 3 {
		t.Errorf("X-Frame-Options %d times", n)
	}
	bk := c.call("backups", url.Values{"sa": {"backups"}, "clientid": {"2"}})
	backups := arr(bk["backups"])
	if str(bk["clientname"]) != "k3sagent01" || num(bk["clientid"]) != 2 || bk["can_delete"] != true || len(arr2(bk["backup_images"])) != 0 {
		t.Errorf("backups header %v", bk)
	}
	if len(backups) < 38 || len(backups) > 44 {
		t.Errorf("%d backups", len(backups))
	}
	fulls := 0
	for i, b := range backups {
		if i > 0 && num(b["backuptime"]) >= num(backups[i-1]["backuptime"]) {
			t.Errorf("backups not newest first at %d", i)
		}
		if (i == 0) != (b["disable_delete"] == true) {
			t.Errorf("disable_delete on %d: %v", i, b["disable_delete"])
		}
		size := num(b["size_bytes"])
		switch num(b["incremental"]) {
		case 0:
			fulls++
			if size < 30*host.GiB {
				t.Errorf("full backup of %d bytes", size)
			}
		case 1:
			if size < 100*host.MiB || size > 1*host.GiB {
				t.Errorf("incremental of %d bytes", size)
			}
		}
		if h := time.Unix(num(b["backuptime"]), 0).UTC().Hour(); h != 21 {
			t.Errorf("backup at %d h", h)
		}
	}
	if fulls < 1 || fulls > 2 {
		t.Errorf("%d full backups", fulls)
	}

	// a=usage: doubles printed by C++, e.g. 5.58346e+10.
	_, body = c.raw("usage", nil)
	if !strings.Contains(string(body), "e+10") || !strings.Contains(string(body), "\"reset_statistics\": \"true\"") {
		t.Errorf("usage %s", body)
	}
	us := arr(c.call("usage", nil)["usage"])
	if len(us) != 3 || str(us[0]["name"]) != "k3sagent02" || str(us[2]["name"]) != "k3sserver01" {
		t.Errorf("usage %v", us)
	}

	// a=progress: nothing running, the last activities with deletions.
	pg := c.call("progress", nil)
	acts := arr(pg["lastacts"])
	if len(arr2(pg["progress"])) != 0 || len(acts) != 20 {
		t.Fatalf("progress %v", pg)
	}
	dels := 0
	for i, a := range acts {
		if a["del"] == true {
			dels++
		}
		if i > 0 && num(a["backuptime"]) > num(acts[i-1]["backuptime"]) {
			t.Errorf("lastacts out of order at %d", i)
		}
	}
	if dels == 0 || num(acts[0]["duration"]) <= 0 {
		t.Errorf("lastacts %v", acts[:3])
	}
	if _, body := c.raw("progress", url.Values{"with_lastacts": {"0"}}); string(body) != "{\n\"progress\": []\n}\n" {
		t.Errorf("without lastacts %q", body)
	}

	set := c.call("settings", url.Values{"sa": {"general"}})
	if s := set["settings"].(map[string]any); s["no_images"] != true {
		t.Errorf("settings %v", s)
	}
	logs := c.call("logs", nil)
	if l := arr(logs["logs"]); len(l) != 1 || str(l[0]["name"]) != "k3sagent02" || num(l[0]["errors"]) != 2 {
		t.Errorf("logs %v", logs["logs"])
	}
}

func arr2(v any) []any { a, _ := v.([]any); return a }

// progressOf is the client's process in a=progress, or nil.
func progressOf(c *testClient, clientID int64) map[string]any {
	for _, p := range arr(c.call("progress", url.Values{"with_lastacts": {"0"}})["progress"]) {
		if num(p["clientid"]) == clientID {
			return p
		}
	}
	return nil
}

func statusOf(c *testClient, name string) map[string]any {
	for _, e := range arr(c.call("status", nil)["status"]) {
		if str(e["name"]) == name {
			return e
		}
	}
	return nil
}

func backupIDs(c *testClient, clientID string) []int64 {
	var ids []int64
	for _, b := range arr(c.call("backups", url.Values{"sa": {"backups"}, "clientid": {clientID}})["backups"]) {
		ids = append(ids, num(b["id"]))
	}
	return ids
}

func TestBackupRuns(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{BackupDuration: 2 * time.Second})
	c := newTestClient(t, u, true)
	c.login("admin", u.Password())
	before := statusOf(c, "k3sagent01")
	ids := backupIDs(c, "2")

	res := c.call("start_backup", url.Values{"start_client": {"2"}, "start_type": {"incr_file"}})
	r := arr(res["result"])
	if len(r) != 1 || r[0]["start_ok"] != true || num(r[0]["clientid"]) != 2 || str(r[0]["start_type"]) != "incr_file" {
		t.Fatalf("start %v", res)
	}
	var first map[string]any
	waitFor(t, 2*time.Second, "the process", func() bool { first = progressOf(c, 2); return first != nil })
	if num(first["pcdone"]) != -1 || num(first["total_bytes"]) != -1 || num(first["action"]) != 1 || first["can_stop_backup"] != true ||
		num(first["eta_ms"]) != 61000 || str(first["name"]) != "k3sagent01" || str(first["details"]) != "0" {
		t.Errorf("first progress %v", first)
	}
	if p := statusOf(c, "k3sagent01")["processes"].([]any); len(p) != 1 {
		t.Errorf("status processes %v", p)
	}
	last := int64(-1)
	var seen []int64
	waitFor(t, 4*time.Second, "the end", func() bool {
		p := progressOf(c, 2)
		if p == nil {
			return true
		}
		pc := num(p["pcdone"])
		if pc < last {
			t.Errorf("pcdone went back from %d to %d", last, pc)
		}
		if pc >= 0 && (num(p["total_bytes"]) <= 0 || num(p["eta_ms"]) != 61000 && num(p["eta_ms"]) > 0) {
			t.Errorf("progress %v", p)
		}
		last = pc
		seen = append(seen, pc)
		return false
	})
	if last < 50 {
		t.Errorf("pcdone seen %v", seen)
	}
	after := statusOf(c, "k3sagent01")
	if num(after["lastbackup"]) <= num(before["lastbackup"]) || after["file_ok"] != true {
		t.Errorf("lastbackup %v → %v", before["lastbackup"], after["lastbackup"])
	}
	now := backupIDs(c, "2")
	if len(now) != len(ids)+1 || now[0] <= ids[0] {
		t.Errorf("backups %v → %v", ids[:2], now[:2])
	}
	acts := arr(c.call("progress", nil)["lastacts"])
	if num(acts[0]["id"]) != now[0] || num(acts[0]["incremental"]) != 1 {
		t.Errorf("lastacts[0] %v", acts[0])
	}
	logs := c.call("logs", url.Values{"ll": {"0"}})
	l := arr(logs["logs"])[0]
	one := c.call("logs", url.Values{"logid": {fmt.Sprint(num(l["id"]))}})
	if data := str(one["log"].(map[string]any)["data"]); !strings.Contains(data, "-Backup succeeded\n") || !strings.HasPrefix(data, "0-") {
		t.Errorf("log %q", data)
	}
}

func TestStartRefusals(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{})
	c := newTestClient(t, u, false)
	c.login("admin", u.Password())
	for _, typ := range []string{"full_file", "incr_file", "full_image", "incr_image"} {
		r := arr(c.call("start_backup", url.Values{"start_client": {"1"}, "start_type": {typ}})["result"])
		if r[0]["start_ok"] != false {
			t.Errorf("offline k3sserver01 %s: %v", typ, r)
		}
	}
	r := arr(c.call("start_backup", url.Values{"start_client": {"1,999,3"}, "start_type": {"bogus"}})["result"])
	if len(r) != 3 || num(r[1]["clientid"]) != 999 || r[0]["start_ok"] != false || r[1]["start_ok"] != false || r[2]["start_ok"] != false {
		t.Errorf("bogus type %v", r)
	}
	// Image backups: the online client gets the command (start_ok) but the
	// server has no_images, so nothing starts.
	r = arr(c.call("start_backup", url.Values{"start_client": {"3"}, "start_type": {"full_image"}})["result"])
	if r[0]["start_ok"] != true {
		t.Errorf("image start %v", r)
	}
	time.Sleep(500 * time.Millisecond)
	if p := progressOf(c, 3); p != nil {
		t.Errorf("an image backup runs: %v", p)
	}
	if _, body := c.raw("start_backup", url.Values{"start_type": {"incr_file"}}); len(body) != 0 {
		t.Errorf("without start_client %q", body)
	}
}

func TestStopFailAndOffline(t *testing.T) {
	t.Parallel()
	u := startServer(t, Options{BackupDuration: 1500 * time.Millisecond})
	c := newTestClient(t, u, false)
	c.login("admin", u.Password())
	start := func(id string) map[string]any {
		t.Helper()
		r := arr(c.call("start_backup", url.Values{"start_client": {id}, "start_type": {"full_file"}})["result"])
		if r[0]["start_ok"] != true {
			t.Fatalf("start %s: %v", id, r)
		}
		var p map[string]any
		waitFor(t, 2*time.Second, "process "+id, func() bool { p = progressOf(c, num(r[0]["clientid"])); return p != nil })
		return p
	}
	ids2, ids3 := backupIDs(c, "2"), backupIDs(c, "3")
	last2 := num(statusOf(c, "k3sagent01")["lastbackup"])

	// Stop: gone within a second, no backup, an error in the log.
	p := start("3")
	c.call("progress", url.Values{"stop_clientid": {"3"}, "stop_id": {fmt.Sprint(num(p["id"]))}})
	t0 := time.Now()
	waitFor(t, 1200*time.Millisecond, "the stop", func() bool { return progressOf(c, 3) == nil })
	if d := time.Since(t0); d > time.Second {
		t.Errorf("stop took %v", d)
	}
	if got := backupIDs(c, "3"); len(got) != len(ids3) {
		t.Errorf("a stopped backup was kept")
	}

	// FailNext: the next backup fails half-way.
	u.FailNext("k3sagent01")
	start("2")
	waitFor(t, 3*time.Second, "the failure", func() bool { return progressOf(c, 2) == nil })
	st := statusOf(c, "k3sagent01")
	if st["file_ok"] != false || num(st["lastbackup"]) != last2 || len(backupIDs(c, "2")) != len(ids2) {
		t.Errorf("after failure: %v", st)
	}
	logs := arr(c.call("logs", nil)["logs"])
	if str(logs[0]["name"]) != "k3sagent01" || num(logs[0]["errors"]) == 0 || str(logs[1]["name"]) != "k3sagent02" {
		t.Errorf("logs %v", logs)
	}
	one := c.call("logs", url.Values{"logid": {fmt.Sprint(num(logs[0]["id"]))}})
	if data := str(one["log"].(map[string]any)["data"]); !strings.Contains(data, "2-") || !strings.Contains(data, "Backup failed") {
		t.Errorf("log %q", data)
	}

	// Going offline mid-backup fails the backup at once.
	start("2")
	u.SetClientOnline("k3sagent01", false)
	if p := progressOf(c, 2); p != nil {
		t.Errorf("still running offline: %v", p)
	}
	st = statusOf(c, "k3sagent01")
	if st["online"] != false || st["file_ok"] != false || len(backupIDs(c, "2")) != len(ids2) {
		t.Errorf("offline: %v", st)
	}
	if r := arr(c.call("start_backup", url.Values{"start_client": {"2"}, "start_type": {"incr_file"}})["result"]); r[0]["start_ok"] != false {
		t.Errorf("start while offline %v", r)
	}
	u.SetClientOnline("k3sagent01", true)
	start("2")
	waitFor(t, 3*time.Second, "the backup", func() bool { return progressOf(c, 2) == nil })
	if st := statusOf(c, "k3sagent01"); st["file_ok"] != true || num(st["lastbackup"]) <= last2 {
		t.Errorf("after recovery: %v", st)
	}
}
