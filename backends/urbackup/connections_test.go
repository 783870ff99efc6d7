package urbackup

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
)

// UrBackup closes every connection after its answer, so the client opens a
// new one for every request, even to a server that would keep it (the
// fakes here close connections as UrBackup does, so this one is plain).
func TestConnectionPerRequest(t *testing.T) {
	var mu sync.Mutex
	peers := map[string]bool{} // the client's addresses: one a connection
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		peers[r.RemoteAddr] = true
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	c := newTestClient(t, srv.URL, "", "")
	for range 3 {
		if _, err := c.post(context.Background(), "status", nil); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(peers) != 3 {
		t.Errorf("3 requests came on %d connections, want one each", len(peers))
	}
}
