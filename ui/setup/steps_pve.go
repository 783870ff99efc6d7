package setup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/backdeck/backdeck/backends/probe"
	"github.com/backdeck/backdeck/backends/secret"
)

// stepNumber is the count of the steps, 1 to 8, and each one's title.
func stepNumber(id stepID) (int, string) {
	switch id {
	case stepWhere:
		return 1, "Where am I"
	case stepTrust:
		return 2, "Trust the PVE host"
	case stepToken, stepPrivileges:
		return 3, "The API token"
	case stepFound:
		return 4, "What it found"
	case stepURBackup, stepURBackupTrust, stepURBackupLogin, stepURBackupFound:
		return 5, "UrBackup (optional)"
	case stepDrives:
		return 6, "Drives"
	case stepConcerns:
		return 7, "Concerns"
	}
	return 8, "Write the config"
}

// build makes a step's form, bound to the answers.
func (m *Model) build(id stepID) *huh.Form {
	switch id {
	case stepWhere:
		return m.whereForm()
	case stepTrust:
		return trustForm(&m.a.pveTrust, &m.a.pveCAFile, m.a.pveCert.SystemTrusted, "PVE host")
	case stepToken:
		return m.tokenForm()
	case stepPrivileges, stepFound, stepURBackupFound:
		return continueForm("Continue", "Back")
	case stepURBackup:
		return m.urbackupForm()
	case stepURBackupTrust:
		system := m.a.urbCert != nil && m.a.urbCert.SystemTrusted
		return trustForm(&m.a.urbTrust, &m.a.urbCAFile, system, "UrBackup server")
	case stepURBackupLogin:
		return m.urbackupLoginForm()
	case stepDrives:
		return m.drivesForm()
	case stepConcerns:
		return m.concernsForm()
	case stepWrite:
		return continueForm("Write it", "Back")
	}
	return continueForm("Open the dashboard", "Leave")
}

// submitted runs when a step's form is complete: its check, or the next step.
func (m *Model) submitted() tea.Cmd {
	switch m.step {
	case stepWhere:
		return m.checkCertificate()
	case stepTrust:
		return m.trusted(m.a.pveTrust, m.a.pveCAFile, m.a.pveCert, stepToken)
	case stepToken:
		return m.checkToken()
	case stepPrivileges:
		return m.continueOr(stepFound)
	case stepFound:
		return m.continueOr(stepURBackup)
	case stepURBackup:
		return m.urbackupChosen()
	case stepURBackupTrust:
		return m.trusted(m.a.urbTrust, m.a.urbCAFile, *m.a.urbCert, stepURBackupLogin)
	case stepURBackupLogin:
		return m.checkLogin()
	case stepURBackupFound:
		if !m.confirmed() {
			return m.back()
		}
		return m.toDrives()
	case stepDrives:
		return m.advance(stepConcerns)
	case stepConcerns:
		return m.advance(stepWrite)
	case stepWrite:
		if !m.confirmed() {
			return m.back()
		}
		return m.write()
	}
	m.result.Open = m.confirmed()
	return tea.Quit
}

// continueForm is a step that shows what was found: go on (the
// default), or not.
func continueForm(yes, no string) *huh.Form {
	on := true
	return huh.NewForm(huh.NewGroup(huh.NewConfirm().Key("go").Title("Go on?").Affirmative(yes).Negative(no).Value(&on)))
}

// confirmed is the answer of a continueForm.
func (m *Model) confirmed() bool { return m.form.GetBool("go") }

func (m *Model) continueOr(next stepID) tea.Cmd {
	if !m.confirmed() {
		return m.back()
	}
	return m.advance(next)
}

func (m *Model) whereForm() *huh.Form {
	return huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Title("Where does backdeck run?").Value(&m.a.mode).Options(
			huh.NewOption("host mode: on the PVE host itself", "host"),
			huh.NewOption("laptop mode: elsewhere, through the APIs", "laptop")),
		huh.NewInput().Key("url").Title("The PVE host's API").Description("https://HOST:8006").
			Placeholder("https://pve.example:8006").Value(&m.a.pveURL).Validate(httpsURL),
	))
}

// httpsURL accepts an https URL with a host: PVE's API speaks nothing else.
func httpsURL(s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New("type the address of the PVE host, e.g. https://pve.example:8006")
	case err != nil || u.Host == "":
		return errors.New("not a URL: write it as https://pve.example:8006")
	case u.Scheme != "https":
		return errors.New("PVE's API is https only: https://…:8006")
	}
	return nil
}

// checkCertificate fetches what the PVE host presents.
func (m *Model) checkCertificate() tea.Cmd {
	site := strings.TrimSpace(m.a.pveURL)
	return m.check("connecting to "+site+"…", func(ctx context.Context) outcomeMsg {
		cert, err := probe.FetchCertificate(ctx, site, 0)
		if err != nil {
			return outcomeMsg{err: err, field: 1}
		}
		return outcomeMsg{next: stepTrust, apply: func(m *Model) {
			m.a.pveCert = cert
			if m.a.pveTrust == trustSystem && !cert.SystemTrusted || m.a.pveTrust == trustRefuse {
				m.a.pveTrust = trustPin
			}
		}}
	})
}

