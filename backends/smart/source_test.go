package smart_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/backends/smart"
	"github.com/backdeck/backdeck/model"
)

// The Source is tested on the lab: its fake smartctl and lsblk for the host
// path (backends/lab/host/smartctl.go, built from real smartctl outputs) and its
// PVE disks API over HTTPS for the laptop path, which serves the same
// drives' SMART in PVE's shape.

var _ backends.Observer = (*smart.Source)(nil)

// homelabDrives is the lab's [[drive]] configuration, plus a configured
// drive that is not plugged in.
var homelabDrives = []model.DriveConfig{
	{Name: "usb-backups", Serial: "NA8F1234", Holds: []string{"pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata"}},
	{Name: "usb-images", Serial: "NB2K5678", Holds: []string{}},
	{Name: "usb-offsite", Serial: "ZA1B2C3D"},
}

const asleep = "asleep (standby): not woken; showing the last reading"

// recorder wraps a Run and keeps every command line it was given.
type recorder struct {
	mu    sync.Mutex
	calls [][]string
	run   func(ctx context.Context, name string, args ...string) ([]byte, int, error)
}

func (r *recorder) Run(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	r.mu.Lock()
	r.calls = append(r.calls, append([]string{name}, args...))
	r.mu.Unlock()
	return r.run(ctx, name, args...)
}

func (r *recorder) smartctlCalls(dev string) [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]string
	for _, c := range r.calls {
		if c[0] == "smartctl" && c[len(c)-1] == dev {
			out = append(out, c)
		}
	}
	return out
}

func observe(t *testing.T, s *smart.Source) []model.Drive {
	t.Helper()
	st, err := s.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Source != model.SourceSMART || !st.OK || st.At.IsZero() {
		t.Errorf("state %+v", st)
	}
	return st.Drives
}

