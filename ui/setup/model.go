package setup

import (
	"context"
	"image/color"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/backdeck/backdeck/backends/probe"
	"github.com/backdeck/backdeck/model"
)

// Options configure the wizard.
type Options struct {
	// ConfigPath is where the config is written.
	ConfigPath string
	// Existing is the config there now and ExistingText its text (nil for
	// a first run): the wizard starts from it and keeps what it does not
	// rewrite.
	Existing     *model.Config
	ExistingText []byte
	// Host is what this machine is (probe.DetectHost, run before the
	// program starts); HostEnv runs the host's tools for the drives step.
	Host    probe.Host
	HostEnv probe.HostEnv
	Getenv  func(string) string
	Now     func() time.Time
	NoColor bool
	// Timeout bounds each live check; 0 is 20 s.
	Timeout time.Duration
}

// Result is how the wizard ended.
type Result struct {
	// Written: the config (and its secret files) were written.
	Written bool
	Path    string
	// Open: the operator asked for the dashboard.
	Open    bool
	Summary []string
}

// stepID names a step. Several belong to one of the eight (the
// token and its privileges are step 3).
type stepID int

const (
	stepWhere stepID = iota
	stepTrust
	stepToken
	stepPrivileges
	stepFound
	stepURBackup
	stepURBackupTrust
	stepURBackupLogin
	stepURBackupFound
	stepDrives
	stepConcerns
	stepWrite
	stepDone
)

// Model is the wizard: a Bubble Tea model whose current step shows a huh
// form. It is used through a pointer, so that the forms can hold
// pointers to its answers.
type Model struct {
	opts Options
	a    answers

	step    stepID
	history []stepID // the steps gone through, for Esc
	form    *huh.Form
	focus   int // the field of the step's form to focus when it is built

	busy string // what is being checked; keys wait meanwhile
	err  string // why the last check failed, shown above the form
	gen  int    // the current check; older outcomes are dropped

	width, height int
	dark          bool
	result        Result
}

// New returns the wizard at its first step, with answers taken from the
// existing config where there is one.
func New(opts Options) *Model {
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	m := &Model{opts: opts, dark: true}
	m.a = startingAnswers(opts)
	m.result.Path = opts.ConfigPath
	return m
}

// Result is how the wizard ended; read it once the program has.
func (m *Model) Result() Result { return m.result }

// Init shows the first step.
func (m *Model) Init() tea.Cmd { return m.show(stepWhere) }

// outcomeMsg is what a live check found.
type outcomeMsg struct {
	gen int
	// err says why the check failed; field is the field to return to.
	err   error
	field int
	// apply stores what the check found (in Update: no I/O); next is the
	// step to go to.
	apply func(m *Model)
	next  stepID
}

// check runs work in a command, bounded by the check timeout; its outcome
// comes back as an outcomeMsg. work must not read the model: what it needs
// is copied before.
func (m *Model) check(what string, work func(ctx context.Context) outcomeMsg) tea.Cmd {
	m.gen++
	gen, timeout := m.gen, m.opts.Timeout
	m.busy, m.err = what, ""
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		o := work(ctx)
		o.gen = gen
		return o
	}
}

// Update routes keys (Ctrl+C and Esc first), check outcomes and sizes,
// and the rest to the step's form.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.form != nil {
			m.form.WithWidth(m.formWidth())
		}
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
	case tea.KeyPressMsg:
		switch msg.String() {
		case "ctrl+c":
			if m.busy == writingWords {
				return m, nil // the files are being written: let it end
			}
			m.a.forgetSecrets()
			return m, tea.Quit
		case "esc":
			return m, m.back()
		}
		if m.busy != "" {
			return m, nil
		}
	case outcomeMsg:
		if msg.gen != m.gen || m.busy == "" {
			return m, nil // a check gone back from
		}
		m.busy = ""
		if msg.err != nil {
			m.focus = msg.field
			cmd := m.rebuild()
			m.err = msg.err.Error()
			return m, cmd
		}
		if msg.apply != nil {
			msg.apply(m)
		}
		if msg.next == stepDone && m.result.Open {
			return m, tea.Quit
		}
		return m, m.advance(msg.next)
	}
	if m.form == nil || m.busy != "" {
		return m, nil
	}
	f, cmd := m.form.Update(msg)
	if form, ok := f.(*huh.Form); ok {
		m.form = form
	}
	if m.form.State == huh.StateCompleted {
		return m, tea.Batch(cmd, m.submitted())
	}
	return m, cmd
}

// advance goes on to step next, remembering this one for Esc.
func (m *Model) advance(next stepID) tea.Cmd {
	if next != m.step {
		m.history = append(m.history, m.step)
	}
	m.focus = 0
	return m.show(next)
}

// back is Esc: it abandons a running check, else returns to the step
// before; the first step and the last (the config is written) stay.
func (m *Model) back() tea.Cmd {
	if m.busy == writingWords || m.step == stepDone {
		return nil
	}
	if m.busy != "" {
		m.gen++
		m.busy = ""
		return m.rebuild()
	}
	if len(m.history) == 0 {
		m.err = "this is the first step: Ctrl+C leaves without writing anything"
		return nil
	}
	prev := m.history[len(m.history)-1]
	m.history = m.history[:len(m.history)-1]
	m.focus = 0
	return m.show(prev)
}

// rebuild shows the current step's form again (after a failed check, or a
// check abandoned), focused on m.focus.
func (m *Model) rebuild() tea.Cmd { return m.show(m.step) }

// show builds step id's form and makes it current.
func (m *Model) show(id stepID) tea.Cmd {
	m.step, m.err = id, ""
	m.form = m.build(id)
	m.form.WithShowHelp(true).WithWidth(m.formWidth())
	if m.opts.NoColor {
		m.form.WithTheme(huh.ThemeFunc(huh.ThemeBase))
	}
	cmds := []tea.Cmd{m.form.Init()}
	for i := 0; i < m.focus; i++ {
		cmds = append(cmds, m.form.NextField())
	}
	m.focus = 0
	if m.width > 0 {
		w, h := m.width, m.height
		cmds = append(cmds, func() tea.Msg { return tea.WindowSizeMsg{Width: w, Height: h} })
	}
	// A new form starts on its light theme: tell it the background.
	bg := tea.BackgroundColorMsg{Color: color.White}
	if m.dark {
		bg.Color = color.Black
	}
	cmds = append(cmds, func() tea.Msg { return bg })
	return tea.Batch(cmds...)
}

func (m *Model) formWidth() int {
	if m.width <= 0 {
		return 80
	}
	return min(m.width, 100)
}
