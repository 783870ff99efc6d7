package smart

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// fakeTool stands in for smartctl and lsblk: answer gives each call's
// output, and the calls are recorded.
type fakeTool struct {
	mu     sync.Mutex
	calls  [][]string // name, then args
	answer func(ctx context.Context, args []string) ([]byte, int, error)
}

func (f *fakeTool) run(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	f.mu.Lock()
	f.calls = append(f.calls, append([]string{name}, args...))
	f.mu.Unlock()
	return f.answer(ctx, args)
}

func (f *fakeTool) recorded() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// deviceType is the -d argument of a smartctl call, "" without one.
func deviceType(args []string) string {
	if i := slices.Index(args, "-d"); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

// smartctlSays is smartctl's JSON for a read that failed with these output
// lines, in the shape smartctl 7.3 prints (see testdata).
func smartctlSays(exit int, lines ...string) []byte {
	doc := map[string]any{"smartctl": map[string]any{
		"version":     []int{7, 3},
		"output":      append([]string{"smartctl 7.3 2022-02-28 r5338 [x86_64-linux-6.8.12-4-pve] (local build)", ""}, lines...),
		"exit_status": exit,
	}}
	b, _ := json.Marshal(doc)
	return b
}

func argsFor(deviceType, dev string) []string {
	args := []string{"smartctl", "--json=o", "-a", "-n", "standby"}
	if deviceType != "" {
		args = append(args, "-d", deviceType)
	}
	return append(args, dev)
}

func TestReaderUnknownUSBBridgeRetriesWithSat(t *testing.T) {
	ata := readFile(t, filepath.Join(scrutinyDir, "smart-ata.json"))
	bridge := readFile(t, "testdata/smartctl-unknown-usb-bridge.json")
	f := &fakeTool{answer: func(_ context.Context, args []string) ([]byte, int, error) {
		if deviceType(args) == "sat" {
			return ata, 0, nil
		}
		return bridge, 1, nil
	}}
	r := &Reader{Run: f.run}
	reading, err := r.Read(context.Background(), "/dev/sdb", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{argsFor("", "/dev/sdb"), argsFor("sat", "/dev/sdb")}; !slices.EqualFunc(f.recorded(), want, slices.Equal) {
		t.Errorf("calls = %q\nwant %q", f.recorded(), want)
	}
	if reading.Serial != "9RK1XXXX" || len(reading.Attributes) != 18 {
		t.Errorf("reading = %+v", reading)
	}
	note := "read again with -d sat after smartctl's own device detection gave smartctl does not know the USB bridge [0x0bda:0x9210 (0xf000)] of /dev/sdb: " +
		"most USB-SATA enclosures work with -d sat, others need -d sat,12, -d usbjmicron, -d usbcypress, -d usbprolific or -d usbsunplus"
	if !slices.Equal(reading.Messages, []string{note}) {
		t.Errorf("Messages = %q", reading.Messages)
	}
	if h, reasons := model.SMARTVerdict(reading, nil); h != model.HealthPassed {
		t.Errorf("verdict = %s %q", h, reasons)
	}
}

// A SAT read that fails and names another type is tried once more with it;
// the JMicron reading is Scrutiny's failing Hitachi behind that bridge.
func TestReaderRetriesWithTheTypeSmartctlNames(t *testing.T) {
	jmicron := readFile(t, filepath.Join(scrutinyDir, "smart-fail2.json"))
	f := &fakeTool{answer: func(_ context.Context, args []string) ([]byte, int, error) {
		if deviceType(args) == "usbjmicron" {
			return jmicron, 216, nil
		}
		// Constructed: smartctl's failure lines with a type named, in the
		// way it names types elsewhere ("requires option '-d cciss,N'").
		return smartctlSays(2, "Read Device Identity failed: scsi error unsupported field in scsi command",
			"/dev/sdc [USB JMicron]: requires option '-d usbjmicron'",
			"A mandatory SMART command failed: exiting. To continue, add one or more '-T permissive' options."), 2, nil
	}}
	r := &Reader{Run: f.run}
	reading, err := r.Read(context.Background(), "/dev/sdc", "sat")
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{argsFor("sat", "/dev/sdc"), argsFor("usbjmicron", "/dev/sdc")}; !slices.EqualFunc(f.recorded(), want, slices.Equal) {
		t.Errorf("calls = %q\nwant %q", f.recorded(), want)
	}
	if reading.ExitStatus != 216 || reading.Transport != "usb" {
		t.Errorf("reading = %+v", reading)
	}
	if last := reading.Messages[len(reading.Messages)-1]; last != "read again with -d usbjmicron after -d sat gave Read Device Identity failed: scsi error unsupported field in scsi command" {
		t.Errorf("last message = %q", last)
	}
	if h, reasons := model.SMARTVerdict(reading, nil); h != model.HealthFailed || !strings.Contains(reasons[1], "Reallocated_Sector_Ct") {
		t.Errorf("verdict = %s %q", h, reasons)
	}
}

func TestReaderRetriesOnlyOnce(t *testing.T) {
	f := &fakeTool{answer: func(_ context.Context, args []string) ([]byte, int, error) {
		next := map[string]string{"sat": "usbjmicron", "usbjmicron": "usbcypress"}[deviceType(args)]
		return smartctlSays(2, "Read Device Identity failed: Invalid argument", "try -d "+next), 2, nil
	}}
	r := &Reader{Run: f.run}
	reading, err := r.Read(context.Background(), "/dev/sdb", "sat")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.recorded()); n != 2 {
		t.Errorf("%d calls, want 2: %q", n, f.recorded())
	}
	h, reasons := model.SMARTVerdict(reading, nil)
	want := []string{
		"no SMART data: Read Device Identity failed: Invalid argument",
		"try -d usbcypress",
		"smartctl exit status 2: the device could not be opened, or it is in standby (-n standby)",
		"read again with -d usbjmicron after -d sat gave Read Device Identity failed: Invalid argument",
	}
	if h != model.HealthUnknown || !slices.Equal(reasons, want) {
		t.Errorf("verdict = %s %q\nwant %q", h, reasons, want)
	}
}

// Without a bridge to blame or a type named, another try would not help.
func TestReaderDoesNotRetryBlindly(t *testing.T) {
	for _, tc := range []struct{ file, deviceType string }{
		{"smartctl-7.3-no-device-type.json", ""},
		{"smartctl-7.3-sat-identity-failed.json", "sat"},
		{"smartctl-smart-unavailable.json", "sat"},
	} {
		out := readFile(t, filepath.Join("testdata", tc.file))
		f := &fakeTool{answer: func(context.Context, []string) ([]byte, int, error) { return out, 0, nil }}
		reading, err := (&Reader{Run: f.run}).Read(context.Background(), "/dev/sdb", tc.deviceType)
		if err != nil || len(f.recorded()) != 1 {
			t.Errorf("%s: err %v, calls %q", tc.file, err, f.recorded())
			continue
		}
		if h, reasons := model.SMARTVerdict(reading, nil); h != model.HealthUnknown || !strings.HasPrefix(reasons[0], "no SMART data: ") {
			t.Errorf("%s: verdict = %s %q", tc.file, h, reasons)
		}
	}
}

func TestReaderStandby(t *testing.T) {
	out := readFile(t, "testdata/smartctl-standby.json")
	f := &fakeTool{answer: func(context.Context, []string) ([]byte, int, error) { return out, 2, nil }}
	reading, err := (&Reader{Run: f.run}).Read(context.Background(), "/dev/sdb", "sat")
	if !errors.Is(err, ErrAsleep) || reading == nil {
		t.Fatalf("Read = %v, %v; want a reading and ErrAsleep", reading, err)
	}
	if reading.Messages[0] != "/dev/sdb is asleep (STANDBY): smartctl did not wake it (-n standby)" {
		t.Errorf("Messages = %q", reading.Messages)
	}
	if want := [][]string{argsFor("sat", "/dev/sdb")}; !slices.EqualFunc(f.recorded(), want, slices.Equal) {
		t.Errorf("calls = %q, want one that does not wake the drive: %q", f.recorded(), want)
	}
}

func TestReaderPermission(t *testing.T) {
	out := readFile(t, "testdata/smartctl-7.3-permission-denied.json")
	f := &fakeTool{answer: func(context.Context, []string) ([]byte, int, error) { return out, 2, nil }}
	reading, err := (&Reader{Run: f.run}).Read(context.Background(), "/dev/sdb", "sat")
	const want = `smartctl needs root to read /dev/sdb: run backdeck as root on the host, or use mode = "laptop" to read SMART through the PVE API`
	if !errors.Is(err, ErrPermission) || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if reading == nil || reading.Messages[0] != want || len(f.recorded()) != 1 {
		t.Errorf("reading = %+v, calls %q", reading, f.recorded())
	}
}

func TestReaderToolsMissing(t *testing.T) {
	f := &fakeTool{answer: func(context.Context, []string) ([]byte, int, error) {
		return nil, -1, &exec.Error{Name: "smartctl", Err: exec.ErrNotFound}
	}}
	r := &Reader{Run: f.run}
	_, err := r.Read(context.Background(), "/dev/sdb", "")
	if !errors.Is(err, ErrNotInstalled) || err.Error() != "smartctl is not installed: apt-get install smartmontools" {
		t.Errorf("Read: %v", err)
	}
	_, err = r.ListUSB(context.Background())
	if !errors.Is(err, ErrNotInstalled) || err.Error() != "lsblk is not installed: apt-get install util-linux" {
		t.Errorf("ListUSB: %v", err)
	}
}

func TestReaderOutputThatIsNotSmartctls(t *testing.T) {
	f := &fakeTool{answer: func(context.Context, []string) ([]byte, int, error) {
		return []byte("smartctl 6.2 2013-07-26 r3841\n=======> UNRECOGNIZED OPTION: json=o\n"), 1, nil
	}}
	reading, err := (&Reader{Run: f.run}).Read(context.Background(), "/dev/sdb", "")
	if reading != nil || err == nil || !strings.HasPrefix(err.Error(), "smartctl on /dev/sdb (exit status 1): smartctl printed no JSON") {
		t.Errorf("Read = %v, %v", reading, err)
	}
}

// TestReadAllParallelWithTimeouts: one drive hangs (its run ignores the
// context, as a smartctl stuck in the kernel would); the others answer only
// once all three reads have started, so they must run in parallel, and
// ReadAll returns at the hung drive's timeout while its run is still stuck.
func TestReadAllParallelWithTimeouts(t *testing.T) {
	ata := readFile(t, filepath.Join(scrutinyDir, "smart-ata.json"))
	nvme := readFile(t, filepath.Join(scrutinyDir, "smart-nvme.json"))
	var started atomic.Int32
	allStarted, release, hungDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release); <-hungDone })
	f := &fakeTool{answer: func(ctx context.Context, args []string) ([]byte, int, error) {
		if started.Add(1) == 3 {
			close(allStarted)
		}
		switch args[len(args)-1] {
		case "/dev/sdc":
			<-release
			close(hungDone)
			return nil, -1, errors.New("released")
		case "/dev/nvme0":
			<-allStarted
			return nvme, 0, nil
		}
		select {
		case <-allStarted:
			return ata, 0, nil
		case <-ctx.Done():
			return nil, -1, ctx.Err()
		}
	}}
	r := &Reader{Run: f.run, Timeout: time.Second}
	results := r.ReadAll(context.Background(), []string{"/dev/sda", "/dev/sdc", "/dev/nvme0", "/dev/sda"})

	select {
	case <-hungDone:
		t.Error("the hung run returned: the test proves nothing")
	default:
	}
	if len(results) != 3 {
		t.Errorf("%d results, want 3: %v", len(results), results)
	}
	if res := results["/dev/sda"]; res.Err != nil || res.Reading == nil || res.Reading.Serial != "9RK1XXXX" {
		t.Errorf("/dev/sda: %+v", res)
	}
	if res := results["/dev/nvme0"]; res.Err != nil || res.Reading == nil || res.Reading.Protocol != "NVMe" {
		t.Errorf("/dev/nvme0: %+v", res)
	}
	res := results["/dev/sdc"]
	if res.Reading != nil || !errors.Is(res.Err, context.DeadlineExceeded) ||
		res.Err.Error() != "smartctl on /dev/sdc gave no answer within 1s: context deadline exceeded" {
		t.Errorf("/dev/sdc: %+v", res)
	}
	sda := 0
	for _, c := range f.recorded() {
		if c[len(c)-1] == "/dev/sda" {
			sda++
		}
	}
	if sda != 1 {
		t.Errorf("/dev/sda read %d times, want once", sda)
	}
}

