// Package toolrun runs the host's command-line tools (smartctl, lsblk, lvs)
// for the backends that read the machine itself: bounded by a context even
// when a tool hangs on a dying disk, and with its exit status kept, since
// these tools put meaning in it.
package toolrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Func runs a command and returns its standard output and exit status.
// Tests replace it with a fake.
type Func func(ctx context.Context, name string, args ...string) ([]byte, int, error)

// Exec runs the real command; env is added to the process environment.
// Standard error only matters when the command printed nothing.
func Exec(env ...string) Func {
	return func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.WaitDelay = time.Second
		if len(env) > 0 {
			cmd.Env = append(os.Environ(), env...)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) && ctx.Err() == nil {
			code := exit.ExitCode()
			if stdout.Len() == 0 && code != 0 {
				return nil, code, fmt.Errorf("%s exited with status %d: %s", name, code, strings.TrimSpace(stderr.String()))
			}
			return stdout.Bytes(), code, nil
		}
		if err != nil {
			return nil, -1, err
		}
		return stdout.Bytes(), 0, nil
	}
}

// Bounded runs a command through run and gives up when ctx ends, even if run
// does not return (a process stuck in the kernel on a dying drive cannot be
// killed).
func Bounded(ctx context.Context, run Func, name string, args ...string) ([]byte, int, error) {
	type result struct {
		out  []byte
		code int
		err  error
	}
	done := make(chan result, 1) // buffered: an abandoned run still finishes
	go func() {
		out, code, err := run(ctx, name, args...)
		done <- result{out, code, err}
	}()
	select {
	case r := <-done:
		return r.out, r.code, r.err
	case <-ctx.Done():
		return nil, -1, ctx.Err()
	}
}
