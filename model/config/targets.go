package config

import (
	"fmt"
	"path"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// warn records something that loads but should be written otherwise,
// located like an error: "config.toml:42: …". Past maxProblems they are
// only counted.
func (l *loader) warn(pos, format string, args ...any) {
	if len(l.warnings) >= maxProblems {
		l.moreWarnings++
		return
	}
	w := &Error{File: l.name, Line: l.line(pos), Msg: fmt.Sprintf(format, args...)}
	l.warnings = append(l.warnings, w.Error())
}

// allWarnings returns the warnings, the uncounted ones summed up.
func (l *loader) allWarnings() []string {
	if l.moreWarnings == 0 {
		return l.warnings
	}
	more := &Error{File: l.name, Msg: fmt.Sprintf("and %d more warnings like these", l.moreWarnings)}
	return append(l.warnings, more.Error())
}

// renameGuestTargets rewrites the guest targets of one concern written the
// old way, "<node>/qemu/<vmid>", to the source's ids, "pve/qemu/<vmid>": a
// guest keeps its id when it moves to another node. Each rewrite is a
// warning naming the new id; a target listed twice (two nodes' ids of one
// guest) is kept once. pos is the concern's place ("concern[1]").
func (l *loader) renameGuestTargets(pos string, targets []string) []string {
	out := targets[:0:0]
	first := map[string]int{} // id → index in targets
	for k, tg := range targets {
		at := fmt.Sprintf("%s.targets[%d]", pos, k)
		id, renamed := newGuestTarget(tg)
		j, dup := first[id]
		also := "" // where the first is, when not on this line
		if dup {
			if n := l.line(fmt.Sprintf("%s.targets[%d]", pos, j)); n != l.line(at) {
				also = fmt.Sprintf(" (line %d)", n)
			}
		}
		switch {
		case renamed && dup:
			l.warn(at, "target %q is now %q, listed already%s: the id names the source, not the node; kept once", tg, id, also)
		case renamed:
			note := ""
			if strings.ContainsAny(id[strings.LastIndex(id, "/")+1:], "*?[") {
				note = ", so this pattern covers the guests of every node"
			}
			l.warn(at, "target %q is now %q: the id names the source, not the node%s", tg, id, note)
		case dup && targets[j] != tg:
			l.warn(at, "target %q is listed already as %q%s: kept once", tg, targets[j], also)
		case dup:
			l.warn(at, "target %q is listed twice%s: kept once", tg, also)
		}
		if dup {
			continue
		}
		first[id] = k
		out = append(out, id)
	}
	return out
}

// newGuestTarget returns the "pve/…" id of a guest target (or pattern)
// written with a node first, "alpha/qemu/201"; ok is false for every other
// target, and for a pattern whose first part matches "pve" already.
func newGuestTarget(id string) (string, bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 || parts[1] != string(model.KindVM) && parts[1] != string(model.KindLXC) {
		return id, false
	}
	if m, err := path.Match(parts[0], "pve"); m || err != nil {
		return id, false
	}
	return "pve/" + parts[1] + "/" + parts[2], true
}
