package model

import (
	"testing"
	"time"
)

// The example worked by hand from PVE::Storage::prune_mark_backup_group
// (the lab's marking test uses the same one): each kept backup is named
// with the rule that kept it.
func TestMarkRetentionNamesTheRule(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	group := []RetentionEntry{
		{Local: at("2026-01-13 18:00")}, // out of order on purpose
		{Local: at("2026-01-15 18:00")},
		{Local: at("2026-01-15 12:00")},
		{Local: at("2026-01-14 20:00"), Fixed: MarkProtected},
		{Local: at("2026-01-14 18:00")},
		{Local: at("2026-01-10 18:00")},
		{Local: at("2026-01-09 18:00")},
		{Local: at("2026-01-02 18:00")},
		{Local: at("2025-12-20 18:00")},
		{Local: at("2025-11-20 18:00"), Fixed: MarkRenamed},
		{Local: at("2025-11-19 18:00")},
	}
	marks, rules := MarkRetention(group, Retention{KeepLast: 1, KeepDaily: 2, KeepWeekly: 2, KeepMonthly: 1})
	want := []struct{ mark, rule string }{
		{MarkKeep, RuleDaily}, {MarkKeep, RuleLast}, {MarkRemove, ""}, {MarkProtected, ""}, {MarkKeep, RuleDaily},
		{MarkKeep, RuleWeekly}, {MarkRemove, ""}, {MarkKeep, RuleWeekly}, {MarkKeep, RuleMonthly},
		{MarkRenamed, ""}, {MarkRemove, ""},
	}
	for i, w := range want {
		if marks[i] != w.mark || rules[i] != w.rule {
			t.Errorf("%s: %s/%s, want %s/%s", group[i].Local, marks[i], rules[i], w.mark, w.rule)
		}
	}
	// keep-yearly reaches back past the months.
	marks, rules = MarkRetention(group, Retention{KeepMonthly: 1, KeepYearly: 2})
	if marks[1] != MarkKeep || rules[1] != RuleMonthly || marks[8] != MarkKeep || rules[8] != RuleYearly || marks[10] != MarkRemove {
		t.Errorf("monthly+yearly: %v %v", marks, rules)
	}
	// keep-all, or nothing set, keeps everything not fixed.
	for _, r := range []Retention{{}, {KeepAll: true, KeepLast: 1}} {
		marks, rules = MarkRetention(group, r)
		for i := range group {
			if group[i].Fixed == "" && (marks[i] != MarkKeep || rules[i] != RuleAll) || group[i].Fixed != "" && marks[i] != group[i].Fixed {
				t.Errorf("%+v: %d %s/%s", r, i, marks[i], rules[i])
			}
		}
	}
}

func TestRetentionString(t *testing.T) {
	for r, want := range map[Retention]string{
		{}: "", {KeepAll: true, KeepLast: 2}: "keep-all=1",
		{KeepLast: 3, KeepDaily: 7, KeepYearly: 1}: "keep-last=3,keep-daily=7,keep-yearly=1",
	} {
		if got := r.String(); got != want {
			t.Errorf("%+v: %q, want %q", r, got, want)
		}
	}
	p := PrunePlan{Entries: []PruneEntry{{Mark: MarkRemove, Size: 10}, {Mark: MarkRemove, Size: -1}, {Mark: MarkKeep, Size: 5}}}
	if n, b := p.Removed(); n != 2 || b != 10 {
		t.Errorf("removed %d %d", n, b)
	}
}
