package urbackup

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// decodeAs decodes a fixture's body into the type the client uses for its
// action.
func decodeAs(name, body string) (any, error) {
	var v any
	switch {
	case strings.HasPrefix(name, "status"):
		v = &statusAnswer{}
	case strings.HasPrefix(name, "progress"):
		v = &progressAnswer{}
	case strings.HasPrefix(name, "usage"):
		v = &usageAnswer{}
	case strings.HasPrefix(name, "backups"):
		v = &backupsAnswer{}
	case strings.HasPrefix(name, "start_backup"):
		v = &startAnswer{}
	case strings.HasPrefix(name, "salt"):
		v = &saltAnswer{}
	case strings.HasPrefix(name, "login"):
		v = &loginAnswer{}
	default:
		return nil, nil
	}
	if strings.TrimSpace(body) == "" {
		return v, nil
	}
	return v, json.Unmarshal([]byte(body), v)
}

// TestFixturesDecode decodes every recorded body the client parses.
func TestFixturesDecode(t *testing.T) {
	n := 0
	for _, name := range fixtureNames(t) {
		f := loadFixture(t, name)
		v, err := decodeAs(name, f.Response.Body)
		if v == nil {
			continue
		}
		n++
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		// What the transport makes of it: JSON, or an empty body.
		if !strings.HasPrefix(f.Response.StatusLine, "HTTP/1.1 200 ok") {
			t.Errorf("%s: status line %q", name, f.Response.StatusLine)
		}
	}
	if n < 30 {
		t.Errorf("only %d fixtures decoded, want every status/progress/usage/backups/start_backup/salt/login one", n)
	}
}

