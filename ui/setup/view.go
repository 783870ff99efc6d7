package setup

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/backdeck/backdeck/backends/probe"
	"github.com/backdeck/backdeck/ui/termsafe"
	"github.com/backdeck/backdeck/ui/theme"
)

// View draws the step: its number and title, why the last check failed
// or what is being checked, what the step shows, its form and the keys.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "backdeck setup"
	return v
}

func (m *Model) render() string {
	th := theme.New(m.opts.NoColor)
	width := m.formWidth()
	n, title := stepNumber(m.step)
	head := []string{th.Title.Render(fmt.Sprintf("backdeck setup · step %d of 8 · %s", n, title))}
	if m.err != "" {
		head = append(head, wrap(th.Critical.Render(m.glyph(probe.Fail)+" ")+safe(m.err), width)...)
	}
	if m.busy != "" {
		head = append(head, th.Accent.Render("… "+safe(m.busy)))
	}
	form := ""
	if m.form != nil && m.busy == "" {
		form = m.form.View()
	}
	foot := th.Muted.Render("esc back · ctrl+c leave without writing anything")
	if m.step == stepDone {
		foot = th.Muted.Render("the config is written; ctrl+c leaves")
	}
	var body []string
	for _, l := range m.body() {
		body = append(body, wrap(l, width)...)
	}
	// The form and the keys come first: the body gives way on a small screen.
	if m.height > 0 {
		room := m.height - len(head) - lineCount(form) - 2
		if len(body) > room && room >= 1 {
			body = append(body[:room-1], th.Muted.Render(fmt.Sprintf("… %d more lines: a taller terminal shows them", len(body)-room+1)))
		} else if room < 1 {
			body = nil
		}
	}
	parts := append(head, body...)
	if form != "" {
		parts = append(parts, "", strings.TrimRight(form, "\n"))
	}
	return strings.Join(append(parts, foot), "\n")
}

func lineCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(strings.TrimRight(s, "\n"), "\n") + 1
}

func wrap(s string, width int) []string {
	return strings.Split(ansi.Wrap(s, width, ""), "\n")
}

// safe is outside text made harmless and kept on one line.
func safe(s string) string { return termsafe.Line(s) }

func (m *Model) glyph(s probe.Status) string {
	switch s {
	case probe.OK:
		return "✓"
	case probe.Note:
		return "–"
	}
	return "✗"
}

// body is what the step shows above its form.
func (m *Model) body() []string {
	a := &m.a
	switch m.step {
	case stepWhere:
		var out []string
		if m.opts.Host.PVE {
			out = append(out, "This machine is a Proxmox VE host ("+safe(m.opts.Host.Version)+"): host mode, with the API at https://localhost:8006, is proposed.")
		} else {
			out = append(out, "This machine is not a Proxmox VE host (no /etc/pve): laptop mode is proposed. Type the address of the PVE host's API.")
		}
		return append(out, "• "+probe.ModeWords("host"), "• "+probe.ModeWords("laptop"))
	case stepTrust:
		return certLines("The PVE host at "+safe(a.pveURL)+" presents this certificate:", a.pveCert, a.pvePinned, m.opts.Now(),
			"On the host, `pvenode cert info` prints the fingerprint of pve-ssl.pem (or pveproxy-ssl.pem if you installed your own). As ssh asks, trust it only if it is the same.")
	case stepToken:
		return m.tokenLines()
	case stepPrivileges:
		return m.privilegeLines()
	case stepFound:
		return foundLines(a.disc)
	case stepURBackup:
		out := []string{"UrBackup keeps the application and user data (the K3s nodes' volumes). backdeck reads its web API as the web UI does: create a web user (Settings → Users) with the rights status, progress, browse_backups, piegraph, start_backup and stop_backup, each set to all."}
		if m.opts.Existing != nil && m.opts.Existing.URBackup != nil {
			out = append(out, "Answering No keeps your [urbackup] section as it is.")
		}
		return out
	case stepURBackupTrust:
		return certLines("The UrBackup server at "+safe(a.urbURL)+" presents this certificate:", *a.urbCert, a.urbPinned, m.opts.Now(),
			"Compare it with nginx's certificate on that VM: openssl x509 -noout -fingerprint -sha256 -in CERT.pem")
	case stepURBackupLogin:
		out := []string{"backdeck logs in as the web UI does: the password never travels in clear. UrBackup bans an address for 10 minutes after 10 failed logins, so each try counts."}
		if a.urbCert == nil {
			out = append(out, "! plain http: the session travels readable on the network; prefer the https front.")
		}
		return out
	case stepURBackupFound:
		return m.urbackupLines()
	case stepDrives:
		return m.driveLines()
	case stepConcerns:
		return []string{"Each concern has a max age: the gap of data you accept to lose. A target older than that warns, twice that is critical. Proposed from what was found: a day and a bit (26h) for VMs and data, a month (35d) for the host's images. Tab and shift+tab move between fields."}
	case stepWrite:
		out := append([]string{"It will write:"}, indent(m.plan().summary(m.opts.ConfigPath))...)
		if m.opts.ExistingText != nil {
			out = append(out, "Everything else in the file stays as it is, comments included; comments inside the [[drive]] and [[concern]] blocks it rewrites are not kept.")
		}
		return out
	case stepDone:
		out := append([]string{"Written:"}, indent(m.result.Summary)...)
		return append(out, "backdeck doctor checks it again any time.")
	}
	return nil
}

func indent(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "  " + safe(l)
	}
	return out
}
