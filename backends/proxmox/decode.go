package proxmox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// number decodes what PVE sends as a number, a numeric string ("7200") or a
// placeholder ("N/A", "", null): the placeholders leave Valid false, and so
// do NaN and infinities (ParseFloat reads "NaN" and "Inf"), which PVE never
// means.
type number struct {
	V     float64
	Valid bool
}

func (n *number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*n = number{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			n.set(f)
		}
		return nil // "N/A" and friends: unknown
	}
	if string(b) == "true" || string(b) == "false" {
		if string(b) == "true" {
			*n = number{V: 1, Valid: true}
		} else {
			*n = number{V: 0, Valid: true}
		}
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return nil // 1e400: no use to anyone, unknown
		}
		return fmt.Errorf("not a number: %s", b)
	}
	n.set(f)
	return nil
}

func (n *number) set(f float64) {
	if !math.IsNaN(f) && !math.IsInf(f, 0) {
		*n = number{V: f, Valid: true}
	}
}

// Int64 is the value without its fraction, or def when unknown or beyond
// int64 (the conversion would give any value at all).
func (n number) Int64(def int64) int64 {
	if !n.Valid || n.V >= math.MaxInt64 || n.V < math.MinInt64 {
		return def
	}
	return int64(n.V)
}

// flag decodes PVE's booleans: 0/1, true/false, "0"/"1"; absent is false.
type flag bool

func (f *flag) UnmarshalJSON(b []byte) error {
	var n number
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	*f = flag(n.Valid && n.V != 0)
	return nil
}

// text decodes a string that may arrive as a number (a vmid list "411" or 411).
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	default:
		*t = text(b)
	}
	return nil
}

// retention decodes prune-backups, which PVE gives as an object (with
// numbers or strings as values, go-proxmox v0.8.2 expects a string and
// fails) or, on older versions, as "keep-last=3,keep-daily=7".
type retention struct {
	model.Retention
	Set bool
}

func (r *retention) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*r = retention{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	keep := map[string]number{}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		for _, kv := range strings.Split(s, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
			if !ok {
				continue
			}
			var n number
			_ = n.UnmarshalJSON([]byte(strconv.Quote(v)))
			keep[k] = n
		}
	} else if err := json.Unmarshal(b, &keep); err != nil {
		return fmt.Errorf("prune-backups: %w", err)
	}
	for k, v := range keep {
		n := int(v.Int64(0))
		if n < 0 || n > maxKeep {
			continue // PVE's schema has a minimum of 0: this is no retention
		}
		switch k {
		case "keep-last":
			r.KeepLast = n
		case "keep-hourly":
			r.KeepHourly = n
		case "keep-daily":
			r.KeepDaily = n
		case "keep-weekly":
			r.KeepWeekly = n
		case "keep-monthly":
			r.KeepMonthly = n
		case "keep-yearly":
			r.KeepYearly = n
		case "keep-all":
			r.KeepAll = n > 0
		}
		r.Set = true
	}
	return nil
}

// maxKeep bounds what a retention keeps (PVE sets no maximum; nobody keeps
// more than a million backups of one guest).
const maxKeep = 1 << 20

// resource is one entry of GET /cluster/resources: a node, a guest or a
// storage. lock is only in the raw JSON (go-proxmox's type drops it).
type resource struct {
	ID         string `json:"id"`
	Type       string `json:"type"` // node | qemu | lxc | storage | pool | sdn
	Node       string `json:"node"`
	Status     string `json:"status"`
	Name       string `json:"name"`
	VMID       number `json:"vmid"`
	Template   flag   `json:"template"`
	Lock       string `json:"lock"`
	Pool       string `json:"pool"`
	Storage    string `json:"storage"`
	PluginType string `json:"plugintype"`
	Content    string `json:"content"`
	Shared     flag   `json:"shared"`
	Disk       number `json:"disk"`
	MaxDisk    number `json:"maxdisk"`
}

