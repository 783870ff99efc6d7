package model

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// MethodPrune removes the archives a retention does not keep (PVE's
// DELETE …/prunebackups, a task followed like a backup).
const MethodPrune Method = "prune"

// PVE's prune marks.
const (
	MarkKeep      = "keep"
	MarkRemove    = "remove"
	MarkProtected = "protected" // never removed, takes no bucket
	MarkRenamed   = "renamed"   // not vzdump's name: prune ignores it
)

// The rules that keep an archive, in the order PVE applies them.
const (
	RuleLast    = "last"
	RuleHourly  = "hourly"
	RuleDaily   = "daily"
	RuleWeekly  = "weekly"
	RuleMonthly = "monthly"
	RuleYearly  = "yearly"
	RuleAll     = "all" // keep-all, or no rule set
)

// PruneEntry is one archive of a prune preview.
type PruneEntry struct {
	VolID string
	Time  time.Time
	Size  int64  // -1 when the content listing did not give it
	Mark  string // PVE's: keep, remove, protected, renamed
	// Rule is the rule that keeps a "keep" archive (RuleDaily …); "" when
	// PVE's marks and ours disagree, so nothing is claimed.
	Rule string
}

// PrunePlan is a prune preview of one guest on one storage.
type PrunePlan struct {
	Target string // pve/qemu/421
	Name   string // the guest's name
	Store  string // pve/hddusb_bkpvzdumps
	Rules  Retention
	// From says where the rules come from: "job backup-k3s-daily",
	// "storage hddusb_bkpvzdumps", "the keep-all default", or "given" (the
	// caller's own).
	From    string
	Entries []PruneEntry // newest first
}

// Removed counts the archives marked remove and the bytes they free.
func (p PrunePlan) Removed() (n int, bytes int64) {
	for _, e := range p.Entries {
		if e.Mark == MarkRemove {
			n++
			if e.Size > 0 {
				bytes += e.Size
			}
		}
	}
	return n, bytes
}

// String writes a retention as PVE's property string ("keep-daily=7,…").
func (r Retention) String() string {
	if r.KeepAll {
		return "keep-all=1"
	}
	var parts []string
	for _, kv := range r.rules() {
		if kv.n > 0 {
			parts = append(parts, "keep-"+kv.rule+"="+fmt.Sprint(kv.n))
		}
	}
	return strings.Join(parts, ",")
}

// Text is the retention for people: "keep-daily=7, keep-weekly=4", or
// "keep all" when no rule removes anything.
func (r Retention) Text() string {
	if !r.Any() {
		return "keep all"
	}
	return strings.ReplaceAll(r.String(), ",", ", ")
}

// Any tells whether a rule removes something: false for keep-all or none.
func (r Retention) Any() bool {
	if r.KeepAll {
		return false
	}
	for _, kv := range r.rules() {
		if kv.n > 0 {
			return true
		}
	}
	return false
}

type ruleCount struct {
	rule string
	n    int
	id   func(t time.Time) string
}

func (r Retention) rules() []ruleCount {
	return []ruleCount{
		{RuleLast, r.KeepLast, func(t time.Time) string { return t.Format(time.DateTime) }},
		{RuleHourly, r.KeepHourly, func(t time.Time) string { return t.Format("2006-01-02 15") }},
		{RuleDaily, r.KeepDaily, func(t time.Time) string { return t.Format(time.DateOnly) }},
		{RuleWeekly, r.KeepWeekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d/%d", y, w) }},
		{RuleMonthly, r.KeepMonthly, func(t time.Time) string { return t.Format("2006-01") }},
		{RuleYearly, r.KeepYearly, func(t time.Time) string { return t.Format("2006") }},
	}
}

// RetentionEntry is one backup of a group as MarkRetention reads it.
type RetentionEntry struct {
	// Local is the backup's time on the server's wall clock, whatever its
	// zone says: PVE counts days, weeks … in the server's local time, and
	// vzdump writes that time into the archive's name.
	Local time.Time
	// Fixed is a mark decided before the rules: protected or renamed.
	Fixed string
}

// MarkRetention is PVE::Storage::prune_mark_backup_group over one guest's
// backups, telling also which rule keeps each kept one: keep-last keeps the
// newest, then each keep-<period> keeps the newest backup of that many
// periods not already covered by a kept one. Fixed marks take no bucket.
// It returns the marks and the rules, in the entries' order.
func MarkRetention(group []RetentionEntry, keep Retention) (marks, rules []string) {
	marks = make([]string, len(group))
	rules = make([]string, len(group))
	for i, e := range group {
		marks[i] = e.Fixed
	}
	if !keep.Any() {
		for i := range group {
			if marks[i] == "" {
				marks[i], rules[i] = MarkKeep, RuleAll
			}
		}
		return marks, rules
	}
	order := make([]int, len(group))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return group[order[a]].Local.After(group[order[b]].Local) })
	for _, r := range keep.rules() {
		if r.n <= 0 {
			continue
		}
		already := map[string]bool{}
		for _, i := range order {
			if marks[i] == MarkKeep {
				already[r.id(group[i].Local)] = true
			}
		}
		fresh := map[string]bool{}
		for _, i := range order {
			id := r.id(group[i].Local)
			if marks[i] != "" || already[id] {
				continue
			}
			if fresh[id] {
				marks[i] = MarkRemove
				continue
			}
			if len(fresh) >= r.n {
				break
			}
			fresh[id] = true
			marks[i], rules[i] = MarkKeep, r.rule
		}
	}
	for i := range marks {
		if marks[i] == "" {
			marks[i] = MarkRemove
		}
	}
	return marks, rules
}
