package urbackup

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

const targetPrefix = "urbackup/"

// Observe reads the clients (a=status), their storage use (a=usage) and the
// backups of each known client (a=backups): one target per client.
func (c *Client) Observe(ctx context.Context) (model.SourceState, error) {
	st, err := c.status(ctx)
	if err != nil {
		return model.SourceState{}, err
	}
	var usage usageAnswer
	if err := c.call(ctx, "usage", nil, &usage); err != nil {
		return model.SourceState{}, err
	}
	used := map[string]usageEntry{}
	for _, u := range usage.Usage {
		used[u.Name] = u
	}
	now := c.now()
	var targets []model.Target
	var intervals []model.BackupInterval
	for _, cs := range st.Status {
		if !cs.known() {
			continue // a rejected or unknown client: nothing to back up here
		}
		var b backupsAnswer
		form := url.Values{"sa": {"backups"}, "clientid": {strconv.FormatInt(cs.ID.Int(0), 10)}}
		if err := c.call(ctx, "backups", form, &b); err != nil {
			return model.SourceState{}, err
		}
		t := c.target(st, cs, b, used, now)
		if set, ok := c.readClientSettings(ctx, cs.ID.Int(0)); ok {
			ivs, facts := schedule(st, cs, t, set, c.cfg.Store)
			intervals = append(intervals, ivs...)
			t.Facts = append(t.Facts, facts...)
		}
		targets = append(targets, t)
	}
	sort.SliceStable(targets, func(i, j int) bool { return targets[i].Name < targets[j].Name })
	return model.SourceState{
		Source:   model.SourceURBackup,
		OK:       true,
		At:       now,
		Insecure: c.Insecure(),
		Targets:  targets,

		Intervals: intervals,
	}, nil
}

// status reads a=status and keeps it for Start and Follow.
func (c *Client) status(ctx context.Context) (*statusAnswer, error) {
	var st statusAnswer
	if err := c.call(ctx, "status", nil, &st); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.last = &st
	c.mu.Unlock()
	return &st, nil
}

// lastStatus is the status last read, or a fresh one.
func (c *Client) lastStatus(ctx context.Context) (*statusAnswer, error) {
	c.mu.Lock()
	st := c.last
	c.mu.Unlock()
	if st != nil {
		return st, nil
	}
	return c.status(ctx)
}

func (st *statusAnswer) byName(name string) (clientStatus, bool) {
	for _, cs := range st.Status {
		if cs.Name == name && cs.known() {
			return cs, true
		}
	}
	return clientStatus{}, false
}

func (st *statusAnswer) byID(id int64) (clientStatus, bool) {
	for _, cs := range st.Status {
		if cs.known() && cs.ID.Int(0) == id {
			return cs, true
		}
	}
	return clientStatus{}, false
}

func (st *statusAnswer) names() string {
	var n []string
	for _, cs := range st.Status {
		if cs.known() {
			n = append(n, cs.Name)
		}
	}
	sort.Strings(n)
	if len(n) == 0 {
		return "it has no clients"
	}
	return "it has " + strings.Join(n, ", ")
}

func targetID(name string) string { return targetPrefix + name }

// clientName reads "urbackup/<name>".
func clientName(target string) (string, error) {
	name, ok := strings.CutPrefix(target, targetPrefix)
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", fmt.Errorf("%q is not an UrBackup target (urbackup/<client name>)", target)
	}
	return name, nil
}

// methods lists what can be started on a client, incremental first. A
// kind the server does no backups of, or images the client cannot make,
// are not offered ("not used" is never a failure). Automatic backups
// switched off for the client (file_disabled, image_disabled) only stop the
// schedule: a backup asked for by hand still runs, so it is offered.
func methods(st *statusAnswer, cs clientStatus) []model.Method {
	var m []model.Method
	if !st.NoFileBackups {
		m = append(m, model.MethodIncrFile, model.MethodFullFile)
	}
	if !st.NoImages && !cs.ImageNotSupported {
		m = append(m, model.MethodIncrImage, model.MethodFullImage)
	}
	return m
}

func (c *Client) target(st *statusAnswer, cs clientStatus, b backupsAnswer, used map[string]usageEntry, now time.Time) model.Target {
	id := targetID(cs.Name)
	t := model.Target{
		ID:      id,
		Name:    cs.Name,
		Kind:    model.KindClient,
		Source:  model.SourceURBackup,
		Offline: !bool(cs.Online),
		Methods: methods(st, cs),
	}
	t.State = "online"
	t.Detail = "UrBackup client · online"
	if t.Offline {
		t.State = "offline"
		t.Detail = "UrBackup client · offline, " + lastSeen(cs, now)
	}
	for _, it := range b.Backups {
		t.RestorePoints = append(t.RestorePoints, restorePoint(id, it, false))
	}
	for _, it := range b.BackupImages {
		t.RestorePoints = append(t.RestorePoints, restorePoint(id, it, true))
	}
	sort.SliceStable(t.RestorePoints, func(i, j int) bool { return t.RestorePoints[i].Time.After(t.RestorePoints[j].Time) })
	t.Facts = c.facts(st, cs, len(b.Backups), used, now)
	return t
}

