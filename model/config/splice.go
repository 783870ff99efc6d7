package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The setup wizard rewrites a few sections of a config the operator may
// have edited by hand, and keeps the rest byte for byte, comments
// included: BurntSushi/toml can decode but not edit a document, so the
// changes are spliced into the text. A key the wizard sets gets its new
// value where it stands (a comment after it on its line stays); a key it
// drops loses its line; a key it adds goes after the table's last key. The
// arrays of tables it writes ([[drive]], [[concern]]) are replaced whole,
// each with the comment lines right above its header: what was written
// inside them by hand is not kept.

// stmtKind is what one statement of a TOML text is.
type stmtKind int

const (
	stmtOther  stmtKind = iota // a blank or comment line
	stmtTable                  // [a.b]
	stmtArray                  // [[a.b]]
	stmtKeyVal                 // key = value
)

// stmt is one statement: its kind, the table it opens or sits in, its key
// (dotted parts), and where it is: [start, end) spans its lines, newline
// included; [valStart, valEnd) is a key's value.
type stmt struct {
	kind             stmtKind
	table            []string
	key              []string
	start, end       int
	valStart, valEnd int
}

// statements splits a TOML text that parsed into its statements.
func statements(src string) []stmt {
	s := &keyScanner{src: src, index: &keyLines{keys: map[keyPart]int32{}, elems: map[int32][]int32{}}, arrays: map[int32]int{}}
	s.index.add(keyPart{}) // the document: value() marks under it
	var out []stmt
	var table []string
	for s.i < len(src) {
		st := stmt{start: s.i}
		s.space(false)
		switch c := s.peek(); {
		case c == 0 || c == '\n' || c == '\r' || c == '#':
			st.kind = stmtOther
		case c == '[':
			st.kind = stmtTable
			s.i++
			if s.peek() == '[' {
				st.kind = stmtArray
				s.i++
			}
			table = s.keyParts()
			st.table = table
		default:
			st.kind, st.table = stmtKeyVal, table
			st.key = s.keyParts()
			s.space(false)
			if s.peek() == '=' {
				s.i++
			}
			s.space(false)
			st.valStart = s.i
			s.value(0)
			st.valEnd = s.i
		}
		s.skipLine()
		if s.i < len(src) {
			s.i++ // the newline
		}
		st.end = s.i
		out = append(out, st)
	}
	return out
}

// textEdit replaces [start, end) of the text with text.
type textEdit struct {
	start, end int
	text       string
}

// applyEdits applies non-overlapping edits (in any order).
func applyEdits(src string, edits []textEdit) string {
	slices.SortStableFunc(edits, func(a, b textEdit) int { return a.start - b.start })
	var b strings.Builder
	at := 0
	for _, e := range edits {
		b.WriteString(src[at:e.start])
		b.WriteString(e.text)
		at = e.end
	}
	b.WriteString(src[at:])
	return b.String()
}

// keyValue is a key and its value written as TOML.
type keyValue struct {
	key, value string
}

