package ui

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui/termsafe"
)

// pruneEngine is what the prune preview needs of the engine, besides
// Start (the prune itself is a job). An engine without it (a test's) has
// no preview.
type pruneEngine interface {
	PrunePlans(ctx context.Context, targetID string, keep *model.Retention) ([]model.PrunePlan, error)
	SetProtected(ctx context.Context, targetID, volid string, protected bool) error
}

// pruneTimeout bounds a preview (a few requests per storage) and a
// protection change.
const pruneTimeout = 30 * time.Second

type (
	prunePlansMsg struct {
		gen   int
		plans []model.PrunePlan
		err   error
	}
	protectMsg struct {
		volid     string
		protected bool
		err       error
	}
)

// pruneRules are the keep rules in PVE's order, as the preview edits them.
var pruneRules = []string{model.RuleLast, model.RuleHourly, model.RuleDaily, model.RuleWeekly, model.RuleMonthly, model.RuleYearly}

func pruneRuleCount(r *model.Retention, i int) *int {
	return []*int{&r.KeepLast, &r.KeepHourly, &r.KeepDaily, &r.KeepWeekly, &r.KeepMonthly, &r.KeepYearly}[i]
}

// pruneLayer is the prune preview of one guest: per storage, each archive
// with PVE's mark, the rule that keeps it, its size, and what pruning
// frees. ←/→ and +/- change the rules (as PVE's prune simulator does, and
// the preview is asked again), t protects or unprotects the archive under
// the cursor, enter prunes after the guest's name is typed. What it wants
// done is left in its outbox for the root (pruneOutbox).
type pruneLayer struct {
	c      *common
	target model.Target
	gen    int // the preview asked last
	// the answer
	loading bool
	err     string
	plans   []model.PrunePlan
	// the operator's choices
	plan   int              // the storage shown
	cursor int              // the archive
	rule   int              // the rule +/- change
	keep   *model.Retention // nil: the rules that apply
	busy   string           // a protection change under way
	// the outbox
	fetch   bool
	protect *model.PruneEntry
	confirm bool
	note    string // a word for the status bar
}

// images tells whether the preview is of a host disk's Clonezilla images:
// their rules are the config's, and they have no protection.
func (l *pruneLayer) images() bool { return isDisk(l.target) }

func (l *pruneLayer) current() (model.PrunePlan, bool) {
	if l.plan < 0 || l.plan >= len(l.plans) {
		return model.PrunePlan{}, false
	}
	return l.plans[l.plan], true
}

func (l *pruneLayer) Update(msg tea.Msg) layerResult {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return layerOpen
	}
	k := l.c.keys
	p, has := l.current()
	switch {
	case key.Matches(km, k.Back):
		return layerClosed
	case key.Matches(km, k.Quit):
		return layerQuit
	case key.Matches(km, k.Down):
		l.cursor = min(l.cursor+1, max(0, len(p.Entries)-1))
	case key.Matches(km, k.Up):
		l.cursor = max(0, l.cursor-1)
	case key.Matches(km, k.Top):
		l.cursor = 0
	case key.Matches(km, k.Bottom):
		l.cursor = max(0, len(p.Entries)-1)
	case key.Matches(km, k.Next):
		if len(l.plans) > 0 {
			l.plan, l.cursor = (l.plan+1)%len(l.plans), 0
		}
	case key.Matches(km, k.Collapse):
		l.rule = max(0, l.rule-1)
	case key.Matches(km, k.Expand):
		l.rule = min(len(pruneRules)-1, l.rule+1)
	case l.images() && (key.Matches(km, k.More) || key.Matches(km, k.Less) || key.Matches(km, k.Protect)):
		l.note = "the images' keep rules are keep_last and keep_monthly under [clonezilla] in the config; images have no protection"
	case key.Matches(km, k.More), key.Matches(km, k.Less):
		if !has && l.keep == nil {
			break
		}
		if l.keep == nil {
			r := p.Rules
			if r.KeepAll {
				r = model.Retention{}
			}
			l.keep = &r
		}
		n := pruneRuleCount(l.keep, l.rule)
		if key.Matches(km, k.More) {
			*n++
		} else {
			*n = max(0, *n-1)
		}
		l.fetch = true
	case key.Matches(km, k.Protect):
		if has && l.cursor < len(p.Entries) && l.busy == "" {
			e := p.Entries[l.cursor]
			l.protect = &e
		}
	case key.Matches(km, k.Confirm):
		if n, _ := p.Removed(); has && n > 0 && !l.loading {
			l.confirm = true
		}
	}
	return layerOpen
}

