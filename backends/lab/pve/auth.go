package pve

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// authenticate checks the API token header:
// "Authorization: PVEAPIToken=user@realm!tokenid=secret". The reason is what
// PVE puts in the 401's status line.
func (p *Server) authenticate(r *http.Request) (reason string, ok bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return "No ticket", false
	}
	rest, found := strings.CutPrefix(h, "PVEAPIToken=")
	if !found {
		return "No ticket", false
	}
	id, secret, found := strings.Cut(rest, "=")
	if !found {
		return "invalid token value!", false
	}
	idOK := subtle.ConstantTimeCompare([]byte(strings.TrimSpace(id)), []byte(p.opts.TokenID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(strings.TrimSpace(secret)), []byte(p.opts.TokenSecret)) == 1
	if !idOK || !secretOK {
		return "invalid token value!", false
	}
	return "", true
}

// refuse answers 401 like pveproxy: after a delay (about 3s on real servers,
// to slow down guessing), with an empty body and the reason only in the
// status line.
func (p *Server) refuse(rw http.ResponseWriter, r *http.Request, reason string) {
	if d := p.opts.AuthFailDelay; d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return
		case <-p.closed:
			return
		}
	}
	writeRaw(rw, r, http.StatusUnauthorized, reason, nil)
}
