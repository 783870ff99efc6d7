package setup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/backdeck/backdeck/backends/probe"
	"github.com/backdeck/backdeck/backends/secret"
	"github.com/backdeck/backdeck/model"
)

func (m *Model) urbackupForm() *huh.Form {
	return huh.NewForm(
		huh.NewGroup(huh.NewConfirm().Title("Watch an UrBackup server too?").
			Description("Application and user data: UrBackup's file backups of the K3s nodes' volumes").
			Affirmative("Yes").Negative("No").Value(&m.a.urbOn)),
		huh.NewGroup(huh.NewInput().Title("UrBackup's web interface").Description("through nginx: https://bkpserver.example").
			Placeholder("https://bkpserver.example").Value(&m.a.urbURL).Validate(webURL)).
			WithHideFunc(func() bool { return !m.a.urbOn }),
	)
}

func webURL(s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
		return errors.New("write it as https://bkpserver.example")
	}
	return nil
}

// urbackupChosen goes on to the drives without UrBackup, or fetches the
// certificate of its https front.
func (m *Model) urbackupChosen() tea.Cmd {
	if !m.a.urbOn {
		return m.toDrives()
	}
	site := strings.TrimSpace(m.a.urbURL)
	if strings.HasPrefix(strings.ToLower(site), "http://") {
		m.a.urbCert = nil
		return m.advance(stepURBackupLogin)
	}
	return m.check("connecting to "+site+"…", func(ctx context.Context) outcomeMsg {
		cert, err := probe.FetchCertificate(ctx, site, 0)
		if err != nil {
			return outcomeMsg{err: err, field: 1}
		}
		return outcomeMsg{next: stepURBackupTrust, apply: func(m *Model) {
			m.a.urbCert = &cert
			if m.a.urbTrust == trustRefuse || m.a.urbTrust == trustSystem && !cert.SystemTrusted {
				m.a.urbTrust = trustPin
			}
		}}
	})
}

func (m *Model) urbackupLoginForm() *huh.Form {
	keep := ""
	if m.opts.Existing != nil && m.opts.Existing.URBackup != nil && m.opts.Existing.URBackup.Username != "" {
		keep = " (leave empty to keep the one you have)"
	}
	return huh.NewForm(huh.NewGroup(
		huh.NewInput().Key("user").Title("Web user (empty: a server without users):").Inline(true).Value(&m.a.urbUser),
		huh.NewInput().Key("password").Title("Password"+keep+":").EchoMode(huh.EchoModePassword).Inline(true).Value(&m.a.urbPassword),
		huh.NewInput().Key("file").Title("Password file (mode 600):").Inline(true).Value(&m.a.urbFile).Validate(nonEmpty("name a file")),
	))
}

// checkLogin logs in once, as the web UI does.
func (m *Model) checkLogin() tea.Cmd {
	cfg := m.a.urbackup()
	typed, file, env, getenv := m.a.urbPassword, expandHome(m.a.urbFile, m.opts.Getenv), m.a.urbEnv, m.opts.Getenv
	return m.check("logging in to "+cfg.URL+"…", func(ctx context.Context) outcomeMsg {
		pw := typed
		if pw == "" && cfg.Username != "" {
			var err error
			if pw, err = secret.Read("the UrBackup password", fileUnlessEnv(file, env), env, getenv); err != nil {
				return outcomeMsg{err: fmt.Errorf("type the password: %w", err), field: 1}
			}
		}
		rep, err := probe.ProbeURBackup(ctx, cfg, pw)
		if err != nil {
			return outcomeMsg{err: err}
		}
		switch rep.Login {
		case probe.LoginOK, probe.LoginAnonymous:
			return outcomeMsg{next: stepURBackupFound, apply: func(m *Model) { m.a.urbReport, m.a.urbChecked = rep, true }}
		case probe.LoginUnknownUser, probe.LoginNeedsUser:
			return outcomeMsg{err: errors.New(rep.Message), field: 0}
		}
		return outcomeMsg{err: errors.New(rep.Message), field: 1}
	})
}

