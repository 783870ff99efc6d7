package tlspin

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

func TestPinnedFingerprint(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	good := CertFingerprint(srv.Certificate().Raw)
	get := func(fp string) error {
		cfg, err := Config("[proxmox]", model.TLSConfig{Fingerprint: fp})
		if err != nil {
			return err
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
		resp, err := c.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(strings.ToLower(strings.ReplaceAll(good, ":", ""))); err != nil {
		t.Fatalf("the right pin, lower case without colons: %v", err)
	}
	wrong := "AA" + good[2:]
	err := get(wrong)
	var fe *FingerprintError
	if !errors.As(err, &fe) || fe.Presented != good || fe.Pinned != wrong || !strings.Contains(err.Error(), "update fingerprint in [proxmox]") {
		t.Fatalf("a wrong pin must name both prints: %v", err)
	}
}

func TestConfigRefusesTwoTrusts(t *testing.T) {
	if _, err := Config("[urbackup]", model.TLSConfig{Fingerprint: "AA", Insecure: true}); err == nil || !strings.Contains(err.Error(), "[urbackup] sets more than one") {
		t.Fatalf("err = %v", err)
	}
	if _, err := ParseFingerprint("[proxmox]", "12:34"); err == nil || !strings.Contains(err.Error(), "not a SHA-256 fingerprint") {
		t.Fatalf("err = %v", err)
	}
	cfg, err := Config("[proxmox]", model.TLSConfig{Insecure: true})
	if err != nil || !cfg.InsecureSkipVerify || cfg.MinVersion != tls.VersionTLS12 {
		t.Fatalf("insecure: %+v %v", cfg, err)
	}
}
