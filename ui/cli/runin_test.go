package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testClock is where the in-process tests start the CLI's clock and the lab's.
var testClock = time.Date(2026, 11, 28, 8, 6, 0, 0, time.UTC)

// runIn runs the CLI in-process with its own home and state directories.
func runIn(t *testing.T, home string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runWith(t, home, session{}, args...)
}

// session is what an operator's run has besides its arguments.
type session struct {
	input   string            // typed on standard input
	vars    map[string]string // more environment, over the test's own
	columns int               // the terminal's width; 0 is a pipe
}

// runWith is runIn with input, variables and a terminal width.
func runWith(t *testing.T, home string, s session, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	// The clock starts where the labs of these tests start theirs.
	vars := map[string]string{"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state"), "XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"BACKDECK_CLOCK": testClock.Format(time.RFC3339)}
	for k, v := range s.vars {
		vars[k] = v
	}
	code = Run(context.Background(), Env{Args: args, Stdin: strings.NewReader(s.input), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return vars[k] }, Columns: func() int { return s.columns }, Version: "1.2.3-test"})
	return out.String(), errOut.String(), code
}
