package urbackup

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The transport. UrBackup's own web server (CHTTPClient) answers every
// request with "HTTP/1.1 200 ok", no Content-Length and no chunking, and
// closes the connection; net/http cannot write such answers, so both
// listeners speak HTTP/1.1 themselves. The HTTPS front behaves like nginx in
// front of it: the backend's status line and headers pass through,
// Content-Type gets nginx's spelling, the body is chunked and the
// connection kept alive (75 s, nginx's keepalive_timeout).

// reply is what the backend answers.
type reply struct {
	contentType  string // "" writes no Content-type header (empty answers)
	frameOptions int    // how many "X-Frame-Options: DENY" headers
	body         []byte
	notFound     bool // a path other than /x
}

func jsonReply(v any) reply {
	return reply{contentType: "application/json", frameOptions: 1, body: encodeJSON(v)}
}

// emptyReply is an action that returns without writing: no body, no
// Content-type (start_backup without session, calls on a session that is
// not logged in yet).
func emptyReply() reply { return reply{frameOptions: 1} }

func (u *Server) acceptLoop(ln net.Listener, front bool) {
	defer u.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		u.connMu.Lock()
		if u.closed {
			u.connMu.Unlock()
			_ = c.Close()
			return
		}
		u.conns[c] = struct{}{}
		u.wg.Add(1)
		u.connMu.Unlock()
		go u.serveConn(c, front)
	}
}

func (u *Server) serveConn(c net.Conn, front bool) {
	defer func() {
		_ = c.Close()
		u.connMu.Lock()
		delete(u.conns, c)
		u.connMu.Unlock()
		u.wg.Done()
	}()
	br := bufio.NewReader(c)
	idle := 30 * time.Second
	if front {
		idle = 75 * time.Second
	}
	for {
		_ = c.SetReadDeadline(time.Now().Add(idle))
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
		_ = req.Body.Close()
		if err != nil {
			return
		}
		_ = c.SetReadDeadline(time.Time{})
		action := req.URL.Query().Get("a")
		u.countRequest(action)
		ip := remoteIP(c, req)
		_ = c.SetWriteDeadline(time.Now().Add(30 * time.Second))
		bw := bufio.NewWriter(c)
		if !front {
			// The backend: one request per connection, closed after the body.
			writeBackendReply(bw, u.respond(req, action, body, ip))
			_ = bw.Flush()
			if cw, ok := c.(interface{ CloseWrite() error }); ok {
				_ = cw.CloseWrite()
			}
			return
		}
		keep := !req.Close
		if u.badGateway() {
			writeBadGateway(bw, keep)
		} else {
			writeFrontReply(bw, u.respond(req, action, body, ip), keep)
		}
		if err := bw.Flush(); err != nil || !keep {
			return
		}
	}
}

func (u *Server) badGateway() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.world.badGateway
}

// respond runs one request on the backend.
func (u *Server) respond(req *http.Request, action string, body []byte, ip string) reply {
	if req.URL.Path != "/x" {
		return reply{notFound: true}
	}
	// Only "a" is read from the query; every action reads the body as form
	// data, whatever the Content-Type says.
	form, _ := url.ParseQuery(string(body))
	u.mu.Lock()
	defer u.mu.Unlock()
	w := u.world
	now := w.tick()
	w.advance(now)
	return w.dispatch(&request{action: action, form: form, ip: ip, now: now})
}

// remoteIP is Helper::remoteAddr: the first X-Forwarded-For entry when
// the header is there (nginx sets it), else the peer's address.
func remoteIP(c net.Conn, req *http.Request) string {
	if xff := req.Header.Get("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		return strings.TrimSpace(first)
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

func writeBackendReply(w *bufio.Writer, r reply) {
	if r.notFound {
		_, _ = w.WriteString("HTTP/1.1 404 Not Found\r\nContent-type: text/html; charset=UTF-8\r\n\r\n404 - File not found")
		return
	}
	_, _ = w.WriteString("HTTP/1.1 200 ok\r\nCache-Control: max-age=0\r\n")
	if r.contentType != "" {
		_, _ = w.WriteString("Content-type: " + r.contentType + "\r\n")
	}
	for i := 0; i < r.frameOptions; i++ {
		_, _ = w.WriteString("X-Frame-Options: DENY\r\n")
	}
	_, _ = w.WriteString("\r\n")
	_, _ = w.Write(r.body)
}

func writeFrontReply(w *bufio.Writer, r reply, keep bool) {
	status := "200 ok"
	if r.notFound {
		status = "404 Not Found"
		r = reply{contentType: "text/html; charset=UTF-8", body: []byte("404 - File not found")}
	}
	fmt.Fprintf(w, "HTTP/1.1 %s\r\nServer: nginx\r\nDate: %s\r\n", status, time.Now().UTC().Format(http.TimeFormat))
	if r.contentType != "" {
		_, _ = w.WriteString("Content-Type: " + r.contentType + "\r\n")
	}
	if keep {
		_, _ = w.WriteString("Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n")
	} else {
		_, _ = w.WriteString("Connection: close\r\n")
	}
	_, _ = w.WriteString("Cache-Control: max-age=0\r\n")
	for i := 0; i < r.frameOptions; i++ {
		_, _ = w.WriteString("X-Frame-Options: DENY\r\n")
	}
	_, _ = w.WriteString("\r\n")
	if !keep {
		_, _ = w.Write(r.body)
		return
	}
	if len(r.body) > 0 {
		_, _ = w.WriteString(strconv.FormatInt(int64(len(r.body)), 16) + "\r\n")
		_, _ = w.Write(r.body)
		_, _ = w.WriteString("\r\n")
	}
	_, _ = w.WriteString("0\r\n\r\n")
}

// badGatewayPage is nginx's own 502 page (server_tokens off), CRLF and all.
const badGatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
	"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

func writeBadGateway(w *bufio.Writer, keep bool) {
	conn := "keep-alive"
	if !keep {
		conn = "close"
	}
	fmt.Fprintf(w, "HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\nDate: %s\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n%s",
		time.Now().UTC().Format(http.TimeFormat), len(badGatewayPage), conn, badGatewayPage)
}
