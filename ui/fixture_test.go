package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/backdeck/backdeck/model"
)

// testNow is the fixed clock of every test: 25 Nov 2026, 14:22 UTC.
var testNow = time.Date(2026, 11, 25, 14, 22, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

const (
	GiB = int64(1) << 30
	MiB = int64(1) << 20
)

// fakeEngine is the engine of the tests: a channel of events, canned
// answers, and a record of what the console asked.
type fakeEngine struct {
	events chan model.Event

	mu        sync.Mutex
	starts    []model.JobRequest
	stops     []string
	snapCalls []string
	refreshes int

	startFn func(req model.JobRequest) (model.Job, error)
	snaps   map[string][]model.Snapshot
	snapFn  func(ctx context.Context, targetID string) ([]model.Snapshot, error) // answers instead of snaps

	preflight    model.Preflight
	preflightErr error
	preflights   int
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{events: make(chan model.Event, 16), snaps: map[string][]model.Snapshot{}}
}

func (f *fakeEngine) Events() <-chan model.Event { return f.events }

func (f *fakeEngine) Refresh() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshes++
}

func (f *fakeEngine) Start(_ context.Context, req model.JobRequest) (model.Job, error) {
	f.mu.Lock()
	f.starts = append(f.starts, req)
	fn := f.startFn
	f.mu.Unlock()
	if fn != nil {
		return fn(req)
	}
	return model.Job{ID: "job-" + req.Target, Target: req.Target, Method: req.Method, Source: model.SourceOf(req.Target), State: model.JobRunning, Started: testNow, Progress: model.UnknownProgress(), Point: req.Point}, nil
}

func (f *fakeEngine) Stop(_ context.Context, jobID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stops = append(f.stops, jobID)
	return nil
}

func (f *fakeEngine) Snapshots(ctx context.Context, targetID string) ([]model.Snapshot, error) {
	f.mu.Lock()
	f.snapCalls = append(f.snapCalls, targetID)
	fn, list := f.snapFn, f.snaps[targetID]
	f.mu.Unlock()
	if fn != nil {
		return fn(ctx, targetID)
	}
	return list, nil
}

func (f *fakeEngine) Preflight(context.Context) (model.Preflight, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.preflights++
	return f.preflight, f.preflightErr
}

func (f *fakeEngine) Starts() []model.JobRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]model.JobRequest(nil), f.starts...)
}

func (f *fakeEngine) Stops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.stops...)
}

func (f *fakeEngine) SnapCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.snapCalls...)
}

// guestMethods are the methods the PVE backend lists for a guest that is
// not a template.
var guestMethods = []model.Method{model.MethodVzdump, model.MethodSnapshot, model.MethodRollback, model.MethodDeleteSnapshot}

// vzdump builds a restore point of a guest.
func vzdump(vmid int, ago time.Duration, size int64, notes string, protected bool) model.RestorePoint {
	t := testNow.Add(-ago)
	return model.RestorePoint{
		ID:        fmt.Sprintf("hddusb_bkpvzdumps:backup/vzdump-qemu-%d-%s.vma.zst", vmid, t.Format("2006_01_02-15_04_05")),
		Target:    fmt.Sprintf("pve/qemu/%d", vmid),
		Method:    model.MethodVzdump,
		Time:      t,
		Size:      size,
		Format:    "vma.zst",
		Notes:     notes,
		Protected: protected,
		Store:     "pve/hddusb_bkpvzdumps",
	}
}

// guest builds a rated guest of the seed homelab.
func guest(vmid int, name string, kind model.TargetKind, st model.Status, maxAge time.Duration, reason string, rps ...model.RestorePoint) model.TargetStatus {
	t := model.Target{
		ID: fmt.Sprintf("pve/qemu/%d", vmid), Name: name, Kind: kind, Source: model.SourceProxmox, Node: "pve", VMID: vmid,
		State: "running", Methods: guestMethods, RestorePoints: rps,
	}
	if kind == model.KindTemplate {
		t.State = "stopped"
		t.Methods = []model.Method{model.MethodVzdump}
	}
	ts := model.TargetStatus{Target: t, Status: st, MaxAge: maxAge, Reason: reason, Found: true}
	if rp, ok := t.LastBackup(); ok {
		ts.HasBackup, ts.LastBackup, ts.Age = true, rp.Time, testNow.Sub(rp.Time)
	}
	return ts
}

