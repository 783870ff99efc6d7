// Package urbackup is the UrBackup backend: it reads the clients of an
// UrBackup server with their file (and image) backups through the web API
// the server's own web UI uses, and starts, follows and stops backups.
//
// The API: POST {url}/x?a=ACTION with form parameters in the body and the
// session in "ses". Every answer is "HTTP/1.1 200 ok"; errors are JSON
// members ({"error":1} = no session or no right) or, for start_backup, an
// empty body. The server writes no Content-Length and closes the connection
// after every answer, so the transport never keeps connections (keep-alive
// reuse of a connection the server is closing would fail a POST, which Go
// does not retry).
package urbackup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/backdeck/backdeck/backends/httpapi"
	"github.com/backdeck/backdeck/model"
)

// Options configures a Client.
type Options struct {
	// Config is the [urbackup] section: url (http or https; "/x" is added),
	// username, TLS options, timeout, the folders of each client.
	Config model.URBackupConfig
	// Password is the web user's password, already resolved by the caller;
	// "" with no username means a server without web users. It never
	// appears in an error, a log line or a String().
	Password string
	// PollInterval is how often Follow polls the server; default 1 s.
	PollInterval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// String describes the options without the password, so that printing them
// (%v, %+v) cannot leak it.
func (o Options) String() string {
	return fmt.Sprintf("urbackup options for %s as %q (password set: %v)", o.Config.URL, o.Config.Username, o.Password != "")
}

// GoString keeps the password out of %#v too.
func (o Options) GoString() string { return o.String() }

const (
	defaultTimeout      = 10 * time.Second
	defaultPollInterval = time.Second
	// appearWait is how long Follow waits for a started backup to show in
	// a=progress (or for the server's logs to say why it failed): the
	// server only passes the request on, the client has to connect and
	// begin.
	defaultAppearWait = 60 * time.Second
	// stopWait is how long Stop waits for a just-started backup to show up
	// before it gives up (it needs the process id).
	defaultStopWait = 10 * time.Second
	// logsAfter is how long a started backup may take to show before its
	// client's logs are read for a failure, and how often they are read
	// again: a real backup shows at once, and each read costs a request.
	defaultLogsAfter = 2 * time.Second
	// authHold is how long a definite login failure is remembered: the
	// server bans an address for 10 minutes after 10 failures, so refresh
	// cycles must not keep trying a wrong password.
	defaultAuthHold = 60 * time.Second
	userAgent       = "backdeck"
	// maxBody bounds what is read of one answer (a long backup list is a
	// few hundred KB).
	maxBody = 32 << 20
)

// Client talks to one UrBackup server through its web API.
type Client struct {
	cfg      model.URBackupConfig
	password string // kept only to compute login proofs and to scrub errors
	site     string // "https://bkpserver", for messages
	endpoint string // site + "/x"
	timeout  time.Duration
	poll     time.Duration
	now      func() time.Time
	// tick is the clock speeds and waits are measured on: real time (the
	// fake clocks of tests do not move); replays of recorded series set it.
	tick    func() time.Time
	hc      *http.Client
	folders map[string][]string

	// Tunables of the job logic; tests in the package shorten them.
	appearWait time.Duration
	stopWait   time.Duration
	logsAfter  time.Duration
	authHold   time.Duration

	loginMu sync.Mutex // one login at a time: concurrent expiries share it

	mu        sync.Mutex
	ses       string
	authErr   error     // the last definite login failure…
	authErrAt time.Time // …and when it happened (wall clock, monotonic)
	last      *statusAnswer
	jobs      map[string]*jobTrack // by job id
	logsOff   bool                 // the web user may not read a=logs

	// settingsRefused: the web user may not read client settings (see
	// readClientSettings); asked once, not on every refresh.
	settingsRefused bool
}

// New validates the configuration and builds the client; it sends nothing.
func New(opts Options) (*Client, error) {
	cfg := opts.Config
	site, err := urbackupURL.Site(cfg.URL)
	if err != nil {
		return nil, err
	}
	cfg.Username = strings.TrimSpace(cfg.Username)
	switch {
	case cfg.Username == "" && opts.Password != "":
		return nil, errors.New("[urbackup] has a password but no username: set username too (or drop the password for a server without web users)")
	case cfg.Username != "" && opts.Password == "":
		return nil, fmt.Errorf("no password for UrBackup user %q: set password_file or password_env in [urbackup]", cfg.Username)
	}
	timeout := cfg.Timeout.Duration
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	// UrBackup closes every connection after its answer.
	transport, err := httpapi.NewTransport(urbackupURL.Section, cfg.TLSConfig, timeout, httpapi.ConnectionPerRequest)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:        cfg,
		password:   opts.Password,
		site:       site,
		endpoint:   site + "/x",
		timeout:    timeout,
		poll:       opts.PollInterval,
		now:        opts.Now,
		tick:       time.Now,
		folders:    map[string][]string{},
		appearWait: defaultAppearWait,
		stopWait:   defaultStopWait,
		logsAfter:  defaultLogsAfter,
		authHold:   defaultAuthHold,
		jobs:       map[string]*jobTrack{},
	}
	if c.poll <= 0 {
		c.poll = defaultPollInterval
	}
	if c.now == nil {
		c.now = time.Now
	}
	for _, cl := range cfg.Clients {
		c.folders[cl.Name] = append(c.folders[cl.Name], cl.Folders...)
	}
	c.hc = &http.Client{
		Transport: transport,
		// The API never redirects; a redirect is a proxy sending us to a
		// login page, which the HTML check then reports.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// urbackupURL is how [urbackup]'s url is read: "https://bkpserver", with
// or without a trailing slash or /x; the base is where the web UI is served.
var urbackupURL = httpapi.BaseURL{
	Section: "[urbackup]",
	Example: "https://bkpserver.example",
	Target:  "the address of the UrBackup web interface",
	APIPath: "/x",
}

// Source names the tool this backend talks to.
func (c *Client) Source() model.Source { return model.SourceURBackup }

// Insecure reports whether TLS verification is off (insecure = true).
func (c *Client) Insecure() bool { return c.cfg.Insecure }

// URL is the base the client talks to, e.g. https://bkpserver.
func (c *Client) URL() string { return c.site }

// String describes the client without its password.
func (c *Client) String() string {
	if c.cfg.Username == "" {
		return fmt.Sprintf("urbackup client for %s (no web user)", c.site)
	}
	return fmt.Sprintf("urbackup client for %s as %q", c.site, c.cfg.Username)
}

// post sends one action with form parameters and returns the body: nil
// for an empty body (start_backup's way of saying "no session"), else
// something that starts like JSON. Everything else becomes an error.
func (c *Client) post(ctx context.Context, action string, form url.Values) ([]byte, error) {
	rctx, cancel := httpapi.WithRequestTimeout(ctx, c.timeout)
	defer cancel()
	body, err := c.rawPost(rctx, action, form)
	if err != nil {
		return nil, c.scrub(c.describe(ctx, rctx, action, err))
	}
	return body, nil
}

func (c *Client) rawPost(ctx context.Context, action string, form url.Values) ([]byte, error) {
	u := c.endpoint + "?a=" + url.QueryEscape(action)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	// No Content-Length: the body ends when the server closes.
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return nil, err
	}
	return c.check(action, res, body)
}

// check turns an answer that is not the API's JSON into an error.
func (c *Client) check(action string, res *http.Response, body []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(body)
	ct := res.Header.Get("Content-Type")
	// The server answers an action it does not know (or has not registered
	// yet, while starting) with HTTP 200, text/html and this text.
	if name, ok := unknownAction(trimmed); ok {
		return nil, &UnknownActionError{Site: c.site, Action: firstOf(name, action)}
	}
	ae := &APIError{Site: c.site, Action: action, StatusCode: res.StatusCode, Reason: httpapi.StatusReason(res.Status, res.StatusCode), ContentType: ct, Size: len(body)}
	switch {
	case strings.Contains(strings.ToLower(ct), "html") || bytes.HasPrefix(trimmed, []byte("<")):
		ae.HTML = true
		return nil, ae
	case res.StatusCode < 200 || res.StatusCode >= 300:
		return nil, ae
	case len(trimmed) == 0:
		return nil, nil
	case trimmed[0] != '{' && trimmed[0] != '[':
		ae.NotJSON = true
		return nil, ae
	}
	return trimmed, nil
}

// unknownAction recognises "Error: Unknown action [name]".
func unknownAction(body []byte) (string, bool) {
	const prefix = "Error: Unknown action"
	if !bytes.HasPrefix(body, []byte(prefix)) {
		return "", false
	}
	rest := strings.TrimSpace(string(body[len(prefix):]))
	rest = strings.TrimPrefix(rest, "[")
	if i := strings.IndexByte(rest, ']'); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}

// call runs an action in the session, logging in first when there is none.
// When the server says the session is gone ({"error":1} or an empty body)
// it logs in again once and repeats the action once; a second refusal is
// an error, never a loop (failed logins get the address banned).
func (c *Client) call(ctx context.Context, action string, form url.Values, v any) error {
	ses, err := c.session(ctx)
	if err != nil {
		return err
	}
	body, err := c.send(ctx, action, form, ses)
	if err != nil {
		return err
	}
	if expired(body) {
		if ses, err = c.renew(ctx, ses); err != nil {
			return err
		}
		if body, err = c.send(ctx, action, form, ses); err != nil {
			return err
		}
		if expired(body) {
			return c.refused(action, body)
		}
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("cannot decode UrBackup's answer to a=%s: %v", action, err)
	}
	return nil
}

func (c *Client) send(ctx context.Context, action string, form url.Values, ses string) ([]byte, error) {
	f := url.Values{}
	for k, vs := range form {
		f[k] = vs
	}
	f.Set("ses", ses)
	return c.post(ctx, action, f)
}

// expired reports whether an answer means "no (valid) session".
func expired(body []byte) bool {
	if len(body) == 0 {
		return true
	}
	var e struct {
		Error num `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return false
	}
	return e.Error.Valid && e.Error.V == 1
}

// refused explains a refusal that came right after a fresh login: the user
// lacks the right for the action.
func (c *Client) refused(action string, body []byte) error {
	who := "the anonymous session"
	if c.cfg.Username != "" {
		who = fmt.Sprintf("user %q", c.cfg.Username)
	}
	what := "answered {\"error\":1}"
	if len(body) == 0 {
		what = "answered with an empty body"
	}
	return &RightsError{msg: fmt.Sprintf("UrBackup %s to a=%s right after a fresh login: %s lacks the right for it (UrBackup › Settings › Users › rights)", what, action, who)}
}

func firstOf(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}