func (l *pruneLayer) ShortHelp() []key.Binding {
	k := l.c.keys
	return []key.Binding{helpAs(k.Confirm, "prune"), k.Protect, helpAs(k.Expand, "rule"), helpAs(k.More, "more/less"), k.Back}
}

func (l *pruneLayer) FullHelp() [][]key.Binding { return [][]key.Binding{l.ShortHelp()} }

// Box draws the preview: as many archive rows as the screen has room for,
// the one under the cursor in view.
func (l *pruneLayer) Box(w, h int) (int, string) {
	bw := min(96, w-4)
	cw := bw - 4
	th := l.c.theme
	lines := []string{th.Bold.Render(trunc("Prune preview · "+guestLabel(l.target), cw))}
	p, has := l.current()
	switch {
	case l.err != "":
		lines = append(lines, "")
		lines = append(lines, wrapText(th.Critical.Render(l.c.glyph(model.StatusCritical)+" ")+l.err, cw)...)
		return bw, strings.Join(append(lines, "", th.Muted.Render("esc closes")), "\n")
	case !has && l.loading:
		return bw, strings.Join(append(lines, "", "reading PVE's prune preview…"), "\n")
	case !has:
		return bw, strings.Join(append(lines, "", l.target.Name+" has no archives on an online storage: nothing to prune", "", th.Muted.Render("esc closes")), "\n")
	}
	where := "on " + strings.TrimPrefix(p.Store, "pve/")
	if len(l.plans) > 1 {
		where += fmt.Sprintf(" (%d of %d: tab shows the next)", l.plan+1, len(l.plans))
	}
	from := "the rules of " + p.From
	if l.keep != nil {
		from = "your rules, for this prune only"
	}
	lines = append(lines, trunc(where+" · "+from, cw))
	head := th.Muted.Render(fmt.Sprintf("  %-9s  %-16s  %9s  %-7s  %s", "mark", "date", "size", "rule", "archive"))
	if l.images() {
		where = fmt.Sprintf("keep_last %d · keep_monthly %d · the newest image verified whole is always kept", p.Rules.KeepLast, p.Rules.KeepMonthly)
		lines[len(lines)-1] = trunc(where, cw)
		lines = append(lines, th.Muted.Render("(the rules of [clonezilla] in the config)"))
		head = th.Muted.Render(fmt.Sprintf("  %-9s  %-16s  %9s  %-30s  %s", "mark", "date", "size", "image", "kept because"))
	} else {
		lines = append(lines, l.rulesLine(p, cw))
	}
	lines = append(lines, "")
	lines = append(lines, trunc(head, cw))
	n, bytes := p.Removed()
	summary := "nothing to remove"
	if n > 0 {
		summary = th.Warn.Render(fmt.Sprintf("%d to remove · %s freed", n, model.HumanBytes(bytes)))
	}
	if l.loading {
		summary += th.Muted.Render(" · asking PVE again…")
	}
	if l.busy != "" {
		summary += th.Muted.Render(" · " + l.busy)
	}
	hint := th.Muted.Render("enter prunes (you type the name) · t protect · ←/→ +/- rules · esc")
	switch {
	case l.images() && n > 0:
		hint = th.Muted.Render("enter removes them (you type the disk's name) · esc closes")
	case l.images():
		hint = th.Muted.Render("esc closes")
	case n == 0:
		hint = th.Muted.Render("t protect · ←/→ +/- rules · esc closes")
	}
	room := max(1, h-2-len(lines)-3)
	rows := make([]string, 0, len(p.Entries))
	for i, e := range p.Entries {
		rows = append(rows, l.row(e, i == l.cursor, cw))
	}
	lines = append(lines, pruneWindow(rows, l.cursor, room)...)
	lines = append(lines, "", summary, hint)
	return bw, strings.Join(lines, "\n")
}

