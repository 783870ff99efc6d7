package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/backdeck/backdeck/model"
)

// filter is the / input that narrows the tree to targets whose name or id
// contains each word typed and, with "!critical" and the like, that are in
// one of the states named (a query). While it is open it gets the keys
// first.
type filter struct {
	c      *common
	field  textField
	active bool // the input is open and typing goes to it
}

func newFilter(c *common) filter {
	f := filter{c: c, field: newTextField(c.theme, "", 64)}
	f.field.in.Placeholder = "name, id or !state"
	return f
}

// The states a query can name with "!": what operators triage by.
const (
	stateOK       = "ok"
	stateWarn     = "warn"
	stateCritical = "critical"
	stateUnknown  = "unknown"
	stateFailed   = "failed"  // a failed drive, a damaged image, a target whose last job failed
	stateOffline  = "offline" // a client, a store or a drive not there now
)

// stateNames are the words "!" takes, each with its state; a query may
// give any unique beginning of one ("!crit", "!f").
var stateNames = []struct{ word, state string }{
	{"ok", stateOK}, {"warn", stateWarn}, {"warning", stateWarn}, {"critical", stateCritical},
	{"unknown", stateUnknown}, {"failed", stateFailed}, {"offline", stateOffline},
}

// query is the filter's text taken apart.
type query struct {
	text   string   // lower case, trimmed: equal texts are equal queries
	words  []string // each in the name or the id
	states []string // one of them
	bad    []string // "!x" that names no state (or several): ignored
}

func parseQuery(s string) query {
	q := query{text: strings.ToLower(strings.TrimSpace(s))}
	for _, w := range strings.Fields(q.text) {
		if !strings.HasPrefix(w, "!") {
			q.words = append(q.words, w)
			continue
		}
		if st := stateOf(w[1:]); st != "" {
			q.states = append(q.states, st)
		} else {
			q.bad = append(q.bad, w)
		}
	}
	return q
}

// stateOf is the state a word names, or begins to name alone; "" when none.
func stateOf(w string) string {
	found := ""
	for _, n := range stateNames {
		if w != "" && strings.HasPrefix(n.word, w) {
			if found != "" && found != n.state {
				return ""
			}
			found = n.state
		}
	}
	return found
}

func (q query) empty() bool { return q.text == "" }

// has reports whether the query names a state.
func (q query) has(state string) bool {
	for _, s := range q.states {
		if s == state {
			return true
		}
	}
	return false
}

// inState reports whether a target is in a state; failed lists the targets
// whose last job failed.
func inState(ts *model.TargetStatus, state string, failed map[string]bool) bool {
	switch state {
	case stateOK:
		return ts.Status == model.StatusOK
	case stateWarn:
		return ts.Status == model.StatusWarning
	case stateCritical:
		return ts.Status == model.StatusCritical
	case stateUnknown:
		return ts.Status == model.StatusUnknown
	case stateFailed:
		if failed[ts.ID] || (ts.Drive != nil && ts.Drive.Health == model.HealthFailed) {
			return true
		}
		for _, rp := range ts.RestorePoints {
			if damaged(rp) {
				return true
			}
		}
	case stateOffline:
		switch {
		case ts.Store != nil:
			return !ts.Store.Online
		case ts.Drive != nil:
			return !ts.Drive.Present && !ts.Drive.Asleep
		}
		return ts.Offline
	}
	return false
}

// matches reports whether a target answers the query.
func (q query) matches(ts *model.TargetStatus, failed map[string]bool) bool {
	name, id := strings.ToLower(ts.Name), strings.ToLower(ts.ID)
	for _, w := range q.words {
		if !strings.Contains(name, w) && !strings.Contains(id, w) {
			return false
		}
	}
	if len(q.states) == 0 {
		return true
	}
	for _, s := range q.states {
		if inState(ts, s, failed) {
			return true
		}
	}
	return false
}

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

// Header is the tree's title line while filtering: the input and a count,
// or that a "!" names no state (the footer lists them).
func (f *filter) Header(w, shown int) string {
	th := f.c.theme
	count := th.Muted.Render(fmt.Sprintf(" %d shown", shown))
	if q := parseQuery(f.Value()); len(q.bad) > 0 {
		count = th.Warn.Render(" " + q.bad[0] + ": no such state")
	}
	if f.active {
		prefix := th.Key.Render("/") + " "
		fw := max(4, w-width(prefix)-width(count)-1)
		return prefix + f.field.View(fw) + count
	}
	return trunc(th.Accent.Render("filter: "+f.Value())+count+th.Muted.Render(" · esc clears"), w)
}

func (f *filter) ShortHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "ok warn critical unknown failed offline")),
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move")),
	}
}

func (f *filter) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