// UrBackup clients of the seed homelab: the k3s nodes back up their
// application and user data with UrBackup too.
const (
	urbAgent01  = "urbackup/k3sagent01"
	urbAgent02  = "urbackup/k3sagent02"
	urbServer01 = "urbackup/k3sserver01"
)

// fileMethods and allMethods are what the UrBackup backend offers: file
// backups only when images are switched off, all four otherwise.
var (
	fileMethods = []model.Method{model.MethodIncrFile, model.MethodFullFile}
	allMethods  = []model.Method{model.MethodIncrFile, model.MethodFullFile, model.MethodIncrImage, model.MethodFullImage}
)

// urbackupPoint is a restore point of an UrBackup client, as the backend
// builds it: notes "incremental" or "full".
func urbackupPoint(name string, n int, ago time.Duration, size int64, full bool) model.RestorePoint {
	rp := model.RestorePoint{
		ID: fmt.Sprintf("urbackup/%s/%d", name, n), Target: "urbackup/" + name, Method: model.MethodIncrFile,
		Time: testNow.Add(-ago), Size: size, Notes: "incremental",
	}
	if full {
		rp.Method, rp.Notes = model.MethodFullFile, "full"
	}
	return rp
}

// client builds a rated UrBackup client.
func client(name string, st model.Status, offline bool, reason string, methods []model.Method, facts []model.Fact, rps ...model.RestorePoint) model.TargetStatus {
	t := model.Target{
		ID: "urbackup/" + name, Name: name, Kind: model.KindClient, Source: model.SourceURBackup,
		State: "online", Detail: "UrBackup client · online", Offline: offline, Methods: methods, RestorePoints: rps, Facts: facts,
	}
	if offline {
		t.State, t.Detail = "offline", "UrBackup client · offline, last seen 2 d ago"
	}
	ts := model.TargetStatus{Target: t, Status: st, MaxAge: 26 * time.Hour, Reason: reason, Found: true}
	if rp, ok := t.LastBackup(); ok {
		ts.HasBackup, ts.LastBackup, ts.Age = true, rp.Time, testNow.Sub(rp.Time)
	}
	return ts
}

// urbackupClients are k3sagent01 (online, file backups only), k3sagent02
// (online, file and image backups) and k3sserver01 (offline, overdue).
func urbackupClients() (agent1, agent2, server model.TargetStatus) {
	h, day := time.Hour, 24*time.Hour
	agent1 = client("k3sagent01", model.StatusOK, false, "last backup 9 h ago, within the max age of 26 h", fileMethods,
		[]model.Fact{
			{Label: "online", Value: "yes"},
			{Label: "file backups", Value: "ok, last 9 h ago"},
			{Label: "image backups", Value: "not used (switched off for this client)"},
			{Label: "usage", Value: "66.8 GiB (files 66.8 GiB, images 0 B)"},
			{Label: "folders", Value: "/var/lib/rancher/k3s/storage, /srv/appdata"},
			{Label: "client", Value: "2.5.33 · Linux · Debian GNU/Linux 12"},
		},
		urbackupPoint("k3sagent01", 41, 9*h, 509*MiB, false),
		urbackupPoint("k3sagent01", 40, 33*h, 618*MiB, false),
		urbackupPoint("k3sagent01", 39, 2*day+9*h, 652*GiB/10, true),
		urbackupPoint("k3sagent01", 38, 3*day+9*h, 345*MiB, false),
		urbackupPoint("k3sagent01", 37, 4*day+9*h, 211*MiB, false),
		urbackupPoint("k3sagent01", 36, 5*day+9*h, 488*MiB, false))
	agent2 = client("k3sagent02", model.StatusOK, false, "last backup 10 h ago, within the max age of 26 h", allMethods,
		[]model.Fact{
			{Label: "online", Value: "yes"},
			{Label: "file backups", Value: "ok, last 10 h ago"},
			{Label: "image backups", Value: "ok, last 6 d ago"},
			{Label: "usage", Value: "92.0 GiB (files 61.5 GiB, images 30.5 GiB)"},
			{Label: "folders", Value: "/var/lib/rancher/k3s/storage"},
		},
		urbackupPoint("k3sagent02", 12, 10*h, 702*MiB, false),
		urbackupPoint("k3sagent02", 11, 34*h, 66*GiB, true))
	server = client("k3sserver01", model.StatusWarning, true, "last backup 29 h ago, past the max age of 26 h; the client is offline", fileMethods,
		[]model.Fact{
			{Label: "online", Value: "no, last seen 2 d ago"},
			{Label: "file backups", Value: "ok, last 29 h ago"},
			{Label: "image backups", Value: "not used (switched off for this client)"},
		},
		urbackupPoint("k3sserver01", 7, 29*h, 1210*MiB, false),
		urbackupPoint("k3sserver01", 6, 53*h, 31*GiB, true))
	return agent1, agent2, server
}

