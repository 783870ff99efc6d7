package model

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// ConcernSpec is a concern as the operator configured it: which targets it
// covers (exact ids or path.Match globs like "pve/qemu/*") and their max age.
type ConcernSpec struct {
	ID      ConcernID
	Name    string
	MaxAge  time.Duration
	Targets []string
	// DrillMaxAge rates the guests' restore drills (posture_drill.go); 0
	// leaves them unrated.
	DrillMaxAge time.Duration
}

// SourceState is what one source last told the engine. When OK is false the
// targets are the last ones known (possibly none) and are rated unknown.
type SourceState struct {
	Source Source
	OK     bool
	// Pending is set until the source has answered once: its targets are
	// unknown, but that is no error to report.
	Pending  bool
	Err      string
	At       time.Time
	Version  string
	Insecure bool
	Targets  []Target
	Stores   []Store
	Drives   []Drive
	// HistoryErr is set when the history failed while this state was
	// completed from it (usage series, SMART trends, verifications);
	// VerificationsUnknown when, because of it, the verifications of its
	// restore points could not be read: whether they are damaged is unknown.
	HistoryErr           string
	VerificationsUnknown bool
	// Notes are what the operator should know of a source that answered
	// (a cache it could not write): worth saying, but no failure.
	Notes []string
	// BackupJobs are the source's scheduled backup jobs (PVE's
	// /cluster/backup); Intervals the backups it repeats at an interval
	// (UrBackup's clients).
	BackupJobs []BackupJob
	Intervals  []BackupInterval
}

// SourceError is a source's failure as shown to the operator.
type SourceError struct {
	Source  Source    `json:"source"`
	Message string    `json:"message"`
	At      time.Time `json:"-"`
}

// PostureInput is everything BuildPosture rates.
type PostureInput struct {
	Now      time.Time
	Concerns []ConcernSpec
	Sources  []SourceState
	Jobs     []Job
	// HistoryErr is set when the history database could not be opened:
	// nothing read from it is known, verifications included.
	HistoryErr string
}

// TargetStatus is a target with its verdict.
type TargetStatus struct {
	Target
	Status     Status
	HasBackup  bool
	LastBackup time.Time
	Age        time.Duration
	MaxAge     time.Duration
	// Reason says why the status is what it is, in words.
	Reason string
	// Found is false when the target is configured but no source reported it.
	Found bool
	// Store and Drive are set for the rows of the backups concern that
	// stand for a store or a drive.
	Store *Store
	Drive *Drive
}

// ConcernStatus is a concern with its targets' verdicts; it is as bad as its worst target.
type ConcernStatus struct {
	ID      ConcernID
	Name    string
	Status  Status
	MaxAge  time.Duration
	Targets []TargetStatus
	Reason  string
}

// Posture is one immutable snapshot of the homelab's backups at one moment.
type Posture struct {
	GeneratedAt time.Time
	Overall     Status
	Concerns    []ConcernStatus
	Stores      []Store
	Drives      []Drive
	Jobs        []Job
	Errors      []SourceError
	// Notes are what sources that answered want the operator to know (a
	// cache that could not be written): no failure, shown apart from errors.
	Notes []SourceError
	// Insecure lists sources reached without TLS verification.
	Insecure []Source
	Versions map[Source]string
	// BackupJobs and Intervals are every source's schedules, for the
	// schedule view (see PlanRuns).
	BackupJobs []BackupJob
	Intervals  []BackupInterval
}

// SourceOf tells which source a target id belongs to: "urbackup/…" and
// "clonezilla/…" have their prefix; every other id is "<node>/<type>/<vmid>" of PVE.
func SourceOf(targetID string) Source {
	switch {
	case strings.HasPrefix(targetID, "urbackup/"):
		return SourceURBackup
	case strings.HasPrefix(targetID, "clonezilla/"):
		return SourceClonezilla
	}
	return SourceProxmox
}

func isPattern(s string) bool { return strings.ContainsAny(s, "*?[") }