// rulesLine is "last 0  hourly 0  [daily 7]  weekly 4 …", the rule +/-
// change in brackets (not by style alone).
func (l *pruneLayer) rulesLine(p model.PrunePlan, w int) string {
	th := l.c.theme
	r := p.Rules
	if l.keep != nil {
		r = *l.keep
	}
	var parts []string
	for i, name := range pruneRules {
		part := fmt.Sprintf("%s %d", name, *pruneRuleCount(&r, i))
		if i == l.rule {
			part = th.ButtonFocus.Render("[" + part + "]")
		} else {
			part = " " + part + " "
		}
		parts = append(parts, part)
	}
	line := strings.Join(parts, " ")
	if r.KeepAll {
		line = "keep-all: nothing is removed · " + line
	}
	return trunc(line, w)
}

func (l *pruneLayer) row(e model.PruneEntry, sel bool, w int) string {
	th := l.c.theme
	size := "?"
	if e.Size >= 0 {
		size = model.HumanBytes(e.Size)
	}
	mark := fmt.Sprintf("%-9s", e.Mark)
	switch e.Mark {
	case model.MarkRemove:
		mark = th.Warn.Render(mark)
	case model.MarkProtected:
		mark = th.Accent.Render(mark)
	}
	ptr := "  "
	if sel {
		ptr = l.c.sym("› ", "> ")
	}
	date := l.c.local(e.Time).Format("2006-01-02 15:04")
	if l.images() {
		return trunc(fmt.Sprintf("%s%s  %-16s  %9s  %-30s  %s", ptr, mark, date, size, trunc(path.Base(e.VolID), 30), e.Rule), w)
	}
	return trunc(fmt.Sprintf("%s%s  %-16s  %9s  %-7s  %s", ptr, mark, date, size, e.Rule, path.Base(e.VolID)), w)
}

// pruneWindow is n of rows with row i in view.
func pruneWindow(rows []string, i, n int) []string {
	if len(rows) <= n {
		return rows
	}
	start := max(0, min(i-n/2, len(rows)-n))
	return rows[start : start+n]
}

// pruner is the engine's prune preview, when it has one.
func (m *Model) pruner() (pruneEngine, bool) {
	var e any = m.opts.Engine
	if s, ok := e.(safeEngine); ok {
		e = s.Engine
	}
	p, ok := e.(pruneEngine)
	return p, ok
}

// openPrune opens the prune preview of the selected guest.
func (m *Model) openPrune() tea.Cmd {
	t := m.selectedTarget()
	if t == nil || !(isGuest(t.Target) && t.Source == model.SourceProxmox || isDisk(t.Target)) {
		return m.say("P previews the prune of a guest's archives or a host disk's images: select one in the tree", false)
	}
	if _, ok := m.pruner(); !ok {
		return m.say("this console's engine has no prune preview", false)
	}
	l := &pruneLayer{c: m.c, target: t.Target}
	m.layers.push(l)
	return m.fetchPrune(l)
}

// fetchPrune asks for the preview under a new generation.
func (m *Model) fetchPrune(l *pruneLayer) tea.Cmd {
	eng, ok := m.pruner()
	if !ok {
		return nil
	}
	l.gen++
	l.loading, l.fetch = true, false
	gen, id, keep := l.gen, l.target.ID, l.keep
	if keep != nil {
		k := *keep
		keep = &k
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), pruneTimeout)
		defer cancel()
		plans, err := eng.PrunePlans(ctx, id, keep)
		return prunePlansMsg{gen: gen, plans: termsafe.Clean(plans), err: termsafe.CleanError(err)}
	}
}

// pruneLayerOpen is the prune preview in the stack, nil when none is.
func (m *Model) pruneLayerOpen() *pruneLayer {
	for _, l := range m.layers {
		if pl, ok := l.(*pruneLayer); ok {
			return pl
		}
	}
	return nil
}

