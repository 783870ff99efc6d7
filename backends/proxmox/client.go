// Package proxmox is the Proxmox VE backend: it reads the homelab's guests,
// their vzdump archives and the storages that hold them, and starts and
// follows backups and snapshots as PVE tasks.
//
// go-proxmox v0.8.2 builds the API client and serves the GET and DELETE
// calls (Client.Get / Client.Delete), but only behind our own transport
// (errors.go): its Req turns 401 and 403 into one ErrNotAuthorized (the
// reason PVE gives in the status line is lost), a 500 into the bare status
// line (PVE's message field is lost), and tries to parse JSON out of HTML
// pages. The transport answers every such response with a clear error before
// go-proxmox sees it. POSTs are raw form requests on the same http.Client:
// go-proxmox's Post sends a JSON body, while PVE's API and the lab are
// defined on form parameters. Every decoded shape is project-owned
// (decode.go), because several of go-proxmox's types fail on real payloads.
package proxmox

import (
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

	pve "github.com/luthermonson/go-proxmox"

	"github.com/backdeck/backdeck/backends/httpapi"
	"github.com/backdeck/backdeck/model"
)

// Options configures a Client.
type Options struct {
	Config model.ProxmoxConfig
	// Secret is the token secret, already resolved by the caller. It never
	// appears in an error, a log line or a String().
	Secret string
	// PollInterval is how often Follow polls a task; default 1 s.
	PollInterval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

const (
	defaultTimeout      = 10 * time.Second
	defaultPollInterval = time.Second
	userAgent           = "backdeck"
)

// Client talks to one PVE host (or cluster) through its API.
type Client struct {
	cfg     model.ProxmoxConfig
	secret  string // kept only to send it and to scrub it out of errors
	site    string // "https://pve:8006", for messages
	base    string // site + "/api2/json"
	timeout time.Duration
	poll    time.Duration
	now     func() time.Time
	hc      *http.Client
	api     *pve.Client

	mu        sync.Mutex
	version   string          // cached after the first success
	stopAsked map[string]bool // UPIDs whose stop we requested
	// sizes of the last inventory, to size this one's lists at once: a
	// refresh of a large cluster then grows no list element by element.
	lastResources int
	lastPoints    map[int]int // restore points by vmid
}

// New validates the configuration and builds the client; it sends nothing.
func New(opts Options) (*Client, error) {
	cfg := opts.Config
	site, err := pveURL.Site(cfg.URL)
	if err != nil {
		return nil, err
	}
	if err := checkTokenID(cfg.TokenID); err != nil {
		return nil, err
	}
	secret := strings.TrimSpace(opts.Secret)
	if secret == "" {
		return nil, errors.New("no API token secret for [proxmox]: set token_secret_file or token_secret_env")
	}
	timeout := cfg.Timeout.Duration
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	// pveproxy keeps connections: a refresh's requests share one handshake.
	transport, err := httpapi.NewTransport(pveURL.Section, cfg.TLSConfig, timeout, httpapi.KeepConnections)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:       cfg,
		secret:    secret,
		site:      site,
		base:      site + "/api2/json",
		timeout:   timeout,
		poll:      opts.PollInterval,
		now:       opts.Now,
		stopAsked: map[string]bool{},
	}
	if c.poll <= 0 {
		c.poll = defaultPollInterval
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.hc = &http.Client{Transport: &checkedTransport{
		next:    transport,
		site:    site,
		apiPath: mustPath(c.base),
		tokenID: cfg.TokenID,
	}}
	c.api = pve.NewClient(c.base,
		pve.WithAPIToken(cfg.TokenID, secret),
		pve.WithHTTPClient(c.hc),
		pve.WithUserAgent(userAgent),
		pve.WithLogger(quietLogger{}), // a TUI owns the terminal: nothing may print
	)
	return c, nil
}

// pveURL is how [proxmox]'s url is read: "https://host:8006", with or
// without a trailing slash or /api2/json.
var pveURL = httpapi.BaseURL{
	Section: "[proxmox]",
	Example: "https://pve.example:8006",
	Target:  "the API of the PVE host",
	APIPath: "/api2/json",
}

func mustPath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return "/api2/json"
	}
	return u.Path
}

// checkTokenID wants PVE's "user@realm!tokenname".
func checkTokenID(id string) error {
	at, bang := strings.Index(id, "@"), strings.LastIndex(id, "!")
	if id == "" {
		return errors.New("no token_id in [proxmox]: set it to the API token, e.g. backdeck@pve!console")
	}
	if at <= 0 || bang < at+2 || bang == len(id)-1 || strings.ContainsAny(id, " \t\r\n=") {
		return fmt.Errorf("token_id %q in [proxmox] is not a PVE API token id like backdeck@pve!console", id)
	}
	return nil
}

// Source names the tool this backend talks to.
func (c *Client) Source() model.Source { return model.SourceProxmox }

// Insecure reports whether TLS verification is off (insecure = true).
func (c *Client) Insecure() bool { return c.cfg.Insecure }

// URL is the site the client talks to, e.g. https://pve:8006.
func (c *Client) URL() string { return c.site }

