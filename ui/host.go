package ui

import (
	"context"
	"fmt"
	"path"
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// preflightView is what the panes show of the imaging preflight: nothing
// yet, "checking …", the engine's error, or the checklist.
type preflightView struct {
	running bool
	res     *model.Preflight
	err     string
}

// preflightMsg is Engine.Preflight's answer, tagged with the generation of
// its request: a second p drops the first answer.
type preflightMsg struct {
	gen int
	pre model.Preflight
	err error
}

// isDisk reports whether a target is a host disk imaged by Clonezilla.
func isDisk(t model.Target) bool { return kindOf(t) == model.KindDisk }

// imageName is an image's directory name, from its path (the point's id).
func imageName(rp model.RestorePoint) string { return path.Base(rp.ID) }

// onHost reports whether the selection is the host concern or one of its
// disks: where p (the imaging preflight) means something.
func (m *Model) onHost() bool {
	c, t := m.tree.Selected()
	if t != nil {
		return isDisk(t.Target)
	}
	return c != nil && c.ID == model.ConcernHost
}

// runPreflight asks the engine to check the host for the next imaging run
// (it runs lsblk and lvs there, so it goes out in a command with a timeout).
// The answer replaces the one kept so far.
func (m *Model) runPreflight() tea.Cmd {
	if !m.onHost() {
		return m.say("p checks the host for the next imaging run: select Host platform or one of its disks", false)
	}
	eng := m.opts.Engine
	if eng == nil {
		return nil
	}
	m.preGen++
	gen := m.preGen
	m.detail.SetPreflight(preflightView{running: true})
	return tea.Batch(m.say("checking the host for the next imaging run…", false), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), preflightTimeout)
		defer cancel()
		p, err := eng.Preflight(ctx)
		return preflightMsg{gen: gen, pre: p, err: err}
	})
}

// onPreflight keeps the latest request's answer; the panes show it, an
// error in words in its place.
func (m *Model) onPreflight(msg preflightMsg) tea.Cmd {
	if msg.gen != m.preGen {
		return nil
	}
	if msg.err != nil {
		m.detail.SetPreflight(preflightView{err: msg.err.Error()})
		return m.say(m.c.glyph(model.StatusCritical)+" imaging preflight: could not check: "+msg.err.Error(), true)
	}
	p := msg.pre
	if p.At.IsZero() {
		p.At = m.c.now() // the engine did not say: it ran just now
	}
	m.detail.SetPreflight(preflightView{res: &p})
	if p.Ready() {
		return m.say("imaging preflight: ready", false)
	}
	return m.say(fmt.Sprintf("imaging preflight: not ready: %s", failedChecks(p)), false)
}

// failedChecks is "1 check failed", "2 checks failed".
func failedChecks(p model.Preflight) string {
	n := 0
	for _, c := range p.Checks {
		if c.State == model.CheckFail {
			n++
		}
	}
	if n == 1 {
		return "1 check failed"
	}
	return fmt.Sprintf("%d checks failed", n)
}

// verify starts a verification of the selected disk's image under the
// detail's cursor (the newest when none was chosen). It only reads the
// image, so it asks nothing first.
func (m *Model) verify() tea.Cmd {
	t := m.selectedTarget()
	if t == nil || !isDisk(t.Target) {
		return m.say("v verifies a Clonezilla image: select a disk of Host platform in the tree", false)
	}
	if !hasMethod(t.Target, model.MethodVerify) {
		return m.say(t.Name+": its images cannot be verified here", false)
	}
	rp, ok := m.detail.SelectedPoint()
	if !ok {
		return m.say(t.Name+" has no image to verify", false)
	}
	name := imageName(rp)
	if m.jobs.VerifyingPoint(rp.ID) {
		return m.say(name+" is being verified already: its progress is in the jobs panel", false)
	}
	req := model.JobRequest{Target: t.ID, Method: model.MethodVerify, Point: rp.ID, Level: model.VerifyPartclone} // the deepest: the console has the time
	return m.startCmd(req, "verification of "+name)
}

// checkWordW is the width of a preflight line's glyph and word: "? unknown".
func (c *common) checkWordW() int { return 8 + c.glyphW() }

// checkWord is a preflight line's state in a word: "pass", "warn", "fail",
// "unknown".
func checkWord(s model.CheckState) string {
	switch s {
	case model.CheckPass, model.CheckWarn, model.CheckFail:
		return string(s)
	}
	return "unknown"
}

// worstChecksFirst orders a preflight's lines fail, warn, unknown, pass
// (the engine's order within each), so that what stops the run shows first
// on a short pane.
func worstChecksFirst(cs []model.Check) []model.Check {
	rank := func(s model.CheckState) int {
		switch s {
		case model.CheckFail:
			return 0
		case model.CheckWarn:
			return 1
		case model.CheckPass:
			return 3
		}
		return 2
	}
	out := append([]model.Check(nil), cs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].State) < rank(out[j].State) })
	return out
}

// preflightHeadline is "✓ ready" or "✗ not ready: 1 check failed", then
// the warnings and unknowns counted ("1 warn", "1 unknown"), styled, to be
// joined with " · ".
func (c *common) preflightHeadline(p model.Preflight) []string {
	th := c.theme
	head := th.OK.Render(c.glyph(model.StatusOK) + " ready")
	if !p.Ready() {
		head = th.Critical.Render(c.glyph(model.StatusCritical) + " not ready: " + failedChecks(p))
	}
	parts := []string{head}
	counts := map[model.CheckState]int{}
	for _, ch := range p.Checks {
		counts[ch.State]++
	}
	for _, s := range []model.CheckState{model.CheckWarn, model.CheckUnknown} {
		if n := counts[s]; n > 0 {
			parts = append(parts, th.Status(s.Status()).Render(fmt.Sprintf("%d %s", n, checkWord(s))))
		}
	}
	return parts
}

// joinWrap joins styled parts with " · " on lines of at most w cells,
// starting a new line rather than splitting a part.
func (c *common) joinWrap(parts []string, w int) []string {
	sep := c.theme.Muted.Render(" · ")
	var out []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = p
		case width(line)+3+width(p) > w:
			out = append(out, line)
			line = p
		default:
			line += sep + p
		}
	}
	return append(out, line)
}

// ranAgo is "2 min ago" for the preflight's time.
func (c *common) ranAgo(at time.Time) string {
	return model.HumanAge(c.now().Sub(at)) + " ago"
}
