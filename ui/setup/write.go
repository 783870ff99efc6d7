package setup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/model/config"
)

// writingWords is the busy text while the files are written: Ctrl+C and
// Esc wait for it to end.
const writingWords = "writing the config…"

// plan is what the last step writes.
type plan struct {
	setup   config.Setup
	secrets []secretFile
}

type secretFile struct {
	what, path, value string
}

// plan turns the answers into the config's sections and the secret files.
func (m *Model) plan() plan {
	a := &m.a
	p := plan{setup: config.Setup{Mode: a.mode, SetConcerns: true}}
	px := a.proxmox()
	p.setup.Proxmox = &px
	if s := strings.TrimSpace(a.tokenSecret); s != "" {
		p.secrets = append(p.secrets, secretFile{"the PVE token secret", expandHome(a.tokenFile, m.opts.Getenv), s})
	}
	if a.urbOn && a.urbChecked {
		u := a.urbackup()
		p.setup.URBackup = &u
		if a.urbPassword != "" && u.Username != "" {
			p.secrets = append(p.secrets, secretFile{"the UrBackup password", expandHome(a.urbFile, m.opts.Getenv), a.urbPassword})
		}
	}
	// The drives are rewritten only when they could be read: a failed
	// listing keeps the config's [[drive]] as they are.
	if a.drivesRead && a.drivesErr == "" {
		p.setup.SetDrives = true
		for i, d := range a.drives {
			p.setup.Drives = append(p.setup.Drives, model.DriveConfig{Name: strings.TrimSpace(a.driveNames[i]), Serial: d.Serial, Holds: a.driveHolds[i]})
		}
	}
	if a.czSerial != "" {
		dir := strings.TrimSpace(a.czDir)
		dirs := []string{dir}
		if cz := m.existingClonezilla(); cz != nil {
			dirs = append([]string(nil), cz.ImageDirs...)
			if !slices.Contains(dirs, dir) {
				dirs = append([]string{dir}, dirs...)
			}
		}
		p.setup.Clonezilla = &config.ClonezillaImages{ImageDirs: dirs, DriveSerial: a.czSerial}
	}
	m.proposeConcerns()
	for _, c := range a.concerns {
		targets := splitTargets(c.targets)
		if c.id != "backups" && len(targets) == 0 {
			continue // left out
		}
		cc := model.ConcernConfig{ID: c.id, Name: c.name, Targets: targets}
		if d, err := model.ParseDuration(strings.TrimSpace(c.maxAge)); err == nil {
			cc.MaxAge = model.Duration{Duration: d}
		}
		p.setup.Concerns = append(p.setup.Concerns, cc)
	}
	return p
}

func splitTargets(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// summary says what the plan writes, one line each.
func (p plan) summary(path string) []string {
	s := p.setup
	out := []string{"config " + path + " (mode 600), mode = " + s.Mode}
	if px := s.Proxmox; px != nil {
		trust := "this system's CAs"
		switch {
		case px.Fingerprint != "":
			trust = "pinned " + px.Fingerprint
		case px.CAFile != "":
			trust = "CA file " + px.CAFile
		}
		out = append(out, fmt.Sprintf("[proxmox] %s as %s, %s", px.URL, px.TokenID, trust))
	}
	if u := s.URBackup; u != nil {
		who := "no web user"
		if u.Username != "" {
			who = "as " + u.Username
		}
		out = append(out, fmt.Sprintf("[urbackup] %s %s", u.URL, who))
	}
	for _, f := range p.secrets {
		out = append(out, fmt.Sprintf("%s in %s (mode 600)", f.what, f.path))
	}
	if cz := s.Clonezilla; cz != nil {
		out = append(out, fmt.Sprintf("[clonezilla] images on drive %s in %s", cz.DriveSerial, strings.Join(cz.ImageDirs, ", ")))
	}
	if s.SetDrives {
		for _, d := range s.Drives {
			holds := "no store"
			if len(d.Holds) > 0 {
				holds = strings.Join(d.Holds, ", ")
			}
			out = append(out, fmt.Sprintf("[[drive]] %s (%s) holds %s", d.Name, d.Serial, holds))
		}
	}
	for _, c := range s.Concerns {
		age := "no max age"
		if c.MaxAge.Duration > 0 {
			age = "max age " + formatDuration(c.MaxAge)
		}
		line := fmt.Sprintf("[[concern]] %s, %s", c.ID, age)
		if len(c.Targets) > 0 {
			line += ": " + strings.Join(c.Targets, ", ")
		}
		out = append(out, line)
	}
	return out
}

// write writes the secret files, then the config, each atomically and
// private; nothing is written before this step.
func (m *Model) write() tea.Cmd {
	p := m.plan()
	path, old := m.opts.ConfigPath, m.opts.ExistingText
	summary := p.summary(path)
	cmd := m.check(writingWords, func(ctx context.Context) outcomeMsg {
		text, err := config.Apply(ctx, path, old, p.setup)
		if err != nil {
			return outcomeMsg{err: err}
		}
		for _, f := range p.secrets {
			if err := config.WriteSecret(f.path, f.value); err != nil {
				return outcomeMsg{err: errors.New(strings.ReplaceAll(err.Error(), f.value, "<secret>"))}
			}
		}
		if err := config.WriteFile(path, text); err != nil {
			return outcomeMsg{err: err}
		}
		return outcomeMsg{next: stepDone, apply: func(m *Model) {
			m.result.Written, m.result.Summary = true, summary
			m.a.forgetSecrets()
		}}
	})
	m.busy = writingWords
	return cmd
}

func (m *Model) existingClonezilla() *model.ClonezillaConfig {
	if m.opts.Existing == nil {
		return nil
	}
	return m.opts.Existing.Clonezilla
}

func formatDuration(d model.Duration) string { return config.FormatDuration(d) }