func byID(t *testing.T, drives []model.Drive, id string) model.Drive {
	t.Helper()
	for _, d := range drives {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("no drive %s in %+v", id, ids(drives))
	return model.Drive{}
}

func ids(drives []model.Drive) []string {
	var out []string
	for _, d := range drives {
		out = append(out, d.ID)
	}
	return out
}

func hasReason(d model.Drive, part string) bool {
	return slices.ContainsFunc(d.Reasons, func(r string) bool { return strings.Contains(r, part) })
}

func hostSource(run func(ctx context.Context, name string, args ...string) ([]byte, int, error), drives []model.DriveConfig) *smart.Source {
	return smart.NewSource(smart.SourceOptions{Mode: "host", Drives: drives, Reader: &smart.Reader{Run: run}})
}

func TestHostPathOnTheLab(t *testing.T) {
	t.Parallel()
	rec := &recorder{run: lab.SmartctlRunner()}
	drives := observe(t, hostSource(rec.Run, homelabDrives))

	// The configured drives first, in the config's order, then the other
	// USB drives; the internal disks are not configured and not USB.
	if got, want := ids(drives), []string{"NA8F1234", "NB2K5678", "ZA1B2C3D", "WX12A3456789"}; !slices.Equal(got, want) {
		t.Fatalf("drives %q, want %q", got, want)
	}

	ok := drives[0]
	if ok.Name != "usb-backups" || ok.Model != "Seagate Expansion HDD" || ok.Serial != "NA8F1234" || ok.DevPath != "/dev/sdb" ||
		ok.Type != "usb" || ok.Size != 4000787030016 || !ok.Present || ok.Asleep ||
		!slices.Equal(ok.Holds, []string{"pve/hddusb_bkpvzdumps", "pve/hddusb_bkpdata"}) {
		t.Errorf("usb-backups %+v", ok)
	}
	if ok.Health != model.HealthPassed || ok.Reasons != nil || ok.TemperatureC == nil || *ok.TemperatureC != 32 {
		t.Errorf("usb-backups verdict %s %q, temperature %v", ok.Health, ok.Reasons, ok.TemperatureC)
	}
	if r := ok.Reading; r == nil || r.Model != "ST4000DM004-2U9104" || r.Transport != "usb" || len(r.Attributes) != 18 {
		t.Errorf("usb-backups reading %+v", r)
	}

	bad := drives[1]
	if bad.Name != "usb-images" || bad.Model != "Hitachi HDS721050DLE630" || bad.DevPath != "/dev/sdc" || !bad.Present {
		t.Errorf("usb-images %+v", bad)
	}
	if bad.Health != model.HealthFailed || !hasReason(bad, "SMART self-assessment: FAILED") ||
		!hasReason(bad, "1975 reallocated sectors") || !hasReason(bad, "8 sectors pending reallocation") {
		t.Errorf("usb-images verdict %s %q", bad.Health, bad.Reasons)
	}
	// Its JMicron bridge gives nothing to -d sat (smartctl reports SLEEP):
	// smartctl's own detection reads it, and the reading says so.
	if r := bad.Reading; r == nil || r.ExitStatus != 216 ||
		!slices.ContainsFunc(r.Messages, func(m string) bool {
			return strings.HasPrefix(m, "read again with smartctl's own device detection after -d sat gave smartctl did not wake /dev/sdc")
		}) {
		t.Errorf("usb-images reading %+v", r)
	}
	calls := rec.smartctlCalls("/dev/sdc")
	want := [][]string{
		{"smartctl", "--json=o", "-a", "-n", "standby", "-d", "sat", "/dev/sdc"},
		{"smartctl", "--json=o", "-a", "-n", "standby", "/dev/sdc"},
	}
	if !slices.EqualFunc(calls, want, slices.Equal) {
		t.Errorf("calls for /dev/sdc %q, want %q", calls, want)
	}

	gone := drives[2]
	if gone.Present || gone.Name != "usb-offsite" || gone.Serial != "ZA1B2C3D" || gone.Health != model.HealthUnknown ||
		!slices.Equal(gone.Reasons, []string{"not plugged in: no disk with serial ZA1B2C3D"}) || gone.Reading != nil {
		t.Errorf("unplugged drive %+v", gone)
	}

	sleeping := drives[3]
	if !sleeping.Asleep || !sleeping.Present || sleeping.Reading != nil || sleeping.Health != model.HealthUnknown ||
		!slices.Equal(sleeping.Reasons, []string{asleep}) || sleeping.TemperatureC != nil {
		t.Errorf("sleeping drive %+v", sleeping)
	}
	if sleeping.Name != "WD Elements 25A2" || sleeping.Model != "WD Elements 25A2" || sleeping.Type != "usb" || sleeping.DevPath != "/dev/sdd" {
		t.Errorf("an unconfigured drive is named by its model: %+v", sleeping)
	}
	// Standby is the drive's own answer: no second try.
	if calls := rec.smartctlCalls("/dev/sdd"); len(calls) != 1 {
		t.Errorf("calls for /dev/sdd %q", calls)
	}

	// No read may wake a drive.
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, c := range rec.calls {
		if c[0] == "smartctl" && !slices.Contains(c, "standby") {
			t.Errorf("a read without -n standby: %q", c)
		}
	}
}

// A configured serial is read wherever it is, an internal disk too (with
// smartctl's own detection), and lsblk's ROTA tells its kind.
func TestHostPathReadsAConfiguredInternalDisk(t *testing.T) {
	t.Parallel()
	rec := &recorder{run: lab.SmartctlRunner()}
	drives := observe(t, hostSource(rec.Run, []model.DriveConfig{{Name: "system-hdd", Serial: "ZFL1ABCD"}}))
	d := byID(t, drives, "ZFL1ABCD")
	if d.Name != "system-hdd" || d.Type != "hdd" || d.DevPath != "/dev/sda" || d.Model != "ST2000DM008-2FR102" ||
		d.Health != model.HealthPassed || !d.Present {
		t.Errorf("internal disk %+v", d)
	}
	if calls := rec.smartctlCalls("/dev/sda"); len(calls) != 1 || slices.Contains(calls[0], "-d") {
		t.Errorf("calls for /dev/sda %q", calls)
	}
	if got := ids(drives); len(got) != 4 {
		t.Errorf("drives %q: the configured one and the three USB drives", got)
	}
}

func labClient(t *testing.T) (*labpve.Server, *proxmox.Client) {
	t.Helper()
	p, err := labpve.Start(labpve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	c, err := proxmox.New(proxmox.Options{
		Config: model.ProxmoxConfig{URL: p.URL(), TokenID: p.TokenID(), TLSConfig: model.TLSConfig{Fingerprint: p.Fingerprint()}},
		Secret: p.TokenSecret(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

func TestLaptopPathOnTheLab(t *testing.T) {
	t.Parallel()
	p, c := labClient(t)
	at := time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC)
	s := smart.NewSource(smart.SourceOptions{Mode: "laptop", Drives: homelabDrives, PVE: c, Now: func() time.Time { return at }})
	drives := observe(t, s)
	if got, want := ids(drives), []string{"NA8F1234", "NB2K5678", "ZA1B2C3D"}; !slices.Equal(got, want) {
		t.Fatalf("drives %q, want %q", got, want)
	}
	ok, bad, gone := drives[0], drives[1], drives[2]
	if ok.Health != model.HealthPassed || ok.Model != "Seagate Expansion HDD" || ok.Type != "usb" || !ok.Present ||
		ok.TemperatureC == nil || *ok.TemperatureC != 32 || ok.Reading == nil || !ok.Reading.At.Equal(at) ||
		ok.Reading.Device != "/dev/sdb" || ok.Reading.Serial != "NA8F1234" || ok.Reading.Transport != "usb" {
		t.Errorf("usb-backups %+v (reading %+v)", ok, ok.Reading)
	}
	if bad.Health != model.HealthFailed || !hasReason(bad, "SMART self-assessment: FAILED") || !hasReason(bad, "1975 reallocated sectors") {
		t.Errorf("usb-images %s %q", bad.Health, bad.Reasons)
	}
	if gone.Present || gone.Reasons[0] != "not plugged in: no disk with serial ZA1B2C3D" {
		t.Errorf("unplugged %+v", gone)
	}

	// Unplugged in the lab, the failing drive is reported as such.
	p.SetDrivePresent("NB2K5678", false)
	drives = observe(t, s)
	if d := byID(t, drives, "NB2K5678"); d.Present || d.Health != model.HealthUnknown ||
		!slices.Equal(d.Reasons, []string{"not plugged in: no disk with serial NB2K5678"}) {
		t.Errorf("unplugged usb-images %+v", d)
	}
}

// The host path (smartctl's JSON) and the laptop path (PVE's parse of
// smartctl's text) give the same drive for the same disk.
func TestBothPathsGiveTheSameDrive(t *testing.T) {
	t.Parallel()
	_, c := labClient(t)
	host := observe(t, hostSource(lab.SmartctlRunner(), homelabDrives))
	laptop := observe(t, smart.NewSource(smart.SourceOptions{Mode: "laptop", Drives: homelabDrives, PVE: c}))
	for _, id := range []string{"NA8F1234", "NB2K5678"} {
		h, l := byID(t, host, id), byID(t, laptop, id)
		if h.Reading == nil || l.Reading == nil {
			t.Fatalf("%s: readings %v, %v", id, h.Reading, l.Reading)
		}
		if !reflect.DeepEqual(h.Reading.Attributes, l.Reading.Attributes) {
			t.Errorf("%s attributes differ:\nhost   %+v\nlaptop %+v", id, h.Reading.Attributes, l.Reading.Attributes)
		}
		if h.Model != l.Model || h.Serial != l.Serial || h.ID != l.ID || h.Name != l.Name || h.Type != l.Type ||
			h.Size != l.Size || h.Present != l.Present || h.DevPath != l.DevPath || !reflect.DeepEqual(h.Holds, l.Holds) ||
			!reflect.DeepEqual(h.TemperatureC, l.TemperatureC) || !reflect.DeepEqual(h.Reading.Passed, l.Reading.Passed) {
			t.Errorf("%s differs:\nhost   %+v\nlaptop %+v", id, h, l)
		}
	}
	h, l := byID(t, host, "NA8F1234"), byID(t, laptop, "NA8F1234")
	if h.Health != l.Health || !reflect.DeepEqual(h.Reasons, l.Reasons) {
		t.Errorf("verdicts differ: host %s %q, laptop %s %q", h.Health, h.Reasons, l.Health, l.Reasons)
	}
	// The failing drive: the same failures; only smartctl's exit status,
	// which PVE does not pass on, adds the self-test log's errors on the host.
	hb, lb := byID(t, host, "NB2K5678"), byID(t, laptop, "NB2K5678")
	if hb.Health != lb.Health || !reflect.DeepEqual(lb.Reasons, hb.Reasons[:len(hb.Reasons)-1]) ||
		!strings.HasPrefix(hb.Reasons[len(hb.Reasons)-1], "the self-test log has errors") {
		t.Errorf("failing drive: host %s %q\nlaptop %s %q", hb.Health, hb.Reasons, lb.Health, lb.Reasons)
	}
}

// barrier lets n calls through only once all n have arrived.
type barrier struct {
	mu      sync.Mutex
	n       int
	arrived chan struct{}
}

func (b *barrier) wait(ctx context.Context) error {
	b.mu.Lock()
	b.n--
	if b.n == 0 {
		close(b.arrived)
	}
	b.mu.Unlock()
	select {
	case <-b.arrived:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The drives are read in parallel, each with its own timeout: a drive that
// never answers (a process stuck in the kernel, which ignores its context)
// costs its own timeout, and the others are read meanwhile.
func TestOneHangingDriveHoldsNoOther(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	// /dev/sdb and /dev/sdd answer only once both have been asked: read one
	// after the other, the first would time out.
	both := &barrier{n: 2, arrived: make(chan struct{})}
	fake := lab.SmartctlRunner()
	run := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		if name == "smartctl" {
			switch args[len(args)-1] {
			case "/dev/sdc":
				<-hang // deaf to ctx
				return nil, -1, errors.New("released at the end of the test")
			case "/dev/sdb", "/dev/sdd":
				if err := both.wait(ctx); err != nil {
					return nil, -1, err
				}
			}
		}
		return fake(ctx, name, args...)
	}
	s := smart.NewSource(smart.SourceOptions{Drives: homelabDrives, Reader: &smart.Reader{Run: run, Timeout: 500 * time.Millisecond}})
	drives := observe(t, s) // returns although /dev/sdc's smartctl never does
	select {
	case <-hang:
		t.Fatal("the hanging read was released before Observe returned")
	default:
	}
	if d := byID(t, drives, "NA8F1234"); d.Health != model.HealthPassed {
		t.Errorf("usb-backups %s %q", d.Health, d.Reasons)
	}
	if d := byID(t, drives, "WX12A3456789"); !d.Asleep {
		t.Errorf("sleeping drive %+v", d)
	}
	d := byID(t, drives, "NB2K5678")
	if d.Health != model.HealthUnknown || !d.Present || d.Reading != nil ||
		!slices.Equal(d.Reasons, []string{"smartctl on /dev/sdc gave no answer within 500ms: context deadline exceeded"}) {
		t.Errorf("hanging drive %+v", d)
	}
}

// The time a drive may take stays within the caller's deadline, so the
// other drives are reported before the engine gives up on the source.
func TestDriveTimeoutFitsTheCallersDeadline(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	fake := lab.SmartctlRunner()
	run := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		if name == "smartctl" && args[len(args)-1] == "/dev/sdc" {
			<-hang
		}
		return fake(ctx, name, args...)
	}
	s := smart.NewSource(smart.SourceOptions{Drives: homelabDrives, Reader: &smart.Reader{Run: run, Timeout: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	st, err := s.Observe(ctx)
	if err != nil {
		t.Fatalf("Observe: %v", err)
	}
	if d := byID(t, st.Drives, "NB2K5678"); d.Health != model.HealthUnknown || !hasReason(d, "gave no answer within") {
		t.Errorf("hanging drive %+v", d)
	}
	if d := byID(t, st.Drives, "NA8F1234"); d.Health != model.HealthPassed {
		t.Errorf("usb-backups %+v", d)
	}
}

func withSmartctl(answer func(ctx context.Context, args []string) ([]byte, int, error)) func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	fake := lab.SmartctlRunner()
	return func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		if name == "smartctl" {
			return answer(ctx, args)
		}
		return fake(ctx, name, args...)
	}
}

func TestObserveFailsWhenSmartctlIsNotInstalled(t *testing.T) {
	t.Parallel()
	run := withSmartctl(func(context.Context, []string) ([]byte, int, error) {
		return nil, -1, &exec.Error{Name: "smartctl", Err: exec.ErrNotFound}
	})
	_, err := hostSource(run, homelabDrives).Observe(context.Background())
	if !errors.Is(err, smart.ErrNotInstalled) || err.Error() != "smartctl is not installed: apt-get install smartmontools" {
		t.Fatalf("err = %v", err)
	}
}

func TestObserveFailsWhenLsblkIsNotInstalled(t *testing.T) {
	t.Parallel()
	run := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		return nil, -1, &exec.Error{Name: name, Err: exec.ErrNotFound}
	}
	_, err := hostSource(run, homelabDrives).Observe(context.Background())
	if !errors.Is(err, smart.ErrNotInstalled) || err.Error() != "lsblk is not installed: apt-get install util-linux" {
		t.Fatalf("err = %v", err)
	}
}

// Without root every read is refused: the source says why once; one drive
// refused among readable ones is that drive's reason.
func TestPermissionDenied(t *testing.T) {
	t.Parallel()
	denied, err := os.ReadFile("testdata/smartctl-7.3-permission-denied.json")
	if err != nil {
		t.Fatal(err)
	}
	all := withSmartctl(func(context.Context, []string) ([]byte, int, error) { return denied, 2, nil })
	_, err = hostSource(all, homelabDrives).Observe(context.Background())
	if !errors.Is(err, smart.ErrPermission) || !strings.HasPrefix(err.Error(), "smartctl needs root to read /dev/sdb, /dev/sdc, /dev/sdd: run backdeck as root") {
		t.Fatalf("err = %v", err)
	}

	fake := lab.SmartctlRunner()
	one := withSmartctl(func(ctx context.Context, args []string) ([]byte, int, error) {
		if args[len(args)-1] == "/dev/sdb" {
			return denied, 2, nil
		}
		return fake(ctx, "smartctl", args...)
	})
	drives := observe(t, hostSource(one, homelabDrives))
	if d := byID(t, drives, "NA8F1234"); d.Health != model.HealthUnknown || !d.Present || d.Reading != nil ||
		!slices.Equal(d.Reasons, []string{`smartctl needs root to read /dev/sdb: run backdeck as root on the host, or use mode = "laptop" to read SMART through the PVE API`}) {
		t.Errorf("refused drive %+v", d)
	}
	if d := byID(t, drives, "NB2K5678"); d.Health != model.HealthFailed {
		t.Errorf("usb-images %s", d.Health)
	}
}

// A USB bridge that hides the serial from lsblk: the drive is known by the
// serial smartctl reads; when the read fails too, a configured drive is
// "not found" rather than "not plugged in".
func TestSerialFromTheReading(t *testing.T) {
	t.Parallel()
	lsblk, err := os.ReadFile("testdata/lsblk.json") // the USB drive without a serial
	if err != nil {
		t.Fatal(err)
	}
	ata, err := os.ReadFile("testdata/scrutiny/smart-ata.json")
	if err != nil {
		t.Fatal(err)
	}
	fail := false
	run := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		switch {
		case name == "lsblk":
			return lsblk, 0, nil
		case fail:
			return nil, -1, errors.New("input/output error")
		}
		return ata, 0, nil
	}
	cfg := []model.DriveConfig{{Name: "big", Serial: "9RK1XXXX"}}
	drives := observe(t, hostSource(run, cfg))
	if d := drives[0]; len(drives) != 1 || d.ID != "9RK1XXXX" || d.Name != "big" || d.Model != "Seagate Expansion HDD" || d.Health != model.HealthPassed {
		t.Errorf("drives %+v", drives)
	}
	fail = true
	drives = observe(t, hostSource(run, cfg))
	if len(drives) != 2 || drives[0].Present ||
		drives[0].Reasons[0] != "not found: no disk with serial 9RK1XXXX (/dev/sdb could not be identified)" ||
		drives[1].ID != "/dev/sdb" || drives[1].Health != model.HealthUnknown {
		t.Errorf("drives %+v", drives)
	}
}

// fakePVE is a PVE API that answers from maps, for the failures the lab
// does not make.
type fakePVE struct {
	nodes    []string
	nodesErr error
	disks    map[string][]proxmox.Disk
	diskErr  map[string]error
	smart    func(node, dev string) (json.RawMessage, error)
}

func (f *fakePVE) Nodes(context.Context) ([]string, error) { return f.nodes, f.nodesErr }
func (f *fakePVE) Disks(_ context.Context, node string) ([]proxmox.Disk, error) {
	return f.disks[node], f.diskErr[node]
}
func (f *fakePVE) DiskSMART(_ context.Context, node, dev string) (json.RawMessage, error) {
	return f.smart(node, dev)
}

func TestLaptopPathFailures(t *testing.T) {
	t.Parallel()
	usb := proxmox.Disk{DevPath: "/dev/sdb", Type: "usb", Model: "Expansion_HDD", Vendor: "Seagate", Serial: "NA8F1234", Size: 4000787030016}
	passed := func(string, string) (json.RawMessage, error) {
		return json.RawMessage(`{"health":"PASSED","type":"ata","attributes":[{"id":"  5","name":"Reallocated_Sector_Ct","value":100,"worst":100,"threshold":10,"fail":"-","raw":"0"}]}`), nil
	}
	laptop := func(f *fakePVE) *smart.Source {
		return smart.NewSource(smart.SourceOptions{Mode: "laptop", Drives: homelabDrives, PVE: f})
	}

	if _, err := laptop(&fakePVE{nodesErr: errors.New("connection refused")}).Observe(context.Background()); err == nil ||
		err.Error() != "listing the PVE nodes for their disks: connection refused" {
		t.Errorf("nodes: %v", err)
	}
	if _, err := smart.NewSource(smart.SourceOptions{Mode: "laptop"}).Observe(context.Background()); err == nil {
		t.Error("laptop mode without a PVE API must fail")
	}

	// One node of two does not list its disks: the drives not found may be there.
	f := &fakePVE{nodes: []string{"pve", "pve2"}, disks: map[string][]proxmox.Disk{"pve": {usb}},
		diskErr: map[string]error{"pve2": errors.New("node offline")}, smart: passed}
	drives := observe(t, laptop(f))
	if d := byID(t, drives, "NA8F1234"); d.Health != model.HealthPassed || d.Model != "Seagate Expansion HDD" {
		t.Errorf("usb-backups %+v", d)
	}
	if d := byID(t, drives, "NB2K5678"); d.Present || d.Reasons[0] != "not found: no disk with serial NB2K5678 (the disks of node pve2 could not be listed)" {
		t.Errorf("usb-images %+v", d)
	}
	f.diskErr["pve"] = errors.New("node offline")
	if _, err := laptop(f).Observe(context.Background()); err == nil || err.Error() != "listing the disks of node pve: node offline" {
		t.Errorf("every node failing: %v", err)
	}

	// A token that may not read disks fails the source; a drive PVE cannot
	// read is that drive's reason.
	forbidden := &proxmox.APIError{Site: "https://pve:8006", Method: "GET", Path: "/nodes/pve/disks/smart", StatusCode: http.StatusForbidden, Reason: "Permission check failed (/, Sys.Audit)"}
	f = &fakePVE{nodes: []string{"pve"}, disks: map[string][]proxmox.Disk{"pve": {usb}},
		smart: func(string, string) (json.RawMessage, error) { return nil, forbidden }}
	if _, err := laptop(f).Observe(context.Background()); !errors.As(err, new(*proxmox.APIError)) {
		t.Errorf("forbidden: %v", err)
	}
	f.smart = func(string, string) (json.RawMessage, error) { return nil, errors.New("500 not a valid block device") }
	drives = observe(t, laptop(f))
	if d := byID(t, drives, "NA8F1234"); d.Health != model.HealthUnknown || !d.Present ||
		!slices.Equal(d.Reasons, []string{"reading the SMART of /dev/sdb through PVE: 500 not a valid block device"}) {
		t.Errorf("unreadable drive %+v", d)
	}
}

// A disk PVE lists without a device path is not asked for: it came out as
// a drive without an id, the laptop twin of what FuzzHostObserve found.
func TestLaptopPathSkipsADiskWithoutDevicePath(t *testing.T) {
	t.Parallel()
	asked := 0
	f := &fakePVE{nodes: []string{"pve"}, disks: map[string][]proxmox.Disk{"pve": {{Type: "usb", Model: "Expansion_HDD"}}},
		smart: func(string, string) (json.RawMessage, error) {
			asked++
			return json.RawMessage(`{"health":"PASSED"}`), nil
		}}
	drives := observe(t, smart.NewSource(smart.SourceOptions{Mode: "laptop", PVE: f}))
	if len(drives) != 0 || asked != 0 {
		t.Errorf("drives %+v, %d SMART reads", drives, asked)
	}
}
