package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
)

// rollbackDialog asks before a rollback and says what becomes of the
// guest: PVE stops it for the rollback (AbstractConfig::snapshot_rollback)
// and starts it again only from a snapshot with RAM, or when asked to
// (start=1). When the snapshot has no RAM, space chooses to start it.
type rollbackDialog struct {
	*confirmDialog
	offerStart bool // the snapshot has no RAM: starting is the operator's choice
	start      bool
	running    bool
	word       string // "VM" or "container"
}

// toggleKey ticks a dialog's option.
var toggleKey = key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "tick/untick"))

func newRollbackDialog(c *common, t model.Target, s model.Snapshot) *rollbackDialog {
	g := guestLabel(t)
	word := "VM"
	if t.Kind == model.KindLXC {
		word = "container"
	}
	running := t.State == "running"
	text := fmt.Sprintf("Roll back %s to snapshot %s? Changes since then are lost.", g, s.Name)
	ram := s.VMState && t.Kind != model.KindLXC
	switch {
	case ram:
		text += fmt.Sprintf(" The snapshot holds the %s's RAM: PVE stops the %s and resumes it from that RAM, running as it was then.", word, word)
	case running:
		text += fmt.Sprintf(" The %s is running: PVE stops it for the rollback, and it stays stopped afterwards unless you tick below.", word)
	default:
		text += fmt.Sprintf(" The %s stays stopped afterwards unless you tick below.", word)
	}
	req := model.JobRequest{Target: t.ID, Method: model.MethodRollback, Snapshot: s.Name}
	d := &rollbackDialog{
		confirmDialog: newConfirm(c, "Roll back "+g, text, "", action{kind: actStart, req: req, label: "rollback of " + g + " to " + s.Name}),
		offerStart:    !ram,
		running:       running,
		word:          word,
	}
	return d
}

func (d *rollbackDialog) Action() action {
	a := d.act
	if d.offerStart && d.start {
		a.req.Start = true
		a.label += ", then start"
	}
	return a
}

func (d *rollbackDialog) Update(msg tea.Msg) layerResult {
	if km, ok := msg.(tea.KeyPressMsg); ok && d.offerStart && key.Matches(km, toggleKey) {
		d.start = !d.start
		return layerOpen
	}
	return d.confirmDialog.Update(msg)
}

func (d *rollbackDialog) View(w int) string {
	lines := d.body(w)
	if d.offerStart {
		th := d.c.theme
		what := "start the " + d.word + " after the rollback"
		if d.running {
			what = "start the " + d.word + " again after the rollback"
		}
		lines = append(lines, "", checkbox(d.c, d.start)+" "+what+th.Muted.Render("  (space)"))
		if d.start {
			for _, l := range wrapText("PVE asks for VM.PowerMgmt on the guest first; without it nothing is rolled back.", w) {
				lines = append(lines, th.Muted.Render(l))
			}
		}
	}
	return strings.Join(append(lines, "", d.buttons()), "\n")
}

func (d *rollbackDialog) ShortHelp() []key.Binding {
	if !d.offerStart {
		return d.confirmDialog.ShortHelp()
	}
	k := d.c.keys
	return []key.Binding{toggleKey, k.Switch, k.Confirm, k.Back}
}

func (d *rollbackDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// checkbox is a ticked or empty box.
func checkbox(c *common, on bool) string {
	if on {
		return c.sym("[✓]", "[x]")
	}
	return "[ ]"
}
