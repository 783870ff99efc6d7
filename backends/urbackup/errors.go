package urbackup

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/dialerr"
	"github.com/backdeck/backdeck/backends/httpapi"
	"github.com/backdeck/backdeck/backends/tlspin"
)

// APIError is an answer that is not the JSON the API speaks: an HTML page
// (nginx's 502 while UrBackup is down), another HTTP status, something else.
type APIError struct {
	Site        string
	Action      string
	StatusCode  int
	Reason      string // the status line's text
	HTML        bool
	NotJSON     bool
	ContentType string
	Size        int
}

func (e *APIError) Error() string {
	switch {
	case e.HTML && e.StatusCode >= 500:
		return fmt.Sprintf("UrBackup at %s answered with an HTML page (HTTP %d %s), not JSON: is the UrBackup server running behind nginx?", e.Site, e.StatusCode, e.Reason)
	case e.HTML:
		return fmt.Sprintf("UrBackup at %s answered with an HTML page (HTTP %d %s), not JSON: is url in [urbackup] the address of the UrBackup web interface?", e.Site, e.StatusCode, e.Reason)
	case e.NotJSON:
		ct := firstOf(e.ContentType, "no content type")
		return fmt.Sprintf("UrBackup at %s answered a=%s with something that is not JSON (HTTP %d, %s, %d bytes): is url in [urbackup] the address of the UrBackup web interface?", e.Site, e.Action, e.StatusCode, ct, e.Size)
	}
	return fmt.Sprintf("UrBackup at %s answered a=%s with HTTP %d %s (it always answers 200): is something else at this url?", e.Site, e.Action, e.StatusCode, e.Reason)
}

// UnknownActionError is "Error: Unknown action [x]": the server is starting
// (it registers its actions late) or is a version without the action.
type UnknownActionError struct {
	Site, Action string
}

func (e *UnknownActionError) Error() string {
	return fmt.Sprintf("UrBackup is still starting or too old: it does not know action %s", e.Action)
}

// TimeoutError says a request got no answer in time.
type TimeoutError struct {
	Site, Action string
	After        time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("UrBackup at %s did not answer a=%s within %s (timeout in [urbackup])", e.Site, e.Action, e.After)
}

// Unwrap lets errors.Is(err, context.DeadlineExceeded) hold.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// UnreachableError says the connection itself failed.
type UnreachableError struct {
	Site, Reason string
	Err          error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach UrBackup at %s: %s", e.Site, e.Reason)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// AuthError is a definite login failure: unknown user, wrong password, or
// the server's ban after too many failures. Retrying cannot help (and adds
// to the ban), so it is remembered for a while.
type AuthError struct {
	msg string
}

func (e *AuthError) Error() string { return e.msg }

// RightsError says the server refused an action right after a fresh login:
// the user lacks the right for it.
type RightsError struct {
	msg string
}

func (e *RightsError) Error() string { return e.msg }

// fatal says polling again cannot help.
func fatal(err error) bool {
	var ae *AuthError
	var re *RightsError
	return errors.As(err, &ae) || errors.As(err, &re)
}

// describe turns a failed exchange into an error the operator can act on.
// ctx is the caller's context, rctx the request's (with its timeout).
func (c *Client) describe(ctx, rctx context.Context, action string, err error) error {
	var ae *APIError
	var ua *UnknownActionError
	if errors.As(err, &ae) || errors.As(err, &ua) {
		return err
	}
	var fe *tlspin.FingerprintError
	if errors.As(err, &fe) {
		return fmt.Errorf("TLS with UrBackup at %s: %w", c.site, fe)
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return c.certError(cve)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("a=%s on UrBackup at %s: %w", action, c.site, ctx.Err())
	}
	if httpapi.TimedOut(rctx, err) {
		return &TimeoutError{Site: c.site, Action: action, After: c.timeout}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &UnreachableError{Site: c.site, Reason: dialReason(ue.Err), Err: ue.Err}
	}
	return fmt.Errorf("a=%s on UrBackup at %s: %v", action, c.site, err)
}

// certError explains a failed certificate verification and offers the
// fingerprint the server presented, ready to pin.
func (c *Client) certError(cve *tls.CertificateVerificationError) error {
	presented, why := tlspin.Explain(cve, c.cfg.CAFile != "", "a self-signed certificate?")
	if presented == "" {
		return fmt.Errorf("TLS with UrBackup at %s: %s", c.site, why)
	}
	return fmt.Errorf("TLS with UrBackup at %s: %s; it presents the fingerprint %s: if that is your server's certificate, set fingerprint = %q in [urbackup]",
		c.site, why, presented, presented)
}

// scrub keeps the password out of any message, whatever a server echoed.
func (c *Client) scrub(err error) error {
	if err == nil || c.password == "" || !strings.Contains(err.Error(), c.password) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), c.password, "<password>"))
}

// dialReason says in words why a connection to UrBackup failed.
func dialReason(err error) string {
	return dialerr.Reason(err, "should url in [urbackup] start with http://?")
}
