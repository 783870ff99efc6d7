package proxmox

import (
	"encoding/json"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// The recorded preview (keep-last=2) with the recorded content listing's
// sizes. Its marks are PVE's and stay so; the rule is named only where our
// marking agrees: by prune_mark_backup_group a protected archive takes no
// bucket, so keep-last=2 would keep 01-13 too, which the recording marks
// remove: no rule is claimed for what disagrees.
func TestPlanEntriesFromFixtures(t *testing.T) {
	var entries []pruneEntry
	if err := json.Unmarshal(fixtureData(t, "prunebackups-preview.json"), &entries); err != nil {
		t.Fatal(err)
	}
	var content []contentEntry
	if err := json.Unmarshal(fixtureData(t, "storage-content-backup.json"), &content); err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	for _, e := range content {
		sizes[e.VolID] = e.Size.Int64(-1)
	}
	got := planEntries(entries, sizes, model.Retention{KeepLast: 2})
	want := []model.PruneEntry{
		{VolID: "usb1:backup/vzdump-qemu-100-2026_01_15-03_00_02.vma.zst", Mark: "protected", Size: 5497558138},
		{VolID: "usb1:backup/vzdump-qemu-100-2026_01_14-03_00_01.vma.zst", Mark: "keep", Rule: "last", Size: -1},
		{VolID: "usb1:backup/vzdump-qemu-100-2026_01_13-03_00_01.vma.zst", Mark: "remove", Size: -1},
		{VolID: "usb1:backup/k3s-before-upgrade.vma.zst", Mark: "renamed", Size: -1},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.VolID != w.VolID || g.Mark != w.Mark || g.Rule != w.Rule || g.Size != w.Size || g.Time.Unix() != int64(entries[i].CTime.Int64(0)) {
			t.Errorf("%d: %+v, want %+v", i, g, w)
		}
	}
	// Where the marks agree, every kept one has its rule.
	got = planEntries(entries[1:3], nil, model.Retention{KeepDaily: 1})
	if got[0].Rule != "daily" || got[1].Rule != "" {
		t.Errorf("keep-daily=1 on the fixture's marks: %+v", got)
	}
}

// keep-all is a retention of its own: a job or storage that sets it keeps
// everything, and says so (it is not "no retention set").
func TestRetentionDecodesKeepAll(t *testing.T) {
	for _, in := range []string{`"keep-all=1"`, `{"keep-all":"1"}`, `{"keep-all":1}`} {
		var r retention
		if err := json.Unmarshal([]byte(in), &r); err != nil || !r.Set || !r.KeepAll || r.Any() {
			t.Errorf("%s: %+v %v", in, r, err)
		}
	}
	var r retention
	if err := json.Unmarshal([]byte(`"keep-last=3,keep-daily=7"`), &r); err != nil || !r.Set || r.KeepAll || r.String() != "keep-last=3,keep-daily=7" {
		t.Errorf("%+v %v", r, err)
	}
}