// backupJob is one entry of GET /cluster/backup.
type backupJob struct {
	ID            string    `json:"id"`
	Type          string    `json:"type"`
	Enabled       number    `json:"enabled"` // absent means enabled
	Schedule      string    `json:"schedule"`
	Storage       string    `json:"storage"`
	Node          string    `json:"node"`
	All           flag      `json:"all"`
	VMID          text      `json:"vmid"`
	Exclude       text      `json:"exclude"`
	Pool          string    `json:"pool"`
	Mode          string    `json:"mode"`
	Compress      text      `json:"compress"`
	NotesTemplate string    `json:"notes-template"`
	NextRun       number    `json:"next-run"`
	PruneBackups  retention `json:"prune-backups"`
	// PVE 6's jobs (vzdump.cron) have a start time and weekdays instead
	// of a schedule.
	StartTime string `json:"starttime"`
	DOW       string `json:"dow"`
}

func (j backupJob) enabled() bool { return !j.Enabled.Valid || j.Enabled.V != 0 }

// covers reports whether the job backs up guest vmid on node (in pool).
func (j backupJob) covers(vmid int, node, pool string) bool {
	if !j.enabled() || (j.Node != "" && j.Node != node) {
		return false
	}
	switch {
	case bool(j.All):
		return !inList(string(j.Exclude), vmid)
	case j.Pool != "":
		return j.Pool == pool
	}
	return inList(string(j.VMID), vmid)
}

// inList reads PVE's vmid lists: "411,421 422".
func inList(list string, vmid int) bool {
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n == vmid {
			return true
		}
	}
	return false
}

// nodeStorage is one entry of GET /nodes/{n}/storage.
type nodeStorage struct {
	Storage string `json:"storage"`
	Type    string `json:"type"`
	Content string `json:"content"`
	Enabled number `json:"enabled"` // absent means enabled
	Active  flag   `json:"active"`
	Shared  flag   `json:"shared"`
	Total   number `json:"total"`
	Used    number `json:"used"`
	Avail   number `json:"avail"`
}

func (s nodeStorage) online() bool {
	return bool(s.Active) && (!s.Enabled.Valid || s.Enabled.V != 0)
}

// contentEntry is one volume of GET /nodes/{n}/storage/{s}/content.
// protected arrives as 1, as true, or not at all.
type contentEntry struct {
	VolID     string `json:"volid"`
	Content   string `json:"content"`
	Subtype   string `json:"subtype"`
	Format    string `json:"format"`
	Size      number `json:"size"`
	CTime     number `json:"ctime"`
	VMID      number `json:"vmid"`
	Notes     string `json:"notes"`
	Protected flag   `json:"protected"`
}

// taskStatus is GET /nodes/{n}/tasks/{upid}/status.
type taskStatus struct {
	UPID       string `json:"upid"`
	Node       string `json:"node"`
	Status     string `json:"status"` // running | stopped
	ExitStatus string `json:"exitstatus"`
	Type       string `json:"type"`
	ID         text   `json:"id"`
	User       string `json:"user"`
	StartTime  number `json:"starttime"`
}

// logLine is one line of GET /nodes/{n}/tasks/{upid}/log (n is 1-based).
type logLine struct {
	N number `json:"n"`
	T string `json:"t"`
}

// taskEntry is one entry of GET /nodes/{n}/tasks.
type taskEntry struct {
	UPID      string `json:"upid"`
	Node      string `json:"node"`
	Type      string `json:"type"`
	ID        text   `json:"id"`
	User      string `json:"user"`
	Status    string `json:"status"` // set once the task has ended
	StartTime number `json:"starttime"`
}

// snapshotEntry is one entry of GET /nodes/{n}/{type}/{vmid}/snapshot.
type snapshotEntry struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	SnapTime    number `json:"snaptime"`
	Parent      string `json:"parent"`
	VMState     flag   `json:"vmstate"`
}

// versionInfo is GET /version.
type versionInfo struct {
	Version string `json:"version"`
	Release string `json:"release"`
	RepoID  string `json:"repoid"`
}

// label is "pve 8.4" from release "8.4" or version "8.4.1".
func (v versionInfo) label() string {
	r := v.Release
	if r == "" {
		parts := strings.SplitN(v.Version, ".", 3)
		r = strings.Join(parts[:min(2, len(parts))], ".")
	}
	if r == "" {
		return "pve"
	}
	return "pve " + r
}

// splitList splits PVE's comma lists ("backup,iso") sorted.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

func hasItem(list []string, item string) bool {
	for _, x := range list {
		if x == item {
			return true
		}
	}
	return false
}
