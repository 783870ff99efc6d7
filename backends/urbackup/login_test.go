package urbackup

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
)

// The vectors of testdata/README.md: user admin of the
// recorded server, whose a=login with this proof was accepted (login.json).
const (
	vecSalt     = "8u2uVtrpyisgKe0Q4ymy"
	vecPassword = "UrB@ckup pw+&%1"
	vecRounds   = 10000
	vecMD5      = "a1416fe1f19aedf0a9f7b1eb5e3867ea"
	vecStored   = "1a7f21ee47010cbac0a203775aa42e4e950535709dbdc4eb2594187418a61c73"
	vecRnd      = "d3DASHwgde"
	vecProof    = "75c37d4fa6f98a05426c53edaec3a280"
)

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestLoginVectors(t *testing.T) {
	if got := md5Hex(vecSalt + vecPassword); got != vecMD5 {
		t.Errorf("md5_hex(salt+password) = %s, want %s", got, vecMD5)
	}
	if got := PasswordHash(vecSalt, vecPassword, vecRounds); got != vecStored {
		t.Errorf("PasswordHash = %s, want %s", got, vecStored)
	}
	if got := LoginProof(vecRnd, vecSalt, vecPassword, vecRounds); got != vecProof {
		t.Errorf("LoginProof = %s, want %s", got, vecProof)
	}
}

func TestLoginRoundsZero(t *testing.T) {
	// With pbkdf2_rounds 0 the stored hash is the plain salted MD5.
	if got := PasswordHash(vecSalt, vecPassword, 0); got != vecMD5 {
		t.Errorf("PasswordHash(rounds 0) = %s, want %s", got, vecMD5)
	}
	want := md5Hex(vecRnd + vecMD5)
	if got := LoginProof(vecRnd, vecSalt, vecPassword, 0); got != want {
		t.Errorf("LoginProof(rounds 0) = %s, want %s", got, want)
	}
	if want == vecProof {
		t.Error("the rounds-0 proof must differ from the PBKDF2 one")
	}
}

// TestPBKDF2 checks the PBKDF2 written here against the standard library's
// (Go 1.24+) and RFC 7914's published vector.
func TestPBKDF2(t *testing.T) {
	rfc, _ := hex.DecodeString("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
	if got := pbkdf2SHA256([]byte("passwd"), []byte("salt"), 1, 64); hex.EncodeToString(got) != hex.EncodeToString(rfc) {
		t.Errorf("RFC 7914 vector: got %x", got)
	}
	for _, tc := range []struct {
		pw, salt     string
		iter, keyLen int
	}{
		{"password", "saltsaltsaltsalt", 1, 32},
		{"password", "saltsaltsaltsalt", 2, 20},
		{"\x00\x01\xff binary key", "8u2uVtrpyisgKe0Q4ymy", 10000, 32},
		{"long password long password long password long password long password", "a salt of some length", 7, 65},
	} {
		t.Run(fmt.Sprintf("%d-%d", tc.iter, tc.keyLen), func(t *testing.T) {
			want, err := pbkdf2.Key(sha256.New, tc.pw, []byte(tc.salt), tc.iter, tc.keyLen)
			if err != nil {
				t.Fatal(err)
			}
			if got := pbkdf2SHA256([]byte(tc.pw), []byte(tc.salt), tc.iter, tc.keyLen); hex.EncodeToString(got) != hex.EncodeToString(want) {
				t.Errorf("got %x, want %x", got, want)
			}
		})
	}
}
