package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/dialerr"
	"github.com/backdeck/backdeck/backends/httpapi"
	"github.com/backdeck/backdeck/backends/tlspin"
	"github.com/backdeck/backdeck/backends/urbackup"
	"github.com/backdeck/backdeck/model"
)

// Login is how an UrBackup login came out.
type Login string

const (
	LoginOK Login = "ok"
	// LoginAnonymous: the server has no web user and grants a session
	// with every right to anyone.
	LoginAnonymous Login = "anonymous"
	// LoginUnknownUser: the server has no user of that name (a=salt error 0).
	LoginUnknownUser Login = "unknown-user"
	// LoginWrongPassword: the user exists, the password is not its (a=login error 2).
	LoginWrongPassword Login = "wrong-password"
	// LoginBanned: more than 10 failed logins from this address within
	// about 40 s: the server refuses every login for 10 minutes (error 3).
	LoginBanned Login = "banned"
	// LoginNeedsUser: the server has web users and no username was given.
	LoginNeedsUser Login = "needs-user"
)

// Right is a web user's right the console uses, as a=login reports it.
type Right struct {
	Name  string // the key in the login answer: status, progress, browse_backups, graph, logs
	Value string // "all", "none", or the ids of the clients it covers ("1,3")
	For   string // what the console does with it
	// Optional rights only add detail (logs: why a started backup failed).
	Optional bool
}

// Granted reports whether the right covers every client.
func (r Right) Granted() bool { return r.Value == "all" }

// rights are what the console asks UrBackup for, in the order the
// dashboard needs them. start_backup and stop_backup are not in the login
// answer: the server says no only when a backup is started or stopped.
var rights = []Right{
	{Name: "status", For: "the clients and their last backups"},
	{Name: "progress", For: "running backups and their progress"},
	{Name: "browse_backups", For: "each client's list of backups (restore points)"},
	{Name: "graph", For: "the space each client uses (UrBackup's piegraph right)"},
	{Name: "logs", For: "why a backup the console started failed", Optional: true},
}

// URBackupReport is what a live login found.
type URBackupReport struct {
	URL     string
	Login   Login
	Message string  // the outcome in words, with what to do
	Rights  []Right // as the login answer reports them (empty unless logged in)
	Clients []string
}

// Lacking are the rights the user does not have for every client.
func (r URBackupReport) Lacking() []Right {
	var out []Right
	for _, x := range r.Rights {
		if !x.Granted() {
			out = append(out, x)
		}
	}
	return out
}

// urbackupSite reads [urbackup]'s url as the backend does.
var urbackupSite = httpapi.BaseURL{Section: "[urbackup]", Example: "https://bkpserver.example", Target: "the address of the UrBackup web interface", APIPath: "/x"}

