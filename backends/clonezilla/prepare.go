package clonezilla

import (
	"context"
	"errors"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// errNotOnHost is the preflight asked where the host's disks cannot be read.
var errNotOnHost = errors.New("the preflight reads the host's disks with lsblk and lvs: run backdeck on the Proxmox host (mode = \"host\", as root)")

// Prepare reads the host and checks it for the next imaging run, then makes
// the unattended run from the result. drives are the drives as the console
// knows them (their SMART verdicts). A plan that cannot be made (a bad name
// template) is an error; a failed check is not: the plan then says so.
func (s *Source) Prepare(ctx context.Context, drives []model.Drive) (Preflight, Plan, error) {
	if s.run == nil {
		return Preflight{}, Plan{}, errNotOnHost
	}
	host, err := ReadHost(ctx, s.run)
	if err != nil {
		return Preflight{}, Plan{}, err
	}
	in := PreflightInput{Host: host, DriveLabel: s.cfg.DriveLabel, DriveSerial: s.cfg.DriveSerial, LiveVersion: s.cfg.LiveVersion}
	for _, d := range s.cfg.Disks {
		in.Disks = append(in.Disks, PlanDisk{Name: d.Name, Serial: d.Serial})
	}
	serial := s.cfg.DriveSerial
	if serial == "" {
		serial = serialOfLabel(host.Disks, s.cfg.DriveLabel)
	}
	in.DriveHealth = driveBySerial(drives, serial)
	if s.vzdumpDrive != "" {
		in.VzdumpDrive = driveBySerial(drives, s.vzdumpDrive)
		if in.VzdumpDrive == nil {
			in.VzdumpDrive = &model.Drive{ID: s.vzdumpDrive, Serial: s.vzdumpDrive}
		}
	}
	in.Earlier, _ = Scan(s.cfg.ImageDirs) // unreadable images teach nothing; the list shows them
	pf := RunPreflight(in)
	plan, err := MakePlan(pf, PlanConfig{Host: s.cfg.Host, NameTemplate: s.cfg.NameTemplate,
		Locale: s.cfg.Locale, Keyboard: s.cfg.Keyboard, Now: s.now()})
	return pf, plan, err
}

// Preflight is Prepare for the console: the checklist and the commands.
func (s *Source) Preflight(ctx context.Context, drives []model.Drive) (model.Preflight, error) {
	pf, plan, err := s.Prepare(ctx, drives)
	if errors.Is(err, errNotOnHost) || (err != nil && len(pf.Checks) == 0) {
		return model.Preflight{}, err
	}
	out := pf.Preflight
	out.At, out.Checks = s.now(), append([]model.Check(nil), pf.Checks...)
	if err != nil {
		out.Checks = append(out.Checks, model.Check{Name: "unattended run", State: model.CheckFail, Reason: err.Error()})
	}
	for _, r := range plan.Runs {
		out.Commands = append(out.Commands, r.Command)
	}
	return out, nil
}

func driveBySerial(drives []model.Drive, serial string) *model.Drive {
	if serial == "" {
		return nil
	}
	for i := range drives {
		if sameSerial(drives[i].Serial, serial) || sameSerial(drives[i].ID, serial) {
			d := drives[i]
			return &d
		}
	}
	return nil
}

// serialOfLabel is the serial of the disk holding a filesystem labelled label.
func serialOfLabel(devs []BlockDev, label string) string {
	if label == "" {
		return ""
	}
	serial := ""
	walk(devs, func(d, top *BlockDev) {
		if serial == "" && d.Label == label {
			serial = strings.TrimSpace(top.Serial)
		}
	})
	return serial
}
