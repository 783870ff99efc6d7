package urbackup

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// The recorded general settings carry the same settings object
// (getJSONClientSettings) the client settings page does: plain values.
func TestScheduleFromRecordedSettings(t *testing.T) {
	f := loadFixture(t, "settings_general")
	var answer struct {
		Settings clientSettings `json:"settings"`
	}
	if err := json.Unmarshal(f.Response.JSON, &answer); err != nil {
		t.Fatal(err)
	}
	if n, ok := answer.Settings.number("update_freq_incr"); !ok || n != 18000 {
		t.Fatalf("update_freq_incr %d %v", n, ok)
	}
	st := &statusAnswer{}
	last := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	tg := model.Target{ID: "urbackup/a", Name: "a", RestorePoints: []model.RestorePoint{
		{Method: model.MethodIncrFile, Time: last}, {Method: model.MethodFullFile, Time: last.AddDate(0, 0, -3)}}}
	ivs, facts := schedule(st, clientStatus{}, tg, answer.Settings, "pve/data")
	if len(ivs) != 4 {
		t.Fatalf("intervals %+v", ivs)
	}
	if ivs[0].Method != model.MethodIncrFile || ivs[0].Every != 5*time.Hour || !ivs[0].Last.Equal(last) || ivs[0].Window != "1-7/0-24" || ivs[0].Store != "pve/data" {
		t.Errorf("incremental %+v", ivs[0])
	}
	if ivs[1].Every != 30*24*time.Hour || !ivs[1].Last.Equal(last.AddDate(0, 0, -3)) {
		t.Errorf("full %+v", ivs[1])
	}
	text := factText(facts)
	for _, want := range []string{"schedule: incremental file every 5 h, full file every 30 d", "retention: keeps incremental file 40–100, full file 2–10"} {
		if !strings.Contains(text, want) {
			t.Errorf("facts lack %q:\n%s", want, text)
		}
	}
	// Images off on the server, file backups off for the client: nothing is scheduled.
	if ivs, _ := schedule(&statusAnswer{NoImages: true}, clientStatus{FileDisabled: true}, tg, answer.Settings, ""); len(ivs) != 0 {
		t.Errorf("intervals %+v", ivs)
	}
}

func TestSettingUse(t *testing.T) {
	raw := `{"a":{"value":"1","value_group":"2","value_client":"3","use":4},"b":{"value":"1","value_group":"2","use":1},
	 "c":{"value":"1","value_group":"2","use":2},"d":"7","e":{"value":"-604800","use":2}}`
	var cs clientSettings
	if err := json.Unmarshal([]byte(raw), &cs); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]int64{"a": 3, "b": 2, "c": 1, "d": 7, "e": -604800} {
		if n, ok := cs.number(key); !ok || n != want {
			t.Errorf("%s = %d %v, want %d", key, n, ok, want)
		}
	}
	if _, ok := cs.number("missing"); ok {
		t.Error("a missing key has a value")
	}
	tg := model.Target{ID: "urbackup/a"}
	cs["update_freq_image_full"] = json.RawMessage(`{"value":"-5184000","use":2}`)
	cs["update_freq_image_incr"] = json.RawMessage(`{"value":"604800","use":2}`)
	ivs, _ := schedule(&statusAnswer{}, clientStatus{}, tg, cs, "")
	for _, iv := range ivs {
		if iv.Method == model.MethodFullImage {
			t.Error("a negative interval (UrBackup's disabled) was scheduled")
		}
	}
}

func factText(facts []model.Fact) string {
	var b strings.Builder
	for _, f := range facts {
		b.WriteString(f.Label + ": " + f.Value + "\n")
	}
	return b.String()
}
