package smart

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/backdeck/backdeck/backends/toolrun"
	"github.com/backdeck/backdeck/model"
)

// Reader reads SMART on the host by running smartctl and lsblk.
type Reader struct {
	// Run runs a command and returns its standard output and exit status; a
	// non-zero exit is not an error (smartctl's exit status is data). Nil
	// runs the real command (os/exec).
	Run func(ctx context.Context, name string, args ...string) ([]byte, int, error)
	// Timeout bounds one drive's read, retry included; 0 means 20 s. A read
	// that outlives it is abandoned even if the command does not die (a
	// process stuck in the kernel on a dying USB drive cannot be killed).
	Timeout time.Duration
	// Parallel is how many drives are read at once, by ReadAll and by a
	// Source on both paths; 0 means 4. Starting every drive at once made
	// 11 of 168 real reads fail ("WaitDelay expired before I/O complete").
	Parallel int
	// Now stamps each reading; nil means time.Now. The console's injected
	// clock reaches it, so a reading's age agrees with every other age.
	Now func() time.Time
}

// Result is one drive's read by ReadAll: the reading, and the error Read
// gave with it (ErrAsleep comes with a reading, a timeout without).
type Result struct {
	Reading *model.SMARTReading
	Err     error
}

func (r *Reader) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

const (
	defaultTimeout  = 20 * time.Second
	defaultParallel = 4
)

func (r *Reader) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return defaultTimeout
}

// parallel is how many drives may be read at once; a nil Reader has the
// default.
func (r *Reader) parallel() int {
	if r != nil && r.Parallel > 0 {
		return r.Parallel
	}
	return defaultParallel
}

// Read reads one drive without waking it: `smartctl --json=o -a -n standby
// [-d TYPE] DEV`. deviceType "" lets smartctl detect the type; USB drives
// read best with "sat". When smartctl does not know the USB bridge, or the
// command fails with that type, Read tries once more with the type
// smartctl names in its messages ("sat" for an unknown bridge when it names
// none). The reading comes back whenever smartctl answered, also without
// SMART data (model.SMARTVerdict then says why in words); the error is
// ErrAsleep (with the reading), one matching ErrPermission (with the
// reading) or ErrNotInstalled, a timeout, or output that is not smartctl's.
func (r *Reader) Read(ctx context.Context, dev string, deviceType string) (*model.SMARTReading, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	reading, d, err := r.smartctl(ctx, dev, deviceType)
	if err != nil {
		return nil, err
	}
	if next := retryType(d, deviceType); next != "" {
		first := reading
		reading, d, err = r.smartctl(ctx, dev, next)
		if err != nil {
			return first, err
		}
		reading.Messages = append(reading.Messages, retryNote(first, deviceType, next))
	}
	switch {
	case d.permission:
		return reading, permissionError{dev}
	case d.asleep != "":
		return reading, ErrAsleep
	}
	return reading, nil
}

// retryType is the device type to try after a read that failed for want of
// the right one, "" when another try would not help.
func retryType(d diagnosis, tried string) string {
	if d.hasData || d.asleep != "" || d.permission || !(d.unknownBridge != "" || d.noDeviceType || d.commandFailed) {
		return ""
	}
	for _, t := range d.suggested {
		if t != tried {
			return t
		}
	}
	if d.unknownBridge != "" && tried != "sat" {
		return "sat"
	}
	return ""
}

func retryNote(first *model.SMARTReading, tried, next string) string {
	how := "-d " + tried
	if tried == "" {
		how = "smartctl's own device detection"
	}
	why := "no SMART data"
	if len(first.Messages) > 0 {
		why = first.Messages[0]
	}
	return fmt.Sprintf("read again with -d %s after %s gave %s", next, how, why)
}

// smartctl runs smartctl once and parses what it printed.
func (r *Reader) smartctl(ctx context.Context, dev, deviceType string) (*model.SMARTReading, diagnosis, error) {
	args := []string{"--json=o", "-a", "-n", "standby"}
	if deviceType != "" {
		args = append(args, "-d", deviceType)
	}
	args = append(args, dev)
	out, code, err := r.run(ctx, "smartctl", args...)
	if err != nil {
		switch {
		case errors.Is(err, exec.ErrNotFound):
			return nil, diagnosis{}, missingToolError{"smartctl", "smartmontools"}
		case errors.Is(err, context.DeadlineExceeded):
			return nil, diagnosis{}, fmt.Errorf("smartctl on %s gave no answer within %s: %w", dev, r.timeout(), err)
		}
		return nil, diagnosis{}, fmt.Errorf("smartctl on %s: %w", dev, err)
	}
	reading, d, err := parseSmartctl(out, code, r.now(), dev)
	if err != nil {
		return nil, d, fmt.Errorf("smartctl on %s (exit status %d): %w", dev, code, err)
	}
	return reading, d, nil
}

// ReadAll reads the drives a few at a time (Parallel), each with its own
// timeout counted from when its read starts, so that one slow drive never
// holds the others; results are keyed by device. Each drive is read as
// Read(ctx, dev, ""): a USB drive behind a bridge smartctl does not know is
// read again with -d sat.
func (r *Reader) ReadAll(ctx context.Context, devs []string) map[string]Result {
	var unique []string
	seen := make(map[string]bool, len(devs))
	for _, dev := range devs {
		if !seen[dev] {
			seen[dev] = true
			unique = append(unique, dev)
		}
	}
	results := inParallel(r.parallel(), len(unique), func(i int) Result {
		reading, err := r.Read(ctx, unique[i], "")
		return Result{Reading: reading, Err: err}
	})
	out := make(map[string]Result, len(unique))
	for i, dev := range unique {
		out[dev] = results[i]
	}
	return out
}

// ListUSB lists the USB disks (lsblk's TRAN "usb"): internal SATA disks
// also answer as "sat" in smartctl, so the transport comes from lsblk.
func (r *Reader) ListUSB(ctx context.Context) ([]BlockDevice, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	out, code, err := r.run(ctx, "lsblk", "-J", "-b", "-o", lsblkColumns)
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return nil, missingToolError{"lsblk", "util-linux"}
	case err != nil:
		return nil, fmt.Errorf("lsblk: %w", err)
	case code != 0:
		return nil, fmt.Errorf("lsblk exited with status %d", code)
	}
	devs, err := ParseLsblk(out)
	if err != nil {
		return nil, err
	}
	var usb []BlockDevice
	for _, d := range devs {
		if d.Type == "disk" && d.Tran == "usb" {
			usb = append(usb, d)
		}
	}
	return usb, nil
}

// run runs a command through Run, giving up when ctx ends even if Run does
// not return.
func (r *Reader) run(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	run := r.Run
	if run == nil {
		run = execRun
	}
	return toolrun.Bounded(ctx, run, name, args...)
}

// execRun runs the real tools.
func execRun(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	return toolrun.Exec()(ctx, name, args...)
}
