package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/backdeck/backdeck/ui/theme"
)

// textField is a one-line text input (the filter, the snapshot form's
// fields, the type-the-name field): bubbles/textinput with the theme's
// styles, no prompt (the caller draws its own), a cursor that does not
// blink (an idle console arms no timer), and no clipboard key (a
// terminal's paste arrives as tea.PasteMsg; reading the clipboard would be
// I/O the console does not route back).
type textField struct {
	in     textinput.Model
	preset bool           // the text was given, not typed (Preset)
	sel    lipgloss.Style // how a preset text shows: selected
}

func newTextField(th *theme.Theme, value string, limit int) textField {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = limit
	off := key.NewBinding(key.WithDisabled())
	in.KeyMap.Paste = off
	in.KeyMap.AcceptSuggestion, in.KeyMap.NextSuggestion, in.KeyMap.PrevSuggestion = off, off, off
	in.SetStyles(fieldStyles(th))
	in.Focus()
	f := textField{in: in, sel: th.Selected}
	f.SetValue(value)
	return f
}

// Preset gives the field a value to keep or replace, as a text input shows
// a proposal selected: the first key that types (or a paste) replaces it,
// a deleting key clears it, a cursor key keeps it for editing.
func (f *textField) Preset(s string) {
	f.SetValue(s)
	f.preset = s != ""
}

// IsPreset reports whether the text is the one given, untouched.
func (f *textField) IsPreset() bool { return f.preset }

// fieldStyles are the theme's input styles for textinput. Every colour is
// set (NoColor where the theme has none): an unset or nil colour would make
// lipgloss write "default colour" codes, and the monochrome theme has none.
func fieldStyles(th *theme.Theme) textinput.Styles {
	st := textinput.StyleState{
		Text:        th.Input,
		Placeholder: th.Muted,
		Suggestion:  th.Muted,
		Prompt:      lipgloss.NewStyle(), // the prompt is empty
	}
	return textinput.Styles{
		Focused: st,
		Blurred: st,
		Cursor:  textinput.CursorStyle{Color: lipgloss.NoColor{}, Shape: tea.CursorBlock, Blink: false},
	}
}

// Value is the text typed.
func (f *textField) Value() string { return f.in.Value() }

// SetValue replaces the text and puts the cursor at its end.
func (f *textField) SetValue(s string) {
	f.preset = false
	f.in.SetValue(s)
	f.in.CursorEnd()
}

// Focus shows the cursor and lets the field take keys; Blur hides it.
func (f *textField) Focus() { f.in.Focus() }
func (f *textField) Blur()  { f.in.Blur() }

// Update edits the text on a key or a paste; it reports whether the message
// was the field's (a paste, an editing key, or a key that types text).
func (f *textField) Update(msg tea.Msg) bool {
	used, typing, deleting := false, false, false
	switch msg := msg.(type) {
	case tea.PasteMsg:
		used, typing = true, true
	case tea.KeyPressMsg:
		typing = msg.Text != "" && msg.Mod&(tea.ModCtrl|tea.ModAlt) == 0
		km := f.in.KeyMap
		deleting = key.Matches(msg, km.DeleteWordBackward, km.DeleteWordForward, km.DeleteAfterCursor, km.DeleteBeforeCursor,
			km.DeleteCharacterBackward, km.DeleteCharacterForward)
		used = typing || deleting || key.Matches(msg, km.CharacterForward, km.CharacterBackward, km.WordForward, km.WordBackward,
			km.LineStart, km.LineEnd)
	}
	if !used {
		return false
	}
	if f.preset {
		f.preset = false
		switch {
		case deleting:
			f.in.SetValue("")
			return true
		case typing:
			f.in.SetValue("")
		}
	}
	// The command is the cursor's blink, which is off.
	f.in, _ = f.in.Update(msg)
	return true
}

// View draws the text in exactly w cells, the cursor shown when the field
// has the focus; long text scrolls so that the cursor stays in view.
func (f *textField) View(w int) string {
	if w <= 0 {
		return ""
	}
	// textinput draws Width cells of text and one more for the cursor; it
	// scrolls its text when the cursor moves, so a new width is applied by
	// putting the cursor where it is.
	if f.preset && f.in.Focused() {
		return fit(f.sel.Render(trunc(f.in.Value(), w-1)), w)
	}
	if tw := max(1, w-1); tw != f.in.Width() {
		f.in.SetWidth(tw)
		f.in.SetCursor(f.in.Position())
	}
	return fit(f.in.View(), w)
}