// BuildPosture rates every target and concern. It is pure: the same input
// always gives the same posture.
func BuildPosture(in PostureInput) *Posture {
	p := &Posture{GeneratedAt: in.Now, Versions: map[Source]string{}}
	known := map[string]Target{}
	var knownOrder []string
	sourceState := map[Source]SourceState{}
	for _, s := range in.Sources {
		sourceState[s.Source] = s
		if s.Version != "" {
			p.Versions[s.Source] = s.Version
		}
		p.BackupJobs = append(p.BackupJobs, s.BackupJobs...)
		p.Intervals = append(p.Intervals, s.Intervals...)
		if s.Insecure {
			p.Insecure = append(p.Insecure, s.Source)
		}
		if !s.OK && !s.Pending {
			msg := s.Err
			if msg == "" {
				msg = "no answer yet"
			}
			p.Errors = append(p.Errors, SourceError{Source: s.Source, Message: msg, At: s.At})
		}
		for _, n := range s.Notes {
			p.Notes = append(p.Notes, SourceError{Source: s.Source, Message: n, At: s.At})
		}
		for _, t := range s.Targets {
			if _, dup := known[t.ID]; !dup {
				knownOrder = append(knownOrder, t.ID)
			}
			known[t.ID] = t
		}
		for _, st := range s.Stores {
			st := st
			p.Stores = append(p.Stores, st)
		}
		p.Drives = append(p.Drives, s.Drives...)
	}
	if e, ok := historyError(in); ok {
		p.Errors = append(p.Errors, e)
	}
	p.Jobs = append(p.Jobs, in.Jobs...)
	assignDrives(p.Stores, p.Drives)

	specs := append([]ConcernSpec(nil), in.Concerns...)
	sort.SliceStable(specs, func(i, j int) bool { return specs[i].ID.Rank() < specs[j].ID.Rank() })
	p.Overall = StatusOK
	for _, spec := range specs {
		cs := ConcernStatus{ID: spec.ID, Name: spec.Name, MaxAge: spec.MaxAge, Status: StatusOK}
		if cs.Name == "" {
			cs.Name = spec.ID.DefaultName()
		}
		if spec.ID == ConcernBackups {
			cs.Targets = storeRows(p.Stores, p.Drives, in.Now)
		} else {
			for _, id := range resolveTargets(spec.Targets, known, knownOrder) {
				ts := rateTarget(id, known, sourceState, in.HistoryErr, spec.MaxAge, in.Now)
				cs.Targets = append(cs.Targets, rateDrill(ts, spec.DrillMaxAge, in.Now))
			}
		}
		if len(cs.Targets) == 0 {
			cs.Status = StatusUnknown
			cs.Reason = "no targets: nothing configured or discovered for this concern"
		}
		for _, t := range cs.Targets {
			cs.Status = Worse(cs.Status, t.Status)
		}
		p.Overall = Worse(p.Overall, cs.Status)
		p.Concerns = append(p.Concerns, cs)
	}
	if len(p.Errors) > 0 {
		p.Overall = Worse(p.Overall, StatusUnknown)
	}
	if len(specs) == 0 {
		p.Overall = StatusUnknown
	}
	return p
}