// toDrives looks for the drives (once per token), then shows them.
func (m *Model) toDrives() tea.Cmd {
	if m.a.drivesRead {
		return m.advance(stepDrives)
	}
	mode, run := m.a.mode, m.opts.HostEnv.Run
	var configured []model.DriveConfig
	if m.opts.Existing != nil {
		configured = m.opts.Existing.Drives
	}
	cfg, typed, file, env, getenv := m.a.proxmox(), strings.TrimSpace(m.a.tokenSecret), expandHome(m.a.tokenFile, m.opts.Getenv), m.a.tokenEnv, m.opts.Getenv
	return m.check("looking for the USB drives…", func(ctx context.Context) outcomeMsg {
		var pve *probe.PVE
		if mode != "host" {
			sec := typed
			if sec == "" {
				sec, _ = secret.Read("the PVE token secret", fileUnlessEnv(file, env), env, getenv)
			}
			pve, _ = probe.NewPVE(cfg, sec)
		}
		drives, err := probe.Drives(ctx, mode, run, pve, configured)
		return outcomeMsg{next: stepDrives, apply: func(m *Model) { m.a.setDrives(drives, err, configured) }}
	})
}

// setDrives keeps the drives found, named and holding what the existing
// config says of them.
func (a *answers) setDrives(drives []model.Drive, err error, configured []model.DriveConfig) {
	a.drivesRead, a.drivesErr = true, ""
	if err != nil {
		a.drivesErr = err.Error()
	}
	a.drives = nil
	for _, d := range drives {
		// A configured drive that is unplugged now is kept: the [[drive]]
		// blocks are rewritten from this list.
		known := slices.ContainsFunc(configured, func(c model.DriveConfig) bool { return strings.EqualFold(c.Serial, d.Serial) })
		if d.Serial != "" && (d.Present || known) {
			a.drives = append(a.drives, d)
		}
	}
	a.driveNames = make([]string, len(a.drives))
	a.driveHolds = make([][]string, len(a.drives))
	for i, d := range a.drives {
		a.driveNames[i] = fmt.Sprintf("usb-%d", i+1)
		for _, c := range configured {
			if strings.EqualFold(c.Serial, d.Serial) {
				a.driveNames[i], a.driveHolds[i] = c.Name, slices.Clone(c.Holds)
			}
		}
	}
}

func (m *Model) drivesForm() *huh.Form {
	if len(m.a.drives) == 0 {
		return continueForm("Continue", "Back")
	}
	var stores []string
	seen := map[string]bool{}
	addStore := func(id string) {
		if !seen[id] {
			seen[id] = true
			stores = append(stores, id)
		}
	}
	for _, s := range m.a.disc.Storages {
		addStore("pve/" + s.ID)
	}
	for _, h := range m.a.driveHolds {
		for _, id := range h {
			addStore(id)
		}
	}
	var groups []*huh.Group
	for i, d := range m.a.drives {
		title := fmt.Sprintf("%s %s", safe(d.Serial), safe(d.Model))
		fields := []huh.Field{huh.NewInput().Key(fmt.Sprintf("name%d", i)).Title("Name of drive " + title).Value(&m.a.driveNames[i]).Validate(nonEmpty("name the drive"))}
		if len(stores) > 0 {
			// Each list its own options: an option keeps its selection.
			opts := make([]huh.Option[string], len(stores))
			for k, id := range stores {
				opts[k] = huh.NewOption(id, id)
			}
			fields = append(fields, huh.NewMultiSelect[string]().Key(fmt.Sprintf("holds%d", i)).Title("Stores on it (x or space selects)").Options(opts...).Value(&m.a.driveHolds[i]))
		}
		groups = append(groups, huh.NewGroup(fields...))
	}
	// Which drive holds the Clonezilla images, and where they are.
	czOpts := []huh.Option[string]{huh.NewOption("none of them", "")}
	for _, d := range m.a.drives {
		czOpts = append(czOpts, huh.NewOption(safe(d.Serial)+" "+safe(d.Model), d.Serial))
	}
	groups = append(groups,
		huh.NewGroup(huh.NewSelect[string]().Key("czdrive").Title("Which drive holds the Clonezilla images of the host's disks?").Options(czOpts...).Value(&m.a.czSerial)),
		huh.NewGroup(huh.NewInput().Key("czdir").Title("Where are the images, with the drive mounted (image_dirs)?").Value(&m.a.czDir).Validate(absolutePath)).
			WithHideFunc(func() bool { return m.a.czSerial == "" }),
	)
	return huh.NewForm(groups...)
}