func restorePoint(target string, it backupItem, image bool) model.RestorePoint {
	rp := model.RestorePoint{
		ID:     fmt.Sprintf("%s/%d", target, it.ID.Int(0)),
		Target: target,
		Method: model.MethodFullFile,
		Time:   it.BackupTime.unix(),
		Size:   max(it.SizeBytes.Int(0), 0),
		Notes:  "full",
	}
	incremental := it.Incremental.Int(0) != 0
	if incremental {
		rp.Method, rp.Notes = model.MethodIncrFile, "incremental"
	}
	if image {
		// Image and file backups are numbered apart.
		rp.ID = fmt.Sprintf("%s/image-%d", target, it.ID.Int(0))
		rp.Method, rp.Notes = model.MethodFullImage, "full image"
		if incremental {
			rp.Method, rp.Notes = model.MethodIncrImage, "incremental image"
		}
		if it.Letter != "" {
			rp.Notes += " of " + it.Letter
		}
	} else if it.SizeBytes.Valid && it.SizeBytes.V == 0 {
		// A file backup's size is what it added: 0 when every file was
		// already stored and is only linked (a real full backup of data
		// that had not changed said so). It is whole, not empty.
		rp.Deduplicated = true
		rp.Notes += " · deduplicated: every file was already stored"
		if incremental {
			rp.Notes = "incremental · no changes"
		}
	}
	if it.Archived {
		rp.Notes += " · archived"
	}
	return rp
}

func lastSeen(cs clientStatus, now time.Time) string {
	s := cs.LastSeen.Int(0)
	if s <= 0 {
		return "never seen"
	}
	return "last seen " + model.HumanAge(now.Sub(time.Unix(s, 0))) + " ago"
}

// facts are the labelled lines of the detail pane.
func (c *Client) facts(st *statusAnswer, cs clientStatus, nBackups int, used map[string]usageEntry, now time.Time) []model.Fact {
	var f []model.Fact
	online := "yes"
	if !cs.Online {
		online = "no, " + lastSeen(cs, now)
	}
	f = append(f, model.Fact{Label: "online", Value: online})
	f = append(f, model.Fact{Label: "file backups", Value: fileFact(st, cs, nBackups, now)})
	f = append(f, model.Fact{Label: "image backups", Value: imageFact(st, cs, now)})
	if u, ok := used[cs.Name]; ok {
		files, images := max(u.Files.Int(0), 0), max(u.Images.Int(0), 0)
		f = append(f, model.Fact{Label: "usage", Value: fmt.Sprintf("%s (files %s, images %s)",
			model.HumanBytes(files+images), model.HumanBytes(files), model.HumanBytes(images))})
	}
	if folders := c.folders[cs.Name]; len(folders) > 0 {
		f = append(f, model.Fact{Label: "folders", Value: strings.Join(folders, ", ")})
	}
	var client []string
	for _, s := range []string{cs.ClientVersion, cs.OSSimple, cs.OSVersion} {
		if s = strings.TrimSpace(s); s != "" {
			client = append(client, s)
		}
	}
	if len(client) > 0 {
		f = append(f, model.Fact{Label: "client", Value: strings.Join(client, " · ")})
	}
	if cs.DeletePending {
		f = append(f, model.Fact{Label: "removal", Value: "pending: UrBackup will remove this client and its backups"})
	}
	return f
}

func ago(unix int64, now time.Time) string {
	return model.HumanAge(now.Sub(time.Unix(unix, 0))) + " ago"
}

// fileFact rates the file backups. UrBackup's file_ok means "the last file
// backup is recent enough and good"; with backups on record but file_ok
// false, the last backup failed or is overdue. With automatic file backups
// off for the client, file_ok stays false even right after a good backup
// made by hand: then only the age is told (the posture rates it).
func fileFact(st *statusAnswer, cs clientStatus, nBackups int, now time.Time) string {
	last := cs.LastBackup.Int(0)
	switch {
	case bool(st.NoFileBackups):
		return "not used (switched off on the server)"
	case bool(cs.FileDisabled):
		return "automatic file backups off (by hand only); " + lastOne(last, now)
	case bool(cs.FileOK) && last > 0:
		s := "ok, last " + ago(last, now)
		if n := cs.LastFileBackupIssues.Int(0); n > 0 {
			s += fmt.Sprintf(", with %d issues (see the server's logs)", n)
		}
		return s
	case last > 0 || nBackups > 0:
		s := "failed: UrBackup marks the last file backup as not ok"
		if last > 0 {
			s += " (last good one " + ago(last, now) + ")"
		}
		return s
	}
	return "none yet"
}

func imageFact(st *statusAnswer, cs clientStatus, now time.Time) string {
	last := cs.LastBackupImage.Int(0)
	switch {
	case bool(st.NoImages):
		return "not used (switched off on the server)"
	case bool(cs.ImageNotSupported):
		return "not possible: the client does not support image backups"
	case bool(cs.ImageDisabled):
		return "automatic image backups off (by hand only); " + lastOne(last, now)
	case bool(cs.ImageOK) && last > 0:
		return "ok, last " + ago(last, now)
	case last > 0:
		return "failed: UrBackup marks the last image backup as not ok (last good one " + ago(last, now) + ")"
	}
	return "none yet"
}

func lastOne(last int64, now time.Time) string {
	if last <= 0 {
		return "none yet"
	}
	return "last " + ago(last, now)
}
