package ui

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
)

// textField is a one-line text input: the filter, the snapshot form and the
// type-to-confirm field. (bubbles/textinput would need
// github.com/atotto/clipboard in go.mod, which is not listed.)
type textField struct {
	value []rune
	pos   int
	limit int // 0: no limit
}

func newTextField(value string, limit int) textField {
	f := textField{limit: limit}
	f.SetValue(value)
	return f
}

// Value is the text typed.
func (f *textField) Value() string { return string(f.value) }

// SetValue replaces the text and puts the cursor at its end.
func (f *textField) SetValue(s string) {
	f.value = []rune(s)
	if f.limit > 0 && len(f.value) > f.limit {
		f.value = f.value[:f.limit]
	}
	f.pos = len(f.value)
}

// insert types s at the cursor, dropping control characters.
func (f *textField) insert(s string) {
	for _, r := range s {
		if unicode.IsControl(r) {
			continue
		}
		if f.limit > 0 && len(f.value) >= f.limit {
			return
		}
		f.value = append(f.value, 0)
		copy(f.value[f.pos+1:], f.value[f.pos:])
		f.value[f.pos] = r
		f.pos++
	}
}

// Update edits the text on a key; it reports whether the key was used.
func (f *textField) Update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		f.insert(msg.Content)
		return true
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if f.pos > 0 {
				f.value = append(f.value[:f.pos-1], f.value[f.pos:]...)
				f.pos--
			}
		case "delete", "ctrl+d":
			if f.pos < len(f.value) {
				f.value = append(f.value[:f.pos], f.value[f.pos+1:]...)
			}
		case "left", "ctrl+b":
			f.pos = max(0, f.pos-1)
		case "right", "ctrl+f":
			f.pos = min(len(f.value), f.pos+1)
		case "home", "ctrl+a":
			f.pos = 0
		case "end", "ctrl+e":
			f.pos = len(f.value)
		case "ctrl+u":
			f.value, f.pos = f.value[f.pos:], 0
		case "ctrl+k":
			f.value = f.value[:f.pos]
		case "ctrl+w", "alt+backspace":
			i := f.pos
			for i > 0 && f.value[i-1] == ' ' {
				i--
			}
			for i > 0 && f.value[i-1] != ' ' {
				i--
			}
			f.value = append(f.value[:i], f.value[f.pos:]...)
			f.pos = i
		case "space":
			f.insert(" ")
		default:
			if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
				return false
			}
			f.insert(msg.Text)
		}
		return true
	}
	return false
}

// View draws the text in w cells with the cursor shown when focused; long
// text scrolls so that the cursor stays visible.
func (f *textField) View(c *common, w int, focused bool) string {
	if w <= 0 {
		return ""
	}
	start := 0
	if f.pos >= w {
		start = f.pos - w + 1
	}
	end := min(len(f.value), start+w)
	if !focused {
		return fit(c.theme.Input.Render(string(f.value[start:end])), w)
	}
	var b strings.Builder
	b.WriteString(c.theme.Input.Render(string(f.value[start:f.pos])))
	cur := " "
	if f.pos < len(f.value) {
		cur = string(f.value[f.pos])
	}
	b.WriteString(c.theme.Cursor.Render(cur))
	if f.pos+1 < end {
		b.WriteString(c.theme.Input.Render(string(f.value[f.pos+1 : end])))
	}
	return fit(b.String(), w)
}
