package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// imageBlocks is the images' title ("Images (3, 540.2 GiB · ✗ 1 damaged)")
// and one block of lines per image, newest first: its row, then what
// follows it (see imageBlock).
func (d *diskPane) imageBlocks(t *model.TargetStatus, rps []model.RestorePoint, cur int) (string, [][]string) {
	c := d.c
	th := c.theme
	head := fmt.Sprintf("Images (%d", len(rps))
	if len(rps) > 0 {
		head += ", " + model.HumanBytes(t.Target.TotalSize())
	}
	title := th.Bold.Render(head)
	bad := 0
	for _, rp := range rps {
		if damaged(rp) {
			bad++
		}
	}
	if bad > 0 {
		title += th.Muted.Render(" · ") + th.Critical.Render(fmt.Sprintf("%s %d damaged", c.glyph(model.StatusCritical), bad))
	}
	title += th.Bold.Render(")")
	if len(rps) == 0 {
		return title, [][]string{{"  " + th.Muted.Render("none: no Clonezilla image of this disk yet")}}
	}
	now := c.now()
	wide := d.w >= 70
	// The columns are as wide as their widest cell, so that the state
	// keeps as much room as it can on a narrow pane.
	ageW, sizeW := 0, 0
	for _, rp := range rps {
		ageW = max(ageW, width(model.HumanAge(now.Sub(rp.Time))))
		sizeW = max(sizeW, width(model.HumanBytes(rp.Size)))
	}
	blocks := make([][]string, 0, len(rps))
	for i, rp := range rps {
		blocks = append(blocks, d.imageBlock(rp, i == cur, wide, ageW, sizeW, now))
	}
	return title, blocks
}

// imageBlock is one image: "› 2026-11-23 14:22  2 d  61.4 GiB  ✓ verified
// (level 3, 1 d ago)" (on a narrow pane "11-23" and the short state when
// the long one does not fit); under a damaged image its first problem;
// under the cursor's image its problems (two on a narrow pane, in two lines
// each), what the image holds and, on a wide pane, its path.
func (d *diskPane) imageBlock(rp model.RestorePoint, selected, wide bool, ageW, sizeW int, now time.Time) []string {
	c := d.c
	th := c.theme
	date := c.local(rp.Time).Format("01-02")
	if wide {
		date = c.local(rp.Time).Format("2006-01-02 15:04")
	}
	text := fmt.Sprintf("%s  %-*s  %*s  ", date, ageW, model.HumanAge(now.Sub(rp.Time)), sizeW, model.HumanBytes(rp.Size))
	avail := d.w - 2 - 2 // the pane's margin, the cursor
	long, short := c.verifiedState(rp.Verified)
	if j := d.in.running; j != nil && j.Method == model.MethodVerify && j.Point == rp.ID {
		s := c.jobGlyph(j.State) + " verifying"
		if j.Progress.Percent >= 0 {
			s += fmt.Sprintf(" %.0f%%", j.Progress.Percent)
		}
		long, short = th.Accent.Render(s), th.Accent.Render(s)
	}
	state := long
	if width(text)+width(long) > avail {
		state = short
	}
	row := text + state
	switch {
	case selected && d.in.focused:
		row = c.sym("›", ">") + " " + th.Selected.Render(stripStyles(trunc(row, avail)))
	case selected:
		row = c.sym("›", ">") + " " + row
	default:
		row = "  " + row
	}
	lines := []string{row}

	const indent = "    "
	room := d.w - 2 - len(indent)
	v := rp.Verified
	if damaged(rp) {
		shown := 1
		if selected {
			shown = 2
			if wide {
				shown = 5
			}
		}
		probs := v.Problems
		if len(probs) == 0 {
			probs = []string{"no problem recorded"}
		}
		for i, p := range probs[:min(shown, len(probs))] {
			if !selected {
				if i == 0 && state == short {
					p = problems(len(v.Problems)) + ": " + p // the row had no room for the count
				}
				lines = append(lines, indent+th.Critical.Render(trunc(p, room)))
				continue
			}
			// The chosen image's problems in two lines each: on a narrow
			// pane one line would keep little more than the file's name.
			wrapped := wrapText(p, room)
			if len(wrapped) > 2 {
				wrapped = []string{wrapped[0], strings.Join(wrapped[1:], " ")}
			}
			for _, l := range wrapped {
				lines = append(lines, indent+th.Critical.Render(trunc(l, room)))
			}
		}
		if more := len(probs) - shown; selected && more > 0 {
			lines = append(lines, indent+th.Muted.Render(fmt.Sprintf("… %d more", more)))
		}
	}
	if !selected {
		return lines
	}
	if damaged(rp) && !wide {
		return lines // the problems matter more than what the image holds
	}
	var about []string
	if v != nil && state == short {
		about = append(about, fmt.Sprintf("level %d, checked %s", v.Level, c.ranAgo(v.At)))
	}
	if n := firstLine(rp.Notes); n != "" {
		about = append(about, n)
	}
	if wide {
		if len(about) > 0 {
			lines = append(lines, indent+th.Muted.Render(trunc(strings.Join(about, " · "), room)))
		}
		return append(lines, indent+th.Muted.Render(trunc(rp.ID, room)))
	}
	if len(about) == 0 {
		about = []string{imageName(rp)}
	}
	return append(lines, indent+th.Muted.Render(trunc(strings.Join(about, " · "), room)))
}

