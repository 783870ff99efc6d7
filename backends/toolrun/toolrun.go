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

// maxOutput bounds a tool's standard output: lsblk, lvs and smartctl print
// kilobytes, and one that prints without end must not fill the memory.
const maxOutput = 16 << 20

// cappedBuffer keeps the first limit bytes written to it and drops the
// rest, so that the tool runs on to its end instead of blocking on a pipe
// no one reads.
type cappedBuffer struct {
	buf   bytes.Buffer
	limit int
	over  bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.buf.Len(); len(p) > room {
		b.over = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.buf.Write(p)
}

// Exec runs the real command; env is added to the process environment.
// Standard error only matters when the command printed nothing. Output
// beyond 16 MiB is an error.
func Exec(env ...string) Func {
	return func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.WaitDelay = time.Second
		if len(env) > 0 {
			cmd.Env = append(os.Environ(), env...)
		}
		stdout, stderr := &cappedBuffer{limit: maxOutput}, &cappedBuffer{limit: 64 << 10}
		cmd.Stdout, cmd.Stderr = stdout, stderr
		err := cmd.Run()
		if stdout.over && ctx.Err() == nil {
			return nil, -1, fmt.Errorf("%s printed more than %d MiB: not its usual output", name, maxOutput>>20)
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) && ctx.Err() == nil {
			code := exit.ExitCode()
			if stdout.buf.Len() == 0 && code != 0 {
				return nil, code, fmt.Errorf("%s exited with status %d: %s", name, code, strings.TrimSpace(stderr.buf.String()))
			}
			return stdout.buf.Bytes(), code, nil
		}
		if err != nil {
			return nil, -1, err
		}
		return stdout.buf.Bytes(), 0, nil
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