func TestListUSB(t *testing.T) {
	out := readFile(t, "testdata/lsblk.json")
	f := &fakeTool{answer: func(context.Context, []string) ([]byte, int, error) { return out, 0, nil }}
	devs, err := (&Reader{Run: f.run}).ListUSB(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 1 || devs[0].Path != "/dev/sdb" || devs[0].Serial != "" {
		t.Errorf("USB disks = %+v, want /dev/sdb only (sr0 is a USB DVD drive)", devs)
	}
	want := [][]string{{"lsblk", "-J", "-b", "-o", "NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR"}}
	if !slices.EqualFunc(f.recorded(), want, slices.Equal) {
		t.Errorf("calls = %q", f.recorded())
	}

	failing := &fakeTool{answer: func(context.Context, []string) ([]byte, int, error) { return nil, 1, nil }}
	if _, err := (&Reader{Run: failing.run}).ListUSB(context.Background()); err == nil || err.Error() != "lsblk exited with status 1" {
		t.Errorf("failing lsblk: %v", err)
	}
}

// A drive's time is its reader's timeout from when its read starts, within
// three quarters of what the refresh has left; a drive whose turn leaves it
// less than minDriveTime is not read.
func TestDriveTimeout(t *testing.T) {
	if d, ok := driveTimeout(context.Background(), time.Hour); !ok || d != time.Hour {
		t.Errorf("no deadline: %s %v", d, ok)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Hour)
	defer cancel()
	if d, ok := driveTimeout(ctx, time.Minute); !ok || d != time.Minute {
		t.Errorf("far deadline: %s %v", d, ok)
	}
	if d, ok := driveTimeout(ctx, 20*time.Hour); !ok || d > 7*time.Hour+30*time.Minute || d < 7*time.Hour {
		t.Errorf("deadline nearer than the timeout: %s %v, want about 7h30m", d, ok)
	}
	near, cancelNear := context.WithTimeout(context.Background(), minDriveTime)
	defer cancelNear()
	if d, ok := driveTimeout(near, time.Hour); ok {
		t.Errorf("a turn with %s left: %s %v, want not read", minDriveTime, d, ok)
	}
	cancelNear()
	if d, ok := driveTimeout(near, time.Millisecond); ok {
		t.Errorf("a refresh that has ended: %s %v, want not read", d, ok)
	}
}

// A reading is stamped by the clock the Reader is given (the console's
// injected one), never the machine's: with BACKDECK_CLOCK the demo's
// drive read "0 s ago" on another day than every other age.
func TestReaderStampsWithItsClock(t *testing.T) {
	ata := readFile(t, filepath.Join(scrutinyDir, "smart-ata.json"))
	at := time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC)
	r := &Reader{Run: (&fakeTool{answer: func(context.Context, []string) ([]byte, int, error) { return ata, 0, nil }}).run,
		Now: func() time.Time { return at }}
	reading, err := r.Read(context.Background(), "/dev/sdb", "")
	if err != nil {
		t.Fatal(err)
	}
	if !reading.At.Equal(at) {
		t.Errorf("reading at %s, want the clock's %s", reading.At, at)
	}
}
