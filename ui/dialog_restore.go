package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/termsafe"
)

// restoreDialog restores one of a guest's vzdump archives: j/k pick the
// archive (newest first), ←/→ switch between a new guest (the VMID PVE
// proposes, which can be changed; new MACs, not started) and over the
// original (stopped; its name typed), tab moves to the VMID, the storage
// and, over the original, the name. Enter restores once what it needs is
// there.
type restoreDialog struct {
	c       *common
	target  model.Target
	cursor  int
	over    bool
	field   int // restoreArchives, restoreVMID, restoreStorage, restoreName
	vmid    textField
	storage textField
	name    textField
	// proposal says what became of asking PVE for the next free VMID.
	proposal string
}

const (
	restoreArchives = iota
	restoreVMID
	restoreStorage
	restoreName
	restoreFields
)

// nextVMIDMsg is PVE's proposal for a restore to a new guest.
type nextVMIDMsg struct {
	target string
	vmid   int
	err    error
}

// idEngine is what the restore dialog asks of the engine to propose a
// VMID; an engine without it (a test's) leaves the choice to PVE.
type idEngine interface {
	NextVMID(ctx context.Context, targetID string) (int, error)
}

func newRestoreDialog(c *common, t model.Target) *restoreDialog {
	d := &restoreDialog{c: c, target: t, vmid: newTextField(c.theme, "", 10), storage: newTextField(c.theme, "", 64), name: newTextField(c.theme, "", 64),
		proposal: "asking PVE for the next free VMID…"}
	d.vmid.Blur()
	d.storage.Blur()
	d.name.Blur()
	return d
}

// propose fills the VMID field with PVE's next free one unless the
// operator typed one already.
func (d *restoreDialog) propose(msg nextVMIDMsg) {
	if msg.err != nil {
		d.proposal = "PVE picks the next free VMID when it restores (asking for it failed: " + msg.err.Error() + ")"
		return
	}
	if msg.vmid == 0 {
		d.proposal = "empty: PVE picks the next free VMID when it restores"
		return
	}
	d.proposal = "PVE's next free VMID; type another to choose"
	if strings.TrimSpace(d.vmid.Value()) == "" {
		d.vmid.SetValue(strconv.Itoa(msg.vmid))
	}
}

