package smart_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/backends/smart"
	"github.com/backdeck/backdeck/backends/toolrun"
	"github.com/backdeck/backdeck/model"
)

// manyDrives is the count of drives that, all started at once behind the
// real tools, made 11 reads fail with "exec: WaitDelay expired before I/O
// complete".
const manyDrives = 168

// deviceName is the n-th disk's kernel name: sda … sdz, sdaa …
func deviceName(n int) string {
	name := ""
	for n++; n > 0; n = (n - 1) / 26 {
		name = string(rune('a'+(n-1)%26)) + name
	}
	return "sd" + name
}

// inFlight counts the reads running at once and keeps the most it saw.
// Until bound reads have run together, each read waits for the others (or
// its context): the reads must run side by side, up to the bound.
type inFlight struct {
	bound   int
	mu      sync.Mutex
	now     int
	most    int
	full    chan struct{} // closed once bound reads ran at once
	done    atomic.Int32  // reads finished, the slow drive's excluded
	slowDev string        // the slow drive: it answers once every other has
}

func newInFlight(bound int, slowDev string) *inFlight {
	return &inFlight{bound: bound, full: make(chan struct{}), slowDev: slowDev}
}

// read is one drive's read: it waits for its turn's company, takes a
// little time, and answers with answer.
func (f *inFlight) read(ctx context.Context, dev string, answer func() ([]byte, error)) ([]byte, error) {
	f.mu.Lock()
	f.now++
	f.most = max(f.most, f.now)
	if f.now == f.bound {
		select {
		case <-f.full:
		default:
			close(f.full)
		}
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.now--
		f.mu.Unlock()
	}()
	select {
	case <-f.full:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if dev == f.slowDev {
		// Slow: it answers only once every other drive has been read, which
		// they can only be while it holds its own slot.
		for f.done.Load() < manyDrives-1 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
	} else {
		time.Sleep(time.Millisecond) // a little time
		defer f.done.Add(1)
	}
	return answer()
}

func (f *inFlight) check(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.most != f.bound {
		t.Errorf("%d reads ran at once, want at most and at some point exactly %d", f.most, f.bound)
	}
}

// manyUSBDrives is lsblk's JSON for manyDrives USB disks.
func manyUSBDrives(t *testing.T) []byte {
	t.Helper()
	type dev struct {
		Name   string `json:"name"`
		Path   string `json:"path"`
		Tran   string `json:"tran"`
		Serial string `json:"serial"`
		Model  string `json:"model"`
		Size   int64  `json:"size"`
		Type   string `json:"type"`
		Vendor string `json:"vendor"`
	}
	var doc struct {
		BlockDevices []dev `json:"blockdevices"`
	}
	for i := range manyDrives {
		n := deviceName(i)
		doc.BlockDevices = append(doc.BlockDevices, dev{n, "/dev/" + n, "usb", fmt.Sprintf("SN%03d", i), "Expansion HDD", 4000787030016, "disk", "Seagate"})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkAllRead asserts that every drive came back with a reading.
func checkAllRead(t *testing.T, drives []model.Drive) {
	t.Helper()
	if len(drives) != manyDrives {
		t.Fatalf("%d drives, want %d", len(drives), manyDrives)
	}
	bad := 0
	for _, d := range drives {
		if d.Reading == nil || d.Health != model.HealthPassed {
			if bad++; bad <= 3 {
				t.Errorf("%s (%s): %s %q", d.ID, d.DevPath, d.Health, d.Reasons)
			}
		}
	}
	if bad > 3 {
		t.Errorf("… %d drives not read in all", bad)
	}
}

// The host path reads a few drives at a time, each with its own timeout
// from when its read starts: 168 drives, one of them slow, all come back
// with their readings, and no more than the bound ever run at once.
func TestHostPathReadsAFewDrivesAtATime(t *testing.T) {
	t.Parallel()
	lsblk := manyUSBDrives(t)
	ata, err := os.ReadFile("testdata/scrutiny/smart-ata.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, parallel := range []int{0, 2} {
		bound := parallel
		if bound == 0 {
			bound = 4 // the default
		}
		t.Run(fmt.Sprintf("parallel %d", parallel), func(t *testing.T) {
			f := newInFlight(bound, "/dev/"+deviceName(1))
			var run toolrun.Func = func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
				if name == "lsblk" {
					return lsblk, 0, nil
				}
				out, err := f.read(ctx, args[len(args)-1], func() ([]byte, error) { return ata, nil })
				return out, 0, err
			}
			s := smart.NewSource(smart.SourceOptions{Reader: &smart.Reader{Run: run, Parallel: parallel, Timeout: time.Minute}})
			checkAllRead(t, observe(t, s))
			f.check(t)
		})
	}
}

// countingPVE is a PVE API whose disks/smart reads go through an inFlight.
type countingPVE struct {
	disks []proxmox.Disk
	f     *inFlight
}

func (p *countingPVE) Nodes(context.Context) ([]string, error) { return []string{"pve"}, nil }
func (p *countingPVE) Disks(context.Context, string) ([]proxmox.Disk, error) {
	return p.disks, nil
}
func (p *countingPVE) DiskSMART(ctx context.Context, _, dev string) (json.RawMessage, error) {
	return p.f.read(ctx, dev, func() ([]byte, error) {
		return json.RawMessage(`{"health":"PASSED","type":"ata","attributes":[{"id":"  5","name":"Reallocated_Sector_Ct","value":100,"worst":100,"threshold":10,"fail":"-","raw":"0"}]}`), nil
	})
}

// The laptop path reads through PVE a few drives at a time as well.
func TestLaptopPathReadsAFewDrivesAtATime(t *testing.T) {
	t.Parallel()
	p := &countingPVE{f: newInFlight(3, "/dev/"+deviceName(0))}
	for i := range manyDrives {
		p.disks = append(p.disks, proxmox.Disk{DevPath: "/dev/" + deviceName(i), Type: "usb", Model: "Expansion_HDD", Vendor: "Seagate",
			Serial: fmt.Sprintf("SN%03d", i), Size: 4000787030016})
	}
	s := smart.NewSource(smart.SourceOptions{Mode: "laptop", PVE: p, Reader: &smart.Reader{Parallel: 3, Timeout: time.Minute}})
	checkAllRead(t, observe(t, s))
	p.f.check(t)
}

// ReadAll reads a few drives at a time too.
func TestReadAllReadsAFewDrivesAtATime(t *testing.T) {
	t.Parallel()
	ata, err := os.ReadFile("testdata/scrutiny/smart-ata.json")
	if err != nil {
		t.Fatal(err)
	}
	f := newInFlight(4, "/dev/"+deviceName(manyDrives-1))
	run := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		out, err := f.read(ctx, args[len(args)-1], func() ([]byte, error) { return ata, nil })
		return out, 0, err
	}
	var devs []string
	for i := range manyDrives {
		devs = append(devs, "/dev/"+deviceName(i))
	}
	results := (&smart.Reader{Run: run, Timeout: time.Minute}).ReadAll(context.Background(), devs)
	if len(results) != manyDrives {
		t.Fatalf("%d results", len(results))
	}
	for dev, r := range results {
		if r.Err != nil || r.Reading == nil {
			t.Errorf("%s: %+v", dev, r)
		}
	}
	f.check(t)
}

// A drive that waits its turn behind a slow one still has its whole
// timeout: the time counts from when its read starts, not from the
// refresh's start.
func TestQueuedDriveHasItsWholeTimeout(t *testing.T) {
	t.Parallel()
	lsblk := manyUSBDrives(t)
	ata, err := os.ReadFile("testdata/scrutiny/smart-ata.json")
	if err != nil {
		t.Fatal(err)
	}
	const timeout = 300 * time.Millisecond
	var left sync.Map // device → the time its read had when it started
	run := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		switch dev := args[len(args)-1]; {
		case name == "lsblk":
			var doc map[string][]map[string]any
			if err := json.Unmarshal(lsblk, &doc); err != nil {
				return nil, -1, err
			}
			doc["blockdevices"] = doc["blockdevices"][:3]
			b, err := json.Marshal(doc)
			return b, 0, err
		case dev == "/dev/sda": // takes all its time
			<-ctx.Done()
			return nil, -1, ctx.Err()
		default:
			dl, _ := ctx.Deadline()
			left.Store(dev, time.Until(dl))
			return ata, 0, nil
		}
	}
	s := smart.NewSource(smart.SourceOptions{Reader: &smart.Reader{Run: run, Parallel: 1, Timeout: timeout}})
	drives := observe(t, s)
	if d := byID(t, drives, "SN000"); d.Reading != nil || !hasReason(d, "gave no answer within 300ms") {
		t.Errorf("slow drive %s %q", d.Health, d.Reasons)
	}
	for _, id := range []string{"SN001", "SN002"} {
		if d := byID(t, drives, id); d.Health != model.HealthPassed {
			t.Errorf("%s: %s %q", id, d.Health, d.Reasons)
		}
	}
	n := 0
	left.Range(func(dev, v any) bool {
		if n++; v.(time.Duration) <= timeout/2 {
			t.Errorf("%s started with %s left of its %s", dev, v, timeout)
		}
		return true
	})
	if n != 2 {
		t.Errorf("%d drives read after the slow one, want 2", n)
	}
}
