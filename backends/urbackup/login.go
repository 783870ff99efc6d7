package urbackup

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// PasswordHash is what the server stores for a web user:
// hex(PBKDF2-HMAC-SHA256(raw MD5(salt+password), salt, rounds, 32)), or
// md5_hex(salt+password) when rounds is 0. (The web UI's PBKDF2 takes the
// MD5 as hex-decoded bytes; the password is hashed as UTF-8.)
func PasswordHash(salt, password string, rounds int) string {
	sum := md5.Sum([]byte(salt + password))
	if rounds <= 0 {
		return hex.EncodeToString(sum[:])
	}
	return hex.EncodeToString(pbkdf2SHA256(sum[:], []byte(salt), rounds, 32))
}

// LoginProof is the password field of a=login: md5_hex(rnd + PasswordHash),
// with rnd the one-time challenge a=salt returned for the session.
func LoginProof(rnd, salt, password string, rounds int) string {
	sum := md5.Sum([]byte(rnd + PasswordHash(salt, password, rounds)))
	return hex.EncodeToString(sum[:])
}

// pbkdf2SHA256 is PBKDF2 (RFC 8018) with HMAC-SHA256.
func pbkdf2SHA256(password, salt []byte, iter, keyLen int) []byte {
	prf := hmac.New(sha256.New, password)
	hLen := prf.Size()
	blocks := (keyLen + hLen - 1) / hLen
	out := make([]byte, 0, blocks*hLen)
	var idx [4]byte
	u := make([]byte, hLen)
	t := make([]byte, hLen)
	for block := 1; block <= blocks; block++ {
		prf.Reset()
		prf.Write(salt)
		binary.BigEndian.PutUint32(idx[:], uint32(block))
		prf.Write(idx[:])
		u = prf.Sum(u[:0])
		copy(t, u)
		for n := 2; n <= iter; n++ {
			prf.Reset()
			prf.Write(u)
			u = prf.Sum(u[:0])
			for i := range t {
				t[i] ^= u[i]
			}
		}
		out = append(out, t...)
	}
	return out[:keyLen]
}

// session returns the current session, logging in when there is none.
func (c *Client) session(ctx context.Context) (string, error) {
	c.mu.Lock()
	ses := c.ses
	c.mu.Unlock()
	if ses != "" {
		return ses, nil
	}
	return c.renew(ctx, "")
}

// renew logs in again because the server refused the session old. When
// another call already replaced it, that new session is used instead: a
// burst of expired calls costs one login.
func (c *Client) renew(ctx context.Context, old string) (string, error) {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	c.mu.Lock()
	if c.ses != "" && c.ses != old {
		ses := c.ses
		c.mu.Unlock()
		return ses, nil
	}
	c.ses = ""
	if c.authErr != nil && time.Since(c.authErrAt) < c.authHold {
		err := c.authErr
		c.mu.Unlock()
		return "", err
	}
	c.mu.Unlock()

	ses, err := c.login(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if _, definite := err.(*AuthError); definite {
			c.authErr, c.authErrAt = err, time.Now()
		}
		return "", err
	}
	c.ses, c.authErr = ses, nil
	return ses, nil
}

// login runs the web UI's login: anonymous without a username, else the
// salt/challenge exchange (the password itself is never sent).
func (c *Client) login(ctx context.Context) (string, error) {
	user := c.cfg.Username
	if user == "" {
		return c.anonymousLogin(ctx)
	}
	body, err := c.post(ctx, "salt", url.Values{"username": {user}})
	if err != nil {
		return "", err
	}
	var s saltAnswer
	if err := decodeLogin(body, "salt", &s); err != nil {
		return "", err
	}
	if s.Error.Valid {
		switch s.Error.Int(-1) {
		case 0:
			return "", &AuthError{msg: fmt.Sprintf("UrBackup has no user %q: check username in [urbackup]", user)}
		case 3:
			return "", banned()
		}
		return "", fmt.Errorf("UrBackup refused a=salt for user %q (error %d)", user, s.Error.Int(-1))
	}
	if s.Ses == "" || s.Rnd == "" || s.Salt == "" {
		return "", fmt.Errorf("UrBackup's answer to a=salt lacks ses, salt or rnd: is url in [urbackup] an UrBackup server?")
	}
	rounds, err := s.rounds()
	if err != nil {
		return "", err
	}
	proof := LoginProof(s.Rnd, s.Salt, c.password, rounds)
	body, err = c.post(ctx, "login", url.Values{"username": {user}, "password": {proof}, "ses": {s.Ses}})
	if err != nil {
		return "", err
	}
	var l loginAnswer
	if err := decodeLogin(body, "login", &l); err != nil {
		return "", err
	}
	switch {
	case l.Error.Valid && l.Error.Int(-1) == 2:
		return "", &AuthError{msg: fmt.Sprintf("UrBackup says wrong password for user %q: check password_file (or password_env) in [urbackup]", user)}
	case l.Error.Valid && l.Error.Int(-1) == 3:
		return "", banned()
	case l.Error.Valid:
		return "", fmt.Errorf("UrBackup refused the login of user %q (error %d)", user, l.Error.Int(-1))
	case !bool(l.Success):
		return "", fmt.Errorf("UrBackup did not accept the login of user %q", user)
	}
	// The salt's session is now logged in; the server names a new one only
	// when it created it.
	return firstOf(l.Session, s.Ses), nil
}

// anonymousLogin asks for a session without credentials, which the server
// grants (with full rights) only while it has no web user.
func (c *Client) anonymousLogin(ctx context.Context) (string, error) {
	body, err := c.post(ctx, "login", url.Values{})
	if err != nil {
		return "", err
	}
	var l loginAnswer
	if err := decodeLogin(body, "login", &l); err != nil {
		return "", err
	}
	switch {
	case l.Error.Valid && l.Error.Int(-1) == 3:
		return "", banned()
	case bool(l.Success) && l.Session != "":
		return l.Session, nil
	case l.AdminOnly != "":
		return "", &AuthError{msg: fmt.Sprintf("UrBackup has web users (e.g. %q) and refuses a session without login: set username and password_file in [urbackup]", l.AdminOnly)}
	}
	return "", &AuthError{msg: "UrBackup has web users and refuses a session without login: set username and password_file in [urbackup]"}
}

func banned() error {
	return &AuthError{msg: "UrBackup refuses logins from this address for a while after 10 failures; retry in about 10 minutes (the server bans for 10 min)"}
}

func decodeLogin(body []byte, action string, v any) error {
	if len(body) == 0 {
		return fmt.Errorf("UrBackup answered a=%s with an empty body", action)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("cannot decode UrBackup's answer to a=%s: %v", action, err)
	}
	return nil
}