// chosenVMID is the VMID typed or proposed; 0 lets PVE choose.
func (d *restoreDialog) chosenVMID() (int, bool) {
	v := strings.TrimSpace(d.vmid.Value())
	if v == "" || d.over {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 100 && n <= 999999999
}

func (d *restoreDialog) point() model.RestorePoint { return d.target.RestorePoints[d.cursor] }

// problem is why Enter does nothing yet ("" when it restores).
func (d *restoreDialog) problem() string {
	switch {
	case d.over && d.target.State == "running":
		return d.target.Name + " is running: stop it first (a restore over it replaces its disks)"
	case d.over && d.target.Lock != "":
		return d.target.Name + " is locked (" + d.target.Lock + ")"
	case d.over && d.name.Value() != d.target.Name:
		return "type the guest's name to restore over it"
	}
	if _, ok := d.chosenVMID(); !ok {
		return "a VMID is a number from 100 to 999999999 (empty: PVE picks the next free one)"
	}
	return ""
}

func (d *restoreDialog) Action() action {
	rp := d.point()
	vmid, _ := d.chosenVMID()
	req := model.JobRequest{Target: d.target.ID, Method: model.MethodRestore, Point: rp.ID, Storage: strings.TrimSpace(d.storage.Value()), Over: d.over, VMID: vmid}
	label := "restore of " + guestLabel(d.target) + "'s archive of " + rp.Time.Format("01-02 15:04") + " to a new guest"
	if vmid != 0 {
		label += " " + strconv.Itoa(vmid)
	}
	if d.over {
		label = "restore over " + guestLabel(d.target) + " from its archive of " + rp.Time.Format("01-02 15:04")
	}
	return action{kind: actStart, req: req, label: label}
}

// focus moves to field f, or on in the direction step past a field that
// does not apply (the VMID over the original, the name for a new guest).
func (d *restoreDialog) focus(f, step int) {
	for (d.over && f == restoreVMID) || (!d.over && f == restoreName) {
		f = (f + step + restoreFields) % restoreFields
	}
	d.field = f
	d.vmid.Blur()
	d.storage.Blur()
	d.name.Blur()
	switch f {
	case restoreVMID:
		d.vmid.Focus()
	case restoreStorage:
		d.storage.Focus()
	case restoreName:
		d.name.Focus()
	}
}

func (d *restoreDialog) Update(msg tea.Msg) layerResult {
	k := d.c.keys
	km, isKey := msg.(tea.KeyPressMsg)
	if isKey {
		switch {
		case key.Matches(km, k.Back):
			return layerClosed
		case key.Matches(km, k.Confirm):
			if d.problem() == "" {
				return layerAccepted
			}
			if d.over {
				d.focus(restoreName, 1)
			} else if _, ok := d.chosenVMID(); !ok {
				d.focus(restoreVMID, 1)
			}
			return layerOpen
		case km.String() == "tab":
			d.focus((d.field+1)%restoreFields, 1)
			return layerOpen
		case km.String() == "shift+tab":
			d.focus((d.field+restoreFields-1)%restoreFields, -1)
			return layerOpen
		}
	}
	switch d.field {
	case restoreVMID:
		d.vmid.Update(msg)
	case restoreStorage:
		d.storage.Update(msg)
	case restoreName:
		d.name.Update(msg)
	default:
		if !isKey {
			break
		}
		switch {
		case key.Matches(km, k.Down):
			d.cursor = min(len(d.target.RestorePoints)-1, d.cursor+1)
		case key.Matches(km, k.Up):
			d.cursor = max(0, d.cursor-1)
		case key.Matches(km, k.Collapse), key.Matches(km, k.Expand):
			d.over = !d.over
		}
	}
	return layerOpen
}

func (d *restoreDialog) View(w int) string {
	th := d.c.theme
	title := th.Title.Render("Restore " + guestLabel(d.target))
	if d.over {
		title = th.Critical.Render("Restore over " + guestLabel(d.target))
	}
	lines := []string{title, ""}
	// The archives, a window of up to 5 around the cursor.
	list := d.target.RestorePoints
	from := max(0, min(d.cursor-2, len(list)-5))
	for i := from; i < len(list) && i < from+5; i++ {
		rp := list[i]
		row := fmt.Sprintf("%s  %-6s %9s  %s", rp.Time.Format("2006-01-02 15:04"), model.HumanAge(d.c.now().Sub(rp.Time)), model.HumanBytes(rp.Size), rp.ID)
		if i == d.cursor {
			mark := d.c.sym("›", ">")
			if d.field != restoreArchives {
				mark = " "
			}
			lines = append(lines, mark+" "+th.Selected.Render(trunc(row, w-2)))
			continue
		}
		lines = append(lines, "  "+trunc(row, w-2))
	}
	if n := len(list); n > 5 {
		lines = append(lines, th.Muted.Render(fmt.Sprintf("  %d archives: j/k to pick", n)))
	}
	newG, overG := "[ new guest ]", "[ over "+d.target.Name+" ]"
	if d.over {
		overG = th.ButtonFocus.Render(overG)
	} else {
		newG = th.ButtonFocus.Render(newG)
	}
	lines = append(lines, "", "to      "+newG+" "+overG+th.Muted.Render("  "+d.c.sym("←/→", "left/right")+" switch"))
	if d.over {
		lines = append(lines, wrapText("its disks and config are replaced by the archive's; its snapshots are gone", w)...)
	} else {
		lines = append(lines, wrapText("new MAC addresses, not started", w)...)
	}
	fw := max(10, w-9)
	if !d.over {
		lines = append(lines, "VMID    "+d.vmid.View(fw))
		for _, l := range wrapText(d.proposal, max(10, w-8)) {
			lines = append(lines, th.Muted.Render("        "+l))
		}
	}
	lines = append(lines, "storage "+d.storage.View(fw))
	if d.storage.Value() == "" {
		lines = append(lines, th.Muted.Render("        empty: each disk to the storage it came from"))
	}
	if d.over {
		lines = append(lines, "", "Type "+th.Bold.Render(d.target.Name)+" to restore over it:", th.Muted.Render("> ")+d.name.View(w-2))
	}
	if why := d.problem(); why != "" {
		lines = append(lines, "", th.Warn.Render(trunc(why, w)))
	} else {
		lines = append(lines, "", th.Muted.Render("enter restores; it shows in the jobs panel"))
	}
	return strings.Join(lines, "\n")
}

func (d *restoreDialog) ShortHelp() []key.Binding {
	k := d.c.keys
	return []key.Binding{
		helpAs(k.Down, "archive"),
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "restore")),
		k.Back,
	}
}

