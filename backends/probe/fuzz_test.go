package probe

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// FuzzDiscovery decodes any bytes as PVE's /cluster/resources,
// /cluster/backup and /access/permissions answers the way the checks do,
// leniently. Whatever the input: no panic; every guest's jobs are jobs
// that were listed; the features rate every path without panicking.
// Seeded with a real PVE's /cluster/backup (testdata/README.md) and small
// shapes of the other two.
func FuzzDiscovery(f *testing.F) {
	data, err := os.ReadFile("testdata/cluster-backup.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, s := range []string{`{"data":[]}`,
		`{"data":[{"id":"qemu/421","type":"qemu","vmid":421,"name":"k3sagent01","node":"pve","status":"running","template":0},` +
			`{"id":"node/pve","type":"node","node":"pve","status":"online"},` +
			`{"id":"storage/pve/hddusb_bkpvzdumps","type":"storage","storage":"hddusb_bkpvzdumps","node":"pve","content":"backup,iso","shared":0,"status":"available","disk":1,"maxdisk":2}]}`,
		`{"data":{"/":{"Sys.Audit":1},"/vms":{"VM.Audit":1,"VM.Backup":1},"/storage/hddusb_bkpvzdumps":{"Datastore.Audit":1}}}`, `[{"type":"qemu","vmid":"x"}]`, `[{"type":"storage","content":"backup","shared":1}]`,
		`[{"id":"j","vmid":[411,"421"],"all":"1","exclude":"411"}]`, `{"/":{"Sys.Audit":1},"/vms/":{"VM.Audit":"0"}}`, `null`, `[1,2]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var res []resource
		var jobs []jobEntry
		_ = json.Unmarshal(unwrap(data), &res)
		_ = json.Unmarshal(unwrap(data), &jobs)
		d := discovery(res, jobs, len(data)%2 == 0)
		var jobIDs []string
		for _, j := range d.Jobs {
			jobIDs = append(jobIDs, j.ID)
		}
		for _, g := range d.Guests {
			for _, id := range g.Jobs {
				if !slices.Contains(jobIDs, id) {
					t.Fatalf("guest %d covered by job %q, which is not listed", g.VMID, id)
				}
			}
		}
		var raw map[string]map[string]json.RawMessage
		_ = json.Unmarshal(unwrap(data), &raw)
		perms := decodePermissions(raw)
		for _, fc := range Features(perms, d, false) {
			_ = fc.Detail()
		}
		_ = d.Uncovered()
	})
}

// unwrap is PVE's "data" member when data is an envelope, else data.
func unwrap(data []byte) []byte {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(data, &env) == nil && len(env.Data) > 0 {
		return env.Data
	}
	return data
}
