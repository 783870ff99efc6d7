package proxmox

import (
	"context"
	"testing"
)

// pveproxy keeps connections open: a refresh's requests share one instead
// of paying a TLS handshake each.
func TestConnectionsKept(t *testing.T) {
	f := newFakePVE(t)
	c := f.client(t, f.start(t))
	for range 3 {
		var v versionInfo
		if err := c.get(context.Background(), "/version", &v); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.connections(); n != 1 {
		t.Errorf("3 requests came on %d connections, want 1 kept", n)
	}
}
