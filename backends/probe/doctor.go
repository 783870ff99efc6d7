package probe

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/backends/secret"
	"github.com/backdeck/backdeck/model"
)

// DoctorOptions say what the doctor examines.
type DoctorOptions struct {
	Config *model.Config
	// Mode is where backdeck runs: "host" or "laptop" (the config's mode
	// with "auto" resolved).
	Mode string
	// HistoryPath is the config's history database (caches live beside it).
	HistoryPath string
	Getenv      func(string) string
	Now         func() time.Time
	Host        HostEnv
	// Timeout bounds each server's checks; 0 is 20 s.
	Timeout time.Duration
}

// Doctor runs every check a config allows, in the order the operator
// fixes things: where it runs, PVE (its secret, its certificate, the
// token, the token's privileges per feature), UrBackup (secret,
// certificate, login, rights), the host's tools in host mode, the drives,
// the state directory and the history.
func Doctor(ctx context.Context, o DoctorOptions) []Check {
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	cfg := o.Config
	out := []Check{{ID: "mode", Status: OK, Title: "where backdeck runs", Detail: ModeWords(o.Mode)}}
	var pve *PVE
	if cfg.Proxmox != nil {
		var checks []Check
		checks, pve = o.pveChecks(ctx, *cfg.Proxmox)
		out = append(out, checks...)
	} else {
		out = append(out, Check{ID: "pve", Status: Note, Title: "Proxmox VE", Detail: "no [proxmox] section: guests and their backups are not watched"})
	}
	if cfg.URBackup != nil {
		out = append(out, o.urbackupChecks(ctx, *cfg.URBackup)...)
	} else {
		out = append(out, Check{ID: "urbackup", Status: Note, Title: "UrBackup", Detail: "no [urbackup] section: application and user data are not watched"})
	}
	if o.Mode == "host" {
		out = append(out, HostTools(ctx, o.Host)...)
	}
	out = append(out, o.driveChecks(ctx, pve)...)
	out = append(out, StateDir(stateDirOf(o.HistoryPath)), History(ctx, o.HistoryPath))
	return out
}

func (o DoctorOptions) pveChecks(ctx context.Context, pc model.ProxmoxConfig) ([]Check, *PVE) {
	var out []Check
	site := strings.TrimRight(pc.URL, "/")
	if pc.TokenSecretEnv != "" {
		out = append(out, SecretEnv("pve.secret", "the PVE token secret", pc.TokenSecretEnv, o.Getenv))
	} else {
		out = append(out, SecretFile("pve.secret", "the PVE token secret", pc.TokenSecretFile))
	}
	out = append(out, o.tlsChecks(ctx, "pve", pc.URL, pc.TLSConfig)...)
	sec, err := secret.Read("the PVE token secret", pc.TokenSecretFile, pc.TokenSecretEnv, o.Getenv)
	if err != nil {
		return append(out, Check{ID: "pve.token", Status: Fail, Title: "the PVE token " + pc.TokenID, Detail: "not tried: " + err.Error()}), nil
	}
	pve, err := NewPVE(pc, sec)
	if err != nil {
		return append(out, Check{ID: "pve.token", Status: Fail, Title: "PVE at " + site, Detail: err.Error()}), nil
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	version, err := pve.Version(ctx)
	if err != nil {
		return append(out, Check{ID: "pve.token", Status: Fail, Title: "PVE at " + pve.URL(), Detail: err.Error()}), nil
	}
	out = append(out, Check{ID: "pve.token", Status: OK, Title: "PVE at " + pve.URL(), Detail: fmt.Sprintf("PVE %s answers the token %s", version, pc.TokenID)})
	d, derr := pve.Discover(ctx)
	perms, perr := pve.Permissions(ctx)
	switch {
	case perr != nil:
		out = append(out, Check{ID: "pve.privileges", Status: Off, Title: "the token's privileges", Detail: "cannot read them: " + perr.Error()})
	case derr != nil:
		out = append(out, Check{ID: "pve.privileges", Status: Off, Title: "the token's privileges", Detail: "cannot read what it sees: " + derr.Error()})
	default:
		for _, f := range Features(perms, d, o.Mode == "host") {
			out = append(out, Check{ID: "pve.privileges." + f.ID, Status: f.Status, Title: f.Name, Detail: f.Detail()})
		}
		if un := d.Uncovered(); len(un) > 0 {
			names := make([]string, len(un))
			for i, g := range un {
				names[i] = g.Label()
			}
			out = append(out, Check{ID: "pve.coverage", Status: Note, Title: "guests no backup job covers",
				Detail: strings.Join(names, ", ") + ": only backups started by hand cover them"})
		}
	}
	return out, pve
}

// tlsChecks compares what the server presents with the section's trust,
// and rates the certificate's expiry.
func (o DoctorOptions) tlsChecks(ctx context.Context, id, rawURL string, t model.TLSConfig) []Check {
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(rawURL)), "https://") {
		return []Check{{ID: id + ".tls", Status: Off, Title: "TLS of " + rawURL, Detail: "plain http: the password and the session travel readable on the network"}}
	}
	cert, err := FetchCertificate(ctx, rawURL, o.Timeout)
	if err != nil {
		return []Check{{ID: id + ".tls", Status: Fail, Title: "TLS of " + rawURL, Detail: err.Error()}}
	}
	trust := Check{ID: id + ".tls", Title: "TLS of " + rawURL}
	switch {
	case t.Fingerprint != "" && cert.SamePin(t.Fingerprint):
		trust.Status, trust.Detail = OK, "the certificate is the pinned one ("+cert.Fingerprint+")"
	case t.Fingerprint != "":
		trust.Status, trust.Detail = Fail, fmt.Sprintf("the server presents %s, the config pins another: compare with `pvenode cert info` on the host, then run backdeck setup to pin it", cert.Fingerprint)
	case t.CAFile != "":
		if err := cert.VerifyCA(t.CAFile); err != nil {
			trust.Status, trust.Detail = Fail, err.Error()
		} else {
			trust.Status, trust.Detail = OK, "the certificate chains to the CA in "+t.CAFile
		}
	case t.Insecure:
		trust.Status, trust.Detail = Off, "insecure = true: the certificate is not checked; pin "+cert.Fingerprint+" instead"
	case cert.SystemTrusted:
		trust.Status, trust.Detail = OK, "the certificate is trusted by this system's CAs"
	default:
		trust.Status, trust.Detail = Fail, "the certificate is not trusted by this system and nothing is pinned: pin "+cert.Fingerprint+" (backdeck setup)"
	}
	exp := Check{ID: id + ".certificate", Title: "certificate of " + rawURL}
	exp.Status, exp.Detail = cert.Expiry(o.Now())
	return []Check{trust, exp}
}

