package urbackup

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// FuzzClientSettings feeds a=settings answers to what reads a client's
// intervals: no panic, and no interval that is not positive.
func FuzzClientSettings(f *testing.F) {
	f.Add([]byte(`{"settings":{"update_freq_incr":{"value":"86400","value_client":"43200","use":4},"update_freq_full":"2592000","backup_window_incr_file":{"value":"1-7/18-23"},"min_file_incr":{"value":40},"max_file_incr":{"value":"100"}}}`))
	f.Add([]byte(`{"settings":{"update_freq_image_full":{"value":"-5184000","use":2},"update_freq_incr":{"value":1e400},"update_freq_full":{"use":"x"}}}`))
	f.Add([]byte(`{"navitems":{}}`))
	tg := model.Target{ID: "urbackup/a", Name: "a", RestorePoints: []model.RestorePoint{{Method: model.MethodIncrFile, Time: time.Unix(1795000000, 0)}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		var answer struct {
			Settings clientSettings `json:"settings"`
		}
		if json.Unmarshal(b, &answer) != nil {
			return
		}
		ivs, _ := schedule(&statusAnswer{}, clientStatus{}, tg, answer.Settings, "")
		for _, iv := range ivs {
			if iv.Every <= 0 {
				t.Fatalf("interval %+v", iv)
			}
		}
	})
}
