package model

import (
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 29, 14, 30, 0, 0, time.UTC)

func guest(id, name string, ages ...time.Duration) Target {
	t := Target{ID: id, Name: name, Source: SourceProxmox}
	for _, a := range ages {
		t.RestorePoints = append(t.RestorePoints, RestorePoint{ID: name + a.String(), Time: now.Add(-a), Size: 100})
	}
	return t
}

func TestAgeStatus(t *testing.T) {
	cases := []struct {
		name   string
		age    time.Duration
		has    bool
		maxAge time.Duration
		want   Status
	}{
		{"never backed up", 0, false, 26 * time.Hour, StatusCritical},
		{"fresh", 2 * time.Hour, true, 26 * time.Hour, StatusOK},
		{"exactly max age", 26 * time.Hour, true, 26 * time.Hour, StatusOK},
		{"past max age", 31 * time.Hour, true, 26 * time.Hour, StatusWarning},
		{"exactly twice", 52 * time.Hour, true, 26 * time.Hour, StatusWarning},
		{"past twice", 53 * time.Hour, true, 26 * time.Hour, StatusCritical},
		{"no max age", 900 * time.Hour, true, 0, StatusOK},
		{"no max age, never", 0, false, 0, StatusCritical},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := AgeStatus(now.Add(-c.age), c.has, c.maxAge, now); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestBuildPosture(t *testing.T) {
	pve := SourceState{Source: SourceProxmox, OK: true, Targets: []Target{
		guest("pve/qemu/422", "k3sagent02", 31*time.Hour),
		guest("pve/qemu/411", "k3sserver01", 2*time.Hour, 26*time.Hour),
		guest("pve/qemu/421", "k3sagent01", 3*time.Hour),
		guest("pve/qemu/431", "bkpserver", 9*24*time.Hour),
		guest("pve/qemu/500", "scratch"),
		{ID: "pve/qemu/100", Name: "debiantpl", Kind: KindTemplate, Source: SourceProxmox,
			RestorePoints: []RestorePoint{{Time: now.Add(-60 * 24 * time.Hour), Protected: true}}},
		{ID: "pve/qemu/101", Name: "k3snodetpl", Kind: KindTemplate, Source: SourceProxmox},
	}}
	cases := []struct {
		name     string
		sources  []SourceState
		concerns []ConcernSpec
		want     map[string]Status // target id or "concern:<id>" or "overall"
		reason   map[string]string
	}{
		{
			name:    "worst target rules the concern",
			sources: []SourceState{pve},
			concerns: []ConcernSpec{
				{ID: ConcernCluster, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/411", "pve/qemu/421", "pve/qemu/422"}},
			},
			want: map[string]Status{"pve/qemu/411": StatusOK, "pve/qemu/422": StatusWarning,
				"concern:cluster": StatusWarning, "overall": StatusWarning},
			reason: map[string]string{"pve/qemu/422": "past the max age of 26 h"},
		},
		{
			name:     "never backed up is critical; twice max age critical",
			sources:  []SourceState{pve},
			concerns: []ConcernSpec{{ID: ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/*"}}},
			want: map[string]Status{"pve/qemu/500": StatusCritical, "pve/qemu/431": StatusCritical,
				"concern:vms": StatusCritical, "overall": StatusCritical},
			reason: map[string]string{"pve/qemu/500": "no backup ever", "pve/qemu/431": "more than twice"},
		},
		{
			name:     "unreadable source makes its targets unknown, not ok",
			sources:  []SourceState{{Source: SourceProxmox, OK: false, Err: "401 invalid token value!", Targets: pve.Targets}},
			concerns: []ConcernSpec{{ID: ConcernCluster, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/411"}}},
			want:     map[string]Status{"pve/qemu/411": StatusUnknown, "concern:cluster": StatusUnknown, "overall": StatusUnknown},
			reason:   map[string]string{"pve/qemu/411": "401 invalid token value!"},
		},
		{
			name:     "a configured target that is gone is unknown",
			sources:  []SourceState{pve},
			concerns: []ConcernSpec{{ID: ConcernVMs, MaxAge: time.Hour, Targets: []string{"pve/qemu/999"}}},
			want:     map[string]Status{"pve/qemu/999": StatusUnknown, "overall": StatusUnknown},
			reason:   map[string]string{"pve/qemu/999": "not found on proxmox"},
		},
		{
			name:     "a source that is not configured",
			sources:  []SourceState{pve},
			concerns: []ConcernSpec{{ID: ConcernAppData, MaxAge: time.Hour, Targets: []string{"urbackup/k3sagent01"}}},
			want:     map[string]Status{"urbackup/k3sagent01": StatusUnknown},
			reason:   map[string]string{"urbackup/k3sagent01": "no urbackup source is configured"},
		},
		{
			name:     "critical outranks unknown",
			sources:  []SourceState{pve},
			concerns: []ConcernSpec{{ID: ConcernVMs, MaxAge: time.Hour, Targets: []string{"pve/qemu/999", "pve/qemu/500"}}},
			want:     map[string]Status{"concern:vms": StatusCritical, "overall": StatusCritical},
		},
		{
			name:     "a template needs one backup, however old",
			sources:  []SourceState{pve},
			concerns: []ConcernSpec{{ID: ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/100", "pve/qemu/101"}}},
			want:     map[string]Status{"pve/qemu/100": StatusOK, "pve/qemu/101": StatusCritical},
			reason:   map[string]string{"pve/qemu/100": "template", "pve/qemu/101": "no backup ever"},
		},
		{
			name:     "no concerns at all is unknown",
			sources:  []SourceState{pve},
			concerns: nil,
			want:     map[string]Status{"overall": StatusUnknown},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := BuildPosture(PostureInput{Now: now, Sources: c.sources, Concerns: c.concerns})
			for key, want := range c.want {
				var got Status
				switch {
				case key == "overall":
					got = p.Overall
				case strings.HasPrefix(key, "concern:"):
					found := false
					for _, cs := range p.Concerns {
						if string(cs.ID) == strings.TrimPrefix(key, "concern:") {
							got, found = cs.Status, true
						}
					}
					if !found {
						t.Fatalf("%s missing", key)
					}
				default:
					ts, ok := p.Target(key)
					if !ok {
						t.Fatalf("target %s missing", key)
					}
					got = ts.Status
				}
				if got != want {
					t.Errorf("%s = %s, want %s", key, got, want)
				}
			}
			for id, sub := range c.reason {
				ts, _ := p.Target(id)
				if !strings.Contains(ts.Reason, sub) {
					t.Errorf("%s reason %q does not contain %q", id, ts.Reason, sub)
				}
			}
		})
	}
}

func TestGlobKeepsVMIDOrderAndDropsDuplicates(t *testing.T) {
	pve := SourceState{Source: SourceProxmox, OK: true, Targets: []Target{
		{ID: "pve/qemu/422", VMID: 422, Node: "pve"}, {ID: "pve/qemu/100", VMID: 100, Node: "pve"},
		{ID: "pve/lxc/200", VMID: 200, Node: "pve"},
	}}
	p := BuildPosture(PostureInput{Now: now, Sources: []SourceState{pve},
		Concerns: []ConcernSpec{{ID: ConcernVMs, Targets: []string{"pve/qemu/422", "pve/qemu/*", "*/lxc/*"}}}})
	var ids []string
	for _, ts := range p.Concerns[0].Targets {
		ids = append(ids, ts.ID)
	}
	if got := strings.Join(ids, " "); got != "pve/qemu/422 pve/qemu/100 pve/lxc/200" {
		t.Fatalf("order = %s", got)
	}
}

func TestBackupsConcernRatesStores(t *testing.T) {
	src := SourceState{Source: SourceProxmox, OK: true, Stores: []Store{
		{ID: "pve/hddusb_bkpvzdumps", Name: "hddusb_bkpvzdumps", Online: true, Backup: true, Total: 100, Used: 61, Avail: 39},
		{ID: "pve/usb2", Name: "usb2", Online: false, Backup: true},
		{ID: "pve/local-lvm", Name: "local-lvm", Online: true, Total: 100, Used: 95},
	}}
	p := BuildPosture(PostureInput{Now: now, Sources: []SourceState{src}, Concerns: []ConcernSpec{{ID: ConcernBackups}}})
	rows := p.Concerns[0].Targets
	if len(rows) != 2 {
		t.Fatalf("only backup stores are rows, got %d", len(rows))
	}
	if rows[0].Status != StatusOK || rows[1].Status != StatusWarning || !strings.Contains(rows[1].Reason, "offline") {
		t.Fatalf("rows = %+v", rows)
	}
}

func TestStoreUsageStatus(t *testing.T) {
	cases := []struct {
		used int64
		want Status
	}{{10, StatusOK}, {69, StatusOK}, {70, StatusWarning}, {89, StatusWarning}, {90, StatusCritical}}
	for _, c := range cases {
		s := Store{Online: true, Total: 100, Used: c.used}
		if got := s.UsageStatus(); got != c.want {
			t.Errorf("%d%%: %s, want %s", c.used, got, c.want)
		}
	}
}

func TestStoreFullSoonWarnsAndHoldsAssignDrives(t *testing.T) {
	soon, later := now.Add(10*24*time.Hour), now.Add(90*24*time.Hour)
	src := SourceState{Source: SourceProxmox, OK: true, Stores: []Store{
		{ID: "pve/a", Name: "a", Online: true, Backup: true, Total: 100, Used: 50, Avail: 50, FullAt: &soon},
		{ID: "pve/b", Name: "b", Online: true, Backup: true, Total: 100, Used: 50, Avail: 50, FullAt: &later},
	}}
	smart := SourceState{Source: SourceSMART, OK: true, Drives: []Drive{
		{ID: "NA8F1234", Serial: "NA8F1234", Name: "usb-backups", Health: HealthFailed, Reasons: []string{"8 pending sectors"}, Holds: []string{"pve/b"}, Present: true},
	}}
	p := BuildPosture(PostureInput{Now: now, Sources: []SourceState{src, smart}, Concerns: []ConcernSpec{{ID: ConcernBackups}}})
	rows := p.Concerns[0].Targets
	if rows[0].Status != StatusWarning || !strings.Contains(rows[0].Reason, "full in 10 d") {
		t.Errorf("a store full within 14 days warns: %+v", rows[0])
	}
	if rows[1].Status != StatusOK {
		t.Errorf("full in 90 days is ok: %+v", rows[1])
	}
	if rows[2].Status != StatusCritical || !strings.Contains(rows[2].Reason, "8 pending sectors") {
		t.Errorf("a failed drive is critical: %+v", rows[2])
	}
	// each row says which store or drive it stands for
	if rows[0].Store != &p.Stores[0] || rows[0].Drive != nil || rows[2].Drive != &p.Drives[0] || rows[2].Store != nil {
		t.Errorf("rows do not point at their store and drive: %+v", rows)
	}
	if p.Overall != StatusCritical {
		t.Errorf("overall = %s", p.Overall)
	}
	if p.Stores[1].Drive != "NA8F1234" || p.Stores[0].Drive != "" {
		t.Errorf("holds: %+v", p.Stores)
	}
}

func TestLastBackupSkipsPointsThatFailedVerification(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	newest := RestorePoint{ID: "/cz/pve-pve-ssd-2026-11-19", Time: now.AddDate(0, 0, -10),
		Verified: &Verification{At: now, Level: 3, Problems: []string{"nvme0n1p2.vfat-ptcl-img.zst.aa: CRC mismatch"}}}
	older := RestorePoint{ID: "/cz/pve-pve-ssd-2026-11-01", Time: now.AddDate(0, 0, -28),
		Verified: &Verification{At: now, Level: 3, OK: true}}
	unchecked := RestorePoint{ID: "/cz/pve-pve-ssd-2026-10-01", Time: now.AddDate(0, 0, -59)}
	tg := Target{RestorePoints: []RestorePoint{newest, older, unchecked}}
	got, ok := tg.LastBackup()
	if !ok || got.ID != older.ID {
		t.Fatalf("last backup %q (%v), want the older whole image %q", got.ID, ok, older.ID)
	}
	tg.RestorePoints = []RestorePoint{newest}
	if got, ok := tg.LastBackup(); ok {
		t.Fatalf("a damaged image counted as a backup: %q", got.ID)
	}
}

// A guest that no backup job covers says so in its reason, whatever its
// age: bkpserver was critical with only "last backup 8 d ago" to go on.
func TestNoJobIsSaid(t *testing.T) {
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	guest := Target{ID: "pve/qemu/431", Name: "bkpserver", Kind: KindVM, Source: SourceProxmox, NoJob: true,
		RestorePoints: []RestorePoint{{ID: "a", Time: now.Add(-8 * 24 * time.Hour)}}}
	p := BuildPosture(PostureInput{Now: now,
		Concerns: []ConcernSpec{{ID: ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/431"}}},
		Sources:  []SourceState{{Source: SourceProxmox, OK: true, Targets: []Target{guest}}}})
	ts, _ := p.Target("pve/qemu/431")
	if ts.Status != StatusCritical || !strings.Contains(ts.Reason, "more than twice the max age") || !strings.Contains(ts.Reason, "no backup job covers it") {
		t.Errorf("%s: %s", ts.Status, ts.Reason)
	}
}
