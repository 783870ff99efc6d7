package model

import (
	"strings"
	"testing"
	"time"
)

// disk is a host disk of the Clonezilla source with images of the given
// ages, each with the verdict given (nil: never verified).
func disk(id string, images ...RestorePoint) Target {
	return Target{ID: id, Name: strings.TrimPrefix(id, "clonezilla/"), Kind: KindDisk, Source: SourceClonezilla,
		Methods: []Method{MethodVerify}, RestorePoints: images}
}

func img(name string, age time.Duration, v *Verification) RestorePoint {
	return RestorePoint{ID: "/cz/" + name, Method: MethodVerify, Time: now.Add(-age), Verified: v}
}

var (
	whole   = &Verification{At: now.Add(-day), Level: 3, OK: true}
	damaged = &Verification{At: now.Add(-day), Level: 3, Problems: []string{"sda1.ext4-ptcl-img.zst.aa: CRC mismatch"}}
)

func hostPosture(in PostureInput, targets ...string) *Posture {
	in.Now = now
	in.Concerns = []ConcernSpec{{ID: ConcernHost, MaxAge: 35 * day, Targets: targets}}
	return BuildPosture(in)
}

// The case seen: the Host platform concern stayed "✓ ok" with a damaged
// newest image. The age counts from the newest image not known damaged,
// and the reason says the newest one is damaged.
func TestDiskWithDamagedNewestImage(t *testing.T) {
	cz := SourceState{Source: SourceClonezilla, OK: true, Targets: []Target{
		disk("clonezilla/pve-ssd", img("new", 2*day, damaged), img("older", 10*day, whole), img("oldest", 40*day, nil)),
		disk("clonezilla/pve-hdd", img("new", 2*day, whole), img("older", 10*day, damaged)),
		disk("clonezilla/pve-nvme", img("a", 2*day, damaged), img("b", 3*day, damaged)),
		disk("clonezilla/pve-usb", img("only", 2*day, damaged)),
	}}
	p := hostPosture(PostureInput{Sources: []SourceState{cz}},
		"clonezilla/pve-ssd", "clonezilla/pve-hdd", "clonezilla/pve-nvme", "clonezilla/pve-usb")

	ssd, _ := p.Target("clonezilla/pve-ssd")
	if !ssd.HasBackup || ssd.Age != 10*day || !ssd.LastBackup.Equal(now.Add(-10*day)) {
		t.Errorf("age from the newest image not known damaged: has %v, age %s, last %s", ssd.HasBackup, ssd.Age, ssd.LastBackup)
	}
	if ssd.Status != StatusWarning {
		t.Errorf("a damaged newest image is no ok disk: %s (%s)", ssd.Status, ssd.Reason)
	}
	for _, want := range []string{"last image 10 d ago", "the newest image (2 d old) is damaged"} {
		if !strings.Contains(ssd.Reason, want) {
			t.Errorf("reason %q does not say %q", ssd.Reason, want)
		}
	}

	// An older damaged image under a whole newest one changes nothing.
	if hdd, _ := p.Target("clonezilla/pve-hdd"); hdd.Status != StatusOK || hdd.Age != 2*day || strings.Contains(hdd.Reason, "damaged") {
		t.Errorf("whole newest image: %s, age %s (%s)", hdd.Status, hdd.Age, hdd.Reason)
	}
	// No image that is not damaged: critical, and said so (not "no image ever").
	nvme, _ := p.Target("clonezilla/pve-nvme")
	if nvme.Status != StatusCritical || nvme.HasBackup || nvme.Reason != "no whole image: all 2 are damaged" {
		t.Errorf("every image damaged: %s, has %v (%s)", nvme.Status, nvme.HasBackup, nvme.Reason)
	}
	if usb, _ := p.Target("clonezilla/pve-usb"); usb.Status != StatusCritical || usb.Reason != "no whole image: the only one is damaged" {
		t.Errorf("the only image damaged: %s (%s)", usb.Status, usb.Reason)
	}
	if p.Concerns[0].Status != StatusCritical {
		t.Errorf("concern %s", p.Concerns[0].Status)
	}
}