// resolveTargets expands globs against the known targets, keeping config order
// and dropping duplicates.
func resolveTargets(patterns []string, known map[string]Target, order []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, pat := range patterns {
		if !isPattern(pat) {
			if !seen[pat] {
				seen[pat] = true
				out = append(out, pat)
			}
			continue
		}
		var matched []string
		for _, id := range order {
			if ok, _ := path.Match(pat, id); ok && !seen[id] {
				matched = append(matched, id)
			}
		}
		sort.SliceStable(matched, func(i, j int) bool { return targetLess(known[matched[i]], known[matched[j]]) })
		for _, id := range matched {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// targetLess orders guests by node then VMID (templates sort by their ids too).
func targetLess(a, b Target) bool {
	if a.Node != b.Node {
		return a.Node < b.Node
	}
	if a.VMID != b.VMID {
		return a.VMID < b.VMID
	}
	return a.ID < b.ID
}

func rateTarget(id string, known map[string]Target, sources map[Source]SourceState, historyErr string, maxAge time.Duration, now time.Time) TargetStatus {
	src := SourceOf(id)
	t, found := known[id]
	ts := TargetStatus{Target: t, Found: found, MaxAge: maxAge}
	if !found {
		ts.Target = Target{ID: id, Name: id, Source: src}
	}
	rp, has := ts.Target.LastBackup()
	if has {
		ts.HasBackup, ts.LastBackup, ts.Age = true, rp.Time, now.Sub(rp.Time)
	}
	state, configured := sources[src]
	switch {
	case !configured:
		ts.Status, ts.Reason = StatusUnknown, fmt.Sprintf("no %s source is configured", src)
	case state.Pending:
		ts.Status, ts.Reason = StatusUnknown, fmt.Sprintf("waiting for the first answer from %s", src)
	case !state.OK:
		ts.Status, ts.Reason = StatusUnknown, fmt.Sprintf("%s cannot be read: %s", src, firstNonEmpty(state.Err, "no answer yet"))
	case !found:
		ts.Status, ts.Reason = StatusUnknown, fmt.Sprintf("not found on %s", src)
	case t.Kind == KindTemplate:
		// A template does not change after it is made: one backup of it is
		// enough, however old.
		ts.Status, ts.Reason = StatusOK, "template: one backup is enough, it does not change"
		if !has {
			ts.Status, ts.Reason = StatusCritical, "template with no backup ever"
		}
	default:
		ts.Status = AgeStatus(ts.LastBackup, has, maxAge, now)
		ts.Reason = ageReason(ts, now)
		if newest, ok := t.Newest(); ok && has && newest.Damaged() {
			// The age counts from an older image; the newest one cannot
			// be restored from, which the operator must hear of.
			ts.Status = Worse(ts.Status, StatusWarning)
			ts.Reason += fmt.Sprintf("; the newest %s (%s old) is damaged", pointWord(t), HumanAge(now.Sub(newest.Time)))
		}
		if t.Offline {
			ts.Reason += "; " + firstNonEmpty(t.OfflineNote, "the client is offline")
		}
		if t.NoJob {
			// Why it is late, and what to do: a guest no job covers is
			// backed up only when someone remembers to.
			ts.Reason += "; no backup job covers it: add it to one (Datacenter → Backup) or back it up by hand"
		}
		if why := verificationsUnknown(t, state, historyErr); why != "" {
			ts.Status = Worse(ts.Status, StatusUnknown)
			ts.Reason += "; whether its " + pointWord(t) + "s are damaged is unknown, the history cannot be read: " + why
		}
	}
	return ts
}

func ageReason(ts TargetStatus, now time.Time) string {
	// A disk's backups are images: say so, and "no backup" is "no image".
	what := pointWord(ts.Target)
	if !ts.HasBackup {
		if n := len(ts.RestorePoints); n > 0 {
			if n == 1 {
				return "no whole " + what + ": the only one is damaged"
			}
			return fmt.Sprintf("no whole %s: all %d are damaged", what, n)
		}
		return "no " + what + " ever"
	}
	last := "last " + what + " " + HumanAge(ts.Age) + " ago"
	if ts.MaxAge <= 0 {
		return last + " (no max age set)"
	}
	switch ts.Status {
	case StatusCritical:
		return fmt.Sprintf("%s, more than twice the max age of %s", last, HumanAge(ts.MaxAge))
	case StatusWarning:
		return fmt.Sprintf("%s, past the max age of %s", last, HumanAge(ts.MaxAge))
	}
	return fmt.Sprintf("%s, within the max age of %s", last, HumanAge(ts.MaxAge))
}

// fullSoon is how close a store's full date makes it a warning.
const fullSoon = 14 * 24 * time.Hour

// storeRows turns the stores of the backups (Store.OfBackups) and the
// drives into the rows of the backups concern.
func storeRows(stores []Store, drives []Drive, now time.Time) []TargetStatus {
	var rows []TargetStatus
	for i := range stores {
		s := stores[i]
		if !s.OfBackups() {
			continue
		}
		row := TargetStatus{Target: Target{ID: "store/" + s.ID, Name: s.Name, Node: s.Node, Kind: KindStore}, Found: true, Store: &stores[i]}
		row.Status = s.UsageStatus()
		switch {
		case !s.Online:
			row.Reason = "offline: the drive is unplugged or the storage is not mounted"
		default:
			row.Reason = fmt.Sprintf("%.0f%% used, %s free", s.UsedFraction()*100, HumanBytes(s.Avail))
			if s.FullAt != nil {
				row.Reason += ", full in " + HumanAge(s.FullAt.Sub(now))
				if s.FullAt.Sub(now) <= fullSoon {
					row.Status = Worse(row.Status, StatusWarning)
				}
			}
		}
		rows = append(rows, row)
	}
	for i := range drives {
		d := &drives[i]
		row := TargetStatus{Target: Target{ID: "drive/" + d.ID, Name: firstNonEmpty(d.Name, d.Model, d.Serial), Kind: KindDrive}, Found: true, Status: d.Health.Status(), Drive: d}
		why := strings.Join(d.Reasons, "; ")
		switch {
		case d.Asleep && d.Reading == nil:
			row.Reason = "asleep (standby), not woken; no earlier reading to show yet"
		case d.Asleep:
			row.Reason = "asleep, not woken; SMART " + string(d.Health) + " at the last reading, " + d.Reading.At.Local().Format("2006-01-02 15:04")
		case !d.Present && d.Reading == nil:
			row.Reason = "not plugged in"
		default:
			row.Reason = "SMART " + string(d.Health)
		}
		if why != "" && !(d.Asleep && d.Reading == nil) {
			row.Reason += ": " + why
		}
		rows = append(rows, row)
	}
	return rows
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Target finds a target's status by id in any concern.
func (p *Posture) Target(id string) (TargetStatus, bool) {
	for _, c := range p.Concerns {
		for _, t := range c.Targets {
			if t.ID == id {
				return t, true
			}
		}
	}
	return TargetStatus{}, false
}

// RunningJobs counts the jobs not yet ended.
func (p *Posture) RunningJobs() int {
	n := 0
	for _, j := range p.Jobs {
		if !j.State.Terminal() {
			n++
		}
	}
	return n
}

// assignDrives marks each store with the drive that holds it, as the
// config's holds say; a store may already know its drive from discovery.
func assignDrives(stores []Store, drives []Drive) {
	for _, d := range drives {
		serial := firstNonEmpty(d.Serial, d.ID)
		for _, h := range d.Holds {
			if i := heldStore(stores, h); i >= 0 && stores[i].Drive == "" {
				stores[i].Drive = serial
			}
		}
	}
}

// heldStore is the index of the store a hold names: the store with that
// id, else the only store whose name is the hold's last segment, so that
// "pve/hddusb_bkpvzdumps" still names the storage when a cluster's ids
// carry its node ("pve/hddusb_bkpvzdumps@alpha"); -1 when none or several.
func heldStore(stores []Store, hold string) int {
	for i := range stores {
		if stores[i].ID == hold {
			return i
		}
	}
	name := hold[strings.LastIndexByte(hold, '/')+1:]
	if name == "" {
		return -1
	}
	found := -1
	for i := range stores {
		if stores[i].Name == name {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}
