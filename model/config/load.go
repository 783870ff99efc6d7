package config

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/backdeck/backdeck/model"

	"github.com/BurntSushi/toml"
)

// Defaults and limits of the config.
const (
	DefaultRefresh        = 30 * time.Second
	MinRefresh            = 5 * time.Second
	DefaultTimeout        = 10 * time.Second
	DefaultVzdumpMode     = "snapshot"
	DefaultVzdumpCompress = "zstd"
	DefaultNotesTemplate  = "{{guestname}}"
	// Images are made monthly: a little over a month before one is late.
	DefaultImageMaxAge       = 35 * 24 * time.Hour
	DefaultImageNameTemplate = "{host}-{disk}-{date}"
)

// Error is one problem in a config file, located for the operator:
// "/home/u/.config/backdeck/config.toml:12: [proxmox] url: … is not a URL; write e.g. …".
type Error struct {
	File  string
	Line  int    // 1-based; 0 when unknown
	Table string // "[proxmox]", "[[drive]] #2"; empty for the top level
	Key   string // empty when the problem is not one key's
	Msg   string
}

// Error is one line with no control character: keys, values and the
// decoder's messages quote what the file holds, which may be anything.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if where := strings.TrimSpace(e.Table + " " + e.Key); where != "" {
		b.WriteString(where)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return escapeControls(b.String())
}

// escapeControls writes control characters (C0, DEL, C1) and bytes that
// are not UTF-8 as Go escapes ("\x1b", "\u009b"), so no text from a file
// reaches a terminal raw.
func escapeControls(s string) string {
	bad := func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }
	if strings.IndexFunc(s, bad) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case bad(r):
			q := strconv.QuoteRune(r) // '\x1b', '\u009b'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// FindConfigPath says where the config is: the --config flag, else
// $BACKDECK_CONFIG, else $XDG_CONFIG_HOME/backdeck/config.toml, else
// $HOME/.config/backdeck/config.toml. explicit is true when the operator
// named the file (flag or variable), so a missing file is an error rather
// than a first run. path is empty only when neither XDG_CONFIG_HOME nor
// HOME is set.
func FindPath(flag string, getenv func(string) string) (path string, explicit bool) {
	home := getenv("HOME")
	// A flag written as --config=~/x reaches us unexpanded by the shell.
	tilde := func(p string) string {
		if home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
			return filepath.Join(home, p[1:])
		}
		return p
	}
	if flag != "" {
		return tilde(flag), true
	}
	if p := getenv("BACKDECK_CONFIG"); p != "" {
		return tilde(p), true
	}
	// The XDG spec says to ignore a relative XDG_CONFIG_HOME.
	if x := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "backdeck", "config.toml"), false
	}
	if home != "" {
		return filepath.Join(home, ".config", "backdeck", "config.toml"), false
	}
	return "", false
}

// ParseConfig decodes and checks a config. name is the file it came from: it
// names the file in errors and anchors relative paths. All problems found are
// reported together, each a *Error (joined with errors.Join when more
// than one), in the order of the file; problems of structure (syntax, unknown
// keys, inline secrets, types) come first, alone, so that a misspelt key is
// not also reported as a missing one. On success the config has its defaults
// filled in, its paths expanded and its fingerprints normalized, and
// Warnings says what loaded but is written the old way. The work is linear
// in the text: a text over MaxConfigSize or nested deeper than
// MaxConfigNesting is refused before it is decoded, and ParseConfig ends
// with ctx's error when ctx is cancelled.
func Parse(ctx context.Context, name string, data []byte) (*model.Config, error) {
	if len(data) > MaxConfigSize {
		return nil, tooBig(name, int64(len(data)))
	}
	text := string(data)
	if err := checkNesting(ctx, name, text); err != nil {
		return nil, cancelled(name, err)
	}
	l := &loader{ctx: ctx, name: name}
	// The generic decode catches syntax errors; the walk over it finds
	// unknown keys, inline secrets and wrong types with their lines, which
	// the decode into Config would report without (or with a wrong) line.
	var raw map[string]any
	if _, err := decodeTOML(ctx, text, &raw); err != nil {
		if ctx.Err() != nil {
			return nil, cancelled(name, ctx.Err())
		}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: name, Line: pe.Position.Line, Msg: pe.Message}
		}
		return nil, &Error{File: name, Msg: err.Error()}
	}
	lines, err := scanKeyLines(ctx, text)
	if err != nil {
		return nil, cancelled(name, err)
	}
	l.lines = lines
	l.checkTable(table{}, raw, reflect.TypeFor[model.Config]())
	if err := ctx.Err(); err != nil {
		return nil, cancelled(name, err)
	}
	if err := l.err(); err != nil {
		return nil, err
	}

	cfg := &model.Config{Path: name}
	md, err := decodeTOML(ctx, text, cfg)
	if ctx.Err() != nil {
		return nil, cancelled(name, ctx.Err())
	}
	if err != nil {
		// The walk accepts only what decodes; this is a safety net.
		return nil, &Error{File: name, Msg: err.Error()}
	}
	for _, k := range md.Undecoded() {
		l.fail(table{}, k.String(), k.String(), "unknown key")
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	l.validate(cfg, &md)
	if err := l.err(); err != nil {
		return nil, err
	}
	cfg.Warnings = l.allWarnings()
	return cfg, nil
}

