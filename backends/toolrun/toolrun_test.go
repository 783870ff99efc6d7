package toolrun

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExecKeepsExitStatusAndOutput(t *testing.T) {
	out, code, err := Exec()(context.Background(), "sh", "-c", "echo hi; exit 3")
	if err != nil || code != 3 || strings.TrimSpace(string(out)) != "hi" {
		t.Fatalf("out %q code %d err %v", out, code, err)
	}
	_, code, err = Exec()(context.Background(), "sh", "-c", "echo oops >&2; exit 2")
	if err == nil || code != 2 || !strings.Contains(err.Error(), "oops") {
		t.Fatalf("a silent failure carries stderr: code %d err %v", code, err)
	}
	out, _, err = Exec("TOOLRUN_TEST=yes")(context.Background(), "sh", "-c", "echo $TOOLRUN_TEST")
	if err != nil || strings.TrimSpace(string(out)) != "yes" {
		t.Fatalf("env: %q %v", out, err)
	}
	if _, _, err := Exec()(context.Background(), "toolrun-no-such-tool"); err == nil {
		t.Fatal("a missing tool is an error")
	}
}

func TestBoundedGivesUpOnAHang(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	hang := func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
		<-release // ignores ctx, like a process stuck in D state
		return nil, 0, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := Bounded(ctx, hang, "smartctl")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %s", err, time.Since(start))
	}
}

// A tool that prints more than any real lsblk, lvs or smartctl does is an
// error, with memory bounded: the output beyond 16 MiB is dropped as it
// comes, and the tool runs to its end.
func TestExecBoundsTheOutput(t *testing.T) {
	out, code, err := Exec()(context.Background(), "sh", "-c", "head -c 16777216 /dev/zero")
	if err != nil || code != 0 || len(out) != 16<<20 {
		t.Fatalf("16 MiB: %d bytes, code %d, err %v", len(out), code, err)
	}
	out, _, err = Exec()(context.Background(), "sh", "-c", "head -c 16777217 /dev/zero; exit 4")
	if err == nil || out != nil || err.Error() != "sh printed more than 16 MiB: not its usual output" {
		t.Fatalf("16 MiB + 1: %d bytes, err %v", len(out), err)
	}
	b := &cappedBuffer{limit: 4}
	if n, err := b.Write([]byte("abcdef")); n != 6 || err != nil || b.buf.String() != "abcd" || !b.over {
		t.Errorf("Write = %d, %v; kept %q, over %v", n, err, b.buf.String(), b.over)
	}
}