// setKeys sets keys of one table (nil parts: the top level) to their
// values and deletes the keys in drop, adding the table at the end of the
// text when it has none. It refuses a table written inline
// (proxmox = {…}), which it cannot splice.
func setKeys(src string, table []string, set []keyValue, drop []string) (string, error) {
	sts := statements(src)
	header, body := -1, []int{}
	if len(table) == 0 {
		header = -2 // the top level: everything before the first header
	}
	for i, st := range sts {
		if st.kind == stmtTable || st.kind == stmtArray {
			if header == -2 {
				break
			}
			if header >= 0 {
				break // the table's body ended
			}
			if st.kind == stmtTable && slices.Equal(st.table, table) {
				header = i
			}
			continue
		}
		if st.kind == stmtKeyVal && (header >= 0 || header == -2) {
			body = append(body, i)
		}
		if st.kind == stmtKeyVal && len(table) > 0 && len(st.table) == 0 && len(st.key) == 1 && st.key[0] == table[0] {
			return "", fmt.Errorf("[%s] is written inline (%s = {…}): write it as a [%s] table, or move the file away and run backdeck setup again", table[0], table[0], table[0])
		}
	}
	if header == -1 {
		var b strings.Builder
		b.WriteString(src)
		if src != "" && !strings.HasSuffix(src, "\n") {
			b.WriteByte('\n')
		}
		if src != "" {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "[%s]\n", strings.Join(table, "."))
		for _, kv := range set {
			fmt.Fprintf(&b, "%s = %s\n", kv.key, kv.value)
		}
		return b.String(), nil
	}
	var edits []textEdit
	done := map[string]bool{}
	for _, i := range body {
		st := sts[i]
		if len(st.key) != 1 {
			continue // dotted keys (vzdump.storage) are none of ours
		}
		k := st.key[0]
		if slices.Contains(drop, k) || done[k] {
			edits = append(edits, textEdit{st.start, st.end, ""})
			continue
		}
		for _, kv := range set {
			if kv.key == k {
				edits = append(edits, textEdit{st.valStart, st.valEnd, kv.value})
				done[k] = true
			}
		}
	}
	var add strings.Builder
	for _, kv := range set {
		if !done[kv.key] {
			fmt.Fprintf(&add, "%s = %s\n", kv.key, kv.value)
		}
	}
	if add.Len() > 0 {
		at := 0
		switch {
		case len(body) > 0:
			at = sts[body[len(body)-1]].end
		case header >= 0:
			at = sts[header].end
		}
		text := add.String()
		if at > 0 && !strings.HasSuffix(src[:at], "\n") {
			text = "\n" + text
		}
		if header == -2 && len(body) == 0 && at == 0 && src != "" {
			text += "\n" // top-level keys before the first table, apart from it
		}
		edits = append(edits, textEdit{at, at, text})
	}
	return applyEdits(src, edits), nil
}

// replaceArray replaces every [[name]] block (its header, its keys and
// the comment lines among them and right above its header) by blocks, written where the first one was, or at the
// end of the text when there was none.
func replaceArray(src, name string, blocks []string) string {
	sts := statements(src)
	var edits []textEdit
	first := -1
	for i := 0; i < len(sts); i++ {
		st := sts[i]
		if st.kind != stmtArray || !slices.Equal(st.table, []string{name}) {
			continue
		}
		start := i
		for start > 0 && sts[start-1].kind == stmtOther && isComment(src, sts[start-1]) {
			start--
		}
		// The block ends after its last key (a value may span lines), and
		// takes one blank line after it along; what follows (a paragraph
		// about the next section) is not its own.
		last := i
		for j := i + 1; j < len(sts) && sts[j].kind != stmtTable && sts[j].kind != stmtArray; j++ {
			if sts[j].kind == stmtKeyVal {
				last = j
			}
		}
		end := last + 1
		if end < len(sts) && sts[end].kind == stmtOther && !isComment(src, sts[end]) {
			end++
		}
		to := len(src)
		if end < len(sts) {
			to = sts[end].start
		}
		edits = append(edits, textEdit{sts[start].start, to, ""})
		if first < 0 {
			first = sts[start].start
		}
		i = end - 1
	}
	text := strings.Join(blocks, "\n")
	if len(blocks) > 0 {
		text += "\n"
	}
	if first < 0 {
		prefix := ""
		if src != "" && !strings.HasSuffix(src, "\n") {
			prefix = "\n"
		}
		if src != "" && text != "" {
			prefix += "\n"
		}
		return src + prefix + text
	}
	edits[0].text = text
	return applyEdits(src, edits)
}

func isComment(src string, st stmt) bool {
	return strings.HasPrefix(strings.TrimLeft(src[st.start:st.end], " \t"), "#")
}

// Quote writes s as a TOML basic string, escaping what TOML requires; the
// lab's config writer uses it too.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlList writes a list of strings: ["a", "b"].
func tomlList(list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = Quote(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func boolText(b bool) string { return strconv.FormatBool(b) }