// imageWindow is the image blocks that fit in avail lines, the cursor's
// block always in view, with "… N newer" above and "… N older" below when
// cut.
func (d *diskPane) imageWindow(blocks [][]string, cur, avail int) []string {
	th := d.c.theme
	if avail <= 0 {
		return nil
	}
	total := 0
	for _, b := range blocks {
		total += len(b)
	}
	if total <= avail {
		d.imgOffset, d.rpPage = 0, len(blocks)
		out := make([]string, 0, total)
		for _, b := range blocks {
			out = append(out, b...)
		}
		return out
	}
	cur = max(0, min(cur, len(blocks)-1))
	// The first block shown: where it was, moved so that the blocks down
	// to the cursor's fit with their markers.
	fits := func(off int) bool {
		n := 0
		if off > 0 {
			n++
		}
		for i := off; i <= cur; i++ {
			n += len(blocks[i])
		}
		if cur < len(blocks)-1 {
			n++
		}
		return n <= avail
	}
	off := min(d.imgOffset, cur)
	for off < cur && !fits(off) {
		off++
	}
	d.imgOffset = off
	var out []string
	if off > 0 {
		out = append(out, th.Muted.Render(fmt.Sprintf("  … %d newer", off)))
	}
	i := off
	for ; i < len(blocks); i++ {
		reserve := 0
		if i < len(blocks)-1 {
			reserve = 1 // "… N older"
		}
		if len(out)+len(blocks[i])+reserve > avail {
			if i == cur && len(out) < avail {
				// Too tall a block for the pane: its first lines.
				out = append(out, blocks[i][:min(len(blocks[i]), avail-len(out)-reserve)]...)
				i++
			}
			break
		}
		out = append(out, blocks[i]...)
	}
	if i < len(blocks) && len(out) < avail {
		out = append(out, th.Muted.Render(fmt.Sprintf("  … %d older", len(blocks)-i)))
	}
	d.rpPage = max(1, i-off)
	return out
}

// preflightCompact is the imaging preflight in a disk's pane: one line
// (not run, checking, the error, or the headline and when it ran), and
// the lines that did not pass, one each, for when there is room.
func (d *diskPane) preflightCompact() (line, more []string) {
	c := d.c
	th := c.theme
	pv := d.in.pre
	switch {
	case pv.running:
		return []string{d.field("preflight", th.Accent.Render("checking …"))}, nil
	case pv.err != "":
		return []string{d.field("preflight", th.Critical.Render(c.glyph(model.StatusCritical)+" could not check: "+pv.err))}, nil
	case pv.res == nil:
		return []string{d.field("preflight", th.Muted.Render("not run: p checks the host"))}, nil
	}
	p := *pv.res
	// The headline, then what else fits of the counts and the age.
	parts := c.preflightHeadline(p)
	head := parts[0]
	for _, s := range append(parts[1:], th.Muted.Render(c.ranAgo(p.At))) {
		if d.labelW+1+width(head)+3+width(s) > d.w-2 {
			break
		}
		head += th.Muted.Render(" · ") + s
	}
	line = []string{d.field("preflight", head)}
	room := d.w - 2 - 2
	for _, ch := range worstChecksFirst(p.Checks) {
		if ch.State == model.CheckPass {
			break
		}
		st := ch.State.Status()
		more = append(more, "  "+trunc(th.Status(st).Render(fit(c.glyph(st)+" "+checkWord(ch.State), c.checkWordW()))+" "+ch.Name+": "+ch.Reason, room))
	}
	return line, more
}
