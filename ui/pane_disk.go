package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// diskLabelW is the label width of a disk's pane: "last good image".
const diskLabelW = 15

// verifiedState is an image's verified state in words with a glyph, styled,
// in a long and a short form: "✓ verified (level 3, 2 d ago)" or "✓
// verified", "✗ damaged: 2 problems" or "✗ damaged", "· not verified". The
// words carry it without colour.
func (c *common) verifiedState(v *model.Verification) (long, short string) {
	th := c.theme
	switch {
	case v == nil:
		s := th.Muted.Render(c.sym("·", "-") + " not verified")
		return s, s
	case v.OK:
		ok := c.glyph(model.StatusOK) + " verified"
		return th.OK.Render(fmt.Sprintf("%s (level %d, %s)", ok, v.Level, c.ranAgo(v.At))), th.OK.Render(ok)
	}
	bad := c.glyph(model.StatusCritical) + " damaged"
	return th.Critical.Render(bad + ": " + problems(len(v.Problems))), th.Critical.Render(bad)
}

// problems is "1 problem", "2 problems".
func problems(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}

// damaged reports whether an image's newest verification found problems.
func damaged(rp model.RestorePoint) bool { return rp.Verified != nil && !rp.Verified.OK }

// diskPane is a host disk's pane (a disk imaged by Clonezilla), in fixed
// parts like a guest's: the summary at the top; the images newest first,
// the cursor's one expanded (its problems, what it holds, its path) and a
// damaged one always followed by its first problem; the imaging preflight
// in a line (and its failing lines when there is room); the actions pinned
// at the bottom. With the focus, j/k move the image cursor, pgdn/pgup a
// page of images.
type diskPane struct {
	sheet
	pointSel  string // the image under the cursor, by id ("" the newest)
	imgOffset int    // first image shown when they are cut
	rpPage    int    // images shown in the last frame
}

func (d *diskPane) Update(msg tea.KeyPressMsg) bool {
	return d.onStep(msg, d.rpPage, d.moveImage)
}

func (d *diskPane) ShortHelp() []key.Binding {
	k := d.c.keys
	return []key.Binding{helpAs(k.Down, "image"), k.Verify, k.Preflight, k.Back}
}

func (d *diskPane) FullHelp() [][]key.Binding {
	k := d.c.keys
	return [][]key.Binding{{
		helpAs(k.Verify, "verify image (level 3; it only reads)"),
		k.Preflight,
	}}
}

// SelectedPoint is the disk's image under the cursor: the one chosen with
// j/k, or the newest when none was (or the chosen one is gone). A nil pane,
// not a disk's, has none.
func (d *diskPane) SelectedPoint() (model.RestorePoint, bool) {
	if d == nil {
		return model.RestorePoint{}, false
	}
	rps := newestFirst(d.in.target.RestorePoints)
	i := d.pointIndex(rps)
	if i < 0 {
		return model.RestorePoint{}, false
	}
	return rps[i], true
}

// pointIndex finds the chosen image by id, so that a new posture (a new
// image at the top) leaves the cursor on the same image.
func (d *diskPane) pointIndex(rps []model.RestorePoint) int {
	if len(rps) == 0 {
		return -1
	}
	for i := range rps {
		if rps[i].ID == d.pointSel {
			return i
		}
	}
	return 0
}

// moveImage moves the image cursor by step (clamped).
func (d *diskPane) moveImage(step int) {
	rps := newestFirst(d.in.target.RestorePoints)
	if len(rps) == 0 {
		return
	}
	i := max(0, min(len(rps)-1, d.pointIndex(rps)+step))
	d.pointSel = rps[i].ID
}

func (d *diskPane) View() []string {
	t := d.in.target
	h := d.h
	top := d.diskSummary(t)
	// The preflight is the host's, not the disk's: the pane offers it
	// because it shows it.
	actions := d.actionLines(offer{key: d.c.keys.Preflight, label: "imaging preflight"})
	if len(actions) > h-1 {
		actions = actions[:max(0, h-1)]
	}
	pre, preMore := d.preflightCompact()
	rps := newestFirst(t.RestorePoints)
	cur := d.pointIndex(rps)
	title, blocks := d.imageBlocks(t, rps, cur)

	// The summary keeps room for the images' title, the cursor's row and
	// the preflight's line; it is cut only on a pane too short for more.
	if keep := h - len(actions) - 3; len(top) > keep {
		top = top[:max(1, keep)]
	}
	total := 0
	for _, b := range blocks {
		total += len(b)
	}
	// The calendar strip only where every image and the preflight's line
	// leave room.
	top = append(top, d.fitCalendar(t, h-len(top)-len(actions)-(1+1+total+1+len(pre)))...)
	room := max(0, h-len(top)-len(actions))
	var mid []string
	if 1+1+total+1+len(pre) <= room {
		// Every image fits: a blank line before each section, and the
		// preflight's lines that did not pass when there is room.
		d.imgOffset, d.rpPage = 0, len(blocks)
		mid = append(mid, "", title)
		for _, b := range blocks {
			mid = append(mid, b...)
		}
		mid = append(mid, "")
		mid = append(mid, pre...)
		mid = append(mid, preMore[:min(len(preMore), room-len(mid))]...)
	} else {
		// Tight: the images windowed around the cursor, the preflight in
		// its line; what room is left over separates the sections.
		win := d.imageWindow(blocks, cur, room-1-len(pre))
		spare := room - 1 - len(win) - len(pre)
		if spare > 0 {
			mid = append(mid, "")
		}
		mid = append(mid, title)
		mid = append(mid, win...)
		if spare > 1 {
			mid = append(mid, "")
		}
		mid = append(mid, pre...)
	}
	return stack(top, mid, room, actions)
}

// diskSummary is the top of a disk's pane: the title with the verdict (the
// labels are wide: the badge would not fit beside the image), the newest
// image not known damaged with its age and size, the max age, why, the job
// that runs on it, and the source's facts (the serial; the images' count is
// in their title below).
func (d *diskPane) diskSummary(t *model.TargetStatus) []string {
	c := d.c
	lines := []string{
		d.title(t.Name+" · host disk") + c.theme.Muted.Render(" · ") + c.badge(t.Status),
		d.field("last good image", d.lastText(t)),
	}
	lines = append(lines, d.ageLines(t)...)
	if j := d.in.running; j != nil {
		lines = append(lines, d.jobLine(j))
	}
	for _, f := range t.Facts {
		if f.Label == "images" {
			continue
		}
		lines = append(lines, d.wrapField(f.Label, f.Value)...)
	}
	return lines
}
