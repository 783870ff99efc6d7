package smart

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/needs"
	"github.com/backdeck/backdeck/model"
)

// TestRealSmartctl runs the installed smartctl through the Reader on a
// device that has no SMART, a 16 MiB loop device (or /dev/null where loop
// devices cannot be made), and checks that its real error answers come back
// as readings that say why in words. CI installs smartmontools; the tests
// run as root. Without smartctl, root or loop devices it skips, saying
// what is missing (it fails instead under BACKDECK_TEST_ALL, as in CI).
func TestRealSmartctl(t *testing.T) {
	needs.Command(t, "smartmontools", "smartctl")
	needs.Command(t, "util-linux", "setpriv", "lsblk")
	needs.Loop(t) // root too: the loop device, and setpriv to drop privileges

	img := filepath.Join(t.TempDir(), "disk.img") // the directory is root's alone (0700)
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 16<<20); err != nil {
		t.Fatal(err)
	}
	dev, loop := attachLoop(t, img)

	var runs atomic.Int32
	counting := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		runs.Add(1)
		return execRun(ctx, name, args...)
	}
	r := &Reader{Run: counting, Timeout: 30 * time.Second}
	ctx := context.Background()

	t.Run("device type detection", func(t *testing.T) {
		runs.Store(0)
		reading, err := r.Read(ctx, dev, "")
		if err != nil || reading == nil {
			t.Fatalf("Read = %+v, %v", reading, err)
		}
		if reading.Device != dev || reading.ExitStatus != 1 || runs.Load() != 1 {
			t.Errorf("device %q, exit %d, %d runs (no type to retry with)", reading.Device, reading.ExitStatus, runs.Load())
		}
		want := []string{
			dev + ": Unable to detect device type",
			"Please specify device type with the -d option.",
			"smartctl exit status 1: smartctl's command line was not understood",
		}
		if !slices.Equal(reading.Messages, want) {
			t.Errorf("Messages =\n%q\nwant\n%q", reading.Messages, want)
		}
		h, reasons := model.SMARTVerdict(reading, nil)
		if h != model.HealthUnknown || reasons[0] != "no SMART data: "+dev+": Unable to detect device type" {
			t.Errorf("verdict = %s %q", h, reasons)
		}
	})

	// smartctl reports SLEEP when its power-mode check gets no answer: the
	// drive is left alone, and the reading says what else it may mean.
	t.Run("sat", func(t *testing.T) {
		reading, err := r.Read(ctx, dev, "sat")
		if !errors.Is(err, ErrAsleep) || reading == nil {
			t.Fatalf("Read = %+v, %v; want a reading and ErrAsleep", reading, err)
		}
		if reading.ExitStatus != 2 || !strings.HasPrefix(reading.Messages[0], "smartctl did not wake "+dev+": it reports SLEEP mode (-n standby)") ||
			!slices.Contains(reading.Messages, "Device is in SLEEP mode, exit(2)") {
			t.Errorf("exit %d, Messages %q", reading.ExitStatus, reading.Messages)
		}
		if h, _ := model.SMARTVerdict(reading, nil); h != model.HealthUnknown {
			t.Errorf("verdict = %s", h)
		}
	})

	t.Run("scsi", func(t *testing.T) {
		runs.Store(0)
		reading, err := r.Read(ctx, dev, "scsi")
		if err != nil || reading == nil {
			t.Fatalf("Read = %+v, %v", reading, err)
		}
		if reading.ExitStatus != 2 || runs.Load() != 1 ||
			!slices.Contains(reading.Messages, "A mandatory SMART command failed: exiting. To continue, add one or more '-T permissive' options.") ||
			!slices.Contains(reading.Messages, "smartctl exit status 2: the device could not be opened, or it is in standby (-n standby)") {
			t.Errorf("exit %d, %d runs, Messages %q", reading.ExitStatus, runs.Load(), reading.Messages)
		}
		h, reasons := model.SMARTVerdict(reading, nil)
		if h != model.HealthUnknown || !strings.HasPrefix(reasons[0], "no SMART data: Standard Inquiry") {
			t.Errorf("verdict = %s %q", h, reasons)
		}
	})

	t.Run("permission", func(t *testing.T) {
		asNobody := &Reader{Run: func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
			return execRun(ctx, "setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", name}, args...)...)
		}}
		reading, err := asNobody.Read(ctx, img, "sat")
		if !errors.Is(err, ErrPermission) || err.Error() != permissionMessage(img) {
			t.Fatalf("err = %v, want %q", err, permissionMessage(img))
		}
		if reading == nil || reading.ExitStatus != 2 || reading.Messages[0] != permissionMessage(img) {
			t.Errorf("reading = %+v", reading)
		}
	})

	t.Run("not installed", func(t *testing.T) {
		missing := &Reader{Run: func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
			return execRun(ctx, name+"-not-installed", args...)
		}}
		if _, err := missing.Read(ctx, dev, ""); !errors.Is(err, ErrNotInstalled) || err.Error() != "smartctl is not installed: apt-get install smartmontools" {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("lsblk", func(t *testing.T) {
		usb, err := r.ListUSB(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range usb {
			if d.Tran != "usb" || d.Type != "disk" {
				t.Errorf("not a USB disk: %+v", d)
			}
		}
		out, code, err := execRun(ctx, "lsblk", "-J", "-b", "-o", lsblkColumns)
		if err != nil || code != 0 {
			t.Fatalf("lsblk: %d %v", code, err)
		}
		devs, err := ParseLsblk(out)
		if err != nil {
			t.Fatal(err)
		}
		if loop && !slices.ContainsFunc(devs, func(d BlockDevice) bool { return d.Path == dev && d.Type == "loop" && d.Size == 16<<20 }) {
			t.Errorf("the loop device %s is not in lsblk's list: %+v", dev, devs)
		}
	})
}

// attachLoop attaches img as a loop device, detached at the end of the
// test; where the sandbox has no loop devices it says so and gives
// /dev/null, which smartctl treats the same way (no SMART, no device type).
func attachLoop(t *testing.T, img string) (dev string, loop bool) {
	out, err := exec.Command("losetup", "--find", "--show", img).CombinedOutput()
	if err != nil {
		t.Logf("no loop device (%v: %s): reading /dev/null instead", err, strings.TrimSpace(string(out)))
		return "/dev/null", false
	}
	dev = strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "-d", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup -d %s: %v: %s", dev, err, out)
		}
	})
	t.Logf("reading the loop device %s", dev)
	return dev, true
}
