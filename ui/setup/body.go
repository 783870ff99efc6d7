package setup

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/probe"
	"github.com/backdeck/backdeck/model"
)

// certLines show a certificate for the operator to compare.
func certLines(intro string, c probe.Certificate, pinned string, now time.Time, compare string) []string {
	_, expiry := c.Expiry(now)
	out := []string{intro, "  SHA-256  " + c.Fingerprint[:min(48, len(c.Fingerprint))]}
	if len(c.Fingerprint) > 48 {
		out = append(out, "           "+c.Fingerprint[48:])
	}
	out = append(out,
		"  subject  "+safe(c.Subject),
		"  issuer   "+safe(c.Issuer),
		"  valid    "+c.NotBefore.UTC().Format("2006-01-02")+" to "+c.NotAfter.UTC().Format("2006-01-02")+": "+expiry)
	switch {
	case pinned != "" && c.SamePin(pinned):
		out = append(out, "Your config pins this certificate already.")
	case pinned != "":
		out = append(out, "! Your config pins another certificate ("+safe(pinned)+"): it was replaced, or this is not your server.")
	}
	if c.SystemTrusted {
		out = append(out, "This system's CAs trust it: no pin is needed, though a pin is stricter.")
	}
	return append(out, compare)
}

func (m *Model) tokenLines() []string {
	var stores []string
	for _, s := range m.a.disc.Storages {
		stores = append(stores, s.ID)
	}
	if len(stores) == 0 && m.opts.Existing != nil && m.opts.Existing.Proxmox != nil && m.opts.Existing.Proxmox.Vzdump.Storage != "" {
		stores = []string{m.opts.Existing.Proxmox.Vzdump.Storage}
	}
	user, token, _ := strings.Cut(strings.TrimSpace(m.a.tokenID), "!")
	if user == "" || token == "" {
		user, token = "backdeck@pve", "console"
	}
	out := []string{"backdeck needs an API token with least privilege. On the host, as root (one acl line per storage that holds backups):"}
	for _, c := range probe.PveumCommands(safe(user), safe(token), stores) {
		out = append(out, "  "+c)
	}
	return append(out, "PVE shows the secret once: paste it below. It goes to its own file (mode 600), never into config.toml, and is not shown.")
}

func (m *Model) privilegeLines() []string {
	a := &m.a
	out := []string{fmt.Sprintf("PVE %s accepts the token %s.", safe(a.version), safe(a.tokenID))}
	var allowed, notes []string
	off := 0
	for _, f := range a.features {
		switch f.Status {
		case probe.OK:
			allowed = append(allowed, f.Name)
		case probe.Off:
			off++
			var miss []string
			for _, x := range f.Missing {
				miss = append(miss, x.String())
			}
			out = append(out, m.glyph(probe.Fail)+" "+f.Name+": missing "+safe(strings.Join(miss, ", ")))
		default:
			notes = append(notes, m.glyph(probe.Note)+" "+f.Name+": "+safe(f.Detail()))
		}
	}
	if len(allowed) > 0 {
		out = append(out, m.glyph(probe.OK)+" allowed: "+strings.Join(allowed, ", "))
	}
	out = append(out, notes...)
	if off > 0 {
		out = append(out, fmt.Sprintf("Missing privileges are allowed: the %d features marked %s are switched off. Esc shows the pveum commands that grant them; backdeck doctor checks again.", off, m.glyph(probe.Fail)))
	}
	return out
}