func (o DoctorOptions) urbackupChecks(ctx context.Context, uc model.URBackupConfig) []Check {
	var out []Check
	pw := ""
	switch {
	case uc.PasswordEnv != "":
		out = append(out, SecretEnv("urbackup.secret", "the UrBackup password", uc.PasswordEnv, o.Getenv))
	case uc.PasswordFile != "":
		out = append(out, SecretFile("urbackup.secret", "the UrBackup password", uc.PasswordFile))
	}
	if uc.PasswordEnv != "" || uc.PasswordFile != "" {
		var err error
		if pw, err = secret.Read("the UrBackup password", uc.PasswordFile, uc.PasswordEnv, o.Getenv); err != nil {
			return append(out, Check{ID: "urbackup.login", Status: Fail, Title: "UrBackup login", Detail: "not tried: " + err.Error()})
		}
	}
	out = append(out, o.tlsChecks(ctx, "urbackup", uc.URL, uc.TLSConfig)...)
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	rep, err := ProbeURBackup(ctx, uc, pw)
	if err != nil {
		return append(out, Check{ID: "urbackup.login", Status: Fail, Title: "UrBackup at " + uc.URL, Detail: err.Error()})
	}
	login := Check{ID: "urbackup.login", Title: "UrBackup at " + rep.URL, Detail: rep.Message}
	switch rep.Login {
	case LoginOK:
		login.Status = OK
	case LoginAnonymous:
		login.Status = Off
	default:
		login.Status = Fail
		return append(out, login)
	}
	login.Detail += fmt.Sprintf("; %d clients", len(rep.Clients))
	out = append(out, login)
	for _, r := range rep.Rights {
		c := Check{ID: "urbackup.rights." + r.Name, Title: "UrBackup right " + r.Name + ": " + r.For, Status: OK, Detail: r.Value}
		switch {
		case r.Granted():
		case r.Optional:
			c.Status, c.Detail = Note, r.Value+": optional; give it under Settings → Users for more detail"
		case r.Name == "status" && r.Value == "none":
			c.Status, c.Detail = Fail, "none: the console sees no client; give the user the right status (all)"
		case r.Value == "none":
			c.Status, c.Detail = Off, "none: give the user this right (all) under Settings → Users"
		default:
			c.Status, c.Detail = Off, "only clients "+r.Value+": the others are not seen"
		}
		out = append(out, c)
	}
	return out
}

// driveChecks finds each configured drive and rates its SMART.
func (o DoctorOptions) driveChecks(ctx context.Context, pve *PVE) []Check {
	cfg := o.Config
	if len(cfg.Drives) == 0 {
		return nil
	}
	if o.Mode != "host" && pve == nil {
		return []Check{{ID: "drives", Status: Off, Title: "drives", Detail: "laptop mode reads the drives through PVE, which could not be reached"}}
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	drives, err := Drives(ctx, o.Mode, o.Host.Run, pve, cfg.Drives)
	if err != nil {
		return []Check{{ID: "drives", Status: Off, Title: "drives", Detail: "cannot read them: " + err.Error()}}
	}
	var out []Check
	for _, dc := range cfg.Drives {
		c := Check{ID: "drives." + dc.Name, Title: "drive " + dc.Name + " (" + dc.Serial + ")", Status: Off, Detail: "not found: unplugged, or another serial?"}
		for _, d := range drives {
			if !strings.EqualFold(d.Serial, dc.Serial) || !d.Present {
				continue
			}
			switch d.Health {
			case model.HealthPassed:
				c.Status, c.Detail = OK, "present, SMART passed"
			case model.HealthFailed:
				c.Status, c.Detail = Off, "present, SMART failed: "+strings.Join(d.Reasons, "; ")
			default:
				c.Status, c.Detail = OK, fmt.Sprintf("present, SMART %s", d.Health)
				if len(d.Reasons) > 0 {
					c.Detail += ": " + strings.Join(d.Reasons, "; ")
				}
			}
		}
		out = append(out, c)
	}
	return out
}
