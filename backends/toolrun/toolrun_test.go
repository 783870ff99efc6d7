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
