package proxmox

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/model"
)

// cannedTransport answers from recorded responses: a benchmark through it
// counts the client's allocations alone, not a server's.
type cannedTransport struct {
	next http.RoundTripper // set while recording

	mu     sync.Mutex
	bodies map[string][]byte
	heads  map[string]http.Header
	codes  map[string]int
}

func (c *cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.Method + " " + req.URL.RequestURI()
	if c.next != nil {
		res, err := c.next.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.bodies[key], c.heads[key], c.codes[key] = body, res.Header, res.StatusCode
		c.mu.Unlock()
		res.Body = io.NopCloser(bytes.NewReader(body))
		return res, nil
	}
	c.mu.Lock()
	body, ok := c.bodies[key]
	head, code := c.heads[key], c.codes[key]
	c.mu.Unlock()
	if !ok {
		return &http.Response{StatusCode: http.StatusNotFound, Status: "404 not recorded", Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	}
	return &http.Response{StatusCode: code, Status: http.StatusText(code), Header: head, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}, nil
}

// BenchmarkObserve1000GuestsClient is one refresh of a PVE with 1,000 more
// guests (and their archives), answered from a recording of the lab, so that
// B/op and allocs/op are the client's own.
func BenchmarkObserve1000GuestsClient(b *testing.B) {
	p, err := labpve.Start(labpve.Options{ExtraGuests: 1000, Now: func() time.Time { return time.Date(2026, 11, 25, 14, 22, 0, 0, time.UTC) }})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	c, err := New(Options{Config: model.ProxmoxConfig{URL: p.URL(), TokenID: p.TokenID(),
		TLSConfig: model.TLSConfig{Fingerprint: p.Fingerprint()}}, Secret: p.TokenSecret()})
	if err != nil {
		b.Fatal(err)
	}
	ct := c.hc.Transport.(*checkedTransport)
	canned := &cannedTransport{next: ct.next, bodies: map[string][]byte{}, heads: map[string]http.Header{}, codes: map[string]int{}}
	ct.next = canned
	st, err := c.Observe(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	points := 0
	for _, t := range st.Targets {
		points += len(t.RestorePoints)
	}
	if len(st.Targets) < 1000 || points < 5000 {
		b.Fatalf("%d targets, %d restore points", len(st.Targets), points)
	}
	canned.next = nil
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Observe(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
