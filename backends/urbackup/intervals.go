package urbackup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// setting is one key of a=settings's settings object. UrBackup 2.x sends
// {"value", "value_group", "value_client", "use"}: use says which applies
// (1 the group's, 2 the server's value for this client, 4 the client's
// own); older servers and the general page send the value alone.
type setting struct {
	Value       json.RawMessage `json:"value"`
	ValueGroup  json.RawMessage `json:"value_group"`
	ValueClient json.RawMessage `json:"value_client"`
	Use         num             `json:"use"`
}

// The bits of "use" (server_settings.h: c_use_group, c_use_value,
// c_use_value_client).
const (
	useGroup       = 1
	useValue       = 2
	useValueClient = 4
)

// effective is the value that applies: the client's own where use says so,
// else the server's for the client, else the group's.
func (s setting) effective() json.RawMessage {
	if !s.Use.Valid {
		return s.Value
	}
	u := s.Use.Int(0)
	switch {
	case u&useValueClient != 0 && len(s.ValueClient) > 0:
		return s.ValueClient
	case u&useValue != 0 && len(s.Value) > 0:
		return s.Value
	case u&useGroup != 0 && len(s.ValueGroup) > 0:
		return s.ValueGroup
	}
	return s.Value
}

// clientSettings is the answer to a=settings&sa=clientsettings.
type clientSettings map[string]json.RawMessage

func (cs clientSettings) raw(key string) (json.RawMessage, bool) {
	b, ok := cs[key]
	if !ok {
		return nil, false
	}
	var s setting
	if len(b) > 0 && b[0] == '{' && json.Unmarshal(b, &s) == nil {
		return s.effective(), true
	}
	return b, true
}

func (cs clientSettings) number(key string) (int64, bool) {
	b, ok := cs.raw(key)
	if !ok {
		return 0, false
	}
	var n num
	if n.UnmarshalJSON(b) != nil || !n.Valid {
		return 0, false
	}
	return n.Int(0), true
}

func (cs clientSettings) text(key string) string {
	b, _ := cs.raw(key)
	var s string
	if json.Unmarshal(b, &s) != nil {
		return ""
	}
	return s
}

// readClientSettings asks the server for one client's settings. A web user
// without the settings right gets {"error":1} however often it logs in: the
// first refusal is remembered, and the schedule is then not shown, without
// failing the refresh (the rest of the client's facts stand).
func (c *Client) readClientSettings(ctx context.Context, id int64) (clientSettings, bool) {
	c.mu.Lock()
	refused := c.settingsRefused
	c.mu.Unlock()
	if refused {
		return nil, false
	}
	var answer struct {
		Settings clientSettings `json:"settings"`
		Error    num            `json:"error"`
	}
	form := url.Values{"sa": {"clientsettings"}, "t_clientid": {strconv.FormatInt(id, 10)}}
	err := c.call(ctx, "settings", form, &answer)
	var re *RightsError
	switch {
	case err == nil && answer.Settings != nil:
		return answer.Settings, true
	case err == nil, errors.As(err, &re):
		// No settings in the answer (the right does not cover the
		// client), or {"error":1} after a fresh login: a missing right,
		// which the next refresh would meet again.
		c.mu.Lock()
		c.settingsRefused = true
		c.mu.Unlock()
	}
	return nil, false // a failure of the moment: asked again next refresh
}

// maxIntervalSecs bounds an interval (ten years): a larger one is no
// schedule, and would overflow a time.Duration.
const maxIntervalSecs = 10 * 366 * 24 * 3600

// kindSettings names the settings of one kind of backup.
type kindSettings struct {
	method      model.Method
	freq        string // seconds between backups
	window      string
	minKey      string
	maxKey      string
	description string
}

var kinds = []kindSettings{
	{model.MethodIncrFile, "update_freq_incr", "backup_window_incr_file", "min_file_incr", "max_file_incr", "incremental file"},
	{model.MethodFullFile, "update_freq_full", "backup_window_full_file", "min_file_full", "max_file_full", "full file"},
	{model.MethodIncrImage, "update_freq_image_incr", "backup_window_incr_image", "min_image_incr", "max_image_incr", "incremental image"},
	{model.MethodFullImage, "update_freq_image_full", "backup_window_full_image", "min_image_full", "max_image_full", "full image"},
}

// schedule turns a client's settings into the intervals its backups repeat
// at (a kind the server does not schedule for it has none) and the facts
// the detail pane shows: how often, in which window, and how many are kept.
func schedule(st *statusAnswer, cs clientStatus, t model.Target, set clientSettings, store string) ([]model.BackupInterval, []model.Fact) {
	var out []model.BackupInterval
	var every, keep []string
	for _, k := range kinds {
		image := k.method == model.MethodIncrImage || k.method == model.MethodFullImage
		off := bool(st.NoFileBackups) || bool(cs.FileDisabled)
		if image {
			off = bool(st.NoImages) || bool(cs.ImageDisabled) || bool(cs.ImageNotSupported)
		}
		secs, ok := set.number(k.freq)
		if off || !ok || secs <= 0 || secs > maxIntervalSecs {
			continue // negative is how UrBackup says "disabled" for a client
		}
		iv := model.BackupInterval{Target: t.ID, Name: t.Name, Method: k.method, Every: time.Duration(secs) * time.Second,
			Window: set.text(k.window), Store: store, Last: lastOfKind(t, k.method)}
		out = append(out, iv)
		e := k.description + " every " + model.HumanAge(iv.Every)
		if iv.Window != "" && iv.Window != "1-7/0-24" {
			e += " (window " + iv.Window + ")"
		}
		every = append(every, e)
		lo, okLo := set.number(k.minKey)
		hi, okHi := set.number(k.maxKey)
		if okLo && okHi {
			keep = append(keep, fmt.Sprintf("%s %d–%d", k.description, lo, hi))
		}
	}
	var facts []model.Fact
	if len(every) > 0 {
		facts = append(facts, model.Fact{Label: "schedule", Value: strings.Join(every, ", ")})
	}
	if len(keep) > 0 {
		facts = append(facts, model.Fact{Label: "retention", Value: "keeps " + strings.Join(keep, ", ") + " (min–max)"})
	}
	return out, facts
}

// lastOfKind is when the kind of backup last ran: an incremental's interval
// counts from the last backup of its kind, full or incremental, as
// UrBackup's own check does; a full's from the last full.
func lastOfKind(t model.Target, m model.Method) time.Time {
	var last time.Time
	for _, rp := range t.RestorePoints {
		match := rp.Method == m
		switch m {
		case model.MethodIncrFile:
			match = rp.Method == model.MethodIncrFile || rp.Method == model.MethodFullFile
		case model.MethodIncrImage:
			match = rp.Method == model.MethodIncrImage || rp.Method == model.MethodFullImage
		}
		if match && rp.Time.After(last) {
			last = rp.Time
		}
	}
	return last
}
