package proxmox

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestReplayForm(t *testing.T) {
	raw := `{"id":"b1","type":"vzdump","schedule":"sat 14:20","enabled":0,"comment":"c","node":"alpha","all":1,"exclude":"101,100",
	 "storage":"usb","mode":"stop","compress":"zstd","prune-backups":{"keep-last":"3","keep-daily":7},"performance":{"max-workers":2},
	 "notes-template":"{{guestname}}","protected":true,"bwlimit":50000,"next-run":1768507200,"repeat-missed":1,"job-id":"x","mailto":null}`
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	var j backupJob
	_ = json.Unmarshal([]byte(raw), &j)
	form, err := replayForm(m, j)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"all": "1", "exclude": "100,101", "storage": "usb", "mode": "stop", "compress": "zstd",
		"prune-backups": "keep-daily=7,keep-last=3", "performance": "max-workers=2", "notes-template": "{{guestname}}",
		"protected": "1", "bwlimit": "50000"}
	for k, v := range want {
		if form.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, form.Get(k), v)
		}
	}
	for k := range form {
		if _, ok := want[k]; !ok {
			t.Errorf("%s = %q went to vzdump", k, form.Get(k))
		}
	}
	// A pool job, and one that selects nothing.
	if f, err := replayForm(map[string]json.RawMessage{"pool": json.RawMessage(`"k3s"`)}, backupJob{Pool: "k3s"}); err != nil || f.Get("pool") != "k3s" || f.Has("vmid") {
		t.Errorf("pool job: %v %v", f, err)
	}
	if _, err := replayForm(map[string]json.RawMessage{}, backupJob{}); err == nil {
		t.Error("a job that selects nothing was replayed")
	}
}

func TestJobNodes(t *testing.T) {
	res := []resource{
		{Type: "node", Node: "alpha", Status: "online"}, {Type: "node", Node: "beta", Status: "online"},
		{Type: "node", Node: "gamma", Status: "offline"},
		{Type: "qemu", Node: "alpha", VMID: number{V: 411, Valid: true}},
		{Type: "qemu", Node: "beta", VMID: number{V: 421, Valid: true}, Pool: "k3s"},
		{Type: "lxc", Node: "gamma", VMID: number{V: 200, Valid: true}},
	}
	cases := []struct {
		job  backupJob
		want []string
	}{
		{backupJob{VMID: "411,421,200"}, []string{"alpha", "beta"}}, // gamma is offline
		{backupJob{VMID: "421"}, []string{"beta"}},
		{backupJob{All: true, Exclude: "421"}, []string{"alpha"}},
		{backupJob{All: true, Node: "beta"}, []string{"beta"}},
		{backupJob{Pool: "k3s"}, []string{"beta"}},
		{backupJob{VMID: "999"}, []string{}},
	}
	for _, c := range cases {
		if got := jobNodes(res, c.job); !slices.Equal(got, c.want) {
			t.Errorf("%+v: nodes %v, want %v", c.job, got, c.want)
		}
	}
}
