package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// snapState is what is known of a guest's snapshots: they are fetched when
// the guest is selected.
type snapState struct {
	loading bool
	loaded  bool
	list    []model.Snapshot // newest first, without PVE's "current"
	err     string
}

// shown is what the detail shows and its panes read (never change): the
// selection, what the console knows of it, and whether the detail has the
// focus.
type shown struct {
	focused bool
	posture *model.Posture
	concern *model.ConcernStatus
	target  *model.TargetStatus // nil on a concern
	running *model.Job          // the target's job that has not ended, if any
	snaps   snapState           // the selected guest's snapshots
	pre     preflightView       // the imaging preflight (host concern, disks)
}

// detail is the right panel: everything about the selection, in the pane
// of its kind (a guest, an UrBackup client, a host disk, a store, a drive,
// a concern: pane_*.go). The pane is made again when the selection
// changes, so that its cursors and scrolls start at the top.
type detail struct {
	c     *common
	w, h  int
	in    *shown
	pane  component
	key   string      // the selection and the kind of its pane
	chart *chartCache // a store's usage chart, drawn once per posture and size
	lineCache
}

func newDetail(c *common) detail {
	d := detail{c: c, in: &shown{}, chart: &chartCache{}, lineCache: lineCache{dirty: true}}
	d.pane = d.paneFor(nil, nil)
	return d
}

// paneFor makes the pane of a selection: a concern's (or "nothing
// selected"), or the one of the target's kind.
func (d *detail) paneFor(c *model.ConcernStatus, t *model.TargetStatus) component {
	s := sheet{c: d.c, in: d.in, w: d.w, h: d.h, labelW: defaultLabelW}
	if t == nil {
		return &concernPane{scrollPane{sheet: s}}
	}
	return d.kindPane(kindOf(t.Target), s)
}

// kindPane makes the pane of a kind of target.
func (d *detail) kindPane(k model.TargetKind, s sheet) component {
	switch k {
	case model.KindClient:
		return &clientPane{pointsPane{sheet: s}}
	case model.KindDisk:
		s.labelW = diskLabelW
		return &diskPane{sheet: s}
	case model.KindStore:
		return &storePane{scrollPane{sheet: s}, d.chart}
	case model.KindDrive:
		return &drivePane{scrollPane{sheet: s}}
	}
	return &guestPane{pointsPane: pointsPane{sheet: s}}
}

// kindHelp is the help of a kind of target's pane, for the ? overlay.
func (d *detail) kindHelp(k model.TargetKind) helper {
	return d.kindPane(k, sheet{c: d.c, in: d.in})
}

func (d *detail) SetSize(w, h int) {
	if w != d.w || h != d.h {
		d.w, d.h, d.dirty = w, h, true
		d.pane.SetSize(w, h)
	}
}

func (d *detail) SetFocused(f bool) {
	if f != d.in.focused {
		d.in.focused, d.dirty = f, true
	}
}

// SetSelection shows a concern or one of its targets, in a new pane when
// the selection (or its kind) changed.
func (d *detail) SetSelection(p *model.Posture, c *model.ConcernStatus, t *model.TargetStatus) {
	if k := paneKey(c, t); k != d.key {
		d.key = k
		d.in.snaps = snapState{}
		d.pane = d.paneFor(c, t)
	}
	d.in.posture, d.in.concern, d.in.target = p, c, t
	d.dirty = true
}

func paneKey(c *model.ConcernStatus, t *model.TargetStatus) string {
	switch {
	case t != nil:
		return "t:" + string(kindOf(t.Target)) + ":" + t.ID
	case c != nil:
		return "c:" + string(c.ID)
	}
	return ""
}

// SetSnapshots shows the selected guest's snapshots (or their state).
func (d *detail) SetSnapshots(s snapState) {
	d.in.snaps = s
	d.dirty = true
}

// SetPreflight shows the imaging preflight (in the host concern's pane and,
// in short, in a disk's).
func (d *detail) SetPreflight(p preflightView) {
	d.in.pre, d.dirty = p, true
}

// SetRunning tells the pane which job runs on the target (nil: none).
func (d *detail) SetRunning(j *model.Job) {
	if !sameJob(d.in.running, j) {
		d.in.running, d.dirty = j, true
	}
}

func sameJob(a, b *model.Job) bool {
	if a == nil || b == nil {
		return a == b
	}
	return jobEqual(*a, *b)
}

// SelectedSnapshot is the snapshot under a guest's cursor, when there is one.
func (d *detail) SelectedSnapshot() (model.Snapshot, bool) {
	g, _ := d.pane.(*guestPane)
	return g.SelectedSnapshot()
}

// SelectedPoint is the disk's image under the cursor, when there is one.
func (d *detail) SelectedPoint() (model.RestorePoint, bool) {
	k, _ := d.pane.(*diskPane)
	return k.SelectedPoint()
}

// SelectPoint puts a disk's image cursor on an image (a verification's).
func (d *detail) SelectPoint(id string) {
	if k, ok := d.pane.(*diskPane); ok {
		k.pointSel, d.dirty = id, true
	}
}

// Update gives the pane its keys while the detail has the focus.
func (d *detail) Update(msg tea.KeyPressMsg) bool {
	if !d.pane.Update(msg) {
		return false
	}
	d.dirty = true
	return true
}

func (d *detail) ShortHelp() []key.Binding  { return d.pane.ShortHelp() }
func (d *detail) FullHelp() [][]key.Binding { return d.pane.FullHelp() }

// View returns the panel's lines, each exactly d.w cells wide.
func (d *detail) View() []string { return d.lines(d.w, d.h, d.draw) }

func (d *detail) draw(out []string) []string {
	lines := d.pane.View()
	for i := 0; i < min(d.h, len(lines)); i++ {
		out = append(out, fit(" "+lines[i], d.w))
	}
	return out
}
