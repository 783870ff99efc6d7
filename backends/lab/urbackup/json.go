package urbackup

import (
	"sort"
	"strconv"
	"strings"
)

// jsonObj is a JSON object as UrBackup's JSON::Object (urbackupcommon/json.cpp)
// prints it: members sorted by key (a std::map), "key": value, a newline
// after every member and after the closing brace, so an object nested in
// another is followed by "\n," — {"a":{"b":1},"c":2} prints as
// "{\n\"a\": {\n\"b\": 1\n}\n,\n\"c\": 2\n}\n". Arrays are compact.
type jsonObj map[string]any

// jsonArr is a JSON array: "[" elements joined by "," "]".
type jsonArr []any

// encodeJSON prints v the way the server does. Values are jsonObj, jsonArr,
// string, bool, int, int64, float64 (C++ ostream's default "%g" with six
// significant digits: 5.58346e+10) and nil.
func encodeJSON(v any) []byte {
	var b strings.Builder
	writeJSON(&b, v)
	return []byte(b.String())
}

func writeJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case jsonObj:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{\n")
		for i, k := range keys {
			// The server writes keys unescaped; ours are plain identifiers.
			b.WriteString(`"` + k + `": `)
			writeJSON(b, x[k])
			if i < len(keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("}\n")
	case jsonArr:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case string:
		b.WriteString(quoteJSON(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', 6, 64))
	case nil:
		b.WriteString("null")
	default:
		panic("encodeJSON: unsupported value")
	}
}

// quoteJSON escapes like JSON::Value::escape: backslash, quote, \n, \r and
// other control bytes as \u00XX; everything else (UTF-8 included) raw.
func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '"':
			b.WriteString(`\"`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteString(strconv.FormatUint(uint64(c)>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(c)&0xf, 16))
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
