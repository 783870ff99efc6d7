package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
)

// filter is the / input that narrows the tree to targets whose name or id
// contains the text. While it is open it gets the keys first.
type filter struct {
	c      *common
	field  textField
	active bool // the input is open and typing goes to it
}

func newFilter(c *common) filter { return filter{c: c, field: newTextField(c.theme, "", 64)} }

// Open starts typing (keeping what was typed before).
func (f *filter) Open() { f.active = true }

// Close stops typing; the filter stays applied.
func (f *filter) Close() { f.active = false }

// Clear empties and closes the filter.
func (f *filter) Clear() {
	f.field.SetValue("")
	f.active = false
}

// Value is the filter text.
func (f *filter) Value() string { return f.field.Value() }

// Applied reports whether the tree is filtered.
func (f *filter) Applied() bool { return f.field.Value() != "" }

// Header is the tree's title line while filtering: the input and a count.
func (f *filter) Header(w, shown int) string {
	th := f.c.theme
	count := th.Muted.Render(fmt.Sprintf(" %d shown", shown))
	if f.active {
		prefix := th.Key.Render("/") + " "
		fw := max(4, w-width(prefix)-width(count)-1)
		return prefix + f.field.View(fw) + count
	}
	return trunc(th.Accent.Render("filter: "+f.Value())+count+th.Muted.Render(" · esc clears"), w)
}

func (f *filter) ShortHelp() []key.Binding {
	k := f.c.keys
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		k.Up, k.Down,
	}
}

func (f *filter) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