// runningJob is the vzdump of k3sagent02 at 45 %.
func runningJob() model.Job {
	return model.Job{
		ID: "UPID:pve:000A1B2C:0F3E4D5A:6765F0A0:vzdump:422:root@pam:", Target: "pve/qemu/422", Name: "k3sagent02",
		Method: model.MethodVzdump, Source: model.SourceProxmox, Node: "pve", State: model.JobRunning,
		Started: testNow.Add(-30 * time.Second), Storage: "hddusb_bkpvzdumps",
		Progress: model.Progress{
			Percent: 45, DoneBytes: 45 * GiB / 10, TotalBytes: 10 * GiB,
			ReadBytesPerS: float64(152 * MiB), WriteBytesPerS: float64(140 * MiB),
			ETA: 36 * time.Second, ETAKnown: true,
			LastLine: "INFO:  45% (4.5 GiB of 10.0 GiB) in 30s, read: 152.3 MiB/s, write: 140.1 MiB/s",
		},
	}
}

// seedPosture resembles the seed homelab of DESIGN.md.
func seedPosture() *model.Posture {
	day := 24 * time.Hour
	maxAge := 26 * time.Hour
	debiantpl := guest(100, "debiantpl", model.KindTemplate, model.StatusOK, 0, "template: one protected backup kept (no max age)",
		vzdump(100, 75*day, 835*MiB, "debiantpl template", true))
	k3snodetpl := guest(101, "k3snodetpl", model.KindTemplate, model.StatusOK, 0, "template: one protected backup kept (no max age)",
		vzdump(101, 74*day, 653*MiB, "k3snodetpl template", true))
	server := guest(411, "k3sserver01", model.KindVM, model.StatusOK, maxAge, "last backup 2 h ago, within the max age of 26 h",
		vzdump(411, 2*time.Hour, 1229*MiB, "k3sserver01", false),
		vzdump(411, 26*time.Hour, 1210*MiB, "k3sserver01", false),
		vzdump(411, 50*time.Hour, 1198*MiB, "k3sserver01", false))
	agent1 := guest(421, "k3sagent01", model.KindVM, model.StatusOK, maxAge, "last backup 8 h ago, within the max age of 26 h",
		vzdump(421, 8*time.Hour, 2765*MiB, "k3sagent01", false),
		vzdump(421, 32*time.Hour, 2740*MiB, "k3sagent01", false),
		vzdump(421, 6*day, 2701*MiB, "before k3s upgrade", true))
	agent2 := guest(422, "k3sagent02", model.KindVM, model.StatusWarning, maxAge, "last backup 31 h ago, past the max age of 26 h",
		vzdump(422, 31*time.Hour, 3686*MiB, "k3sagent02", false))
	bkp := guest(431, "bkpserver", model.KindVM, model.StatusCritical, maxAge, "last backup 9 d ago, more than twice the max age of 26 h",
		vzdump(431, 9*day, 1843*MiB, "bkpserver", false))

	stores, drives := seedStoresAndDrives()
	storeRow := func(i int) model.TargetStatus {
		s := &stores[i]
		reason := fmt.Sprintf("%.0f%% used, %s free", s.UsedFraction()*100, model.HumanBytes(s.Avail))
		return model.TargetStatus{Target: model.Target{ID: "store/" + s.ID, Name: s.Name, Node: s.Node, Kind: model.KindStore}, Found: true, Store: s, Status: s.UsageStatus(), Reason: reason}
	}
	backupRows := []model.TargetStatus{storeRow(0), storeRow(1), storeRow(2), storeRow(3)}
	backupsStatus := model.StatusOK
	for i := range drives {
		backupRows = append(backupRows, driveRow(&drives[i]))
	}
	for _, r := range backupRows {
		backupsStatus = model.Worse(backupsStatus, r.Status)
	}

	urbAgent1, urbAgent2, urbServer := urbackupClients()

	return &model.Posture{
		GeneratedAt: testNow,
		Overall:     model.StatusCritical,
		Concerns: []model.ConcernStatus{
			{ID: model.ConcernVMs, Name: "Virtual machines", Status: model.StatusCritical, MaxAge: maxAge,
				Targets: []model.TargetStatus{debiantpl, k3snodetpl, server, agent1, agent2, bkp}},
			{ID: model.ConcernCluster, Name: "Kubernetes cluster", Status: model.StatusWarning, MaxAge: maxAge,
				Targets: []model.TargetStatus{server, agent1, agent2}},
			{ID: model.ConcernAppData, Name: "Application data", Status: model.StatusWarning, MaxAge: maxAge,
				Targets: []model.TargetStatus{urbAgent1, urbAgent2, urbServer}},
			{ID: model.ConcernUserData, Name: "User data", Status: model.StatusOK, MaxAge: maxAge,
				Targets: []model.TargetStatus{urbAgent1, urbAgent2}},
			{ID: model.ConcernBackups, Name: "Backups", Status: backupsStatus, Targets: backupRows},
		},
		Stores:   stores,
		Drives:   drives,
		Jobs:     []model.Job{runningJob()},
		Versions: map[model.Source]string{model.SourceProxmox: "8.4.1", model.SourceURBackup: "2.5.33"},
	}
}

