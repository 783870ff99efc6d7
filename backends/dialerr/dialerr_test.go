package dialerr

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
)

func TestReason(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()
	_, tlsErr := http.Get("https://" + plain.Listener.Addr().String())
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("dial: %w", syscall.ECONNREFUSED), "connection refused"},
		{&net.DNSError{Name: "pve.invalid", IsNotFound: true}, "host pve.invalid not found (DNS)"},
		{io.ErrUnexpectedEOF, "the connection closed without an answer"},
		{tlsErr, "it does not speak TLS: try http://"},
		{errors.New("something else"), "something else"},
	}
	for _, c := range cases {
		if got := Reason(c.err, "try http://"); got != c.want {
			t.Errorf("Reason(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
