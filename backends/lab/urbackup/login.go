package urbackup

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// Login as UrBackup 2.5 does it (serverinterface/salt.cpp, login.cpp,
// helper.cpp, SessionMgr.cpp):
//
//   - a=salt&username=U without a valid ses creates a session (returned as
//     "ses") before anything else, then answers the user's salt,
//     pbkdf2_rounds and a fresh 10-character rnd kept in the session; an
//     unknown user gets {"error":0,"ses":…} and counts as a failed login.
//   - a=login&username=U&password=P&ses=S checks P == md5_hex(rnd +
//     stored hash); wrong: {"api_version":2,"error":2}, counted. The rnd
//     serves one login attempt.
//   - plainpw=1 sends the clear password; without ses the server makes the
//     session itself and returns it as "session".
//   - a=login without username: success with a new "session" when the server
//     has no users, else success false with "admin_only" (one user).
//   - More than 10 counted failures from one IP within about 40 s ban it:
//     a=salt and a=login answer error 3 for BanDuration.
//   - A session is usable once logged in; before that, the actions that
//     check it (status, progress, start_backup, usage, logs, settings)
//     return without writing anything: an empty body.

type session struct {
	id       string
	username string
	loggedIn bool
	rnd      string
	lastUsed time.Duration
}

// session is the request's valid session (touching it), or nil.
func (w *world) session(r *request) *session {
	id := r.form.Get("ses")
	if id == "" {
		return nil
	}
	s := w.sessions[id]
	if s == nil {
		return nil
	}
	if r.now-s.lastUsed > w.cfg.sessionTimeout {
		delete(w.sessions, id)
		return nil
	}
	s.lastUsed = r.now
	return s
}

func (w *world) newSession(username string, now time.Duration) *session {
	s := &session{id: randomKey(30), username: username, lastUsed: now}
	w.sessions[s.id] = s
	return s
}

func (w *world) newRnd() string {
	if w.rndHook != nil {
		return w.rndHook()
	}
	return randomKey(10)
}

// rateLimited is Helper::rateLimited: the IP is banned.
func (w *world) rateLimited(ip string, now time.Duration) bool {
	at, ok := w.banned[ip]
	if !ok {
		return false
	}
	if now-at > w.cfg.ban {
		delete(w.banned, ip)
		delete(w.failures, ip)
		return false
	}
	return true
}

// addFailure is Helper::addToRateLimit: the server counts failures in 10 s
// buckets and keeps four, so "more than 10 within about 40 s" bans.
func (w *world) addFailure(ip string, now time.Duration) {
	w.loginFailures++
	const window = 40 * time.Second
	kept := w.failures[ip][:0]
	for _, t := range w.failures[ip] {
		if now-t < window {
			kept = append(kept, t)
		}
	}
	kept = append(kept, now)
	w.failures[ip] = kept
	if len(kept) > 10 {
		w.banned[ip] = now
	}
}

func (w *world) actSalt(r *request) reply {
	ret := jsonObj{}
	username := r.form.Get("username")
	s := w.session(r)
	if s == nil && username != "" {
		s = w.newSession(username, r.now)
		ret["ses"] = s.id
	}
	if w.rateLimited(r.ip, r.now) {
		ret["error"] = 3
		return jsonReply(ret)
	}
	if s == nil {
		return jsonReply(jsonObj{"error": 1})
	}
	if username == "" {
		username = s.username
	}
	if !w.hasUser(username) {
		w.addFailure(r.ip, r.now)
		ret["error"] = 0
		return jsonReply(ret)
	}
	s.rnd = w.newRnd()
	ret["salt"] = w.cfg.salt
	ret["pbkdf2_rounds"] = w.cfg.rounds
	ret["rnd"] = s.rnd
	return jsonReply(ret)
}

func (w *world) hasUser(name string) bool {
	return !w.cfg.noUsers && name != "" && name == w.cfg.username
}

func (w *world) actLogin(r *request) reply {
	ret := jsonObj{"api_version": 2}
	hasSes := r.form.Get("ses") != ""
	if w.rateLimited(r.ip, r.now) {
		ret["error"] = 3
		return jsonReply(ret)
	}
	username := r.form.Get("username")
	if username == "" {
		ret["lang"] = "en"
		if !w.cfg.noUsers {
			ret["success"] = false
			ret["admin_only"] = w.cfg.username
			return jsonReply(ret)
		}
		ret["success"] = true
		var s *session
		if !hasSes {
			s = w.newSession("anonymous", r.now)
			ret["session"] = s.id
		} else {
			s = w.session(r)
		}
		if s == nil {
			ret["error"] = 1
			return jsonReply(ret)
		}
		s.loggedIn = true
		return jsonReply(ret)
	}
	plain := r.form.Get("plainpw") == "1"
	var s *session
	if !hasSes && plain {
		s = w.newSession("anonymous", r.now)
		ret["session"] = s.id
	} else {
		s = w.session(r)
	}
	if s == nil {
		ret["error"] = 1
		return jsonReply(ret)
	}
	if !w.checkPassword(s, username, r.form.Get("password"), plain) {
		w.addFailure(r.ip, r.now)
		ret["error"] = 2
		return jsonReply(ret)
	}
	s.loggedIn = true
	s.username = username
	for _, k := range []string{"browse_backups", "graph", "logs", "progress", "settings", "status"} {
		ret[k] = w.cfg.right(k)
	}
	ret["success"] = true
	return jsonReply(ret)
}

// checkPassword is Helper::checkPassword. The challenge (rnd) is used up by
// the attempt, right or wrong.
func (w *world) checkPassword(s *session, username, password string, plain bool) bool {
	rnd := s.rnd
	s.rnd = ""
	if !w.hasUser(username) {
		return false
	}
	var want string
	if plain {
		// The server hashes the clear password itself and compares hashes.
		password = passwordHash(w.cfg.salt, password, w.cfg.rounds)
		want = w.cfg.passwordHash
	} else {
		if rnd == "" {
			return false
		}
		want = md5Hex(rnd + w.cfg.passwordHash)
	}
	return subtle.ConstantTimeCompare([]byte(password), []byte(want)) == 1
}

// passwordHash is the stored password_md5: lower-case hex of
// PBKDF2-HMAC-SHA256(raw MD5(salt+password), salt, rounds, 32 bytes), or
// md5_hex(salt+password) when rounds is 0.
func passwordHash(salt, password string, rounds int) string {
	sum := md5.Sum([]byte(salt + password))
	if rounds <= 0 {
		return hex.EncodeToString(sum[:])
	}
	return hex.EncodeToString(pbkdf2SHA256(sum[:], []byte(salt), rounds, 32))
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// pbkdf2SHA256 is PBKDF2 (RFC 8018) with HMAC-SHA256.
func pbkdf2SHA256(password, salt []byte, iter, keyLen int) []byte {
	prf := hmac.New(sha256.New, password)
	var out []byte
	for block := uint32(1); len(out) < keyLen; block++ {
		prf.Reset()
		prf.Write(salt)
		prf.Write(binary.BigEndian.AppendUint32(nil, block))
		u := prf.Sum(nil)
		t := append([]byte(nil), u...)
		for i := 1; i < iter; i++ {
			prf.Reset()
			prf.Write(u)
			u = prf.Sum(u[:0])
			for j := range t {
				t[j] ^= u[j]
			}
		}
		out = append(out, t...)
	}
	return out[:keyLen]
}