// concernOrder is the order concerns are shown and written in.
var concernOrder = []string{"host", "vms", "cluster", "appdata", "userdata", "backups"}

// proposeConcerns fills the concerns once: the existing config's, else
// the seed guide's targets and max ages.
func (m *Model) proposeConcerns() {
	if m.a.concerns != nil {
		return
	}
	existing := map[string]model.ConcernConfig{}
	if m.opts.Existing != nil {
		for _, c := range m.opts.Existing.Concerns {
			existing[c.ID] = c
		}
	}
	for _, id := range concernOrder {
		c := concernAnswer{id: id}
		c.maxAge, c.targets, c.proposal = m.proposal(id)
		if e, ok := existing[id]; ok {
			c.name = e.Name
			c.maxAge, c.targets, c.proposal = "", strings.Join(e.Targets, ", "), "as your config has it"
			if e.MaxAge.Duration > 0 {
				c.maxAge = formatDuration(e.MaxAge)
			}
		}
		m.a.concerns = append(m.a.concerns, c)
	}
}

// proposal is the seed guide's suggestion for a concern: a day and a bit
// for VMs and data, a month for the host's images.
func (m *Model) proposal(id string) (maxAge, targets, why string) {
	var ids []string
	switch id {
	case "host":
		if m.a.czSerial != "" || m.opts.Existing != nil && m.opts.Existing.Clonezilla != nil {
			return "35d", "clonezilla/*", "the host's disks, imaged monthly with Clonezilla"
		}
		return "35d", "", "the host's disks: choose the images' drive in step 6 to watch their images"
	case "vms":
		kinds := map[string]bool{}
		for _, g := range m.a.disc.Guests {
			kinds[g.Type] = true
		}
		for _, k := range []string{"qemu", "lxc"} {
			if kinds[k] {
				ids = append(ids, "pve/"+k+"/*")
			}
		}
		if len(ids) == 0 {
			ids = []string{"pve/qemu/*"}
		}
		return "26h", strings.Join(ids, ", "), "every VM and template: daily backups, a day and a bit"
	case "cluster":
		for _, g := range m.a.disc.Guests {
			if !g.Template && strings.Contains(strings.ToLower(g.Name), "k3s") {
				ids = append(ids, fmt.Sprintf("pve/%s/%d", g.Type, g.VMID))
			}
		}
		return "26h", strings.Join(ids, ", "), "the K3s node VMs (named k3s…)"
	case "appdata", "userdata":
		if m.a.urbOn && m.a.urbChecked {
			for _, c := range m.a.urbReport.Clients {
				ids = append(ids, "urbackup/"+c)
			}
		}
		return "26h", strings.Join(ids, ", "), "UrBackup's clients: their file backups"
	}
	return "", "", "rates every drive and store; it takes no targets"
}

func (m *Model) concernsForm() *huh.Form {
	m.proposeConcerns()
	var groups []*huh.Group
	for i := range m.a.concerns {
		c := &m.a.concerns[i]
		name := model.ConcernID(c.id).DefaultName()
		if c.name != "" {
			name = c.name
		}
		if c.id == "backups" {
			groups = append(groups, huh.NewGroup(huh.NewNote().Title(name+" (backups)").Description("It rates every drive and store, and takes no targets or max age.")))
			continue
		}
		groups = append(groups, huh.NewGroup(
			huh.NewInput().Title(name+" ("+c.id+"): max age").Description(safe(c.proposal)+"; e.g. 26h, 7d, 35d").Value(&c.maxAge).Validate(maxAge),
			huh.NewInput().Title("Targets").Description("comma-separated ids or patterns; empty leaves the concern out").Value(&c.targets),
		))
	}
	return huh.NewForm(groups...)
}

func absolutePath(s string) error {
	s = strings.TrimSpace(s)
	if !filepath.IsAbs(s) && !strings.HasPrefix(s, "~/") {
		return errors.New("an absolute path, e.g. /mnt/cz-images")
	}
	return nil
}

func maxAge(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	_, err := model.ParseDuration(strings.TrimSpace(s))
	return err
}

// expandHome turns ~/x into the home directory's x, as the config reads it.
func expandHome(p string, getenv func(string) string) string {
	p = strings.TrimSpace(p)
	if home := getenv("HOME"); home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(home, p[1:])
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}
