package ui

import (
	"time"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/keys"
	"github.com/backdeck/backdeck/ui/theme"
)

// common is what every component shares (soft-serve's Common): the theme,
// the keymap, the glyph set, the clock and the screen size. Components get
// a pointer to the one instance; their own size comes through SetSize.
type common struct {
	theme  *theme.Theme
	keys   *keys.KeyMap
	ascii  bool
	now    func() time.Time
	bars   barSet // the progress bars, one per colour role
	width  int
	height int
}

// glyph is the symbol of a verdict in the current glyph set.
func (c *common) glyph(s model.Status) string { return theme.Glyph(s, c.ascii) }

// glyphW is how many cells a glyph takes: columns made for "✓ ok" widen by
// glyphW-1 in ASCII.
func (c *common) glyphW() int { return width(c.glyph(model.StatusOK)) }

// statusWord is the short word that goes with a glyph.
func statusWord(s model.Status) string {
	switch s {
	case model.StatusOK:
		return "ok"
	case model.StatusWarning:
		return "warn"
	case model.StatusCritical:
		return "critical"
	}
	return "unknown"
}

// badge is a verdict as glyph and word, styled: "✓ ok", "! warn"; in
// ASCII "ok" says it alone.
func (c *common) badge(s model.Status) string {
	if c.glyph(s) == statusWord(s) {
		return c.theme.Status(s).Render(statusWord(s))
	}
	return c.theme.Status(s).Render(c.glyph(s) + " " + statusWord(s))
}

// badgeW is the width of a column of badges: "✗ critical", "XX critical".
func (c *common) badgeW() int { return 9 + c.glyphW() }

// mark is a verdict's glyph alone, styled.
func (c *common) mark(s model.Status) string {
	return c.theme.Status(s).Render(c.glyph(s))
}

// sym picks the Unicode or the ASCII form of a decoration.
func (c *common) sym(unicode, ascii string) string {
	if c.ascii {
		return ascii
	}
	return unicode
}

// jobGlyph and jobWord show a job's state without relying on colour.
func (c *common) jobGlyph(s model.JobState) string {
	switch s {
	case model.JobQueued:
		return c.sym("…", "..")
	case model.JobRunning:
		return c.sym("⟳", ">>")
	case model.JobSucceeded:
		return c.glyph(model.StatusOK)
	case model.JobWarning:
		return c.glyph(model.StatusWarning)
	case model.JobFailed:
		return c.glyph(model.StatusCritical)
	}
	return c.sym("-", "--")
}

// jobStatus is the verdict colour of a job's state.
func jobStatus(s model.JobState) model.Status {
	switch s {
	case model.JobSucceeded:
		return model.StatusOK
	case model.JobWarning, model.JobCancelled, model.JobNothing:
		return model.StatusWarning
	case model.JobFailed:
		return model.StatusCritical
	}
	return model.StatusUnknown
}

// jobOutcome is the final word of an ended job: "succeeded", "WARNINGS: 1",
// "failed: job errors", "nothing to do", "cancelled".
func jobOutcome(j model.Job) string {
	switch j.State {
	case model.JobSucceeded:
		if j.Method == model.MethodVerify && j.Message != "" {
			return "succeeded: " + j.Message // "whole (level 3, 1.2 GiB read in 3s)"
		}
		return "succeeded"
	case model.JobWarning:
		if j.Message != "" {
			return j.Message
		}
		return "warnings"
	case model.JobFailed:
		if j.Message != "" {
			return "failed: " + j.Message
		}
		return "failed"
	case model.JobCancelled:
		return "cancelled"
	case model.JobNothing:
		return "nothing to do"
	case model.JobQueued:
		return "queued"
	}
	return string(j.State)
}

// methodLabel is how a method is named in a job row or an actions line.
func methodLabel(m model.Method) string {
	switch m {
	case model.MethodVzdump:
		return "vzdump"
	case model.MethodSnapshot:
		return "snapshot"
	case model.MethodRollback:
		return "rollback"
	case model.MethodDeleteSnapshot:
		return "del snap"
	case model.MethodIncrFile:
		return "incr file"
	case model.MethodFullFile:
		return "full file"
	case model.MethodIncrImage:
		return "incr image"
	case model.MethodFullImage:
		return "full image"
	case model.MethodVerify:
		return "verify"
	case model.MethodPrune:
		return "prune"
	}
	return string(m)
}

// kindOf is the kind of a target as the console shows it: the kind its
// source reported; a configured target that no source reported has none,
// and is shown as the kind its source stands for.
func kindOf(t model.Target) model.TargetKind {
	if t.Kind != "" {
		return t.Kind
	}
	switch t.Source {
	case model.SourceURBackup:
		return model.KindClient
	case model.SourceClonezilla:
		return model.KindDisk
	}
	return model.KindVM
}

// isClient reports whether a target is an UrBackup client.
func isClient(t model.Target) bool { return kindOf(t) == model.KindClient }

// guestLabel names a target for dialogs and messages: "k3sagent01 (VM 421)".
func guestLabel(t model.Target) string {
	name := t.Name
	if name == "" {
		name = t.ID
	}
	switch {
	case t.VMID == 0:
		return name
	case t.Kind == model.KindLXC:
		return name + " (CT " + itoa(t.VMID) + ")"
	}
	return name + " (VM " + itoa(t.VMID) + ")"
}

// isGuest reports whether a target is a guest (a VM, a container or a
// template) that a source reported: it has snapshots to list.
func isGuest(t model.Target) bool {
	switch kindOf(t) {
	case model.KindVM, model.KindLXC, model.KindTemplate:
		return t.VMID > 0
	}
	return false
}

// local shows a time in the clock's zone (the operator's, or a test's).
func (c *common) local(t time.Time) time.Time { return t.In(c.now().Location()) }
