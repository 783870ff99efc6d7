// Package needs lets a test say what it needs of the machine (a command,
// root, loop devices) and skip with one line naming what to install when
// that is missing. A user's fresh clone with only Go then passes
// "go test ./...", while CI, which installs everything, sets BACKDECK_TEST_ALL
// so that a missing need fails instead of hiding a gap.
package needs

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// EnvAll is the environment variable that turns every skip into a failure.
const EnvAll = "BACKDECK_TEST_ALL"

// All reports whether missing needs fail the test instead of skipping it.
func All() bool { return os.Getenv(EnvAll) != "" }

// Skip skips tb with one line saying why, or fails it when EnvAll is set.
func Skip(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if All() {
		tb.Fatalf("%s (%s is set: every test must run)", msg, EnvAll)
		return
	}
	tb.Skip(msg)
}

// Commands returns what is missing of the named commands, as one line that
// names the Debian package to install, or "" when all are on PATH. pkg is
// the package that holds them ("smartmontools").
func Commands(pkg string, names ...string) string {
	var missing []string
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("needs %s: install %s (apt-get install %s)", strings.Join(missing, ", "), pkg, pkg)
}

// Command skips tb unless the named commands, from Debian package pkg, are
// on PATH.
func Command(tb testing.TB, pkg string, names ...string) {
	tb.Helper()
	if why := Commands(pkg, names...); why != "" {
		Skip(tb, "%s", why)
	}
}

// RootReason is "" when the process runs as root, else the line to show.
func RootReason(why string) string {
	if os.Geteuid() == 0 {
		return ""
	}
	return "needs root to " + why + ": run the tests as root (sudo go test), as CI does"
}

// Root skips tb unless it runs as root; why says what root is needed for.
func Root(tb testing.TB, why string) {
	tb.Helper()
	if r := RootReason(why); r != "" {
		Skip(tb, "%s", r)
	}
}

// LoopReason is "" when loop devices can be attached here (root, losetup and
// /dev/loop-control), else the line to show.
func LoopReason() string {
	if r := RootReason("attach loop devices"); r != "" {
		return r
	}
	if r := Commands("mount", "losetup"); r != "" { // Debian keeps losetup in mount
		return r
	}
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		return "needs loop devices (/dev/loop-control is missing): load the loop module (modprobe loop) or run where loop devices exist"
	}
	return ""
}

// Loop skips tb unless loop devices can be attached.
func Loop(tb testing.TB) {
	tb.Helper()
	if r := LoopReason(); r != "" {
		Skip(tb, "%s", r)
	}
}
