package urbackup

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// The recorded runs of a real UrBackup Server 2.5.33 with a real client
// 2.5.26 (testdata/live/README.md): a=progress sampled every second,
// a=status every 5 s, t_ms counted from the answer of a=start_backup.

type recordedExchange struct {
	TMS      int64 `json:"t_ms"`
	Response struct {
		Body string `json:"body"`
	} `json:"response"`
}

type recordedSeries struct {
	Attempts []recordedExchange `json:"start_backup_attempts"`
	Stop     *recordedExchange  `json:"stop_request"`
	Samples  []struct {
		TMS      int64           `json:"t_ms"`
		Action   string          `json:"action"`
		Note     string          `json:"note"`
		Response json.RawMessage `json:"response"`
	} `json:"samples"`
}

func loadSeries(t testing.TB, name string) recordedSeries {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "live", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var s recordedSeries
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(s.Samples) == 0 || len(s.Attempts) == 0 {
		t.Fatalf("%s: no samples", name)
	}
	return s
}

// progressSamples are the series' a=progress answers, decoded.
func (s recordedSeries) progressSamples(t testing.TB) (ts []int64, answers []progressAnswer) {
	t.Helper()
	for _, sm := range s.Samples {
		if sm.Action != "progress" {
			continue
		}
		var a progressAnswer
		if err := json.Unmarshal(sm.Response, &a); err != nil {
			t.Fatalf("sample at %d ms: %v", sm.TMS, err)
		}
		ts, answers = append(ts, sm.TMS), append(answers, a)
	}
	return ts, answers
}

// TestRecordedTransferProgress feeds the recorded full backups through the
// progress logic: indexing first, a percent that never goes down, a speed
// and an ETA close to the truth from about 2 s into the transfer (the
// server's own eta_ms says 61 s throughout and its speed_bpms is 0 for the
// first 20 s), and "finishing on the server" with no ETA for the minute
// the percent sits at 99.
func TestRecordedTransferProgress(t *testing.T) {
	for _, name := range []string{"full_file_series", "stop_late_series"} {
		t.Run(name, func(t *testing.T) {
			ts, answers := loadSeries(t, name).progressSamples(t)
			// The truth, from the samples: when the transfer began (the
			// last reading of 0) and ended (the first of the final
			// count), and its pace between.
			var begin, end int64 = -1, -1
			var final int64
			for i, a := range answers {
				if len(a.Progress) == 0 {
					continue
				}
				d := a.Progress[0].DoneBytes.Int(-1)
				if d == 0 && a.Progress[0].PCDone.Int(-1) >= 0 {
					begin = ts[i]
				}
				if d > final {
					final, end = d, ts[i]
				}
			}
			if begin < 0 || end <= begin+10000 {
				t.Fatalf("no transfer in the series: begin %d end %d", begin, end)
			}
			first := doneAtTime(ts, answers, begin+2000)
			truth := float64(final-first) / (float64(end-begin-2000) / 1000)

			m := newMeter()
			origin := time.Unix(1796577901, 0)
			last := -1.0
			sawIndexing, sawFinishing, checked := false, false, 0
			for i, a := range answers {
				if len(a.Progress) == 0 {
					continue
				}
				p := a.Progress[0]
				at := ts[i]
				pr := m.observe(p, model.MethodFullFile, origin.Add(time.Duration(at)*time.Millisecond))
				if pr.Percent < last {
					t.Fatalf("at %d ms the percent went down from %v to %v", at, last, pr.Percent)
				}
				last = pr.Percent
				if pr.ETAKnown && math.Abs(pr.ETA.Seconds()-61) < 0.5 && at > end-50000 {
					t.Errorf("at %d ms the ETA is UrBackup's 61 s", at)
				}
				switch {
				case at < begin:
					sawIndexing = sawIndexing || pr.Phase == "indexing" && pr.Percent == -1 && pr.LastLine == "indexing"
				case at >= begin+2000 && at < end:
					checked++
					if pr.Phase != "" || pr.ReadBytesPerS <= 0 || !pr.ETAKnown {
						t.Fatalf("at %d ms, %.0f s into the transfer: %+v", at, float64(at-begin)/1000, pr)
					}
					if r := pr.ReadBytesPerS / truth; r < 0.95 || r > 1.05 {
						t.Errorf("at %d ms the speed is %.0f B/s, the truth %.0f B/s", at, pr.ReadBytesPerS, truth)
					}
					eta := float64(end-at) / 1000
					if math.Abs(pr.ETA.Seconds()-eta) > max(1.5, eta/10) {
						t.Errorf("at %d ms the ETA is %v, the truth %.1f s", at, pr.ETA, eta)
					}
				case at > end:
					if pr.Phase != "finishing on the server" || pr.LastLine != "finishing on the server" || pr.ETAKnown || pr.ReadBytesPerS != -1 || pr.Percent != 99 {
						t.Fatalf("at %d ms, after the transfer: %+v", at, pr)
					}
					sawFinishing = true
				}
			}
			if !sawIndexing || !sawFinishing || checked < 30 {
				t.Errorf("indexing seen %v, finishing seen %v, %d transfer samples checked", sawIndexing, sawFinishing, checked)
			}
		})
	}
}

func doneAtTime(ts []int64, answers []progressAnswer, at int64) int64 {
	for i := range ts {
		if ts[i] >= at && len(answers[i].Progress) > 0 {
			return answers[i].Progress[0].DoneBytes.Int(0)
		}
	}
	return 0
}

// TestRecordedIncrementalWithoutChanges: pcdone 100 with total_bytes 0 is
// the server at work, not a finished backup.
func TestRecordedIncrementalWithoutChanges(t *testing.T) {
	ts, answers := loadSeries(t, "incr_file_series").progressSamples(t)
	m := newMeter()
	phases := []string{}
	for i, a := range answers {
		if len(a.Progress) == 0 {
			continue
		}
		pr := m.observe(a.Progress[0], model.MethodIncrFile, time.Unix(0, 0).Add(time.Duration(ts[i])*time.Millisecond))
		if pr.Percent >= 100 || pr.ETAKnown {
			t.Errorf("at %d ms: %+v", ts[i], pr)
		}
		if len(phases) == 0 || phases[len(phases)-1] != pr.Phase {
			phases = append(phases, pr.Phase)
		}
	}
	if len(phases) != 2 || phases[0] != "indexing" || phases[1] != "finishing on the server" {
		t.Errorf("phases %q", phases)
	}
}