// ProbeURBackup logs in as the web UI does and tells a wrong password from
// an unknown user and from the server's ban, then lists the rights and
// the clients. Each failed attempt counts toward the server's ban (10
// within about 40 s), so it is run once per operator action, never in a
// loop. The error is for what is not a login outcome: an unreachable
// server, a certificate that is not the pinned one, something that is not
// UrBackup. Neither carries the password.
func ProbeURBackup(ctx context.Context, cfg model.URBackupConfig, password string) (URBackupReport, error) {
	site, err := urbackupSite.Site(cfg.URL)
	if err != nil {
		return URBackupReport{}, err
	}
	timeout := cfg.Timeout.Duration
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	t, err := httpapi.NewTransport(urbackupSite.Section, cfg.TLSConfig, timeout, httpapi.ConnectionPerRequest)
	if err != nil {
		return URBackupReport{}, err
	}
	s := &urbSession{site: site, timeout: timeout, hc: &http.Client{Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	rep := URBackupReport{URL: site}
	user := strings.TrimSpace(cfg.Username)
	var login map[string]json.RawMessage
	if user == "" {
		login, err = s.post(ctx, "login", url.Values{})
		if err != nil {
			return rep, err
		}
		switch {
		case number(login["error"]) == 3 && login["error"] != nil:
			return rep.with(LoginBanned, banWords), nil
		case truthy(login["success"]) && str(login["session"]) != "":
			s.ses = str(login["session"])
			rep.Login, rep.Message = LoginAnonymous, "the server has no web user: anyone who reaches it gets every right (create one under Settings → Users)"
		default:
			msg := "the server has web users: give a username and its password"
			if u := str(login["admin_only"]); u != "" {
				msg = fmt.Sprintf("the server has web users (e.g. %q): give a username and its password", u)
			}
			return rep.with(LoginNeedsUser, msg), nil
		}
	} else {
		salt, err := s.post(ctx, "salt", url.Values{"username": {user}})
		if err != nil {
			return rep, err
		}
		if e, ok := salt["error"]; ok {
			switch number(e) {
			case 0:
				return rep.with(LoginUnknownUser, fmt.Sprintf("UrBackup has no user %q: check the name (Settings → Users)", user)), nil
			case 3:
				return rep.with(LoginBanned, banWords), nil
			}
			return rep, fmt.Errorf("UrBackup refused a=salt for user %q (error %d)", user, number(e))
		}
		ses, rnd, sl := str(salt["ses"]), str(salt["rnd"]), str(salt["salt"])
		if ses == "" || rnd == "" || sl == "" {
			return rep, errors.New("UrBackup's answer to a=salt lacks ses, salt or rnd: is the url an UrBackup server?")
		}
		proof := urbackup.LoginProof(rnd, sl, password, int(number(salt["pbkdf2_rounds"])))
		login, err = s.post(ctx, "login", url.Values{"username": {user}, "password": {proof}, "ses": {ses}})
		if err != nil {
			return rep, err
		}
		switch e, has := login["error"]; {
		case has && number(e) == 2:
			return rep.with(LoginWrongPassword, fmt.Sprintf("UrBackup says the password of %q is wrong: type it again (each failure counts toward the server's 10-minute ban)", user)), nil
		case has && number(e) == 3:
			return rep.with(LoginBanned, banWords), nil
		case !truthy(login["success"]):
			return rep, fmt.Errorf("UrBackup did not accept the login of user %q", user)
		}
		s.ses = firstNonEmpty(str(login["session"]), ses)
		rep.Login, rep.Message = LoginOK, fmt.Sprintf("logged in as %q", user)
	}
	for _, r := range rights {
		r.Value = str(login[r.Name])
		if rep.Login == LoginAnonymous {
			r.Value = "all"
		}
		if r.Value == "" {
			r.Value = "none"
		}
		rep.Rights = append(rep.Rights, r)
	}
	status, err := s.post(ctx, "status", url.Values{"ses": {s.ses}})
	if err == nil && status["status"] != nil {
		var clients []struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(status["status"], &clients) == nil {
			for _, c := range clients {
				rep.Clients = append(rep.Clients, c.Name)
			}
			sort.Strings(rep.Clients)
		}
	}
	return rep, nil
}

const banWords = "UrBackup refuses logins from this address for a while after 10 failures: wait about 10 minutes, then try once with the right password"

func (r URBackupReport) with(l Login, msg string) URBackupReport {
	r.Login, r.Message = l, msg
	return r
}

// urbSession posts actions to one server.
type urbSession struct {
	site    string
	timeout time.Duration
	hc      *http.Client
	ses     string
}

func (s *urbSession) post(ctx context.Context, action string, form url.Values) (map[string]json.RawMessage, error) {
	rctx, cancel := httpapi.WithRequestTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, s.site+"/x?a="+url.QueryEscape(action), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "backdeck")
	res, err := s.hc.Do(req)
	if err != nil {
		return nil, s.describe(ctx, rctx, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return nil, s.describe(ctx, rctx, err)
	}
	body = bytes.TrimSpace(body)
	if res.StatusCode != http.StatusOK || len(body) == 0 || body[0] != '{' {
		return nil, fmt.Errorf("UrBackup at %s answered a=%s with something that is not its JSON (HTTP %d, %d bytes): is the url the UrBackup web interface (behind nginx: is UrBackup running)?",
			s.site, action, res.StatusCode, len(body))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("cannot decode UrBackup's answer to a=%s: %v", action, err)
	}
	return m, nil
}

func (s *urbSession) describe(ctx, rctx context.Context, err error) error {
	var fe *tlspin.FingerprintError
	var cve *tls.CertificateVerificationError
	switch {
	case errors.As(err, &fe):
		return fmt.Errorf("TLS with UrBackup at %s: %w", s.site, fe)
	case errors.As(err, &cve):
		presented, why := tlspin.Explain(cve, false, "a self-signed certificate?")
		if presented != "" {
			return fmt.Errorf("TLS with UrBackup at %s: %s; it presents the fingerprint %s", s.site, why, presented)
		}
		return fmt.Errorf("TLS with UrBackup at %s: %s", s.site, why)
	case ctx.Err() != nil:
		return ctx.Err()
	case httpapi.TimedOut(rctx, err):
		return fmt.Errorf("UrBackup at %s did not answer within %s", s.site, s.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("cannot reach UrBackup at %s: %s", s.site, dialerr.Reason(err, "should the url start with http://?"))
}

func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	t := strings.TrimSpace(string(raw))
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return t
	}
	return ""
}

func truthy(raw json.RawMessage) bool {
	t := strings.TrimSpace(string(raw))
	return t == "true" || t == "1"
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
