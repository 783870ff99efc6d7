package needs

import (
	"strings"
	"testing"
)

func TestCommandsNamesWhatIsMissing(t *testing.T) {
	if got := Commands("coreutils", "sh"); got != "" {
		t.Errorf("sh is on every machine, got %q", got)
	}
	got := Commands("nosuchpkg", "sh", "backdeck-no-such-command")
	if !strings.Contains(got, "backdeck-no-such-command") || strings.Contains(got, "sh,") ||
		!strings.Contains(got, "apt-get install nosuchpkg") {
		t.Errorf("got %q", got)
	}
}

// skipRecorder records what Skip did instead of stopping the test.
type skipRecorder struct {
	testing.TB
	skipped, failed string
}

func (r *skipRecorder) Helper()                        {}
func (r *skipRecorder) Skip(args ...any)               { r.skipped = args[0].(string) }
func (r *skipRecorder) Fatalf(format string, a ...any) { r.failed = format }

func TestSkipFailsWhenAllIsSet(t *testing.T) {
	t.Setenv(EnvAll, "")
	r := &skipRecorder{TB: t}
	Skip(r, "needs %s", "x")
	if r.skipped != "needs x" || r.failed != "" {
		t.Errorf("without %s: skipped %q failed %q", EnvAll, r.skipped, r.failed)
	}
	t.Setenv(EnvAll, "1")
	r = &skipRecorder{TB: t}
	Skip(r, "needs %s", "x")
	if r.skipped != "" || r.failed == "" {
		t.Errorf("with %s: skipped %q failed %q", EnvAll, r.skipped, r.failed)
	}
}