// decodeTOML decodes text into v unless ctx ends first. The decoder cannot
// be stopped, but its work is bounded (the text is capped in size and
// nesting, a few seconds at worst): when ctx ends it is left to finish
// alone, and v is not to be used.
func decodeTOML(ctx context.Context, text string, v any) (toml.MetaData, error) {
	type result struct {
		md  toml.MetaData
		err error
	}
	done := make(chan result, 1)
	go func() {
		md, err := toml.Decode(text, v)
		done <- result{md, err}
	}()
	select {
	case r := <-done:
		return r.md, r.err
	case <-ctx.Done():
		return toml.MetaData{}, ctx.Err()
	}
}

// cancelled names the file in ctx's error; other errors pass unchanged.
func cancelled(name string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("loading the config %s: %w", name, err)
	}
	return err
}

// loader collects the problems of one config.
type loader struct {
	ctx      context.Context
	name     string
	lines    *keyLines
	errs     []*Error
	warnings []string
	// moreWarnings counts those past maxProblems.
	moreWarnings int
}

// table is where a key lives: pos is its name in the line index
// ("proxmox.vzdump", "drive[1]"), label its name in messages.
type table struct {
	pos   string
	label string
}

func (t table) child(name string) table {
	if t.pos == "" {
		return table{pos: name, label: "[" + name + "]"}
	}
	return table{pos: t.pos + "." + name, label: "[" + strings.Trim(t.label, "[]") + "." + name + "]"}
}

func (t table) elem(name string, i int) table {
	return table{pos: joinKey(t.pos, name) + "[" + strconv.Itoa(i) + "]", label: fmt.Sprintf("[[%s]] #%d", joinKey(strings.Trim(t.label, "[]"), name), i+1)}
}

func joinKey(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// fail records a problem with key in t; pos is the most precise place known
// ("drive[0].holds[2]"), looked up with fallbacks to its enclosing keys.
func (l *loader) fail(t table, key, pos, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.name, Line: l.line(pos), Table: t.label, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// failKey records a problem with key in t, located at the key.
func (l *loader) failKey(t table, key, format string, args ...any) {
	l.fail(t, key, joinKey(t.pos, key), format, args...)
}

func (l *loader) line(pos string) int {
	if l.lines == nil {
		return 0
	}
	return l.lines.line(pos)
}

// maxProblems is how many problems are listed: past a few, the operator
// has named the wrong file, and a list of thousands helps nobody.
const maxProblems = 20

// err returns the problems found so far, in the order of the file.
func (l *loader) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	sort.SliceStable(l.errs, func(i, j int) bool {
		a, b := l.errs[i].Line, l.errs[j].Line
		if a == 0 || b == 0 {
			return a != 0 && b == 0 // unknown lines last
		}
		return a < b
	})
	if len(l.errs) == 1 {
		return l.errs[0]
	}
	errs := make([]error, 0, min(len(l.errs), maxProblems+1))
	for _, e := range l.errs[:min(len(l.errs), maxProblems)] {
		errs = append(errs, e)
	}
	if more := len(l.errs) - maxProblems; more > 0 {
		errs = append(errs, &Error{File: l.name, Msg: fmt.Sprintf("and %d more problems: is this the right file? See config.toml.example", more)})
	}
	return errors.Join(errs...)
}

// secretKeys are keys people write to put a secret straight in the config.
var secretKeys = map[string]bool{
	"token_secret": true, "secret": true, "token": true, "token_value": true, "api_token": true,
	"password": true, "pass": true, "passwd": true,
}

// inlineSecretHint says where the secret of a connection section goes instead.
func inlineSecretHint(t table) (string, bool) {
	switch t.pos {
	case "proxmox":
		return "inline secrets are not allowed: put the token secret in a file (token_secret_file, chmod 600) or an environment variable (token_secret_env)", true
	case "urbackup":
		return "inline secrets are not allowed: put the password in a file (password_file, chmod 600) or an environment variable (password_env)", true
	}
	return "", false
}

// field is one key a struct takes, by its toml tag.
type field struct {
	name string
	typ  reflect.Type
}

// tomlFields lists the keys of a struct as BurntSushi/toml sees them:
// tagged names, with untagged embedded structs (TLSConfig) flattened.
func tomlFields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, tomlFields(f.Type)...)
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		out = append(out, field{tag, f.Type})
	}
	return out
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// checkTable compares one decoded TOML table with the struct it will fill.
func (l *loader) checkTable(t table, m map[string]any, typ reflect.Type) {
	fields := tomlFields(typ)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if l.ctx.Err() != nil {
			return // ParseConfig reports it
		}
		if hint, ok := inlineSecretHint(t); ok && secretKeys[strings.ToLower(k)] {
			l.failKey(t, k, "%s", hint) // never the value
			continue
		}
		i := slices.IndexFunc(fields, func(f field) bool { return f.name == k })
		if i < 0 {
			l.unknownKey(t, k, m[k], fields)
			continue
		}
		l.checkValue(t, k, joinKey(t.pos, k), m[k], fields[i].typ)
	}
}

