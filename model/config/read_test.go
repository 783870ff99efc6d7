package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// wantConfigError checks that err is a *Error for file whose text
// has each of has.
func wantConfigError(t *testing.T, err error, file string, has ...string) *Error {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) || ce.File != file {
		t.Fatalf("error %v is not a *Error for %s", err, file)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, file+":") {
		t.Errorf("error %q does not start with the file", msg)
	}
	for _, s := range has {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not contain %q", msg, s)
		}
	}
	return ce
}

func writeConfig(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The file of issue 9, which took 296 s and 14.9 GB: refused at once.
func TestLoadConfigRefusesDeepNesting(t *testing.T) {
	path := writeConfig(t, nestedArrays(200_000))
	_, err := Load(t.Context(), path)
	ce := wantConfigError(t, err, path, "nested deeper than 16 levels", "is this the right file?")
	if ce.Line != 1 {
		t.Errorf("line %d, want 1", ce.Line)
	}
}

func TestLoadConfigRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "config.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{
		fifo: "is a named pipe (FIFO), not a regular file: point --config",
		dir:  "is a directory, not a regular file: name the config file itself, e.g. " + filepath.Join(dir, "config.toml"),
	}
	// /dev/urandom grew the loader without bound; /dev/null reads empty.
	for _, dev := range []string{"/dev/urandom", "/dev/null"} {
		if _, err := os.Stat(dev); err == nil {
			paths[dev] = "is a character device, not a regular file: point --config"
		} else {
			t.Logf("%s: %v; not tried", dev, err)
		}
	}
	for path, want := range paths {
		// A FIFO without a writer would block an open without O_NONBLOCK:
		// the test would hang rather than fail.
		_, err := Load(t.Context(), path)
		wantConfigError(t, err, path, want)
	}
	if len(paths) < 3 {
		t.Errorf("only %d kinds of file tried", len(paths))
	}
}

func TestLoadConfigRefusesBigFiles(t *testing.T) {
	line := "# " + strings.Repeat("x", 61) + "\n"
	big := writeConfig(t, []byte(strings.Repeat(line, 2<<20/len(line))))
	_, err := Load(t.Context(), big)
	wantConfigError(t, err, big, "is 2.0 MiB, more than a config can be (1.0 MiB at most", "is this the right file?")

	// The same from bytes, as a fuzzer or a caller with its own reader has.
	_, err = Parse(t.Context(), "mem.toml", make([]byte, MaxConfigSize+1))
	wantConfigError(t, err, "mem.toml", "more than a config can be")

	// Exactly the limit still loads.
	at := []byte(strings.Repeat(line, MaxConfigSize/len(line)))
	at = append(at, strings.Repeat("#", MaxConfigSize-len(at))...)
	if _, err := Load(t.Context(), writeConfig(t, at)); err != nil {
		t.Errorf("a config of exactly %d bytes: %v", MaxConfigSize, err)
	}
}

// stopAfter is a context cancelled once Err has been asked n times: it
// finds every place loading checks for cancellation.
type stopAfter struct {
	context.Context
	n int
}

func (c *stopAfter) Err() error {
	if c.n <= 0 {
		return context.Canceled
	}
	c.n--
	return nil
}

func TestLoadConfigCancelled(t *testing.T) {
	path, err := filepath.Abs("../../config.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = Load(ctx, path)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadConfig with a cancelled context: %v, want context.Canceled naming the file", err)
	}
	// Cancelled at each check in turn, loading stops with ctx's error.
	for n := 0; ; n++ {
		c, err := Load(&stopAfter{Context: t.Context(), n: n}, path)
		if err == nil {
			if n < 4 {
				t.Errorf("loading checked for cancellation only %d times", n)
			}
			if c == nil || c.Proxmox == nil {
				t.Error("no config loaded")
			}
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled after %d checks: %v, want context.Canceled", n, err)
		}
	}
}

