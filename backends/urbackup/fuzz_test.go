package urbackup

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// The fuzz targets feed UrBackup's answers to their decoders and to what
// the client makes of them. The properties: no panic, bounded time and
// memory, and values the rest of backdeck can use: a percentage within
// -1..100, sizes and counts that are bytes or unknown, durations that are
// not negative, and targets and progress that encode to JSON (status
// --json, the history).
//
// go test -run XXX -fuzz '^FuzzProgressAnswer$' -fuzztime 30s ./backends/urbackup/

// fuzzNow is the clock of the fuzz targets.
var fuzzNow = time.Date(2026, 11, 25, 14, 30, 0, 0, time.UTC)

var actionParam = regexp.MustCompile(`[?&]a=([a-z_]+)`)

// recordedAnswers are the bodies of every recorded answer in testdata
// (live/ included), by action: the exchanges' response.body, and the
// series' sampled answers.
func recordedAnswers(f *testing.F) map[string][][]byte {
	f.Helper()
	out := map[string][][]byte{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			req, _ := v["request"].(map[string]any)
			resp, _ := v["response"].(map[string]any)
			action, _ := v["action"].(string)
			switch {
			case req != nil && resp != nil:
				where, _ := req["url"].(string)
				if lines, ok := req["request_line_and_headers"].([]any); ok && len(lines) > 0 {
					first, _ := lines[0].(string)
					where += " " + first
				}
				if m := actionParam.FindStringSubmatch(where); m != nil {
					if body, ok := resp["body"].(string); ok {
						out[m[1]] = append(out[m[1]], []byte(body))
					}
				}
			case action != "" && resp != nil:
				b, err := json.Marshal(resp)
				if err != nil {
					f.Fatal(err)
				}
				out[action] = append(out[action], b)
			}
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, pattern := range []string{"testdata/*.json", "testdata/live/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				f.Fatalf("%s: %v", file, err)
			}
			walk(v)
		}
	}
	return out
}

// addAnswers seeds f with the recorded answers to action, and with small
// hostile ones.
func addAnswers(f *testing.F, action string, hostile ...string) {
	f.Helper()
	seeds := recordedAnswers(f)[action]
	if len(seeds) == 0 {
		f.Fatalf("no recorded answer to a=%s", action)
	}
	for _, s := range seeds {
		f.Add(s)
	}
	for _, s := range append([]string{"", "{", "null", "[]", `{"error":1}`, `"x"`}, hostile...) {
		f.Add([]byte(s))
	}
}

// checkJSON fails when v does not encode: an infinity, or a time beyond
// year 9999, would break status --json and the history.
func checkJSON(t *testing.T, v any) {
	t.Helper()
	if _, err := json.Marshal(v); err != nil {
		t.Errorf("does not encode: %v: %+v", err, v)
	}
}

// checkNum: a number is exact or unknown.
func checkNum(t *testing.T, n num) {
	t.Helper()
	if n.Valid && !(math.Abs(n.V) <= maxExact) {
		t.Errorf("valid %v", n.V)
	}
	if i := n.Int(-1); n.Valid && float64(i) != math.Trunc(n.V) {
		t.Errorf("Int of %v is %d", n.V, i)
	}
}

// FuzzNumber feeds the lenient numbers and flags: ids that arrive as "-",
// numbers as strings, booleans as 0/1 or "true".
func FuzzNumber(f *testing.F) {
	for _, s := range []string{`"-"`, `""`, `"55415"`, `55415`, `-1`, `true`, `false`, `null`, `"  7 "`, `"1e400"`, `1e400`,
		`"NaN"`, `"-Inf"`, `"infinity"`, `1e19`, `-9.3e18`, `"0x10"`, `"yes"`, `"on"`, `{}`, `[1]`, `"\u0031"`, `1.5`, `-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var n num
		if n.UnmarshalJSON(data) == nil {
			checkNum(t, n)
		}
		var fl flag
		_ = fl.UnmarshalJSON(data)
		// Through encoding/json, as the answers are decoded.
		var v struct {
			N num  `json:"n"`
			F flag `json:"f"`
		}
		doc := []byte(`{"n":` + string(data) + `,"f":` + string(data) + `}`)
		if json.Unmarshal(doc, &v) == nil {
			checkNum(t, v.N)
			if bool(v.F) && !(v.N.Valid && v.N.V != 0) && !bytes.HasPrefix(bytes.TrimSpace(data), []byte(`"`)) {
				t.Errorf("flag true for %s", data)
			}
		}
	})
}