// Drives of the seed homelab: usb-backups (Seagate, passed) holds the
// vzdump store; usb-urbackup (WD, failing: uncorrectable and pending
// sectors) holds UrBackup's; usb-offsite (Toshiba) sleeps, its last
// reading 3 h old.
const (
	serialSeagate = "NA8F1234"
	serialWD      = "WX42D1234567"
	serialToshiba = "Z9T0A1B2C"
)

func intp(n int) *int    { return &n }
func boolp(b bool) *bool { return &b }

// ataAttr is one row of an ATA attribute table.
func ataAttr(id int, name string, value, worst, thresh int, raw int64, rawString string) model.SMARTAttribute {
	if rawString == "" {
		rawString = fmt.Sprint(raw)
	}
	return model.SMARTAttribute{ID: id, Name: name, Value: value, Worst: worst, Thresh: thresh, Raw: raw, RawString: rawString}
}

// healthyAttrs is the attribute table of a healthy USB hard disk.
func healthyAttrs(poh int, temp int) []model.SMARTAttribute {
	return []model.SMARTAttribute{
		ataAttr(1, "Raw_Read_Error_Rate", 100, 100, 6, 0, ""),
		ataAttr(3, "Spin_Up_Time", 99, 99, 0, 0, ""),
		ataAttr(4, "Start_Stop_Count", 95, 95, 20, 5123, ""),
		ataAttr(5, "Reallocated_Sector_Ct", 100, 100, 10, 0, ""),
		ataAttr(9, "Power_On_Hours", 91, 91, 0, int64(poh), ""),
		ataAttr(12, "Power_Cycle_Count", 96, 96, 20, 4210, ""),
		ataAttr(187, "Reported_Uncorrect", 100, 100, 0, 0, ""),
		ataAttr(188, "Command_Timeout", 100, 100, 0, 0, ""),
		ataAttr(194, "Temperature_Celsius", 100-temp, 60, 0, int64(temp), fmt.Sprintf("%d (Min/Max 18/48)", temp)),
		ataAttr(197, "Current_Pending_Sector", 100, 100, 0, 0, ""),
		ataAttr(198, "Offline_Uncorrectable", 100, 100, 0, 0, ""),
		ataAttr(199, "UDMA_CRC_Error_Count", 200, 200, 0, 0, ""),
	}
}

