package httpapi

import "testing"

var nasAPI = BaseURL{Section: "[nas]", Example: "https://nas.example:5001", Target: "the API of the NAS", APIPath: "/webapi"}

func TestSite(t *testing.T) {
	for in, want := range map[string]string{
		"https://nas.example:5001":             "https://nas.example:5001",
		" https://nas.example:5001/ ":          "https://nas.example:5001",
		"https://nas.example:5001/webapi":      "https://nas.example:5001",
		"https://nas.example:5001/webapi//":    "https://nas.example:5001",
		"http://10.0.0.9/nas/webapi/":          "http://10.0.0.9/nas",
		"http://10.0.0.9/nas/":                 "http://10.0.0.9/nas",
		"https://nas.example/webapi/other":     "https://nas.example/webapi/other",
		"https://nas.example/mywebapi":         "https://nas.example/mywebapi",
		"HTTPS://nas.example:5001":             "https://nas.example:5001",
		"https://[fd00::9]:5001/webapi":        "https://[fd00::9]:5001",
		"https://nas.example:5001/sub/webapi/": "https://nas.example:5001/sub",
	} {
		if got, err := nasAPI.Site(in); err != nil || got != want {
			t.Errorf("%q: got %q %v, want %q", in, got, err, want)
		}
	}
}

func TestSiteRefusals(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "no url in [nas]: set it to the API of the NAS, e.g. https://nas.example:5001",
		" \t":                      "no url in [nas]: set it to the API of the NAS, e.g. https://nas.example:5001",
		"nas.example:5001":         `url "nas.example:5001" in [nas] is not an http(s) URL like https://nas.example:5001`,
		"ftp://nas.example":        `url "ftp://nas.example" in [nas] is not an http(s) URL like https://nas.example:5001`,
		"https://":                 `url "https://" in [nas] is not an http(s) URL like https://nas.example:5001`,
		"https://nas.example/%zz":  `url "https://nas.example/%zz" in [nas] is not an http(s) URL like https://nas.example:5001`,
		"https://nas.example/?a=1": `url "https://nas.example/?a=1" in [nas] must be a plain base URL like https://nas.example:5001`,
		"https://nas.example/#top": `url "https://nas.example/#top" in [nas] must be a plain base URL like https://nas.example:5001`,
		"https://admin@nas":        `url "https://admin@nas" in [nas] must be a plain base URL like https://nas.example:5001`,
	} {
		if got, err := nasAPI.Site(in); err == nil || err.Error() != want {
			t.Errorf("%q: got %q %v, want %q", in, got, err, want)
		}
	}
}
