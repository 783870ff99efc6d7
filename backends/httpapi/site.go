// Package httpapi holds what backdeck's clients of web APIs (PVE and
// UrBackup) do alike: reading the url an operator wrote, the HTTP transport
// with the section's TLS trust, the per-request deadline, and the loop that
// follows a job by polling. Each client keeps its own protocol, parameters
// and wording, and passes its words in.
package httpapi

import (
	"fmt"
	"net/url"
	"strings"
)

// BaseURL says how a config section's url is read and explained.
type BaseURL struct {
	Section string // "[proxmox]", named in messages
	Example string // a url to copy: "https://pve.example:8006"
	Target  string // what the url points at: "the API of the PVE host"
	// APIPath is the API's own path, dropped when the url ends with it
	// (operators copy it from docs and browsers): "/api2/json".
	APIPath string
}

// Site checks raw, an http(s) URL with no query, fragment or user,
// and returns its site: scheme, host and any path before APIPath, with no
// trailing slash.
func (b BaseURL) Site(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("no url in %s: set it to %s, e.g. %s", b.Section, b.Target, b.Example)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("url %q in %s is not an http(s) URL like %s", raw, b.Section, b.Example)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("url %q in %s must be a plain base URL like %s", raw, b.Section, b.Example)
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, b.APIPath)
	return u.Scheme + "://" + u.Host + strings.TrimRight(p, "/"), nil
}