// failingAttrs is the WD's table: 4 reallocated sectors (a warning), 3
// uncorrectable errors and 2 pending sectors (failures).
func failingAttrs() []model.SMARTAttribute {
	return []model.SMARTAttribute{
		ataAttr(1, "Raw_Read_Error_Rate", 200, 200, 51, 12, ""),
		ataAttr(3, "Spin_Up_Time", 171, 168, 21, 2433, ""),
		ataAttr(4, "Start_Stop_Count", 93, 93, 0, 7712, ""),
		ataAttr(5, "Reallocated_Sector_Ct", 199, 199, 140, 4, ""),
		ataAttr(9, "Power_On_Hours", 68, 68, 0, 23456, ""),
		ataAttr(12, "Power_Cycle_Count", 97, 97, 0, 3301, ""),
		ataAttr(187, "Reported_Uncorrect", 97, 97, 0, 3, ""),
		ataAttr(188, "Command_Timeout", 100, 100, 0, 0, ""),
		ataAttr(194, "Temperature_Celsius", 106, 91, 0, 41, "41 (Min/Max 19/52)"),
		ataAttr(197, "Current_Pending_Sector", 200, 200, 0, 2, ""),
		ataAttr(198, "Offline_Uncorrectable", 100, 253, 0, 0, ""),
		ataAttr(199, "UDMA_CRC_Error_Count", 200, 200, 0, 0, ""),
	}
}

// usageHistory is a store's daily usage over the last days, ending today at
// used: a steady growth of perDay (with a little deterministic noise), and
// a prune dropAgo days ago that freed dropped bytes (none when dropAgo is 0).
func usageHistory(total, used int64, days int, every time.Duration, perDay float64, dropAgo int, dropped int64) []model.UsageSample {
	out := make([]model.UsageSample, 0, days)
	for k := days - 1; k >= 0; k-- {
		at := testNow.Add(-time.Duration(k) * every).Truncate(time.Hour)
		u := float64(used) - perDay*float64(k)*every.Hours()/24 + float64((k*7919)%13-6)*float64(GiB)/20
		if dropAgo > 0 && k > dropAgo {
			u += float64(dropped)
		}
		out = append(out, model.UsageSample{At: at, Used: int64(u), Total: total})
	}
	return out
}

