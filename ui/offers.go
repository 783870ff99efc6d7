package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/backdeck/backdeck/model"
)

// offer is a key of the actions line: a method a target can offer (or a
// pane's own action), the key that starts it and its word.
type offer struct {
	method model.Method
	key    key.Binding
	label  string
}

// offers are the methods the console can start, in the order of the
// actions line. A target's pane shows the keys of those its source says it
// offers (Target.Methods): the console knows no tool's rules of its own.
func (c *common) offers() []offer {
	k := c.keys
	return []offer{
		{model.MethodVzdump, k.Backup, "backup"},
		{model.MethodIncrFile, k.Incremental, "incremental"},
		{model.MethodFullFile, k.Full, "full"},
		{model.MethodIncrImage, k.IncrImage, "incr. image"},
		{model.MethodFullImage, k.FullImage, "full image"},
		{model.MethodSnapshot, k.Snapshot, "snapshot"},
		{model.MethodRollback, k.Rollback, "rollback"},
		{model.MethodDeleteSnapshot, k.Delete, "delete"},
		{model.MethodVerify, k.Verify, "verify image"},
	}
}

// hasMethod reports whether the target offers method m.
func hasMethod(t model.Target, m model.Method) bool { return slices.Contains(t.Methods, m) }

// offeredKeys says which keys start what the target offers: "i or f",
// "i, f, I or F"; "" when it offers nothing.
func (c *common) offeredKeys(t model.Target) string {
	var ks []string
	for _, o := range c.offers() {
		if hasMethod(t, o.method) {
			ks = append(ks, o.key.Help().Key)
		}
	}
	if len(ks) < 2 {
		return strings.Join(ks, "")
	}
	return strings.Join(ks[:len(ks)-1], ", ") + " or " + ks[len(ks)-1]
}

// ready reports whether what a method acts on is there: a snapshot to roll
// back to or delete (the selected one), an image to verify.
func (s *sheet) ready(m model.Method) bool {
	switch m {
	case model.MethodRollback, model.MethodDeleteSnapshot:
		return len(s.in.snaps.list) > 0
	case model.MethodVerify:
		return len(s.in.target.RestorePoints) > 0
	}
	return true
}

// actionLines lists what can be done on the target now, "b backup  s
// snapshot  R rollback  D delete  x stop", on as many lines as the pane's
// width needs: the methods it offers that have what they act on, the
// pane's own actions, and stop while a job runs on it.
func (s *sheet) actionLines(own ...offer) []string {
	th := s.c.theme
	var parts []string
	add := func(b key.Binding, desc string) {
		parts = append(parts, th.Key.Render(b.Help().Key)+" "+th.Desc.Render(desc))
	}
	for _, o := range s.c.offers() {
		if hasMethod(s.in.target.Target, o.method) && s.ready(o.method) {
			add(o.key, o.label)
		}
	}
	for _, o := range own {
		add(o.key, o.label)
	}
	if s.in.running != nil {
		add(s.c.keys.Stop, "stop")
	}
	if len(parts) == 0 {
		return []string{th.Muted.Render("no actions for this target")}
	}
	var lines []string
	line := ""
	for _, p := range parts {
		if line != "" && width(line)+2+width(p) > s.w-2 {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += "  "
		}
		line += p
	}
	return append(lines, line)
}