func (d *restoreDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// openRestore opens the restore dialog on the selected guest's archives.
func (m *Model) openRestore() tea.Cmd {
	t := m.selectedTarget()
	if t == nil || t.Source != model.SourceProxmox || !isGuest(t.Target) {
		if t != nil && isClient(t.Target) {
			return m.openURBackupRestore(t.Target)
		}
		return m.say("e restores a guest's archive: select a guest in the tree", false)
	}
	if len(t.RestorePoints) == 0 {
		return m.say(t.Name+" has no archive to restore", false)
	}
	m.openDialog(newRestoreDialog(m.c, t.Target))
	return m.askNextVMID(t.ID)
}

// askNextVMID asks PVE for the VMID the restore dialog proposes.
func (m *Model) askNextVMID(targetID string) tea.Cmd {
	var e any = m.opts.Engine
	if s, ok := e.(safeEngine); ok {
		e = s.Engine
	}
	eng, ok := e.(idEngine)
	if !ok {
		return func() tea.Msg { return nextVMIDMsg{target: targetID} }
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		n, err := eng.NextVMID(ctx, targetID)
		return nextVMIDMsg{target: targetID, vmid: n, err: termsafe.CleanError(err)}
	}
}

// onNextVMID gives PVE's proposal to the restore dialog it was asked for.
func (m *Model) onNextVMID(msg nextVMIDMsg) tea.Cmd {
	if d, ok := m.layers.dialog().(*restoreDialog); ok && d.target.ID == msg.target {
		d.propose(msg)
		m.chromeDirty = true
	}
	return nil
}

// openDrill asks before a restore drill of the selected guest's newest
// archive; it runs in the console and shows in the jobs panel.
func (m *Model) openDrill() tea.Cmd {
	t := m.selectedTarget()
	if t == nil || t.Source != model.SourceProxmox || (t.Kind != model.KindVM && t.Kind != model.KindLXC) {
		return m.say("t runs a restore drill of a guest: select a VM or container in the tree", false)
	}
	if len(t.RestorePoints) == 0 {
		return m.say(t.Name+" has no archive to drill", false)
	}
	rp := t.RestorePoints[0]
	g := guestLabel(t.Target)
	text := fmt.Sprintf("Restore %s's newest archive (%s, %s old) to a scratch guest (the next free VMID, named backdeck-drill-VMID), "+
		"cut its network, check its config against the archive's, then destroy it. Not booted (backdeck drill --boot boots it). "+
		"Quitting the console stops the drill and destroys the scratch guest first.", g, rp.Time.Format("2006-01-02 15:04"), model.HumanAge(m.c.now().Sub(rp.Time)))
	m.openDialog(newConfirm(m.c, "Restore drill of "+g, text, "",
		action{kind: actStart, req: model.JobRequest{Target: t.ID, Method: model.MethodDrill, Point: rp.ID}, label: "restore drill of " + g}))
	return nil
}

// drillQuitNote adds to the quit question what happens to running drills:
// they run in the console, and quitting stops them and destroys their
// scratch guests before the console ends.
func drillQuitNote(p *jobsPanel, text string) string {
	n := 0
	for _, j := range p.jobs {
		if j.Method == model.MethodDrill && !j.State.Terminal() {
			n++
		}
	}
	if n == 0 {
		return text
	}
	note := "The restore drill runs in this console: quitting stops it and destroys its scratch guest first."
	if n > 1 {
		note = fmt.Sprintf("%d restore drills run in this console: quitting stops them and destroys their scratch guests first.", n)
	}
	return note + " " + text
}

// openURBackupRestore shows where a client's newest backup is and how
// UrBackup restores it (its web UI, urbackupclientctl on the client):
// UrBackup's restores stay UrBackup's.
func (m *Model) openURBackupRestore(t model.Target) tea.Cmd {
	if len(t.RestorePoints) == 0 {
		return m.say(t.Name+" has no UrBackup backup to restore from", false)
	}
	var folders []string
	for _, f := range t.Facts {
		if f.Label == "folders" {
			folders = strings.Split(f.Value, ", ")
		}
	}
	facts := model.URBackupRestore(t.Name, t.RestorePoints[0], "", folders)
	th := m.c.theme
	m.layers.push(pageLayer{c: m.c, own: m.c.keys.Restore, box: func(w, h int) (int, string) {
		bw := min(100, w-4)
		lines := []string{th.Title.Render("Restore from UrBackup · " + t.Name), "",
			th.Muted.Render(trunc("UrBackup restores its own backups; backdeck changes nothing. The newest:", bw-4)), ""}
		for _, f := range facts {
			for i, l := range wrapText(f.Value, max(10, bw-14)) {
				label := ""
				if i == 0 {
					label = f.Label
				}
				lines = append(lines, fmt.Sprintf("%-9s %s", label, l))
			}
		}
		lines = append(lines, "", th.Muted.Render(trunc("another backup: backdeck restore "+t.ID+"/ID", bw-4)))
		return bw, strings.Join(lines, "\n")
	}})
	m.chromeDirty = true
	return nil
}
