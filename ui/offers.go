package ui

import (
	"charm.land/bubbles/v2/key"

	"github.com/backdeck/backdeck/model"
)

// actionLines lists what can be done on the target, "b backup  s snapshot
// R rollback  D delete  x stop", on as many lines as the pane's width
// needs. Rollback and delete show when the guest has a snapshot: they act
// on the selected one.
func (s *sheet) actionLines(t *model.TargetStatus) []string {
	k := s.c.keys
	th := s.c.theme
	var parts []string
	add := func(b key.Binding, desc string) {
		parts = append(parts, th.Key.Render(b.Help().Key)+" "+th.Desc.Render(desc))
	}
	if hasMethod(t.Target, model.MethodVzdump) {
		add(k.Backup, "backup")
	}
	if isClient(t.Target) {
		for _, x := range []struct {
			m    model.Method
			b    key.Binding
			desc string
		}{
			{model.MethodIncrFile, k.Incremental, "incremental"},
			{model.MethodFullFile, k.Full, "full"},
			{model.MethodIncrImage, k.IncrImage, "incr. image"},
			{model.MethodFullImage, k.FullImage, "full image"},
		} {
			if hasMethod(t.Target, x.m) {
				add(x.b, x.desc)
			}
		}
	}
	if hasMethod(t.Target, model.MethodSnapshot) {
		add(k.Snapshot, "snapshot")
	}
	if len(s.in.snaps.list) > 0 {
		if canAct(t.Target, model.MethodRollback) {
			add(k.Rollback, "rollback")
		}
		if canAct(t.Target, model.MethodDeleteSnapshot) {
			add(k.Delete, "delete")
		}
	}
	if isDisk(t.Target) {
		if hasMethod(t.Target, model.MethodVerify) && len(t.RestorePoints) > 0 {
			add(k.Verify, "verify image")
		}
		add(k.Preflight, "imaging preflight")
	}
	if s.in.running != nil {
		add(k.Stop, "stop")
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
