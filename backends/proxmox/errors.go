package proxmox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/dialerr"
	"github.com/backdeck/backdeck/backends/httpapi"
	"github.com/backdeck/backdeck/backends/tlspin"
)

// maxBody bounds what is read of one answer (cluster/resources of a large
// cluster is a few MB at most).
const maxBody = 64 << 20

// checkedTransport turns every answer that is not JSON from PVE into an
// *APIError before go-proxmox sees it: go-proxmox's Req reports 401 and 403
// as one ErrNotAuthorized (losing the status line, where PVE puts the only
// reason), a 500 as the bare status line (losing PVE's message field) and
// parses HTML pages as JSON. With the check here, go-proxmox's Get and
// Delete and our raw POST share one set of messages.
type checkedTransport struct {
	next    http.RoundTripper
	site    string // for messages
	apiPath string // "/api2/json", cut from paths in messages
	tokenID string
}

func (t *checkedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		return res, nil // the http.Client follows redirects
	}
	ae := &APIError{
		Site:       t.site,
		Method:     req.Method,
		Path:       strings.TrimPrefix(req.URL.Path, t.apiPath),
		StatusCode: res.StatusCode,
		Reason:     httpapi.StatusReason(res.Status, res.StatusCode),
		TokenID:    t.tokenID,
	}
	if res.StatusCode == http.StatusUnauthorized {
		// PVE sends an empty body and the reason in the status line only;
		// never parse a body here.
		res.Body.Close()
		return nil, ae
	}
	ct := res.Header.Get("Content-Type")
	if res.StatusCode < 300 && !strings.Contains(ct, "html") {
		// An answer that starts as JSON is passed on as a stream: a large
		// one (a content listing of thousands of archives) is then decoded
		// as it arrives instead of being held whole.
		br := bufio.NewReaderSize(io.LimitReader(res.Body, maxBody), 4096)
		if first, ok := firstByte(br); ok && (first == '{' || first == '[') {
			res.Body = readCloser{br, res.Body}
			res.ContentLength = -1
			return res, nil
		}
		res.Body = readCloser{br, res.Body}
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case strings.Contains(ct, "html") || bytes.HasPrefix(trimmed, []byte("<")):
		ae.HTML = true
		return nil, ae
	case len(trimmed) == 0:
		if res.StatusCode < 300 {
			body = []byte(`{"data":null}`)
		}
	case trimmed[0] != '{' && trimmed[0] != '[':
		// Every API answer is a JSON object; a cheap look at the first byte
		// is enough here (a full validation would parse large answers twice
		// more), and broken JSON still fails clearly when decoded.
		if res.StatusCode < 300 {
			ae.NotJSON, ae.ContentType, ae.Size = true, ct, len(body)
			return nil, ae
		}
	default:
		if res.StatusCode >= 400 {
			var e struct {
				Message string            `json:"message"`
				Errors  map[string]string `json:"errors"`
			}
			_ = json.Unmarshal(trimmed, &e) // best effort: the status line stays
			ae.Message, ae.Params = strings.TrimSpace(e.Message), e.Errors
		}
	}
	if res.StatusCode >= 400 {
		return nil, ae
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	return res, nil
}

// firstByte is the first byte of br that is not white space, left unread.
func firstByte(br *bufio.Reader) (byte, bool) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, false
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.ReadByte()
		default:
			return b[0], true
		}
	}
}

// readCloser reads from r and closes c (the response's own body).
type readCloser struct {
	io.Reader
	c io.Closer
}

func (r readCloser) Close() error { return r.c.Close() }

// APIError is an answer from the server that is an error, or is not the
// JSON the API speaks.
type APIError struct {
	Site        string
	Method      string
	Path        string // relative to /api2/json
	StatusCode  int
	Reason      string            // the status line's text
	Message     string            // PVE's "message" member (PVE 8.3+), trimmed
	Params      map[string]string // PVE's "errors" member: parameter → problem
	TokenID     string
	HTML        bool // an HTML page instead of JSON
	NotJSON     bool // something else that is not JSON
	ContentType string
	Size        int
}

var permissionRE = regexp.MustCompile(`\(([^,()]+),\s*([^()]+)\)`)

