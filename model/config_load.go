package model

import (
	"encoding"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

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
)

// ConfigError is one problem in a config file, located for the operator:
// "/home/u/.config/backdeck/config.toml:12: [proxmox] url: … is not a URL; write e.g. …".
type ConfigError struct {
	File  string
	Line  int    // 1-based; 0 when unknown
	Table string // "[proxmox]", "[[drive]] #2"; empty for the top level
	Key   string // empty when the problem is not one key's
	Msg   string
}

func (e *ConfigError) Error() string {
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
	return b.String()
}

// FindConfigPath says where the config is: the --config flag, else
// $BACKDECK_CONFIG, else $XDG_CONFIG_HOME/backdeck/config.toml, else
// $HOME/.config/backdeck/config.toml. explicit is true when the operator
// named the file (flag or variable), so a missing file is an error rather
// than a first run. path is empty only when neither XDG_CONFIG_HOME nor
// HOME is set.
func FindConfigPath(flag string, getenv func(string) string) (path string, explicit bool) {
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

// LoadConfig reads and checks the config file at path. A missing file gives
// an error that satisfies errors.Is(err, fs.ErrNotExist).
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig decodes and checks a config. name is the file it came from: it
// names the file in errors and anchors relative paths. All problems found are
// reported together, each a *ConfigError (joined with errors.Join when more
// than one), in the order of the file; problems of structure (syntax, unknown
// keys, inline secrets, types) come first, alone, so that a misspelt key is
// not also reported as a missing one. On success the config has its defaults
// filled in, its paths expanded and its fingerprints normalized.
func ParseConfig(name string, data []byte) (*Config, error) {
	l := &loader{name: name}
	// The generic decode catches syntax errors; the walk over it finds
	// unknown keys, inline secrets and wrong types with their lines, which
	// the decode into Config would report without (or with a wrong) line.
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &ConfigError{File: name, Line: pe.Position.Line, Msg: pe.Message}
		}
		return nil, &ConfigError{File: name, Msg: err.Error()}
	}
	l.lines = scanKeyLines(string(data))
	l.checkTable(table{}, raw, reflect.TypeFor[Config]())
	if err := l.err(); err != nil {
		return nil, err
	}

	cfg := &Config{Path: name}
	md, err := toml.Decode(string(data), cfg)
	if err != nil {
		// The walk accepts only what decodes; this is a safety net.
		return nil, &ConfigError{File: name, Msg: err.Error()}
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
	return cfg, nil
}