// seedStoresAndDrives are the stores (with months of usage and their
// forecasts) and the drives under them.
func seedStoresAndDrives() ([]model.Store, []model.Drive) {
	day := 24 * time.Hour
	stores := []model.Store{
		{ID: "pve/hddusb_bkpvzdumps", Name: "hddusb_bkpvzdumps", Node: "pve", Type: "dir", Content: []string{"backup"}, Online: true,
			Total: 1000 * GiB, Used: 610 * GiB, Avail: 390 * GiB, Drive: serialSeagate, Backup: true,
			// 180 days: a prune 120 days ago freed 400 GiB, then 4.15 GiB a day
			Usage: usageHistory(1000*GiB, 610*GiB, 180, day, 4.15*float64(GiB), 119, 400*GiB)},
		{ID: "pve/hddusb_bkpdata", Name: "hddusb_bkpdata", Node: "pve", Type: "lvmthin", Content: []string{"images"}, Online: true,
			Total: 800 * GiB, Used: 300 * GiB, Avail: 500 * GiB, Drive: serialSeagate,
			Usage: usageHistory(800*GiB, 300*GiB, 30, day, -0.2*float64(GiB), 0, 0)},
		{ID: "pve/hddusb_urbackup", Name: "hddusb_urbackup", Node: "pve", Type: "dir", Content: []string{"backup"}, Online: true,
			Total: 1800 * GiB, Used: 1300 * GiB, Avail: 500 * GiB, Drive: serialWD, Backup: true,
			Usage: usageHistory(1800*GiB, 1300*GiB, 3, day, 2*float64(GiB), 0, 0)},
		{ID: "pve/hddusb_offsite", Name: "hddusb_offsite", Node: "pve", Type: "dir", Content: []string{"backup"}, Online: true,
			Total: 3600 * GiB, Used: 1240 * GiB, Avail: 2360 * GiB, Drive: serialToshiba, Backup: true,
			Usage: usageHistory(3600*GiB, 1240*GiB, 26, 7*day, 0.9*float64(GiB), 0, 0)},
	}
	for i := range stores {
		stores[i].Forecast = model.ForecastFull(stores[i].Usage, testNow, 0)
		stores[i].FullAt = stores[i].Forecast.FullAt
	}
	seagate := &model.SMARTReading{
		At: testNow.Add(-2 * time.Minute), Device: "/dev/sdb", Model: "ST2000LM007-1R8174", Serial: serialSeagate,
		Protocol: "ATA", Transport: "usb", Passed: boolp(true), TemperatureC: intp(34), PowerOnHours: intp(8123),
		Attributes: healthyAttrs(8123, 34),
	}
	wd := &model.SMARTReading{
		At: testNow.Add(-2 * time.Minute), Device: "/dev/sdc", Model: "WDC WD20SPZX-22UA7T0", Serial: serialWD,
		Protocol: "ATA", Transport: "usb", Passed: boolp(true), TemperatureC: intp(41), PowerOnHours: intp(23456),
		Attributes: failingAttrs(), ExitStatus: 64,
		Messages: []string{"the error log has entries (exit status bit 6)"},
	}
	toshiba := &model.SMARTReading{
		At: testNow.Add(-3 * time.Hour), Device: "/dev/sdd", Model: "TOSHIBA HDTB420EK3AA", Serial: serialToshiba,
		Protocol: "ATA", Transport: "usb", Passed: boolp(true), TemperatureC: intp(29), PowerOnHours: intp(1210),
		Attributes: healthyAttrs(1210, 29),
	}
	drive := func(name, product string, sizeGiB int64, r *model.SMARTReading, holds ...string) model.Drive {
		h, reasons := model.SMARTVerdict(r, nil)
		return model.Drive{
			ID: r.Serial, Name: name, Model: product, Serial: r.Serial, DevPath: r.Device, Type: "usb", Size: sizeGiB * GiB,
			Health: h, Reasons: reasons, TemperatureC: r.TemperatureC, Holds: holds, Present: true, Reading: r,
		}
	}
	drives := []model.Drive{
		drive("usb-backups", "Seagate Expansion HDD", 1863, seagate, "pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata"),
		drive("usb-urbackup", "WD Elements 2TB", 1863, wd, "pve/hddusb_urbackup"),
		drive("usb-offsite", "Toshiba Canvio 4TB", 3726, toshiba, "pve/hddusb_offsite"),
	}
	drives[2].Asleep = true
	return stores, drives
}

// driveRow is a drive's row of the backups concern, as the posture builds it.
func driveRow(d *model.Drive) model.TargetStatus {
	row := model.TargetStatus{Target: model.Target{ID: "drive/" + d.ID, Name: d.Name, Kind: model.KindDrive}, Found: true, Status: d.Health.Status(), Drive: d}
	row.Reason = "SMART " + string(d.Health)
	if d.Asleep {
		row.Reason = "asleep; SMART " + string(d.Health) + " at the last reading"
	}
	if !d.Present && d.Reading == nil && !d.Asleep {
		row.Reason = "not plugged in"
	}
	if len(d.Reasons) > 0 {
		row.Reason += ": " + strings.Join(d.Reasons, "; ")
	}
	return row
}