// With the verifications unreadable, a damaged image would count as a good
// one: targets that can be verified are unknown, never ok, and the posture
// carries one error of source history.
func TestHistoryFailureMakesVerifiableTargetsUnknown(t *testing.T) {
	locked := "history database /s/history.db is locked by another program (another backdeck?) for more than 2s: close that one, or wait, and start again"
	cz := SourceState{Source: SourceClonezilla, OK: true, HistoryErr: locked, VerificationsUnknown: true, Targets: []Target{
		disk("clonezilla/pve-ssd", img("new", 2*day, nil)),
		disk("clonezilla/pve-hdd", img("old", 80*day, nil)),
	}}
	// Proxmox met the same lock recording usage; its guests cannot be
	// verified and stay rated by age.
	pve := SourceState{Source: SourceProxmox, OK: true, HistoryErr: locked, Targets: []Target{guest("pve/qemu/411", "k3sserver01", 2*time.Hour)}}
	p := BuildPosture(PostureInput{Now: now, Sources: []SourceState{cz, pve}, Concerns: []ConcernSpec{
		{ID: ConcernHost, MaxAge: 35 * day, Targets: []string{"clonezilla/pve-ssd", "clonezilla/pve-hdd"}},
		{ID: ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/411"}},
	}})
	ssd, _ := p.Target("clonezilla/pve-ssd")
	if ssd.Status != StatusUnknown {
		t.Errorf("recent image, verifications unreadable: %s, want unknown", ssd.Status)
	}
	for _, want := range []string{"last image 2 d ago", "history cannot be read", "close that one, or wait"} {
		if !strings.Contains(ssd.Reason, want) {
			t.Errorf("reason %q does not say %q", ssd.Reason, want)
		}
	}
	if hdd, _ := p.Target("clonezilla/pve-hdd"); hdd.Status != StatusCritical {
		t.Errorf("a known disaster outranks unknown: %s", hdd.Status)
	}
	if vm, _ := p.Target("pve/qemu/411"); vm.Status != StatusOK {
		t.Errorf("a guest does not depend on verifications: %s (%s)", vm.Status, vm.Reason)
	}
	var hist []SourceError
	for _, e := range p.Errors {
		if e.Source == SourceHistory {
			hist = append(hist, e)
		}
	}
	if len(hist) != 1 || hist[0].Message != locked {
		t.Fatalf("history errors %+v, want the one lock message once", hist)
	}
	if p.Overall != StatusCritical {
		t.Errorf("overall %s", p.Overall)
	}

	// A history that failed to write (a usage sample) but whose
	// verifications were read: an error, and the disk rated on what it read.
	cz.VerificationsUnknown = false
	cz.Targets = []Target{disk("clonezilla/pve-ssd", img("new", 2*day, whole))}
	p = hostPosture(PostureInput{Sources: []SourceState{cz}}, "clonezilla/pve-ssd")
	if ssd, _ := p.Target("clonezilla/pve-ssd"); ssd.Status != StatusOK {
		t.Errorf("verifications read: %s (%s)", ssd.Status, ssd.Reason)
	}
	if len(p.Errors) != 1 || p.Errors[0].Source != SourceHistory || p.Overall != StatusUnknown {
		t.Errorf("errors %+v, overall %s: the failed write is an error and nothing is all ok", p.Errors, p.Overall)
	}
}

// A history that could not be opened: an error of source history, and every
// target that can be verified unknown, before any source has answered too.
func TestHistoryNotOpened(t *testing.T) {
	damagedFile := "history database /s/history.db is damaged (file is not a database): move it away and backdeck starts a new one"
	cz := SourceState{Source: SourceClonezilla, OK: true, Targets: []Target{disk("clonezilla/pve-ssd", img("new", 2*day, nil))}}
	p := hostPosture(PostureInput{Sources: []SourceState{cz}, HistoryErr: damagedFile}, "clonezilla/pve-ssd")
	ssd, _ := p.Target("clonezilla/pve-ssd")
	if ssd.Status != StatusUnknown || !strings.Contains(ssd.Reason, "move it away") {
		t.Errorf("disk %s (%s), want unknown saying what to do", ssd.Status, ssd.Reason)
	}
	if len(p.Errors) != 1 || p.Errors[0].Source != SourceHistory || !strings.HasPrefix(p.Errors[0].Message, damagedFile) ||
		!strings.Contains(p.Errors[0].Message, "running without history") {
		t.Fatalf("errors %+v", p.Errors)
	}
	p = hostPosture(PostureInput{Sources: []SourceState{{Source: SourceClonezilla, Pending: true}}, HistoryErr: damagedFile}, "clonezilla/pve-ssd")
	if len(p.Errors) != 1 || p.Errors[0].Source != SourceHistory {
		t.Fatalf("pending sources: errors %+v", p.Errors)
	}
}