// FuzzStatusAnswer feeds a=status and builds the targets from it.
func FuzzStatusAnswer(f *testing.F) {
	addAnswers(f, "status",
		`{"status":[{"id":"-","name":"stranger","lastbackup":"-","online":true,"rejected":true}]}`,
		`{"no_images":"1","status":[{"id":"7","name":"k3sagent01","lastbackup":"1e19","lastseen":-1e30,"lastbackup_image":1e18,"file_ok":"1","last_filebackup_issues":"9e99","processes":[{"action":1,"pcdone":-1}]}]}`,
		`{"status":[{"id":1,"name":""},{"id":1,"name":"a/b"},{"id":1e300,"name":"big"}]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var st statusAnswer
		if json.Unmarshal(body, &st) != nil {
			return
		}
		c := &Client{}
		_ = st.names()
		for _, cs := range st.Status {
			checkNum(t, cs.ID)
			if !cs.known() {
				continue
			}
			if got, ok := st.byID(cs.ID.Int(0)); !ok || !got.known() {
				t.Errorf("client %d not found by its id", cs.ID.Int(0))
			}
			tg := c.target(&st, cs, backupsAnswer{}, map[string]usageEntry{}, fuzzNow)
			if tg.ID != targetID(cs.Name) || tg.Source != model.SourceURBackup {
				t.Errorf("target %+v", tg)
			}
			checkJSON(t, tg)
			for _, m := range []model.Method{model.MethodIncrFile, model.MethodFullImage} {
				_ = lastOf(cs, m)
				_ = notOffered(&st, cs, m)
			}
		}
	})
}

// FuzzProgressAnswer feeds a=progress and maps each process onto the
// console's progress.
func FuzzProgressAnswer(f *testing.F) {
	addAnswers(f, "progress",
		`{"progress":[{"id":"3","clientid":2,"action":"2","pcdone":450,"done_bytes":"-5","total_bytes":null,"speed_bpms":1e308,"eta_ms":1e300,"paused":"true"}]}`,
		`{"progress":[{"id":"-","clientid":"-","action":5,"pcdone":"NaN","speed_bpms":"inf","eta_ms":"9223372036854775807","details":"Indexing\u001b[2J"}]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var ans progressAnswer
		if json.Unmarshal(body, &ans) != nil {
			return
		}
		for _, p := range ans.Progress {
			for _, n := range []num{p.ID, p.ClientID, p.Action, p.PCDone, p.DoneBytes, p.TotalBytes, p.SpeedBPMS, p.ETAms} {
				checkNum(t, n)
			}
			for _, m := range []model.Method{model.MethodIncrFile, model.MethodFullImage} {
				pr := newMeter().observe(p, m, time.Unix(1700000000, 0))
				switch {
				case pr.Percent < -1 || pr.Percent > 100 || math.IsNaN(pr.Percent):
					t.Errorf("percent %v", pr.Percent)
				case pr.DoneBytes < -1 || pr.TotalBytes < -1 || pr.TotalBytes == 0:
					t.Errorf("bytes %d of %d", pr.DoneBytes, pr.TotalBytes)
				case pr.ReadBytesPerS != -1 && !(pr.ReadBytesPerS > 0 && !math.IsInf(pr.ReadBytesPerS, 0)):
					t.Errorf("speed %v", pr.ReadBytesPerS)
				case pr.ETAKnown && pr.ETA <= 0, !pr.ETAKnown && pr.ETA != 0:
					t.Errorf("ETA %v (%v)", pr.ETA, pr.ETAKnown)
				}
				checkJSON(t, pr)
			}
			_, _ = findProcess(ans.Progress, p.ClientID.Int(-1), procID(p), model.MethodIncrFile)
		}
	})
}

