package pve

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// client is a plain net/http client that pins the server's certificate by
// its SHA-256, as backdeck's proxmox backend does.
type client struct {
	t     testing.TB
	p     *Server
	hc    *http.Client
	token string
}

func startLab(t *testing.T, opts Options) (*Server, *client) {
	t.Helper()
	if opts.BackupDuration == 0 {
		opts.BackupDuration = 1500 * time.Millisecond
	}
	if opts.TaskDuration == 0 {
		opts.TaskDuration = 300 * time.Millisecond
	}
	p, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p, newClient(t, p, "PVEAPIToken="+p.TokenID()+"="+p.TokenSecret())
}

func newClient(t testing.TB, p *Server, auth string) *client {
	want := p.Fingerprint()
	tlsCfg := &tls.Config{
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			sum := sha256.Sum256(raw[0])
			var parts []string
			for _, b := range sum {
				parts = append(parts, fmt.Sprintf("%02X", b))
			}
			if got := strings.Join(parts, ":"); got != want {
				return fmt.Errorf("fingerprint %s, want %s", got, want)
			}
			return nil
		},
	}
	return &client{t: t, p: p, token: auth, hc: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: tlsCfg},
	}}
}

// do sends a request under /api2/json; form goes in the body for POST and in
// the query otherwise.
func (c *client) do(method, path string, form url.Values) (*http.Response, []byte) {
	c.t.Helper()
	u := c.p.URL() + "/api2/json" + path
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	} else if len(form) > 0 {
		u += "?" + form.Encode()
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, b
}

// call expects 200 and decodes "data" into out (when out is not nil).
func (c *client) call(method, path string, form url.Values, out any) {
	c.t.Helper()
	resp, b := c.do(method, path, form)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, env.Data)
		}
	}
}

func (c *client) get(path string, out any) { c.t.Helper(); c.call(http.MethodGet, path, nil, out) }

// apiErr expects a failure and returns its status line and "message".
func (c *client) apiErr(method, path string, form url.Values) (string, string, map[string]string) {
	c.t.Helper()
	resp, b := c.do(method, path, form)
	if resp.StatusCode == http.StatusOK {
		c.t.Fatalf("%s %s: want an error, got %s", method, path, b)
	}
	var env struct {
		Data    any               `json:"data"`
		Message string            `json:"message"`
		Errors  map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		c.t.Fatalf("%s %s: error body %q: %v", method, path, b, err)
	}
	return resp.Status, env.Message, env.Errors
}

type taskStatus struct {
	UPID       string `json:"upid"`
	Status     string `json:"status"`
	ExitStatus string `json:"exitstatus"`
	Type       string `json:"type"`
	ID         string `json:"id"`
	User       string `json:"user"`
	TokenID    string `json:"tokenid"`
	StartTime  int64  `json:"starttime"`
}

type logLineJSON struct {
	N int    `json:"n"`
	T string `json:"t"`
}

func (c *client) status(upid string) taskStatus {
	c.t.Helper()
	var st taskStatus
	c.get("/nodes/"+upidNode(upid)+"/tasks/"+url.PathEscape(upid)+"/status", &st)
	return st
}

// upidNode is the node a task runs on, as its UPID names it.
func upidNode(upid string) string {
	if u, ok := parseUPID(upid); ok {
		return u.node
	}
	return "pve"
}

// follow reads a task's log incrementally until it stops, checking that line
// numbers grow by one, and returns the whole log and the final status.
func (c *client) follow(upid string, during func(taskStatus)) ([]string, taskStatus) {
	c.t.Helper()
	var lines []string
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := c.status(upid)
		for {
			var chunk []logLineJSON
			c.get(fmt.Sprintf("/nodes/%s/tasks/%s/log?start=%d&limit=7", upidNode(upid), url.PathEscape(upid), len(lines)), &chunk)
			if len(chunk) == 1 && chunk[0].T == "no content" && len(lines) == 0 {
				break
			}
			for _, l := range chunk {
				if l.N != len(lines)+1 {
					c.t.Fatalf("log line n=%d after %d lines (%q)", l.N, len(lines), l.T)
				}
				lines = append(lines, l.T)
			}
			if len(chunk) < 7 {
				break
			}
		}
		if st.Status == "stopped" {
			return lines, st
		}
		if during != nil {
			during(st)
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("task %s still running", upid)
		}
		time.Sleep(40 * time.Millisecond)
	}
}
