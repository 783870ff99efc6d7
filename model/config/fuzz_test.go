package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// FuzzLoadConfig loads any bytes as a config. Whatever the input: no
// panic, a bounded time, and every line of an error or warning starts
// with the file's name and holds no control character (the text reaches
// a terminal). Seeded with config.toml.example, model/config/testdata/*.toml and
// small hostile inputs.
func FuzzLoadConfig(f *testing.F) {
	seeds := []string{"../../config.toml.example"}
	more, err := filepath.Glob("testdata/*.toml")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range append(seeds, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"x = " + strings.Repeat("[", 15) + strings.Repeat("]", 15),
		"x = " + strings.Repeat("[", 16),
		"x = " + strings.Repeat("{a=", 16) + "1" + strings.Repeat("}", 16),
		strings.Repeat("a.", 20) + "a = 1",
		"[" + strings.Repeat("a.", 20) + "a]",
		"[[concern]]\nid = \"vms\"\ntargets = [\"alpha/qemu/201\", \"beta/qemu/201\"]\n",
		pveOK + "timeout = 10\n[proxmox.vzdump]\nmode = \"snap\"\n",
		"refresh = 30\n[[concern]]\nmax_age = 2.5\n",
		"\"\x1b]0;pwned\x07\" = 1\n",
		"\"\\u001b]0;pwned\\u0007\" = 1\n[x.\"\\u009b\"]\n",
		"mode = \"\xff\xfe\"\n",
		"[\"\x1b[2J\"]\nx = 1\n",
		"mode = \"\x9b31m\"\n",
		"x = \"\"\"\n[\n\"\"\"\n",
		"x = '''\\'''\ny = [\n# ]\n]\n",
		"\ufeffmode = \"auto\"\r\n",
		"a = \"\\",
		"[[drive]]\n[drive]\n",
		"\x00",
	} {
		f.Add([]byte(s))
	}
	const name = "/etc/backdeck/config.toml"
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		c, err := Parse(t.Context(), name, data)
		if d := time.Since(start); d > 5*time.Second {
			// Far above the worst seen (1 MiB of hostile text, ~2 s).
			t.Errorf("loading %d bytes took %v", len(data), d)
		}
		var texts []string
		if err != nil {
			if c != nil {
				t.Errorf("a config and an error: %v", err)
			}
			texts = append(texts, err.Error())
		} else {
			if c == nil || c.Path != name {
				t.Fatalf("no error and config %+v", c)
			}
			texts = append(texts, c.Warnings...)
		}
		for _, text := range texts {
			for line := range strings.SplitSeq(text, "\n") {
				if !strings.HasPrefix(line, name+":") {
					t.Errorf("%q does not name the file", line)
				}
				if i := strings.IndexFunc(line, unicode.IsControl); i >= 0 || !utf8.ValidString(line) {
					t.Errorf("%q holds a control character (at %d) or is not UTF-8", line, i)
				}
			}
		}
	})
}
