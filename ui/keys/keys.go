// Package keys is the console's one keymap: every binding with its help
// text, so that the footer and the help overlay build themselves.
package keys

import "charm.land/bubbles/v2/key"

// KeyMap holds every binding of the console.
type KeyMap struct {
	// moving
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Collapse key.Binding
	Expand   key.Binding
	PageDown key.Binding // older restore points in the detail pane
	PageUp   key.Binding // newer restore points in the detail pane
	Next     key.Binding // next panel
	Prev     key.Binding // previous panel
	Open     key.Binding

	// acting
	Refresh  key.Binding
	Backup   key.Binding
	Snapshot key.Binding
	Rollback key.Binding
	Delete   key.Binding
	Stop     key.Binding
	// UrBackup clients: the four kinds of backup (full ones ask first)
	Incremental key.Binding
	Full        key.Binding
	IncrImage   key.Binding
	FullImage   key.Binding
	// the host's Clonezilla images
	Verify    key.Binding // verify the selected image (it only reads: no question)
	Preflight key.Binding // check the host for the next imaging run
	// Schedule shows the backup jobs and the next days' runs
	Schedule key.Binding
	// retention: the prune preview of a guest or a host disk, and in it
	Prune   key.Binding
	Protect key.Binding // protect or unprotect the archive under the cursor
	More    key.Binding // one more of the selected keep rule
	Less    key.Binding // one less
	// a guest's archives
	Restore key.Binding // restore one (dialog)
	Drill   key.Binding // restore drill of the newest (asks first)

	// the console
	Help      key.Binding
	Filter    key.Binding
	Log       key.Binding
	Back      key.Binding
	Quit      key.Binding
	ForceQuit key.Binding

	// dialogs
	Confirm key.Binding // press the focused button / accept
	Switch  key.Binding // move between buttons or fields
	Yes     key.Binding
	No      key.Binding
}

// Default is the keymap of DESIGN.md.
func Default() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		Top:      b("g", "top", "g", "home"),
		Bottom:   b("G", "bottom", "G", "end"),
		Collapse: b("h/←", "collapse", "h", "left"),
		Expand:   b("l/→", "expand", "l", "right"),
		PageDown: b("pgdn/]", "older restore points", "pgdown", "]"),
		PageUp:   b("pgup/[", "newer restore points", "pgup", "["),
		Next:     b("tab", "focus", "tab"),
		Prev:     b("shift+tab", "focus back", "shift+tab"),
		Open:     b("enter", "open", "enter"),

		Refresh:  b("r", "refresh", "r"),
		Backup:   b("b", "backup", "b"),
		Snapshot: b("s", "snapshot", "s"),
		Rollback: b("R", "rollback", "R"),
		Delete:   b("D", "delete snapshot", "D"),
		Stop:     b("x", "stop", "x"),

		Incremental: b("i", "incremental", "i"),
		Full:        b("f", "full", "f"),
		IncrImage:   b("I", "incr. image", "I"),
		FullImage:   b("F", "full image", "F"),

		Verify:    b("v", "verify image", "v"),
		Preflight: b("p", "imaging preflight", "p"),
		Schedule:  b("S", "schedule", "S"),

		Prune:   b("P", "prune preview", "P"),
		Protect: b("t", "protect/unprotect", "t"),
		More:    b("+", "keep one more", "+", "="),
		Less:    b("-", "keep one less", "-"),
		Restore: b("e", "restore", "e"),
		Drill:   b("t", "restore drill", "t"),

		Help:      b("?", "help", "?"),
		Filter:    b("/", "filter", "/"),
		Log:       b("L", "error log", "L"),
		Back:      b("esc", "back", "esc"),
		Quit:      b("q", "quit", "q"),
		ForceQuit: b("ctrl+c", "quit now", "ctrl+c"),

		Confirm: b("enter", "choose", "enter"),
		Switch:  b("tab/←/→", "move", "tab", "shift+tab", "left", "right"),
		Yes:     b("y", "yes", "y", "Y"),
		No:      b("n", "no", "n", "N"),
	}
}
