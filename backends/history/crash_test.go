package history

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// writerEnv tells the test binary, started again as a child, to be the writer.
const writerEnv = "BACKDECK_HISTORY_TEST_WRITER_DB"

// TestHelperWriter is the child of TestKilledWriter, not a test of its own:
// it writes rows in a loop and prints each committed row's sequence number
// on stdout (unbuffered in Go) until it is killed.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv(writerEnv)
	if path == "" {
		return // run by the parent only
	}
	ctx := context.Background()
	d, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	base := time.UnixMilli(1_790_000_000_000)
	// Bounded, so that a parent that failed to kill it cannot leave it behind.
	for seq := int64(1); seq < 1_000_000; seq++ {
		if _, err := d.RecordUsage(ctx, "crash", base.Add(time.Duration(seq)*time.Millisecond), seq, 1<<40, 0); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
		job := model.Job{ID: "crash-job", Target: "t", State: model.JobRunning, Started: base,
			Progress: model.Progress{Percent: -1, DoneBytes: seq, TotalBytes: -1}}
		if err := d.RecordJob(ctx, job); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(5)
		}
		fmt.Fprintf(os.Stdout, "committed %d\n", seq)
	}
	os.Exit(6)
}

// A writer killed mid-stream loses no committed row and leaves a sound file.
func TestKilledWriter(t *testing.T) {
	path := t.TempDir() + "/history.db"
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
	cmd.Env = append(os.Environ(), writerEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan int64, 1<<16)
	readDone := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
				seq, err := strconv.ParseInt(n, 10, 64)
				if err != nil {
					readDone <- fmt.Errorf("line %q: %w", sc.Text(), err)
					return
				}
				lines <- seq
			}
		}
		close(lines)
		readDone <- sc.Err()
	}()

	// Kill it a few hundred ms after its first commit, mid-stream.
	var printed []int64
	select {
	case seq, ok := <-lines:
		if !ok {
			cmd.Wait()
			t.Fatalf("the writer printed nothing; stderr: %s", stderr.String())
		}
		printed = append(printed, seq)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the writer did not commit within 30 s")
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	for seq := range lines {
		printed = append(printed, seq)
	}
	if err := <-readDone; err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the writer ended by %v, not by SIGKILL; stderr: %s", cmd.ProcessState, stderr.String())
	}
	if len(printed) < 10 {
		t.Fatalf("only %d rows committed before the kill: too few to tell anything", len(printed))
	}

	ctx := context.Background()
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after the kill: %v", err)
	}
	defer d.Close()
	var check string
	if err := d.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	rows, err := d.Usage(ctx, "crash", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// Rows are exactly 1..max: no gap, no partial row, and at most the one
	// that committed after the last print is beyond what was printed.
	for i, r := range rows {
		if r.Used != int64(i+1) {
			t.Fatalf("row %d holds %d: rows are not contiguous", i, r.Used)
		}
	}
	last := printed[len(printed)-1]
	if int64(len(rows)) < last || int64(len(rows)) > last+1 {
		t.Fatalf("%d rows after the kill; the writer printed up to %d", len(rows), last)
	}
	for i, seq := range printed {
		if seq != int64(i+1) {
			t.Fatalf("printed %d at position %d", seq, i)
		}
	}
	jobs, err := d.Jobs(ctx, 1)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs %v, %v", jobs, err)
	}
	if got := jobs[0].Progress.DoneBytes; got < last || got > int64(len(rows)) {
		t.Errorf("job done bytes %d; the writer printed up to %d and stored %d rows", got, last, len(rows))
	}
	t.Logf("killed after %d committed rows (%d stored); integrity ok", last, len(rows))
}
