package urbackup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// num decodes what UrBackup sends as a number, a numeric string ("55415"),
// a boolean or a placeholder: rejected clients carry "id":"-", and
// delete_pending can be "". Placeholders leave Valid false, and so do
// NaN, infinities and numbers beyond ±2^53, which a float64 cannot hold
// exactly (no id, time, size or duration UrBackup sends comes near it).
type num struct {
	V     float64
	Valid bool
}

// maxExact is the largest integer a float64 holds exactly.
const maxExact = 1 << 53

func (n *num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*n = num{}
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case string(b) == "true":
		*n = num{V: 1, Valid: true}
		return nil
	case string(b) == "false":
		*n = num{V: 0, Valid: true}
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			n.set(f)
		}
		return nil // "-", "" and friends: unknown
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("not a number: %.40s", b)
	}
	n.set(f)
	return nil
}

// set keeps f when it is a number num can hold exactly enough.
func (n *num) set(f float64) {
	if !math.IsNaN(f) && math.Abs(f) <= maxExact {
		*n = num{V: f, Valid: true}
	}
}

// Int is the value, or def when unknown.
func (n num) Int(def int64) int64 {
	if !n.Valid {
		return def
	}
	return int64(n.V)
}

// unix is a time in Unix seconds; unknown, or outside the years 0..9999
// that JSON and the history can hold, it is the epoch (as 0 is).
func (n num) unix() time.Time {
	t := time.Unix(n.Int(0), 0)
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return time.Unix(0, 0)
	}
	return t
}

// flag decodes UrBackup's booleans: true/false, 0/1, "0"/"1"/"true"/"";
// absent is false.
type flag bool

func (f *flag) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "yes", "on":
			*f = true
			return nil
		}
	}
	var n num
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	*f = flag(n.Valid && n.V != 0)
	return nil
}

// statusAnswer is a=status.
type statusAnswer struct {
	NoImages      flag           `json:"no_images"`
	NoFileBackups flag           `json:"no_file_backups"`
	Status        []clientStatus `json:"status"`
}

// clientStatus is one client in a=status. Times are Unix seconds, 0 = never.
type clientStatus struct {
	ID                   num       `json:"id"` // "-" for rejected clients
	Name                 string    `json:"name"`
	LastBackup           num       `json:"lastbackup"`
	LastBackupImage      num       `json:"lastbackup_image"`
	LastSeen             num       `json:"lastseen"`
	FileOK               flag      `json:"file_ok"`
	ImageOK              flag      `json:"image_ok"`
	FileDisabled         flag      `json:"file_disabled"`
	ImageDisabled        flag      `json:"image_disabled"`
	ImageNotSupported    flag      `json:"image_not_supported"` // the client cannot make images
	Online               flag      `json:"online"`
	DeletePending        flag      `json:"delete_pending"`
	Rejected             flag      `json:"rejected"`
	LastFileBackupIssues num       `json:"last_filebackup_issues"`
	ClientVersion        string    `json:"client_version_string"`
	OSSimple             string    `json:"os_simple"`
	OSVersion            string    `json:"os_version_string"`
	IP                   string    `json:"ip"`
	Processes            []process `json:"processes"`
}

// process is a running job in a=status (action and pcdone only).
type process struct {
	Action num `json:"action"`
	PCDone num `json:"pcdone"`
}

// known reports whether the client has a numeric id (rejected and unknown
// clients have "-").
func (s clientStatus) known() bool { return s.ID.Valid && s.ID.V > 0 }

// progressAnswer is a=progress.
type progressAnswer struct {
	Progress []progressEntry `json:"progress"`
}

// progressEntry is one running process in a=progress.
type progressEntry struct {
	ID         num    `json:"id"`
	ClientID   num    `json:"clientid"`
	Name       string `json:"name"` // the client's name
	Action     num    `json:"action"`
	PCDone     num    `json:"pcdone"`     // -1 unknown
	DoneBytes  num    `json:"done_bytes"` // -1 unknown
	TotalBytes num    `json:"total_bytes"`
	SpeedBPMS  num    `json:"speed_bpms"` // bytes per millisecond
	ETAms      num    `json:"eta_ms"`     // <= 0 unknown
	CanStop    num    `json:"can_stop_backup"`
	Details    string `json:"details"`
	Paused     flag   `json:"paused"`
}

// usageAnswer is a=usage.
type usageAnswer struct {
	Usage []usageEntry `json:"usage"`
}

type usageEntry struct {
	Name   string `json:"name"`
	Used   num    `json:"used"`
	Files  num    `json:"files"`
	Images num    `json:"images"`
}

// backupsAnswer is a=backups&sa=backups&clientid=N.
type backupsAnswer struct {
	ClientID     num          `json:"clientid"`
	ClientName   string       `json:"clientname"`
	Backups      []backupItem `json:"backups"`
	BackupImages []backupItem `json:"backup_images"`
}

type backupItem struct {
	ID          num    `json:"id"`
	BackupTime  num    `json:"backuptime"`
	Incremental num    `json:"incremental"` // 0 full, else incremental
	SizeBytes   num    `json:"size_bytes"`
	Archived    flag   `json:"archived"`
	Letter      string `json:"letter"` // image backups: the volume
}

// startAnswer is a=start_backup.
type startAnswer struct {
	Result []struct {
		ClientID  num    `json:"clientid"`
		StartOK   flag   `json:"start_ok"`
		StartType string `json:"start_type"`
	} `json:"result"`
}

// saltAnswer is a=salt.
type saltAnswer struct {
	Error        num    `json:"error"` // 0 unknown user, 3 rate-limited
	Ses          string `json:"ses"`
	Salt         string `json:"salt"`
	Rnd          string `json:"rnd"`
	PBKDF2Rounds num    `json:"pbkdf2_rounds"`
}

// maxPBKDF2Rounds bounds the rounds a=salt may ask for: UrBackup uses
// 10,000, and a server that asked for billions would keep the login busy
// for hours.
const maxPBKDF2Rounds = 1_000_000

// rounds is the PBKDF2 rounds the salt asks for; 0 or less means MD5 only.
func (s saltAnswer) rounds() (int, error) {
	r := s.PBKDF2Rounds.Int(0)
	if r > maxPBKDF2Rounds {
		return 0, fmt.Errorf("UrBackup's answer to a=salt asks for %d PBKDF2 rounds, more than any server uses (%d): is url in [urbackup] an UrBackup server?", r, maxPBKDF2Rounds)
	}
	return int(max(r, 0)), nil
}

// loginAnswer is a=login.
type loginAnswer struct {
	Error     num    `json:"error"` // 2 wrong password, 3 rate-limited
	Success   flag   `json:"success"`
	Session   string `json:"session"`    // only for sessions login creates
	AdminOnly string `json:"admin_only"` // the single web user, when users exist
}
