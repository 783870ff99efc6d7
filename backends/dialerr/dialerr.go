// Package dialerr says in words why a connection to a server failed, so
// every backend's "cannot reach …" message reads the same.
package dialerr

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
)

// Reason turns a transport error into a short phrase. notTLS is what to say
// when the server does not speak TLS (it depends on the tool's usual URL).
func Reason(err error, notTLS string) string {
	var dns *net.DNSError
	var rec tls.RecordHeaderError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "no route to host"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return fmt.Sprintf("host %s not found (DNS)", dns.Name)
		}
		return "DNS: " + dns.Error()
	case errors.As(err, &rec) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "it does not speak TLS: " + notTLS
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed without an answer"
	}
	return err.Error()
}