// bigPosture has n guests in one concern, for the benchmark.
func bigPosture(n int) *model.Posture {
	p := seedPosture()
	targets := make([]model.TargetStatus, 0, n)
	for i := 0; i < n; i++ {
		st := model.Status(i % 4)
		targets = append(targets, guest(1000+i, fmt.Sprintf("guest%04d", i), model.KindVM, st, 26*time.Hour, "last backup some time ago",
			vzdump(1000+i, time.Duration(i%72)*time.Hour, int64(i)*MiB, "", false)))
	}
	p.Concerns[0].Targets = targets
	return p
}

// afterBackupPosture is the seed posture a few seconds after a vzdump of
// k3sagent01 ended: 14 restore points, the newest 5 s old, and the job
// listed as succeeded.
func afterBackupPosture() *model.Posture {
	day := 24 * time.Hour
	p := seedPosture()
	rps := []model.RestorePoint{vzdump(421, 5*time.Second, 2790*MiB, "k3sagent01", false)}
	for i := 1; i <= 13; i++ {
		ago := time.Duration(i)*day + time.Minute
		if i > 7 {
			ago = time.Duration(7*(i-6)) * day // then weekly
		}
		rps = append(rps, vzdump(421, ago, int64(2700+i*7)*MiB, "k3sagent01", i == 13))
	}
	agent1 := guest(421, "k3sagent01", model.KindVM, model.StatusOK, 26*time.Hour, "last backup 5 s ago, within the max age of 26 h", rps...)
	for ci := range p.Concerns {
		for ti := range p.Concerns[ci].Targets {
			if p.Concerns[ci].Targets[ti].ID == agent01 {
				p.Concerns[ci].Targets[ti] = agent1
			}
		}
	}
	done := model.Job{
		ID: "UPID:pve:000B2C3D:0F3E5E6B:6765F1B0:vzdump:421:root@pam:", Target: agent01, Name: "k3sagent01",
		Method: model.MethodVzdump, Source: model.SourceProxmox, Node: "pve", State: model.JobSucceeded,
		Started: testNow.Add(-25 * time.Second), Ended: testNow.Add(-5 * time.Second), Storage: "hddusb_bkpvzdumps",
		Progress: model.Progress{Percent: 100, DoneBytes: 10 * GiB, TotalBytes: 10 * GiB},
	}
	p.Jobs = append(p.Jobs, done)
	return p
}

// oneSnapshot is k3sagent01 with a single snapshot.
func oneSnapshot() []model.Snapshot {
	return []model.Snapshot{
		{Name: "current", Description: "You are here!"},
		{Name: "pre-upgrade", Time: testNow.Add(-3 * 24 * time.Hour), Description: "before k3s upgrade", VMState: true},
	}
}

// The host's disks, imaged by Clonezilla onto their own USB drive.
const (
	diskSSD     = "clonezilla/pve-ssd"
	diskHDD     = "clonezilla/pve-hdd"
	imageDir    = "/mnt/cz-images/"
	serialSSD   = "S4EWNX0R123456"
	serialHDD   = "WD-WCC4E1234567"
	ssdNotes    = "nvme0n1 · 3 partitions, 2 LVs · zstd · SHA1SUMS, MD5SUMS"
	hddNotes    = "sda · 1 partition, 4 LVs · zstd · SHA1SUMS"
	czFormat    = "clonezilla savedisk zstd"
	firstDamage = "nvme0n1p3.ext4-ptcl-img.zst.ab: partclone CRC mismatch in block 48213 (level 3)"
)

// image builds a Clonezilla image of a disk as the backend lists it: its
// directory as the id, named {host}-{disk}-{date}.
func image(disk string, ago time.Duration, size int64, notes string, v *model.Verification) model.RestorePoint {
	t := testNow.Add(-ago)
	return model.RestorePoint{
		ID: imageDir + "pve-" + disk + "-" + t.Format("2006-01-02"), Target: "clonezilla/" + disk, Method: model.MethodVerify,
		Time: t, Size: size, Format: czFormat, Notes: notes, Verified: v,
	}
}