func (l *loader) unknownKey(t table, k string, v any, fields []field) {
	what := "key"
	switch v.(type) {
	case map[string]any, []map[string]any:
		what = "table"
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	if s := suggest(k, names); s != "" {
		l.failKey(t, k, "unknown %s; did you mean %q?", what, s)
		return
	}
	l.failKey(t, k, "unknown %s; known keys here: %s", what, strings.Join(names, ", "))
}

// checkValue checks that v, the value of key k (at pos), fits typ.
func (l *loader) checkValue(t table, k, pos string, v any, typ reflect.Type) {
	if typ == reflect.TypeFor[model.Duration]() {
		l.checkDuration(t, k, pos, v)
		return
	}
	if reflect.PointerTo(typ).Implements(textUnmarshaler) {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case int64: // "max_age = 0" reads well; other numbers lack a unit
			s = strconv.FormatInt(v, 10)
		default:
			l.fail(t, k, pos, "must be a string in quotes, not %s", describe(v))
			return
		}
		if err := reflect.New(typ).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			l.fail(t, k, pos, "%s", err)
		}
		return
	}
	switch typ.Kind() {
	case reflect.Pointer:
		l.checkValue(t, k, pos, v, typ.Elem())
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			l.fail(t, k, pos, "must be a table ([%s]), not %s", joinKey(strings.Trim(t.label, "[]"), k), describe(v))
			return
		}
		l.checkTable(t.child(k), m, typ)
	case reflect.Slice:
		var elems []any
		switch v := v.(type) {
		case []any:
			elems = v
		case []map[string]any:
			for _, e := range v {
				elems = append(elems, e)
			}
		default:
			if typ.Elem().Kind() == reflect.Struct {
				l.fail(t, k, pos, "must be a list of tables ([[%s]]), not %s", k, describe(v))
			} else {
				l.fail(t, k, pos, "must be a list in brackets, e.g. [\"a\", \"b\"], not %s", describe(v))
			}
			return
		}
		for i, e := range elems {
			if typ.Elem().Kind() == reflect.Struct {
				m, ok := e.(map[string]any)
				if !ok {
					l.fail(t, k, pos, "must be a list of tables ([[%s]]), not a list of %s", k, describe(e))
					return
				}
				l.checkTable(t.elem(k, i), m, typ.Elem())
				continue
			}
			l.checkValue(t, k, fmt.Sprintf("%s[%d]", pos, i), e, typ.Elem())
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			l.fail(t, k, pos, "must be a string in quotes, not %s", describe(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			l.fail(t, k, pos, "must be true or false, not %s", describe(v))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, ok := v.(int64); !ok {
			l.fail(t, k, pos, "must be a whole number, not %s", describe(v))
		}
	default:
		l.fail(t, k, pos, "cannot be read into a %s", typ)
	}
}

// describe names the TOML type of a value for messages (never the value:
// it could be a secret).
func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64, float64:
		return "a number"
	case bool:
		return "true/false"
	case time.Time:
		return "a date"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}
