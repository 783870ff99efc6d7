package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/backdeck/backdeck/ui/termsafe"
)

// Env is everything a run of backdeck takes from its process, passed
// explicitly so that nothing reads globals and tests run the commands
// in-process.
type Env struct {
	Args   []string // without the program's name
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Now is the wall clock every age and date is measured on. Nil: the
	// clock $BACKDECK_CLOCK starts (read through Getenv), else time.Now.
	Now func() time.Time
	// Columns is the terminal's width when stdout is one, else 0; nil is 0.
	Columns func() int
	// Version is what --version prints.
	Version string
}

// Exit codes shared by the commands, besides status's 0–3 and the others'
// own 0–2.
const (
	exitUsage       = 64  // bad flags, arguments or command
	exitSetup       = 78  // no usable config
	exitInterrupted = 130 // Ctrl-C or SIGTERM ended the wait
)

// envClock names the variable that starts the wall clock at a chosen
// instant (RFC 3339); time then runs on from it. The tests use it to run on
// the 1st or the 31st of a month whatever today is.
const envClock = "BACKDECK_CLOCK"

// Run runs the command env.Args names and returns its exit code.
func Run(ctx context.Context, env Env) int {
	stdout, stderr := termsafe.NewWriter(env.Stdout), termsafe.NewWriter(env.Stderr)
	defer stdout.Flush()
	defer stderr.Flush()
	env.Stdout, env.Stderr = stdout, stderr
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Columns == nil {
		env.Columns = func() int { return 0 }
	}
	if env.Now == nil {
		now, err := clockFromEnv(env.Getenv)
		if err != nil {
			fmt.Fprintln(env.Stderr, "backdeck:", err)
			return exitUsage
		}
		env.Now = now
	}
	return dispatch(ctx, &env, commands())
}

// clockFromEnv is time.Now, or the clock envClock starts.
func clockFromEnv(getenv func(string) string) (func() time.Time, error) {
	v := getenv(envClock)
	if v == "" {
		return time.Now, nil
	}
	start, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: not a time; write it as 2026-12-01T08:00:00Z (RFC 3339), or unset it", envClock, v)
	}
	origin := time.Now()
	return func() time.Time { return start.Add(time.Since(origin)) }, nil
}

// TerminalWidth is Env.Columns for f: its width while it is a terminal,
// else 0 (a pipe or a file has no width).
func TerminalWidth(f *os.File) func() int {
	return func() int {
		if !term.IsTerminal(f.Fd()) {
			return 0
		}
		w, _, err := term.GetSize(f.Fd())
		if err != nil {
			return 0
		}
		return w
	}
}
