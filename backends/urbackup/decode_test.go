package urbackup

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// Numbers a float64 cannot hold exactly, NaN and infinities are unknown, as
// "-" is (flagged by FuzzNumber: "NaN" decoded as a valid number, and 1e19
// as the id -9223372036854775808).
func TestNumbersBeyondExactAreUnknown(t *testing.T) {
	for _, in := range []string{`"NaN"`, `"-Inf"`, `"infinity"`, `1e19`, `"1e19"`, `-9.3e18`, `1e400`, `"1e400"`} {
		var n num
		if err := json.Unmarshal([]byte(in), &n); err != nil || n.Valid {
			t.Errorf("%s: %+v %v, want unknown", in, n, err)
		}
	}
	for in, want := range map[string]int64{`9007199254740992`: 1 << 53, `"-9007199254740992"`: -1 << 53, `"  7 "`: 7, `-1`: -1} {
		var n num
		if err := json.Unmarshal([]byte(in), &n); err != nil || n.Int(0) != want {
			t.Errorf("%s: %+v %v, want %d", in, n, err, want)
		}
	}
}

// An ETA beyond what a Duration holds is unknown, not a wrapped-around one,
// and a speed stays finite (flagged by FuzzProgressAnswer: +Inf B/s, which
// does not encode to JSON).
func TestProgressOfHugeValues(t *testing.T) {
	var p progressAnswer
	if err := json.Unmarshal([]byte(`{"progress":[{"id":1,"clientid":2,"action":1,"pcdone":45,"speed_bpms":"1e308","eta_ms":9007199254740992}]}`), &p); err != nil {
		t.Fatal(err)
	}
	pr := newMeter().observe(p.Progress[0], model.MethodIncrFile, time.Unix(1700000000, 0))
	if pr.ETAKnown || pr.ETA != 0 || pr.ReadBytesPerS != -1 || pr.Percent != 45 {
		t.Errorf("%+v", pr)
	}
	if _, err := json.Marshal(pr); err != nil {
		t.Error(err)
	}
}

// A backup time beyond year 9999 is unknown (the epoch, as 0 is): before,
// the restore point could not be encoded for status --json or the history
// (flagged by FuzzBackupsAnswer).
func TestRestorePointTimeOutOfRange(t *testing.T) {
	var b backupsAnswer
	if err := json.Unmarshal([]byte(`{"backups":[{"id":1,"backuptime":253402300800,"size_bytes":10},{"id":2,"backuptime":1795653104}]}`), &b); err != nil {
		t.Fatal(err)
	}
	far, real := restorePoint("urbackup/c", b.Backups[0], false), restorePoint("urbackup/c", b.Backups[1], false)
	if !far.Time.Equal(time.Unix(0, 0)) || !real.Time.Equal(time.Unix(1795653104, 0)) {
		t.Errorf("times %v, %v", far.Time, real.Time)
	}
	if _, err := json.Marshal(far); err != nil {
		t.Error(err)
	}
}

// A salt that asks for more PBKDF2 rounds than any server uses is refused
// before the proof is computed: 10^12 rounds would have kept the login busy
// for days.
func TestSaltWithAbsurdRounds(t *testing.T) {
	f := newFakeURB(t, "admin", testPassword)
	f.set(func(f *fakeURB) { f.rounds = 1_000_000_000_000 })
	c := newTestClient(t, f.URL, "admin", testPassword)
	_, err := c.Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "asks for 1000000000000 PBKDF2 rounds, more than any server uses (1000000)") {
		t.Errorf("got %v", err)
	}
	if f.count("login") != 0 {
		t.Errorf("%d logins sent", f.count("login"))
	}
}