func (m *Model) onPrunePlans(msg prunePlansMsg) tea.Cmd {
	l := m.pruneLayerOpen()
	if l == nil || msg.gen != l.gen {
		return nil // closed, or a newer preview was asked
	}
	m.chromeDirty = true
	l.loading = false
	if msg.err != nil {
		l.err = msg.err.Error()
		return nil
	}
	l.err, l.plans = "", msg.plans
	l.plan = min(l.plan, max(0, len(l.plans)-1))
	if p, ok := l.current(); ok {
		l.cursor = min(l.cursor, max(0, len(p.Entries)-1))
	}
	return nil
}

func (m *Model) onProtect(msg protectMsg) tea.Cmd {
	l := m.pruneLayerOpen()
	if l != nil {
		l.busy = ""
		m.chromeDirty = true
	}
	name := path.Base(msg.volid)
	if msg.err != nil {
		return m.actionFailed(model.SourceProxmox, "Cannot change the protection of "+name, msg.err)
	}
	var fetch tea.Cmd
	if l != nil {
		fetch = m.fetchPrune(l)
	}
	word := "protected"
	if !msg.protected {
		word = "no longer protected"
	}
	return tea.Batch(fetch, m.say(name+" is "+word, false))
}

// pruneOutbox does what the preview asked for after a key: close, ask
// again, protect, or the typed confirmation of the prune.
func (m *Model) pruneOutbox(l *pruneLayer, res layerResult) tea.Cmd {
	switch {
	case res == layerClosed:
		m.layers.pop()
		return nil
	case res == layerQuit:
		return m.quit()
	case l.note != "":
		note := l.note
		l.note = ""
		return m.say(note, false)
	case l.confirm && l.images():
		l.confirm = false
		p, _ := l.current()
		n, bytes := p.Removed()
		m.layers.pop()
		m.openDialog(newConfirm(m.c, "Prune the images of "+l.target.Name,
			fmt.Sprintf("Remove %d image%s of %s (%s freed), as keep_last %d and keep_monthly %d decide? They cannot be restored afterwards; the newest image verified whole stays.",
				n, plural(n), l.target.Name, model.HumanBytes(bytes), p.Rules.KeepLast, p.Rules.KeepMonthly), l.target.Name,
			action{kind: actStart, req: model.JobRequest{Target: l.target.ID, Method: model.MethodPrune}, label: "prune of the images of " + l.target.Name}))
		return nil
	case l.confirm:
		l.confirm = false
		p, _ := l.current()
		n, bytes := p.Removed()
		rules := p.Rules
		if l.keep != nil {
			rules = *l.keep
		}
		g := guestLabel(l.target)
		store := strings.TrimPrefix(p.Store, "pve/")
		m.layers.pop()
		m.openDialog(newConfirm(m.c, "Prune "+g,
			fmt.Sprintf("Remove %d archive%s of %s on %s (%s freed), as PVE's prune with %s does? They cannot be restored afterwards; protected and renamed archives stay.",
				n, plural(n), g, store, model.HumanBytes(bytes), rules.String()), l.target.Name,
			action{kind: actStart, req: model.JobRequest{Target: l.target.ID, Method: model.MethodPrune, Storage: p.Store, Retention: &rules},
				label: "prune of " + g + " on " + store}))
		return nil
	case l.fetch:
		return m.fetchPrune(l)
	case l.protect != nil:
		e := *l.protect
		l.protect = nil
		protect := e.Mark != model.MarkProtected
		verb := "protecting "
		if !protect {
			verb = "unprotecting "
		}
		l.busy = verb + path.Base(e.VolID) + "…"
		return m.protectCmd(l.target.ID, e.VolID, protect)
	}
	return nil
}

// protectCmd protects (or releases) one archive of a guest; its answer,
// protectMsg, is said in the status bar and asks an open preview again.
func (m *Model) protectCmd(targetID, volid string, protect bool) tea.Cmd {
	eng, ok := m.pruner()
	if !ok {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), pruneTimeout)
		defer cancel()
		return protectMsg{volid: volid, protected: protect, err: termsafe.CleanError(eng.SetProtected(ctx, targetID, volid, protect))}
	}
}
