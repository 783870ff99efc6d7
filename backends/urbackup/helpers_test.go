package urbackup

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

const fixtureDir = "testdata"

// fixture is one recorded exchange with the real UrBackup 2.5.33.
type fixture struct {
	Name    string `json:"name"`
	Request struct {
		URL  string            `json:"url"`
		Body *string           `json:"body"`
		Form map[string]string `json:"form"`
	} `json:"request"`
	Response struct {
		StatusLine string          `json:"status_line"`
		Headers    []string        `json:"headers"`
		Body       string          `json:"body"`
		JSON       json.RawMessage `json:"json"`
	} `json:"response"`
}

func loadFixture(t testing.TB, name string) fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

func fixtureNames(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures in %s: %v", fixtureDir, err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".json"))
	}
	return names
}

// writeRaw answers the way UrBackup does: its own status line ("HTTP/1.1
// 200 ok"), its headers, no Content-Length, and the body ended by closing
// the connection.
func writeRaw(w http.ResponseWriter, statusLine string, headers []string, body string) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	var sb strings.Builder
	sb.WriteString(statusLine + "\r\n")
	for _, h := range headers {
		sb.WriteString(h + "\r\n")
	}
	sb.WriteString("\r\n")
	sb.WriteString(body)
	buf.WriteString(sb.String())
	buf.Flush()
}

var jsonHeaders = []string{"Cache-Control: max-age=0", "Content-type: application/json", "X-Frame-Options: DENY"}

// writeJSON answers a JSON body the way UrBackup does.
func writeJSON(w http.ResponseWriter, body string) {
	writeRaw(w, "HTTP/1.1 200 ok", jsonHeaders, body)
}

// replay answers with a recorded response, exactly.
func replay(w http.ResponseWriter, f fixture) {
	writeRaw(w, f.Response.StatusLine, f.Response.Headers, f.Response.Body)
}

// readForm reads the POST body as the server does (form-urlencoded,
// whatever the content type says).
func readForm(r *http.Request) url.Values {
	b, _ := io.ReadAll(bufio.NewReader(r.Body))
	v, _ := url.ParseQuery(string(b))
	return v
}

func newTestClient(t testing.TB, rawURL, user, password string, mods ...func(*Options)) *Client {
	t.Helper()
	opts := Options{
		Config:       model.URBackupConfig{URL: rawURL, Username: user},
		Password:     password,
		PollInterval: 5 * time.Millisecond,
	}
	opts.Config.Timeout.Duration = 2 * time.Second
	for _, m := range mods {
		m(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func startServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// checkSecretFree fails when an error carries the password.
func checkSecretFree(t *testing.T, err error, password string) {
	t.Helper()
	if err != nil && password != "" && strings.Contains(err.Error(), password) {
		t.Errorf("the password is in the error: %v", err)
	}
}