func TestCheckNesting(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	inline := func(n int) string { return strings.Repeat("{a = ", n) + "1" + strings.Repeat("}", n) }
	dotted := func(n int) string { return strings.Repeat("a.", n-1) + "a" }
	tests := []struct {
		name string
		src  string
		line int // 0: not too deep
	}{
		{"15 lists under a key", "x = " + deep(15) + "\n", 0},
		{"16 lists under a key", "x = " + deep(16) + "\n", 1},
		{"15 inline tables", "x = " + inline(15) + "\n", 0},
		{"16 inline tables", "x = " + inline(16) + "\n", 1},
		{"16 dotted parts", dotted(16) + " = 1\n", 0},
		{"17 dotted parts", dotted(17) + " = 1\n", 1},
		{"header and key", "[" + dotted(15) + "]\nx = 1\n", 0},
		{"header and dotted key", "# c\n[" + dotted(15) + "]\nx.y = 1\n", 3},
		{"header too deep", "[[" + dotted(16) + "]]\n", 1},
		{"inline key parts add up", "x = {" + dotted(14) + " = 1}\n", 0},
		{"inline key parts too many", "x = {" + dotted(15) + " = [1]}\n", 1},
		{"lists in inline tables", "x = [{a = " + deep(13) + "}]\n", 0},
		{"lists in inline tables too deep", "x = [{a = " + deep(14) + "}]\n", 1},
		{"siblings do not add up", "x = [" + strings.Repeat(deep(14)+", ", 40) + "]\n", 0},
		{"multi-line list", "x = [\n  " + deep(14) + ",\n  " + deep(15) + ",\n]\n", 3},
		{"brackets in strings and comments", "x = \"" + deep(40) + "\" # " + deep(40) + "\ny = '" + deep(40) + "'\n", 0},
		{"multi-line strings", "x = \"\"\"\n" + deep(40) + "\\\"\"\"\n\"\"\"\ny = '''\n" + deep(40) + "\n'''\nz = " + deep(16) + "\n", 7},
		{"dots in values are not keys", "x = [" + strings.Repeat("1.5, ", 40) + "]\ny = 1979-05-27T07:32:00.5Z\n", 0},
		{"dots in quoted keys are not parts", "\"" + dotted(40) + "\" = 1\n", 0},
		{"the example", "", 0},
	}
	example, err := os.ReadFile("../../config.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	tests[len(tests)-1].src = string(example)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkNesting(t.Context(), "c.toml", tt.src)
			if tt.line == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			ce := wantConfigError(t, err, "c.toml", "nested deeper than 16 levels")
			if ce.Line != tt.line {
				t.Errorf("line %d, want %d", ce.Line, tt.line)
			}
		})
	}
}

// A file of thousands of problems is the wrong file: the first few say so.
func TestParseConfigListsAFewProblems(t *testing.T) {
	src := "[[concern]]\nid = \"vms\"\ntargets = [" + strings.Repeat("\"\",\n", 5000) + "]\n"
	_, err := Parse(t.Context(), testFile, []byte(src))
	if err == nil {
		t.Fatal("ParseConfig succeeded")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxProblems+1 {
		t.Fatalf("%d lines, want %d", len(lines), maxProblems+1)
	}
	if !strings.HasPrefix(lines[0], testFile+":3: [[concern]] #1 targets: \"\" is not a target id") {
		t.Errorf("first problem %q", lines[0])
	}
	if want := testFile + ": and 4980 more problems: is this the right file?"; !strings.HasPrefix(lines[maxProblems], want) {
		t.Errorf("last line %q, want %q…", lines[maxProblems], want)
	}
}

// What a file holds reaches the terminal escaped: a key with an escape
// sequence, a byte that is not UTF-8, the decoder's own messages.
func TestConfigErrorEscapesControls(t *testing.T) {
	for src, want := range map[string]string{
		"\"\\u001b]0;pwned\\u0007\" = 1\n": `:1: \x1b]0;pwned\a: unknown key`,
		"[\"\\u009b2J\"]\n":                `:1: \u009b2J: unknown table`,
		"a = \"\\":                         `invalid escape in string '\\x00'`,
	} {
		_, err := Parse(t.Context(), testFile, []byte(src))
		if err == nil {
			t.Fatalf("%q loaded", src)
		}
		msg := err.Error()
		if !strings.Contains(msg, want) {
			t.Errorf("%q: error %q does not contain %q", src, msg, want)
		}
		if i := strings.IndexFunc(msg, func(r rune) bool { return r < 0x20 || r >= 0x7f && r < 0xa0 }); i >= 0 {
			t.Errorf("%q: error %q holds a control character at %d", src, msg, i)
		}
	}
	if got := escapeControls("a\xffb\u009b\n\u00e9\ufffd"); got != "a\\xffb\\u009b\\né\ufffd" {
		t.Errorf("escapeControls = %q", got)
	}
}