// trustForm asks whether the certificate shown is the server's.
func trustForm(choice, caFile *string, systemTrusted bool, what string) *huh.Form {
	opts := []huh.Option[string]{huh.NewOption("It is the same: pin its fingerprint", trustPin)}
	if systemTrusted {
		opts = append(opts, huh.NewOption("Trust it through this system's CAs (no pin)", trustSystem))
	}
	opts = append(opts,
		huh.NewOption("It chains to my own CA: name the CA file", trustCA),
		huh.NewOption("It is not the same: do not trust it", trustRefuse))
	return huh.NewForm(
		huh.NewGroup(huh.NewSelect[string]().Title("Is this the certificate of your "+what+"?").Options(opts...).Value(choice)),
		huh.NewGroup(huh.NewInput().Title("The CA's certificate (PEM file)").Placeholder("/etc/ssl/homelab-ca.pem").Value(caFile).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("name the PEM file of the CA")
				}
				return nil
			})).WithHideFunc(func() bool { return *choice != trustCA }),
	)
}

// trusted goes on with the trust chosen; a CA file is checked first.
func (m *Model) trusted(choice, caFile string, cert probe.Certificate, next stepID) tea.Cmd {
	switch choice {
	case trustRefuse:
		cmd := m.rebuild()
		m.err = "not trusted, nothing pinned: a certificate you cannot confirm may be someone else's. Check the address (Esc goes back) and compare again"
		return cmd
	case trustCA:
		caFile = expandHome(caFile, m.opts.Getenv)
		return m.check("checking the certificate against "+caFile+"…", func(context.Context) outcomeMsg {
			if err := cert.VerifyCA(caFile); err != nil {
				return outcomeMsg{err: err}
			}
			return outcomeMsg{next: next}
		})
	}
	return m.advance(next)
}

func (m *Model) tokenForm() *huh.Form {
	keep := ""
	if m.opts.Existing != nil && m.opts.Existing.Proxmox != nil {
		keep = " (leave empty to keep the secret you have)"
	}
	return huh.NewForm(huh.NewGroup(
		huh.NewInput().Key("tokenid").Title("Token id (user@realm!tokenname):").Inline(true).Value(&m.a.tokenID).Validate(tokenID),
		huh.NewInput().Key("secret").Title("Token secret"+keep+":").EchoMode(huh.EchoModePassword).Inline(true).Value(&m.a.tokenSecret),
		huh.NewInput().Key("file").Title("Secret file (mode 600):").Inline(true).Value(&m.a.tokenFile).Validate(nonEmpty("name a file")),
	))
}

func tokenID(s string) error {
	at, bang := strings.Index(s, "@"), strings.LastIndex(s, "!")
	if at <= 0 || bang < at+2 || bang == len(s)-1 || strings.ContainsAny(s, " \t=") {
		return errors.New("a token id looks like backdeck@pve!console")
	}
	return nil
}

func nonEmpty(msg string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(msg)
		}
		return nil
	}
}

// checkToken tries the token live: PVE's version, the token's
// permissions, what it sees.
func (m *Model) checkToken() tea.Cmd {
	cfg := m.a.proxmox()
	typed, file, env := strings.TrimSpace(m.a.tokenSecret), expandHome(m.a.tokenFile, m.opts.Getenv), m.a.tokenEnv
	getenv, hostMode := m.opts.Getenv, m.a.mode == "host"
	return m.check("trying the token on "+cfg.URL+"…", func(ctx context.Context) outcomeMsg {
		sec := typed
		if sec == "" {
			var err error
			if sec, err = secret.Read("the PVE token secret", fileUnlessEnv(file, env), env, getenv); err != nil {
				return outcomeMsg{err: fmt.Errorf("type the token secret: %w", err), field: 1}
			}
		}
		pve, err := probe.NewPVE(cfg, sec)
		if err != nil {
			return outcomeMsg{err: err, field: 0}
		}
		version, err := pve.Version(ctx)
		if probe.Rejected(err) {
			return outcomeMsg{err: fmt.Errorf("PVE rejected the token: the token id or the secret is wrong (%v)", err), field: 1}
		}
		if err != nil {
			return outcomeMsg{err: err, field: 0}
		}
		perms, err := pve.Permissions(ctx)
		if err != nil {
			return outcomeMsg{err: fmt.Errorf("reading the token's permissions: %w", err)}
		}
		disc, err := pve.Discover(ctx)
		if err != nil {
			return outcomeMsg{err: fmt.Errorf("reading what the token sees: %w", err)}
		}
		features := probe.Features(perms, disc, hostMode)
		return outcomeMsg{next: stepPrivileges, apply: func(m *Model) {
			m.a.version, m.a.perms, m.a.disc, m.a.features = version, perms, disc, features
			m.a.drivesRead = false // the drives step reads them again through this token
		}}
	})
}

func fileUnlessEnv(file, env string) string {
	if env != "" {
		return ""
	}
	return file
}