// FuzzBackupsAnswer feeds a=backups and builds the restore points.
func FuzzBackupsAnswer(f *testing.F) {
	addAnswers(f, "backups",
		`{"clientid":"-","backups":[{"id":"-","backuptime":"1e19","incremental":"x","size_bytes":-5,"archived":"1"}],"backup_images":[{"id":1e300,"backuptime":-1e18,"letter":"C:"}]}`,
		`{"backups":[{"id":1,"backuptime":253402300800,"size_bytes":"9223372036854775808"}]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var b backupsAnswer
		if json.Unmarshal(body, &b) != nil {
			return
		}
		checkNum(t, b.ClientID)
		for i, list := range [][]backupItem{b.Backups, b.BackupImages} {
			for _, it := range list {
				rp := restorePoint("urbackup/c", it, i == 1)
				if rp.Size < 0 || !strings.HasPrefix(rp.ID, "urbackup/c/") || rp.Target != "urbackup/c" {
					t.Errorf("restore point %+v", rp)
				}
				checkJSON(t, rp)
			}
		}
	})
}

// FuzzUsageAnswer feeds a=usage and the usage fact made of it.
func FuzzUsageAnswer(f *testing.F) {
	addAnswers(f, "usage",
		`{"usage":[{"name":"c","used":"-","files":9.3e18,"images":9.3e18},{"name":"c","files":-1,"images":"NaN"}]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		var u usageAnswer
		if json.Unmarshal(body, &u) != nil {
			return
		}
		used := map[string]usageEntry{}
		for _, e := range u.Usage {
			for _, n := range []num{e.Used, e.Files, e.Images} {
				checkNum(t, n)
			}
			used[e.Name] = e
		}
		for name := range used {
			c := &Client{}
			facts := c.facts(&statusAnswer{}, clientStatus{Name: name, Online: true}, 0, used, fuzzNow)
			for _, fact := range facts {
				if fact.Label == "usage" && strings.Contains(fact.Value, "?") {
					t.Errorf("usage %q", fact.Value)
				}
			}
		}
	})
}

// FuzzLoginAnswers feeds a=salt and a=login (and a=start_backup, decoded
// the same way) and computes the login proof the salt asks for, which must
// take bounded time whatever the server asks.
func FuzzLoginAnswers(f *testing.F) {
	all := recordedAnswers(f)
	for _, action := range []string{"salt", "login", "start_backup"} {
		for _, s := range all[action] {
			f.Add(s)
		}
	}
	for _, s := range []string{"", "{", `{"error":"3"}`, `{"error":"-"}`, `{"ses":"s","salt":"x","rnd":"r","pbkdf2_rounds":1e18}`,
		`{"ses":"s","salt":"x","rnd":"r","pbkdf2_rounds":"-5"}`, `{"success":"true","session":""}`, `{"result":[{"clientid":"-","start_ok":"yes"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var s saltAnswer
		if decodeLogin(body, "salt", &s) == nil {
			checkNum(t, s.Error)
			if rounds, err := s.rounds(); err == nil {
				if rounds > maxPBKDF2Rounds {
					t.Fatalf("%d rounds", rounds)
				}
				if proof := LoginProof(s.Rnd, s.Salt, "pw", rounds); len(proof) != 32 {
					t.Errorf("proof %q", proof)
				}
			}
		}
		var l loginAnswer
		if decodeLogin(body, "login", &l) == nil {
			checkNum(t, l.Error)
		}
		var st startAnswer
		_ = json.Unmarshal(body, &st)
		_ = expired(body)
	})
}

// FuzzTransport feeds what the server sends back (status, content type,
// body) to the client's check, which lets only JSON (or nothing) through.
func FuzzTransport(f *testing.F) {
	for action, bodies := range recordedAnswers(f) {
		for _, b := range bodies {
			f.Add(200, "application/json", action, b)
		}
	}
	f.Add(200, "text/html; charset=UTF-8", "status", []byte("Error: Unknown action [status]"))
	f.Add(502, "text/html", "progress", []byte("<html><body>502 Bad Gateway</body></html>"))
	f.Add(200, "", "start_backup", []byte(""))
	f.Add(200, "application/json", "x", []byte("Error: Unknown action ["))
	f.Fuzz(func(t *testing.T, code int, contentType, action string, body []byte) {
		c := &Client{site: "https://bkpserver"}
		res := &http.Response{StatusCode: code, Status: http.StatusText(code), Header: http.Header{"Content-Type": {contentType}}}
		out, err := c.check(action, res, body)
		switch {
		case err != nil && out != nil:
			t.Fatalf("%q and %v", out, err)
		case err == nil && out != nil && out[0] != '{' && out[0] != '[':
			t.Errorf("let through %q", out)
		case err != nil && err.Error() == "":
			t.Error("an error without words")
		}
		if err == nil {
			_ = expired(out)
		}
	})
}