func foundLines(d probe.Discovery) []string {
	out := []string{"Nodes: " + safe(strings.Join(d.Nodes, ", "))}
	var guests []string
	for _, g := range d.Guests {
		guests = append(guests, g.Label())
	}
	out = append(out, fmt.Sprintf("Guests (%d, %d templates): %s", len(d.Guests), len(d.Templates()), safe(orNone(guests))))
	var stores []string
	for _, s := range d.Storages {
		state := "offline"
		if s.Active {
			state = fmt.Sprintf("%s of %s used", model.HumanBytes(s.Used), model.HumanBytes(s.Total))
		}
		stores = append(stores, fmt.Sprintf("%s (%s)", s.ID, state))
	}
	out = append(out, "Backup storages: "+safe(orNone(stores)))
	switch {
	case d.JobsHidden:
		out = append(out, "Backup jobs: the token may not read them (Sys.Audit on /), so which guests no job covers is unknown.")
	case len(d.Jobs) == 0:
		out = append(out, "Backup jobs: none. Only backups started by hand will cover the guests (Datacenter → Backup creates a job).")
	default:
		for _, j := range d.Jobs {
			what := "every guest"
			switch {
			case len(j.VMIDs) > 0:
				ids := make([]string, len(j.VMIDs))
				for i, v := range j.VMIDs {
					ids[i] = strconv.Itoa(v)
				}
				what = "guests " + strings.Join(ids, ", ")
			case j.Pool != "":
				what = "pool " + j.Pool
			}
			state := ""
			if !j.Enabled {
				state = " (disabled)"
			}
			out = append(out, safe(fmt.Sprintf("Backup job %s%s: %s → %s, %s", j.ID, state, j.Schedule, j.Storage, what)))
		}
	}
	if un := d.Uncovered(); len(un) > 0 {
		var names []string
		for _, g := range un {
			names = append(names, g.Label())
		}
		out = append(out, "! No backup job covers: "+safe(strings.Join(names, ", ")))
	}
	return out
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

func (m *Model) urbackupLines() []string {
	r := m.a.urbReport
	out := []string{safe(r.Message) + "."}
	if r.Login == probe.LoginAnonymous {
		out = append(out, "! Anyone who reaches it has every right: create a web user for backdeck.")
	}
	clients := append([]string(nil), r.Clients...)
	sort.Strings(clients)
	out = append(out, fmt.Sprintf("Clients (%d): %s", len(clients), safe(orNone(clients))))
	for _, x := range r.Rights {
		switch {
		case x.Granted():
			out = append(out, m.glyph(probe.OK)+" "+x.Name)
		case x.Optional:
			out = append(out, m.glyph(probe.Note)+" "+x.Name+" ("+safe(x.Value)+", optional): "+x.For)
		default:
			out = append(out, m.glyph(probe.Fail)+" "+x.Name+" ("+safe(x.Value)+"): "+x.For+" is switched off; give the user this right (all)")
		}
	}
	return append(out, "start_backup and stop_backup are not reported at login: a refused start says so.")
}

func (m *Model) driveLines() []string {
	a := &m.a
	switch {
	case a.drivesErr != "":
		return []string{"Could not list the drives: " + safe(a.drivesErr), "Your [[drive]] sections stay as they are."}
	case len(a.drives) == 0:
		how := "PVE's disks API"
		if a.mode == "host" {
			how = "lsblk"
		}
		return []string{"No USB drive found (through " + how + "): no [[drive]] will be written. Plug the drives in and run backdeck setup again."}
	}
	out := []string{"The USB drives found, with their SMART state. Name each and choose the stores it holds:"}
	for _, d := range a.drives {
		line := fmt.Sprintf("  %s  %s  %s  SMART %s", safe(d.Serial), safe(d.Model), model.HumanBytes(d.Size), d.Health)
		switch {
		case !d.Present:
			line = fmt.Sprintf("  %s  %s  not plugged in now: kept as your config has it", safe(d.Serial), safe(d.Name))
		case d.Asleep:
			line += " (asleep, not woken)"
		}
		if d.Present && len(d.Reasons) > 0 && d.Health != model.HealthPassed {
			line += ": " + safe(d.Reasons[0])
		}
		out = append(out, line)
	}
	return append(out, "The Clonezilla images drive and where its images are: the [clonezilla] section (README, config.toml.example).")
}