// loader collects the problems of one config.
type loader struct {
	name  string
	lines map[string]int
	errs  []*ConfigError
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
	l.errs = append(l.errs, &ConfigError{File: l.name, Line: l.line(pos), Table: t.label, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// failKey records a problem with key in t, located at the key.
func (l *loader) failKey(t table, key, format string, args ...any) {
	l.fail(t, key, joinKey(t.pos, key), format, args...)
}

func (l *loader) line(pos string) int {
	for pos != "" {
		if n, ok := l.lines[pos]; ok {
			return n
		}
		// Drop the last part: "a[1].b[2]" → "a[1].b" → "a[1]" → "a".
		i := strings.LastIndexAny(pos, ".[")
		if i < 0 {
			break
		}
		pos = pos[:i]
	}
	return 0
}

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
	errs := make([]error, len(l.errs))
	for i, e := range l.errs {
		errs[i] = e
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

// suggest finds the known name that got is probably a typo of: the same
// but for case and separators, at most 2 edits away, or sharing a long start.
func suggest(got string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	}
	g := strings.ToLower(got)
	for _, k := range known {
		if norm(k) == norm(got) {
			return k
		}
	}
	best, bestD := "", 3
	for _, k := range known {
		if d := levenshtein(g, k); d < bestD && d < len(g) {
			best, bestD = k, d
		}
	}
	if best != "" {
		return best
	}
	bestP := 0
	for _, k := range known {
		p := 0
		for p < len(g) && p < len(k) && g[p] == k[p] {
			p++
		}
		if p >= 3 && p > bestP && (2*p >= len(g) || p == len(k)) {
			best, bestP = k, p
		}
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// oneOf checks an enumerated value; empty means the default.
func (l *loader) oneOf(t table, key string, v *string, def string, what string, choices ...string) {
	if *v == "" {
		*v = def
		return
	}
	if slices.Contains(choices, *v) {
		return
	}
	msg := fmt.Sprintf("%q is not a %s; write %s", *v, what, quoteList(choices, "or"))
	if s := suggest(*v, choices); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	l.failKey(t, key, "%s", msg)
}

// quoteList writes ["a" "b" "c"] as `"a", "b" or "c"`.
func quoteList(items []string, last string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + last + " " + q[len(q)-1]
}

var (
	tokenIDRe   = regexp.MustCompile(`^[^\s@!:=]+@[A-Za-z][A-Za-z0-9._-]*![A-Za-z][A-Za-z0-9._-]*$`)
	envNameRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	uuidRe      = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	storeIDRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$`)
	storageIDRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)
)

// validate checks the values and fills in the defaults.
func (l *loader) validate(cfg *Config, md *toml.MetaData) {
	top := table{}
	l.oneOf(top, "mode", &cfg.Mode, "auto", "mode", "auto", "host", "laptop")
	switch {
	case !md.IsDefined("refresh"):
		cfg.Refresh.Duration = DefaultRefresh
	case cfg.Refresh.Duration < MinRefresh:
		l.failKey(top, "refresh", "%s is too often; the minimum is %s (the default is %s)", cfg.Refresh, Duration{MinRefresh}, Duration{DefaultRefresh})
	}
	if p := cfg.Proxmox; p != nil {
		l.validateProxmox(table{}.child("proxmox"), p, md)
	}
	if u := cfg.URBackup; u != nil {
		l.validateURBackup(table{}.child("urbackup"), u, md)
	}
	l.validateDrives(cfg.Drives)
	l.validateConcerns(cfg)
}

func (l *loader) validateProxmox(t table, p *ProxmoxConfig, md *toml.MetaData) {
	const example = "https://pve.homelab.cloud:8006"
	if u, ok := l.checkURL(t, &p.URL, example); ok {
		if u.Scheme != "https" {
			l.failKey(t, "url", "the Proxmox API only speaks HTTPS; write %q", "https://"+u.Host+u.Path)
		}
		if strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/api2/json") {
			l.failKey(t, "url", "leave out /api2/json, backdeck adds it; write e.g. %q", example)
		}
	}
	switch {
	case p.TokenID == "":
		l.fail(t, "token_id", t.pos, "missing; write the API token's id, e.g. token_id = %q", "backdeck@pve!console")
	case strings.Contains(p.TokenID, "="):
		// "user@realm!name=secret" is how the token goes in a header: the
		// part after "=" is the secret, so the value is not repeated.
		l.failKey(t, "token_id", "holds an \"=\": write only user@realm!tokenname; the secret goes in a file (token_secret_file) or an environment variable (token_secret_env)")
	case !tokenIDRe.MatchString(p.TokenID):
		l.failKey(t, "token_id", "%q is not an API token id; write user@realm!tokenname, e.g. %q", p.TokenID, "backdeck@pve!console")
	}
	l.secretSource(t, "token secret", "token_secret_file", &p.TokenSecretFile, "token_secret_env", p.TokenSecretEnv, true)
	l.checkTLS(t, &p.TLSConfig, "https")
	l.timeout(t, &p.Timeout, md.IsDefined("proxmox", "timeout"))

	v := table{pos: "proxmox.vzdump", label: "[proxmox.vzdump]"}
	if p.Vzdump.Storage != "" && !storageIDRe.MatchString(p.Vzdump.Storage) {
		l.failKey(v, "storage", "%q is not a PVE storage name; write e.g. %q", p.Vzdump.Storage, "hddusb_bkpvzdumps")
	}
	l.oneOf(v, "mode", &p.Vzdump.Mode, DefaultVzdumpMode, "vzdump mode", "snapshot", "suspend", "stop")
	l.oneOf(v, "compress", &p.Vzdump.Compress, DefaultVzdumpCompress, "compression", "zstd", "lzo", "gzip", "0")
	if !md.IsDefined("proxmox", "vzdump", "notes_template") {
		p.Vzdump.NotesTemplate = DefaultNotesTemplate
	}
}

func (l *loader) validateURBackup(t table, u *URBackupConfig, md *toml.MetaData) {
	const example = "https://bkpserver.homelab.cloud"
	scheme := ""
	if parsed, ok := l.checkURL(t, &u.URL, example); ok {
		scheme = parsed.Scheme
		if strings.HasSuffix(strings.TrimRight(parsed.Path, "/"), "/x") {
			l.failKey(t, "url", "leave out /x, backdeck adds it; write the web UI's address, e.g. %q", example)
		}
	}
	hasPassword := l.secretSource(t, "password", "password_file", &u.PasswordFile, "password_env", u.PasswordEnv, false)
	switch {
	case hasPassword && u.Username == "":
		l.fail(t, "username", t.pos, "missing: a password is set, so write the user it belongs to, e.g. username = %q", "admin")
	case !hasPassword && u.Username != "":
		l.failKey(t, "username", "no password for %q: set password_file (a file, chmod 600) or password_env (an environment variable); leave both and username out for a server without users", u.Username)
	}
	if scheme != "" {
		l.checkTLS(t, &u.TLSConfig, scheme)
	}
	l.timeout(t, &u.Timeout, md.IsDefined("urbackup", "timeout"))
}

// checkURL checks that *raw is an http(s) URL with a host, and trims its
// trailing slash. The caller judges the scheme.
func (l *loader) checkURL(t table, raw *string, example string) (*url.URL, bool) {
	if *raw == "" {
		l.fail(t, "url", t.pos, "missing; write e.g. url = %q", example)
		return nil, false
	}
	u, err := url.Parse(*raw)
	if err == nil && u.User != nil {
		// Not repeated: it holds a password.
		l.failKey(t, "url", "must not hold a user or password; write e.g. %q", example)
		return nil, false
	}
	if err != nil || u.Hostname() == "" || u.Scheme != "http" && u.Scheme != "https" {
		l.failKey(t, "url", "%q is not a URL; write e.g. %q", *raw, example)
		return nil, false
	}
	if u.RawQuery != "" || u.Fragment != "" {
		l.failKey(t, "url", "%q: leave out the ?query and #fragment; write e.g. %q", *raw, example)
		return nil, false
	}
	*raw = strings.TrimRight(*raw, "/")
	return u, true
}

// secretSource checks that a secret comes from one file or one environment
// variable, and expands the file's path. It reports whether one is set.
func (l *loader) secretSource(t table, what, fileKey string, file *string, envKey, env string, required bool) bool {
	switch {
	case *file != "" && env != "":
		l.failKey(t, envKey, "set only one of %s and %s", fileKey, envKey)
		return true
	case *file == "" && env == "":
		if required {
			l.fail(t, fileKey, t.pos, "missing: no %s; set %s (a file, chmod 600) or %s (an environment variable)", what, fileKey, envKey)
		}
		return false
	case env != "":
		if !envNameRe.MatchString(env) {
			// Not repeated: people paste the secret itself here.
			l.failKey(t, envKey, "is not an environment variable name (letters, digits and _, e.g. %q); it names the variable that holds the %s, not the %s itself", "BACKDECK_PVE_TOKEN", what, what)
		}
		return true
	}
	if uuidRe.MatchString(*file) {
		l.failKey(t, fileKey, "looks like the %s itself; put the %s in a file (chmod 600) and write the file's path here", what, what)
		return true
	}
	*file = l.filePath(t, fileKey, *file)
	return true
}

// filePath expands ~ to the home directory and anchors a relative path at
// the config file's directory, so it means the same wherever backdeck runs.
func (l *loader) filePath(t table, key, p string) string {
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		home, err := os.UserHomeDir()
		if err != nil {
			l.failKey(t, key, "cannot expand ~: %v; write an absolute path", err)
			return p
		}
		return filepath.Join(home, p[1:])
	case strings.HasPrefix(p, "~"):
		l.failKey(t, key, "%q: only ~/… (your own home) is expanded; write an absolute path", p)
		return p
	case filepath.IsAbs(p) || l.name == "":
		return p
	}
	dir := filepath.Dir(l.name)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return filepath.Join(dir, p)
}

// checkTLS checks the certificate options: at most one, the fingerprint in
// PVE's form, and none on plain HTTP.
func (l *loader) checkTLS(t table, c *TLSConfig, scheme string) {
	var set []string
	if c.Fingerprint != "" {
		set = append(set, "fingerprint")
	}
	if c.CAFile != "" {
		set = append(set, "ca_file")
	}
	if c.Insecure {
		set = append(set, "insecure")
	}
	if len(set) > 1 {
		l.failKey(t, set[1], "set only one of fingerprint, ca_file and insecure (here: %s)", strings.Join(set, " and "))
		return
	}
	if len(set) == 1 && scheme != "https" {
		l.failKey(t, set[0], "only applies to an https:// url")
		return
	}
	if c.Fingerprint != "" {
		fp, err := NormalizeFingerprint(c.Fingerprint)
		if err != nil {
			l.failKey(t, "fingerprint", "%v", err)
		}
		c.Fingerprint = fp
	}
	if c.CAFile != "" {
		c.CAFile = l.filePath(t, "ca_file", c.CAFile)
	}
}

// NormalizeFingerprint reads a SHA-256 certificate fingerprint written with
// or without colons, in any case, or as openssl prints it
// ("sha256 Fingerprint=AA:…"), and writes it as PVE shows it: "AA:BB:…".
func NormalizeFingerprint(s string) (string, error) {
	const how = "get it with `pvenode cert info` on the host, or `openssl s_client -connect pve:8006 </dev/null | openssl x509 -noout -fingerprint -sha256`"
	v := s
	if i := strings.LastIndex(v, "="); i >= 0 {
		v = v[i+1:]
	}
	v = strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(v))
	for _, r := range v {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return s, fmt.Errorf("%q is not a SHA-256 fingerprint (32 hex bytes, \"AA:BB:…\"); %s", s, how)
		}
	}
	switch len(v) {
	case 64:
	case 40:
		return s, fmt.Errorf("%q is a SHA-1 fingerprint; write the SHA-256 one (32 bytes); %s", s, how)
	default:
		return s, fmt.Errorf("%q is not a SHA-256 fingerprint (32 hex bytes, \"AA:BB:…\", here %d hex digits); %s", s, len(v), how)
	}
	v = strings.ToUpper(v)
	pairs := make([]string, 0, 32)
	for i := 0; i < len(v); i += 2 {
		pairs = append(pairs, v[i:i+2])
	}
	return strings.Join(pairs, ":"), nil
}

func (l *loader) timeout(t table, d *Duration, defined bool) {
	switch {
	case !defined:
		d.Duration = DefaultTimeout
	case d.Duration <= 0:
		l.failKey(t, "timeout", "must be more than 0s (the default is %s)", Duration{DefaultTimeout})
	}
}

func (l *loader) validateDrives(drives []DriveConfig) {
	serials := map[string]int{}
	names := map[string]int{}
	stores := map[string]int{}
	for i := range drives {
		d := &drives[i]
		t := table{}.elem("drive", i)
		if d.Name == "" {
			l.fail(t, "name", t.pos, "missing; name the drive, e.g. name = %q", "usb-backups")
		} else if j, dup := names[d.Name]; dup {
			l.failKey(t, "name", "%q is also the name of [[drive]] #%d", d.Name, j+1)
		} else {
			names[d.Name] = i
		}
		serial := strings.ToUpper(strings.TrimSpace(d.Serial))
		if serial == "" {
			l.fail(t, "serial", t.pos, "missing; write the drive's serial number as lsblk -o NAME,SERIAL or smartctl -i shows it, e.g. serial = %q", "NA8F1234")
		} else if j, dup := serials[serial]; dup {
			l.failKey(t, "serial", "%q is also the serial of [[drive]] #%d", d.Serial, j+1)
		} else {
			serials[serial] = i
		}
		for k, h := range d.Holds {
			pos := fmt.Sprintf("%s.holds[%d]", t.pos, k)
			switch j, dup := stores[h]; {
			case !storeIDRe.MatchString(h):
				l.fail(t, "holds", pos, "%q is not node/storage; write e.g. %q", h, "pve/hddusb_bkpvzdumps")
			case dup && j == i:
				l.fail(t, "holds", pos, "%q is listed twice", h)
			case dup:
				l.fail(t, "holds", pos, "%q is also held by [[drive]] #%d; a store lives on one drive", h, j+1)
			default:
				stores[h] = i
			}
		}
	}
}

func (l *loader) validateConcerns(cfg *Config) {
	if len(cfg.Concerns) == 0 {
		// Without concerns the dashboard would be empty: rate what backdeck
		// can see by itself.
		if cfg.Proxmox != nil {
			cfg.Concerns = append(cfg.Concerns, ConcernConfig{ID: string(ConcernVMs), MaxAge: Duration{26 * time.Hour}, Targets: []string{"*/qemu/*", "*/lxc/*"}})
		}
		cfg.Concerns = append(cfg.Concerns, ConcernConfig{ID: string(ConcernBackups)})
		return
	}
	var ids []string
	for _, c := range ConcernIDs() {
		ids = append(ids, string(c))
	}
	seen := map[string]int{}
	for i, c := range cfg.Concerns {
		t := table{}.elem("concern", i)
		switch j, dup := seen[c.ID]; {
		case c.ID == "":
			l.fail(t, "id", t.pos, "missing; write one of %s", quoteList(ids, "or"))
		case !ConcernID(c.ID).Valid():
			msg := fmt.Sprintf("%q is not a concern; write one of %s", c.ID, quoteList(ids, "or"))
			if s := suggest(c.ID, ids); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			l.failKey(t, "id", "%s", msg)
		case dup:
			l.failKey(t, "id", "%q is already [[concern]] #%d", c.ID, j+1)
		default:
			seen[c.ID] = i
		}
		if c.ID == string(ConcernBackups) && len(c.Targets) > 0 {
			l.failKey(t, "targets", "the backups concern rates the stores and drives ([[drive]]); it takes no targets")
		}
		for k, tg := range c.Targets {
			pos := fmt.Sprintf("%s.targets[%d]", t.pos, k)
			if strings.TrimSpace(tg) == "" || strings.ContainsAny(tg, " \t") {
				l.fail(t, "targets", pos, "%q is not a target id; write e.g. %q or a pattern like %q", tg, "pve/qemu/411", "pve/qemu/*")
			} else if _, err := path.Match(tg, ""); err != nil {
				l.fail(t, "targets", pos, "%q is not a valid pattern (%v); write e.g. %q", tg, err, "pve/qemu/*")
			}
		}
	}
}

// scanKeyLines maps where each key and table is written in a TOML text,
// since BurntSushi/toml (v1.6.0) keeps key positions to itself. Names are the
// loader's: "proxmox.url", "proxmox.vzdump", "drive[1].serial",
// "drive[1].holds[0]"; "drive" is the first [[drive]]. The text has already
// parsed, so the scanner is lenient: what it cannot place has no line.
func scanKeyLines(src string) map[string]int {
	s := &keyScanner{src: src, lines: map[string]int{}, explicit: map[string]bool{}, arrays: map[string]int{}}
	for i, c := range src {
		if c == '\n' {
			s.newlines = append(s.newlines, i)
		}
	}
	s.document()
	return s.lines
}

type keyScanner struct {
	src      string
	i        int
	newlines []int           // offsets of '\n', to turn offsets into lines
	lines    map[string]int  // name → line
	explicit map[string]bool // the line is where the name is written, not implied
	arrays   map[string]int  // [[name]] → how many seen
}

func (s *keyScanner) lineAt(off int) int {
	return sort.SearchInts(s.newlines, off) + 1
}

// mark records name at offset off; an explicit mark wins over an implied one
// ("proxmox" implied by [proxmox.vzdump] before [proxmox]).
func (s *keyScanner) mark(name string, off int, explicit bool) {
	if _, ok := s.lines[name]; ok && (s.explicit[name] || !explicit) {
		return
	}
	s.lines[name] = s.lineAt(off)
	s.explicit[name] = explicit
}

func (s *keyScanner) eof() bool { return s.i >= len(s.src) }
func (s *keyScanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.i]
}

// space skips blanks, and with newlines also line ends and comments.
func (s *keyScanner) space(newlines bool) {
	for !s.eof() {
		switch c := s.peek(); {
		case c == ' ' || c == '\t':
			s.i++
		case newlines && (c == '\n' || c == '\r'):
			s.i++
		case newlines && c == '#':
			s.skipLine()
		default:
			return
		}
	}
}

func (s *keyScanner) skipLine() {
	for !s.eof() && s.peek() != '\n' {
		s.i++
	}
}

func (s *keyScanner) document() {
	table := ""
	for {
		s.space(true)
		if s.eof() {
			return
		}
		start := s.i
		if s.peek() == '[' {
			array := strings.HasPrefix(s.src[s.i:], "[[")
			s.i++
			if array {
				s.i++
			}
			s.space(false)
			table = s.header(s.keyParts(), array, start)
			s.skipLine()
			continue
		}
		parts := s.keyParts()
		if len(parts) == 0 {
			s.skipLine()
			continue
		}
		name := s.markKey(table, parts, start)
		s.space(false)
		if s.peek() == '=' {
			s.i++
		}
		s.space(false)
		s.value(name)
		s.skipLine()
	}
}

// header resolves a table header to its name, indexing arrays of tables.
func (s *keyScanner) header(parts []string, array bool, off int) string {
	name := ""
	for k, p := range parts {
		name = joinKey(name, p)
		switch n := s.arrays[name]; {
		case array && k == len(parts)-1:
			s.arrays[name] = n + 1
			s.mark(name, off, false)
			name += "[" + strconv.Itoa(n) + "]"
		case n > 0:
			name += "[" + strconv.Itoa(n-1) + "]"
		}
		s.mark(name, off, k == len(parts)-1)
	}
	return name
}

// markKey records a (possibly dotted) key in table and returns its name.
func (s *keyScanner) markKey(table string, parts []string, off int) string {
	name := table
	for k, p := range parts {
		name = joinKey(name, p)
		s.mark(name, off, k == len(parts)-1)
	}
	return name
}

// keyParts reads a dotted key: bare, "basic" or 'literal' parts.
func (s *keyScanner) keyParts() []string {
	var parts []string
	for {
		s.space(false)
		switch c := s.peek(); {
		case c == '"' || c == '\'':
			start := s.i
			s.str()
			raw := s.src[start:s.i]
			if c == '"' {
				if u, err := strconv.Unquote(raw); err == nil {
					parts = append(parts, u)
					break
				}
			}
			parts = append(parts, strings.Trim(raw, string(c)))
		case isBareKeyChar(c):
			start := s.i
			for !s.eof() && isBareKeyChar(s.peek()) {
				s.i++
			}
			parts = append(parts, s.src[start:s.i])
		default:
			return parts
		}
		s.space(false)
		if s.peek() != '.' {
			return parts
		}
		s.i++
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value skips one value, marking the elements of lists ("name[0]") and the
// keys of inline tables.
func (s *keyScanner) value(name string) {
	switch s.peek() {
	case '"', '\'':
		s.str()
	case '[':
		s.i++
		for n := 0; ; {
			s.space(true)
			switch s.peek() {
			case 0:
				return
			case ']':
				s.i++
				return
			case ',':
				s.i++
				continue
			}
			elem := name + "[" + strconv.Itoa(n) + "]"
			s.mark(elem, s.i, true)
			s.value(elem)
			n++
		}
	case '{':
		s.i++
		for {
			s.space(true)
			switch s.peek() {
			case 0:
				return
			case '}':
				s.i++
				return
			case ',':
				s.i++
				continue
			}
			start := s.i
			parts := s.keyParts()
			if len(parts) == 0 {
				s.i++ // not a key: step over it rather than loop
				continue
			}
			key := s.markKey(name, parts, start)
			s.space(false)
			if s.peek() == '=' {
				s.i++
			}
			s.space(false)
			s.value(key)
		}
	default:
		// A number, bool or date: up to the next separator.
		start := s.i
		for !s.eof() && !strings.ContainsRune(" \t\r\n,]}#", rune(s.peek())) {
			s.i++
		}
		if s.i == start && !s.eof() {
			s.i++
		}
	}
}

// str skips a basic, literal or multi-line string.
func (s *keyScanner) str() {
	q := s.src[s.i]
	if delim := strings.Repeat(string(q), 3); strings.HasPrefix(s.src[s.i:], delim) {
		s.i += 3
		for !s.eof() {
			if q == '"' && s.peek() == '\\' {
				s.i += 2
				continue
			}
			if strings.HasPrefix(s.src[s.i:], delim) {
				s.i += 3
				// Up to two more quotes belong to the content.
				for k := 0; k < 2 && s.peek() == q; k++ {
					s.i++
				}
				return
			}
			s.i++
		}
		return
	}
	s.i++
	for !s.eof() && s.peek() != '\n' {
		c := s.peek()
		s.i++
		if q == '"' && c == '\\' {
			s.i++
			continue
		}
		if c == q {
			return
		}
	}
}