func decoded[T any](t *testing.T, name string) T {
	t.Helper()
	f := loadFixture(t, name)
	var v T
	if err := json.Unmarshal([]byte(f.Response.Body), &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func TestFixtureStatus(t *testing.T) {
	st := decoded[statusAnswer](t, "status_with_offline_client")
	if len(st.Status) != 1 || st.NoImages || st.NoFileBackups {
		t.Fatalf("status: %+v", st)
	}
	cs := st.Status[0]
	if !cs.known() || cs.ID.Int(0) != 1 || cs.Name != "testclient" || bool(cs.Online || cs.FileOK || cs.ImageOK) ||
		cs.LastBackup.Int(-1) != 0 || cs.LastBackupImage.Int(-1) != 0 || cs.LastSeen.Int(0) != 1795653104 ||
		bool(cs.DeletePending) || cs.IP != "-" || len(cs.Processes) != 0 {
		t.Errorf("client: %+v", cs)
	}
	for _, name := range []string{"status", "status_anonymous_session", "status_web_ui_content_type"} {
		st := decoded[statusAnswer](t, name)
		if len(st.Status) != 0 || st.NoImages {
			t.Errorf("%s: %+v", name, st)
		}
		if expired([]byte(loadFixture(t, name).Response.Body)) {
			t.Errorf("%s taken for an expired session", name)
		}
	}
	for _, name := range []string{"status_invalid_session", "status_no_session", "status_ses_in_query_string"} {
		if !expired([]byte(loadFixture(t, name).Response.Body)) {
			t.Errorf("%s: {\"error\":1} not taken for an expired session", name)
		}
	}
}

func TestFixtureProgressUsageBackups(t *testing.T) {
	for _, name := range []string{"progress", "progress_without_lastacts"} {
		if p := decoded[progressAnswer](t, name); len(p.Progress) != 0 {
			t.Errorf("%s: %+v", name, p)
		}
	}
	if u := decoded[usageAnswer](t, "usage"); len(u.Usage) != 0 {
		t.Errorf("usage: %+v", u)
	}
	u := decoded[usageAnswer](t, "usage_with_client")
	if len(u.Usage) != 1 || u.Usage[0].Name != "testclient" || u.Usage[0].Files.Int(-1) != 0 || u.Usage[0].Images.Int(-1) != 0 || u.Usage[0].Used.Int(-1) != 0 {
		t.Errorf("usage_with_client: %+v", u)
	}
	b := decoded[backupsAnswer](t, "backups_client_backups")
	if b.ClientID.Int(0) != 1 || b.ClientName != "testclient" || len(b.Backups) != 0 || len(b.BackupImages) != 0 {
		t.Errorf("backups_client_backups: %+v", b)
	}
	for _, name := range []string{"backups", "backups_with_client"} {
		if b := decoded[backupsAnswer](t, name); len(b.Backups) != 0 {
			t.Errorf("%s: %+v", name, b)
		}
	}
}

func TestFixtureStartBackup(t *testing.T) {
	for _, typ := range []string{"full_file", "full_image", "incr_file", "incr_image"} {
		a := decoded[startAnswer](t, "start_backup_offline_client_"+typ)
		if len(a.Result) != 1 || a.Result[0].ClientID.Int(0) != 1 || a.Result[0].StartOK || a.Result[0].StartType != typ {
			t.Errorf("%s: %+v", typ, a)
		}
	}
	a := decoded[startAnswer](t, "start_backup_two_clients")
	if len(a.Result) != 2 || a.Result[0].ClientID.Int(0) != 1 || a.Result[1].ClientID.Int(0) != 999 || a.Result[1].StartOK {
		t.Errorf("two clients: %+v", a)
	}
	if a := decoded[startAnswer](t, "start_backup_bad_type"); len(a.Result) != 1 || a.Result[0].StartType != "bogus" || a.Result[0].StartOK {
		t.Errorf("bad type: %+v", a)
	}
	if a := decoded[startAnswer](t, "start_backup_unknown_client"); len(a.Result) != 1 || a.Result[0].ClientID.Int(0) != 999 {
		t.Errorf("unknown client: %+v", a)
	}
	// No session, no start_client: the server writes no body at all, which
	// the client takes for an expired session.
	for _, name := range []string{"start_backup_no_session", "start_backup_no_client_param"} {
		f := loadFixture(t, name)
		if f.Response.Body != "" || !expired([]byte(f.Response.Body)) {
			t.Errorf("%s: body %q", name, f.Response.Body)
		}
	}
}

func TestFixtureSaltLogin(t *testing.T) {
	s := decoded[saltAnswer](t, "salt")
	if s.Error.Valid || s.Ses != "BFuWO6C3TaiUBW8XlNaxm0N0YiinMF" || s.Salt != vecSalt || s.Rnd != vecRnd || s.PBKDF2Rounds.Int(0) != vecRounds {
		t.Errorf("salt: %+v", s)
	}
	if s := decoded[saltAnswer](t, "salt_for_wrong_password"); s.Rnd != "zGwuqmqlZ7" || s.Error.Valid {
		t.Errorf("salt_for_wrong_password: %+v", s)
	}
	for _, name := range []string{"salt_no_users", "salt_unknown_user"} {
		s := decoded[saltAnswer](t, name)
		if !s.Error.Valid || s.Error.Int(-1) != 0 || s.Ses == "" || s.Salt != "" {
			t.Errorf("%s: error 0 (unknown user) not seen: %+v", name, s)
		}
	}
	if s := decoded[saltAnswer](t, "salt_with_session_no_username"); s.Ses != "" || s.Rnd != "GdhMpCUwgL" || s.Error.Valid {
		t.Errorf("salt_with_session_no_username: %+v", s)
	}
	l := decoded[loginAnswer](t, "login")
	if !bool(l.Success) || l.Session != "" || l.Error.Valid {
		t.Errorf("login: %+v", l)
	}
	for _, name := range []string{"login_no_users_anonymous", "login_no_users_anonymous_again", "login_plainpw"} {
		if l := decoded[loginAnswer](t, name); !l.Success || l.Session == "" {
			t.Errorf("%s: %+v", name, l)
		}
	}
	for _, name := range []string{"login_users_exist_no_credentials", "login_get_request"} {
		if l := decoded[loginAnswer](t, name); l.Success || l.AdminOnly != "admin" {
			t.Errorf("%s: %+v", name, l)
		}
	}
	if l := decoded[loginAnswer](t, "login_wrong_password"); bool(l.Success) || !l.Error.Valid || l.Error.Int(0) != 2 {
		t.Errorf("login_wrong_password: %+v", l)
	}
	// The recorded login was accepted with the proof computed from salt.json.
	f := loadFixture(t, "login")
	if f.Request.Form["password"] != LoginProof(s.Rnd, s.Salt, vecPassword, int(s.PBKDF2Rounds.Int(0))) {
		t.Errorf("the recorded proof %s is not ours", f.Request.Form["password"])
	}
}

func TestLenientDecoding(t *testing.T) {
	// Shapes the real server sends for rejected clients (status.cpp) and
	// placeholders seen in other answers.
	body := `{"no_images":"1","status":[
	 {"id":"-","name":"stranger","lastbackup":"-","lastseen":"-","lastbackup_image":"-","online":true,"delete_pending":0,"rejected":true,"file_ok":false,"image_ok":false,"status":10},
	 {"id":"7","name":"k3sagent01","lastbackup":"1795653104","online":1,"file_ok":"1","image_ok":0,"delete_pending":"","last_filebackup_issues":"2","processes":[{"action":1,"pcdone":-1}]}]}`
	var st statusAnswer
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if !st.NoImages || len(st.Status) != 2 {
		t.Fatalf("%+v", st)
	}
	r, a := st.Status[0], st.Status[1]
	if r.known() || r.ID.Valid || r.LastBackup.Valid || !bool(r.Online && r.Rejected) {
		t.Errorf("rejected client: %+v", r)
	}
	if !a.known() || a.ID.Int(0) != 7 || a.LastBackup.Int(0) != 1795653104 || !bool(a.Online && a.FileOK) || bool(a.ImageOK || a.DeletePending) ||
		a.LastFileBackupIssues.Int(0) != 2 || len(a.Processes) != 1 || a.Processes[0].PCDone.Int(0) != -1 {
		t.Errorf("client: %+v", a)
	}
	var p progressAnswer
	if err := json.Unmarshal([]byte(`{"progress":[{"id":"3","clientid":2,"name":"k3sagent01","action":"2","pcdone":45,"done_bytes":"-1","total_bytes":null,"speed_bpms":152.5,"eta_ms":"-","can_stop_backup":true,"paused":false}]}`), &p); err != nil {
		t.Fatal(err)
	}
	e := p.Progress[0]
	pr := newMeter().observe(e, model.MethodFullFile, time.Unix(0, 0))
	if e.ID.Int(0) != 3 || pr.Percent != 45 || pr.DoneBytes != -1 || pr.TotalBytes != -1 || pr.ReadBytesPerS != 152500 || pr.ETAKnown || pr.LastLine != "transferring files" {
		t.Errorf("progress %+v → %+v", e, pr)
	}
	var bad statusAnswer
	if err := json.Unmarshal([]byte(`{"status":[{"id":{}}]}`), &bad); err == nil {
		t.Error("an object for a number decoded without error")
	}
}

// TestProgressOfOneReading: what one a=progress entry says on its own
// (a console that picks a running backup up): no speed from a single
// reading, and never UrBackup's eta_ms.
func TestProgressOfOneReading(t *testing.T) {
	cases := []struct {
		name string
		e    progressEntry
		m    model.Method
		want model.Progress
	}{
		{"indexing", progressEntry{PCDone: num{-1, true}, DoneBytes: num{0, true}, TotalBytes: num{-1, true}, SpeedBPMS: num{0, true}, ETAms: num{61000, true}, Details: "0"}, model.MethodIncrFile,
			model.Progress{Percent: -1, DoneBytes: 0, TotalBytes: -1, ReadBytesPerS: -1, WriteBytesPerS: -1, LastLine: "indexing", Phase: "indexing"}},
		{"transfer", progressEntry{PCDone: num{45, true}, DoneBytes: num{1 << 30, true}, TotalBytes: num{4 << 30, true}, SpeedBPMS: num{2048, true}, ETAms: num{61000, true}, Details: "0"}, model.MethodFullFile,
			model.Progress{Percent: 45, DoneBytes: 1 << 30, TotalBytes: 4 << 30, ReadBytesPerS: -1, WriteBytesPerS: -1, LastLine: "transferring files"}},
		{"nothing changed", progressEntry{PCDone: num{100, true}, DoneBytes: num{0, true}, TotalBytes: num{0, true}, ETAms: num{-1454, true}}, model.MethodIncrFile,
			model.Progress{Percent: 99, DoneBytes: 0, TotalBytes: -1, ReadBytesPerS: -1, WriteBytesPerS: -1, LastLine: "finishing on the server", Phase: "finishing on the server"}},
		{"details win", progressEntry{PCDone: num{3, true}, Details: "Indexing /mnt/gitea-hdd"}, model.MethodIncrFile,
			model.Progress{Percent: 3, DoneBytes: -1, TotalBytes: -1, ReadBytesPerS: -1, WriteBytesPerS: -1, LastLine: "Indexing /mnt/gitea-hdd"}},
		{"image", progressEntry{PCDone: num{10, true}, SpeedBPMS: num{-5, true}}, model.MethodFullImage,
			model.Progress{Percent: 10, DoneBytes: -1, TotalBytes: -1, ReadBytesPerS: -1, WriteBytesPerS: -1, LastLine: "transferring the image"}},
	}
	for _, tc := range cases {
		if got := newMeter().observe(tc.e, tc.m, time.Unix(0, 0)); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestUnknownActionFixture runs the recorded "Error: Unknown action" answer
// through the transport.
func TestUnknownActionFixture(t *testing.T) {
	f := loadFixture(t, "unknown_action")
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) { replay(w, f) })
	c := newTestClient(t, srv.URL, "", "")
	_, err := c.Observe(context.Background())
	var ua *UnknownActionError
	if !errors.As(err, &ua) || ua.Action != "nosuchaction" {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "UrBackup is still starting or too old: it does not know action nosuchaction") {
		t.Errorf("message: %v", err)
	}
}

// TestReplayRecordedServer plays the recorded server: the client must log
// in with exactly the recorded proof, read the offline client, and report
// the refused start as the real server refused it.
func TestReplayRecordedServer(t *testing.T) {
	const ses = "BFuWO6C3TaiUBW8XlNaxm0N0YiinMF"
	var mu sync.Mutex
	var actions []string
	srv := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		a := r.URL.Query().Get("a")
		form := readForm(r)
		mu.Lock()
		actions = append(actions, a)
		mu.Unlock()
		if r.URL.Path != "/x" || r.Method != http.MethodPost || r.URL.Query().Get("ses") != "" {
			t.Errorf("request %s %s", r.Method, r.URL)
		}
		name := ""
		switch a {
		case "salt":
			if form.Get("username") != "admin" {
				t.Errorf("salt form %v", form)
			}
			name = "salt"
		case "login":
			if form.Get("password") != vecProof || form.Get("ses") != ses || form.Get("username") != "admin" {
				t.Errorf("login form %v", form)
				name = "login_wrong_password"
			} else {
				name = "login"
			}
		default:
			if form.Get("ses") != ses {
				name = "status_no_session"
				break
			}
			switch a {
			case "status":
				name = "status_with_offline_client"
			case "usage":
				name = "usage_with_client"
			case "backups":
				if form.Get("sa") != "backups" || form.Get("clientid") != "1" {
					t.Errorf("backups form %v", form)
				}
				name = "backups_client_backups"
			case "start_backup":
				if form.Get("start_client") != "1" || form.Get("start_type") != "full_file" {
					t.Errorf("start form %v", form)
				}
				name = "start_backup_offline_client_full_file"
			default:
				name = "unknown_action"
			}
		}
		replay(w, loadFixture(t, name))
	})
	now := time.Unix(1795653104, 0).Add(3 * time.Hour)
	c := newTestClient(t, srv.URL+"/x/", "admin", vecPassword, func(o *Options) {
		o.Now = func() time.Time { return now }
		o.Config.Clients = []model.URBackupClientConfig{{Name: "testclient", Folders: []string{"/srv/a", "/srv/b"}}}
	})
	st, err := c.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.OK || st.Source != model.SourceURBackup || len(st.Targets) != 1 || len(st.Stores) != 0 {
		t.Fatalf("state: %+v", st)
	}
	tg := st.Targets[0]
	want := []model.Method{model.MethodIncrFile, model.MethodFullFile, model.MethodIncrImage, model.MethodFullImage}
	if tg.ID != "urbackup/testclient" || tg.Name != "testclient" || tg.Kind != model.KindClient || !tg.Offline ||
		len(tg.RestorePoints) != 0 || strings.Join(methodStrings(tg.Methods), ",") != strings.Join(methodStrings(want), ",") {
		t.Errorf("target: %+v", tg)
	}
	if tg.Detail != "UrBackup client · offline, last seen 3 h ago" {
		t.Errorf("detail %q", tg.Detail)
	}
	facts := factMap(tg.Facts)
	for label, want := range map[string]string{
		"online":        "no, last seen 3 h ago",
		"file backups":  "none yet",
		"image backups": "none yet",
		"usage":         "0 B (files 0 B, images 0 B)",
		"folders":       "/srv/a, /srv/b",
	} {
		if facts[label] != want {
			t.Errorf("fact %s = %q, want %q", label, facts[label], want)
		}
	}
	if _, ok := facts["client"]; ok {
		t.Errorf("a client fact without version or OS: %q", facts["client"])
	}

	_, err = c.Start(context.Background(), model.JobRequest{Target: "urbackup/testclient", Method: model.MethodFullFile})
	if err == nil || err.Error() != "UrBackup did not start the backup of testclient: the client is offline (last seen 3 h ago)" {
		t.Errorf("start: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(actions, ","); got != "salt,login,status,usage,backups,settings,status,start_backup" {
		t.Errorf("actions %s", got)
	}
}

func methodStrings(ms []model.Method) []string {
	var s []string
	for _, m := range ms {
		s = append(s, string(m))
	}
	return s
}

func factMap(fs []model.Fact) map[string]string {
	m := map[string]string{}
	for _, f := range fs {
		m[f.Label] = f.Value
	}
	return m
}