func (e *APIError) Error() string {
	switch {
	case e.StatusCode == http.StatusUnauthorized:
		return fmt.Sprintf("PVE rejected the API token %s: %d %s — check token_id and the secret file", e.TokenID, e.StatusCode, e.Reason)
	case e.HTML:
		return fmt.Sprintf("PVE at %s answered with an HTML page, not JSON: is the url the API of a PVE host (port 8006)? (HTTP %d %s on %s %s)", e.Site, e.StatusCode, e.Reason, e.Method, e.Path)
	case e.NotJSON:
		ct := e.ContentType
		if ct == "" {
			ct = "no content type"
		}
		return fmt.Sprintf("PVE at %s answered %s %s with something that is not JSON (HTTP %d, %s, %d bytes): is the url the API of a PVE host (port 8006)?", e.Site, e.Method, e.Path, e.StatusCode, ct, e.Size)
	case e.StatusCode == http.StatusForbidden:
		text := firstOf(e.Message, e.Reason)
		if m := permissionRE.FindStringSubmatch(text); m != nil {
			return fmt.Sprintf("PVE refused %s %s to the token %s: %s — grant it the privilege %s on %s", e.Method, e.Path, e.TokenID, text, strings.TrimSpace(m[2]), strings.TrimSpace(m[1]))
		}
		return fmt.Sprintf("PVE refused %s %s to the token %s: %d %s — check the token's permissions", e.Method, e.Path, e.TokenID, e.StatusCode, text)
	}
	text := firstOf(e.Message, e.Reason)
	if len(e.Params) > 0 {
		keys := make([]string, 0, len(e.Params))
		for k := range e.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+": "+strings.TrimSpace(e.Params[k]))
		}
		text += " (" + strings.Join(parts, "; ") + ")"
	}
	return fmt.Sprintf("PVE failed %s %s (HTTP %d): %s", e.Method, e.Path, e.StatusCode, text)
}

// gone reports whether PVE says the thing asked for does not exist: a 404,
// or a 400/500 saying so ("no such task" comes as a parameter error of upid
// or as a 500, depending on the version).
func (e *APIError) gone() bool {
	if e.StatusCode == http.StatusNotFound {
		return true
	}
	if e.StatusCode != http.StatusInternalServerError && e.StatusCode != http.StatusBadRequest {
		return false
	}
	t := e.Message + " " + e.Reason
	for _, v := range e.Params {
		t += " " + v
	}
	t = strings.ToLower(t)
	return strings.Contains(t, "no such") || strings.Contains(t, "not found") ||
		strings.Contains(t, "does not exist") || strings.Contains(t, "unable to open")
}

// TimeoutError says a request got no answer in time.
type TimeoutError struct {
	Site, Method, Path string
	After              time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("PVE at %s did not answer %s %s within %s (timeout in [proxmox])", e.Site, e.Method, e.Path, e.After)
}

// Unwrap lets errors.Is(err, context.DeadlineExceeded) hold.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// UnreachableError says the connection itself failed.
type UnreachableError struct {
	Site, Reason string
	Err          error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach PVE at %s: %s", e.Site, e.Reason)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// explain turns what a request returned into an error the operator can act
// on. ctx is the caller's context, rctx the request's (with its timeout).
func (c *Client) explain(ctx, rctx context.Context, method, path string, err error) error {
	if err == nil {
		return nil
	}
	return c.scrub(c.describe(ctx, rctx, method, path, err))
}

func (c *Client) describe(ctx, rctx context.Context, method, path string, err error) error {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	var fe *tlspin.FingerprintError
	if errors.As(err, &fe) {
		return fmt.Errorf("TLS with PVE at %s: %w", c.site, fe)
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return c.certError(cve)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s %s on PVE at %s: %w", method, path, c.site, ctx.Err())
	}
	if httpapi.TimedOut(rctx, err) {
		return &TimeoutError{Site: c.site, Method: method, Path: path, After: c.timeout}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &UnreachableError{Site: c.site, Reason: dialReason(ue.Err), Err: ue.Err}
	}
	// The exchange itself worked (the transport checked the answer is
	// JSON): what is left is a shape our types do not accept.
	return fmt.Errorf("cannot decode PVE's answer to %s %s: %v", method, path, err)
}

// certError explains a failed certificate verification and offers the
// fingerprint the server presented, ready to pin.
func (c *Client) certError(cve *tls.CertificateVerificationError) error {
	presented, why := tlspin.Explain(cve, c.cfg.CAFile != "", "PVE's own certificates are self-signed")
	if presented == "" {
		return fmt.Errorf("TLS with PVE at %s: %s", c.site, why)
	}
	return fmt.Errorf("TLS with PVE at %s: %s; it presents the fingerprint %s: if that is your PVE host's certificate (node > System > Certificates), set fingerprint = %q in [proxmox]",
		c.site, why, presented, presented)
}

// scrub keeps the secret out of any message, whatever a server echoed.
func (c *Client) scrub(err error) error {
	if err == nil || c.secret == "" || !strings.Contains(err.Error(), c.secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), c.secret, "<secret>"))
}

func firstOf(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// dialReason says in words why a connection to PVE failed.
func dialReason(err error) string {
	return dialerr.Reason(err, "is the url right (https://host:8006)?")
}