// disk builds a rated host disk with its images, newest first.
func disk(name, serial string, st model.Status, reason string, rps ...model.RestorePoint) model.TargetStatus {
	detail := fmt.Sprintf("%d images", len(rps))
	t := model.Target{
		ID: "clonezilla/" + name, Name: name, Kind: "disk", Source: model.SourceClonezilla,
		Methods: []model.Method{model.MethodVerify}, RestorePoints: rps, Detail: detail,
		Facts: []model.Fact{{Label: "serial", Value: serial}, {Label: "images", Value: detail}},
	}
	ts := model.TargetStatus{Target: t, Status: st, MaxAge: 35 * 24 * time.Hour, Reason: reason, Found: true}
	if rp, ok := t.LastBackup(); ok {
		ts.HasBackup, ts.LastBackup, ts.Age = true, rp.Time, testNow.Sub(rp.Time)
	}
	return ts
}

// hostConcern is the host platform: pve-ssd's newest image verified whole
// at level 3 a day ago, an older one damaged (2 problems), the oldest never
// verified; pve-hdd's two images never verified, the newer one past the
// max age of 35 d.
func hostConcern() model.ConcernStatus {
	day := 24 * time.Hour
	ssd := disk("pve-ssd", serialSSD, model.StatusOK, "last image 2 d ago, within the max age of 35 d",
		image("pve-ssd", 2*day, 61*GiB+400*MiB, ssdNotes, &model.Verification{At: testNow.Add(-day), Level: 3, OK: true}),
		image("pve-ssd", 25*day, 60*GiB+900*MiB, ssdNotes, &model.Verification{At: testNow.Add(-20 * day), Level: 3, Problems: []string{
			firstDamage,
			"SHA1SUMS: pve-root.ext4-ptcl-img.zst.aa listed but missing (level 1)",
		}}),
		image("pve-ssd", 55*day, 59*GiB+100*MiB, ssdNotes, nil))
	hdd := disk("pve-hdd", serialHDD, model.StatusWarning, "last image 40 d ago, past the max age of 35 d",
		image("pve-hdd", 40*day, 412*GiB, hddNotes, nil),
		image("pve-hdd", 70*day, 398*GiB, hddNotes, nil))
	return model.ConcernStatus{ID: model.ConcernHost, Name: "Host platform", Status: model.StatusWarning, MaxAge: 35 * day,
		Targets: []model.TargetStatus{ssd, hdd}}
}

// hostPosture is the seed posture with the host platform concern first.
func hostPosture() *model.Posture {
	p := seedPosture()
	p.Concerns = append([]model.ConcernStatus{hostConcern()}, p.Concerns...)
	return p
}

// hostPreflight is a preflight with one line of each state: pve-hdd's
// serial is not on the host (fail), the vzdump drive is plugged in (warn),
// the image drive has no SMART reading (unknown), pve-ssd is there (pass).
func hostPreflight() model.Preflight {
	return model.Preflight{
		At: testNow.Add(-2 * time.Minute),
		Checks: []model.Check{
			{Name: "disk pve-ssd", State: model.CheckPass, Reason: "nvme0n1 · Samsung SSD 970 EVO Plus 1TB · 931.5 GiB"},
			{Name: "disk pve-hdd", State: model.CheckFail, Reason: "no disk with serial " + serialHDD + " on this host: check [[clonezilla.disk]] serial (lsblk -o NAME,SERIAL lists them)"},
			{Name: "image drive SMART", State: model.CheckUnknown, Reason: "backdeck has no SMART reading of the image drive: check it yourself (smartctl -a /dev/sde) before trusting new images to it"},
			{Name: "vzdump drive", State: model.CheckWarn, Reason: "usb-backups is plugged in now (sdb): unplug it before you boot Clonezilla"},
		},
		Expected: 471 * GiB,
		Commands: []string{
			"ocs-sr -q2 -j2 -z9p -i 0 -sfsck -senc -gs -p poweroff savedisk pve-pve-ssd-2026-11-25 SERIALNO=" + serialSSD,
			"ocs-sr -q2 -j2 -z9p -i 0 -sfsck -senc -gs -p poweroff savedisk pve-pve-hdd-2026-11-25 SERIALNO=" + serialHDD,
		},
	}
}