// String describes the client without its secret.
func (c *Client) String() string {
	return fmt.Sprintf("proxmox client for %s as %s", c.site, c.cfg.TokenID)
}

// Get reads the "data" of path (relative to /api2/json, with its query)
// into v, with the client's errors: the first-contact checks of
// backends/probe read what no source needs (/access/permissions,
// /cluster/backup) through it.
func (c *Client) Get(ctx context.Context, path string, v any) error { return c.get(ctx, path, v) }

// get reads path (relative to /api2/json) into v through go-proxmox.
func (c *Client) get(ctx context.Context, path string, v any) error {
	return c.getData(ctx, path, func(dec *json.Decoder) error { return dec.Decode(v) })
}

// getData reads path and hands the decoder to data positioned at the
// answer's "data" member, as it arrives: the answer is never held whole
// (go-proxmox's Get reads it whole and decodes it twice, which costs
// megabytes a refresh on a large cluster).
func (c *Client) getData(ctx context.Context, path string, data func(*json.Decoder) error) error {
	rctx, cancel := httpapi.WithRequestTimeout(ctx, c.timeout)
	defer cancel()
	return c.explain(ctx, rctx, http.MethodGet, path, c.rawGet(rctx, path, data))
}

func (c *Client) rawGet(ctx context.Context, path string, data func(*json.Decoder) error) error {
	res, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	return decodeEnvelope(json.NewDecoder(res.Body), data)
}

// do sends one request to the API with the token; form, when not nil, is
// the body.
func (c *Client) do(ctx context.Context, method, path string, form url.Values) (*http.Response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Authorization", "PVEAPIToken="+c.cfg.TokenID+"="+c.secret)
	return c.hc.Do(req)
}

// decodeEnvelope walks PVE's {"data": …} and calls data at the member;
// other members are skipped.
func decodeEnvelope(dec *json.Decoder, data func(*json.Decoder) error) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("the answer is not a JSON object (it starts with %v)", tok)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fmt.Errorf("reading the answer: %w", err)
		}
		if key == "data" {
			if err := data(dec); err != nil {
				return err
			}
			continue
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fmt.Errorf("reading the answer: %w", err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	return nil
}

// eachElement decodes a "data" list one element at a time into one reused
// T, so that a list of thousands costs no slice of thousands; fn copies
// what it keeps. null is an empty list.
func eachElement[T any](fn func(*T)) func(*json.Decoder) error {
	return func(dec *json.Decoder) error {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("reading the answer: %w", err)
		}
		if tok == nil {
			return nil
		}
		if tok != json.Delim('[') {
			return fmt.Errorf("the answer's data is not a list (it starts with %v)", tok)
		}
		var e T
		for dec.More() {
			var zero T
			e = zero
			if err := dec.Decode(&e); err != nil {
				return err
			}
			fn(&e)
		}
		_, err = dec.Token()
		return err
	}
}

// del sends a DELETE through go-proxmox; v may be nil.
func (c *Client) del(ctx context.Context, path string, v any) error {
	rctx, cancel := httpapi.WithRequestTimeout(ctx, c.timeout)
	defer cancel()
	return c.explain(ctx, rctx, http.MethodDelete, path, c.api.Delete(rctx, path, v))
}

// post sends form parameters, as PVE's API (and pvesh, and the web UI) do;
// go-proxmox's Post would send JSON. v receives the "data" member.
func (c *Client) post(ctx context.Context, path string, form url.Values, v any) error {
	rctx, cancel := httpapi.WithRequestTimeout(ctx, c.timeout)
	defer cancel()
	return c.explain(ctx, rctx, http.MethodPost, path, c.rawForm(rctx, http.MethodPost, path, form, v))
}

// put sends form parameters with PUT, as post does.
func (c *Client) put(ctx context.Context, path string, form url.Values, v any) error {
	rctx, cancel := httpapi.WithRequestTimeout(ctx, c.timeout)
	defer cancel()
	return c.explain(ctx, rctx, http.MethodPut, path, c.rawForm(rctx, http.MethodPut, path, form, v))
}

func (c *Client) rawForm(ctx context.Context, method, path string, form url.Values, v any) error {
	if form == nil {
		form = url.Values{}
	}
	res, err := c.do(ctx, method, path, form)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return err
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return err
	}
	if v == nil || len(env.Data) == 0 {
		return nil
	}
	return json.Unmarshal(env.Data, v)
}

// quietLogger discards go-proxmox's log lines.
type quietLogger struct{}

func (quietLogger) Debugf(string, ...interface{}) {}
func (quietLogger) Errorf(string, ...interface{}) {}
func (quietLogger) Infof(string, ...interface{})  {}
func (quietLogger) Warnf(string, ...interface{})  {}

// String describes the options without the secret, so that printing them
// (%v, %+v) cannot leak it.
func (o Options) String() string {
	return fmt.Sprintf("proxmox options for %s as %s (secret set: %v)", o.Config.URL, o.Config.TokenID, o.Secret != "")
}

// GoString keeps the secret out of %#v too.
func (o Options) GoString() string { return o.String() }
