package proxmox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// Fuzz targets for every decoder of what a PVE server sends. Each checks at
// least that nothing panics; where it is cheap, an invariant too. Seeds: the
// recorded answers in testdata and small inputs in PVE's awkward shapes.

// seedFixture adds a testdata fixture's "data" member.
func seedFixture(f *testing.F, name string) {
	f.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	var fx struct {
		Response struct {
			Data json.RawMessage `json:"data"`
		} `json:"response"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(fx.Response.Data))
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{`1`, `"7200"`, `"N/A"`, `null`, `true`, `false`, `-3.5`, `""`, `"1e3"`, `1e400`, `"NaN"`, `"Inf"`, `"0x10"`, `9.3e18`, `[1]`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var n number
		if err := n.UnmarshalJSON(b); err == nil && n.Valid {
			if math.IsNaN(n.V) || math.IsInf(n.V, 0) {
				t.Fatalf("%q decoded as %v", b, n.V)
			}
			// A valid value re-encodes to itself.
			var back number
			if err := back.UnmarshalJSON(strconv.AppendFloat(nil, n.V, 'g', -1, 64)); err != nil || back != n {
				t.Fatalf("%q: %v re-decodes as %v, %v", b, n.V, back, err)
			}
		}
		// Int64 is the value in range, or the default.
		if v := n.Int64(-7); v != -7 && (!n.Valid || float64(v) != math.Trunc(n.V)) {
			t.Fatalf("%q: Int64 %d of %+v", b, v, n)
		}
		var fl flag
		_ = fl.UnmarshalJSON(b)
		var tx text
		_ = tx.UnmarshalJSON(b)
	})
}

func FuzzRetention(f *testing.F) {
	f.Add([]byte(`{"keep-daily":"7","keep-last":"3"}`))
	f.Add([]byte(`"keep-last=3,keep-daily=7"`))
	f.Add([]byte(`{"keep-all":1}`))
	f.Add([]byte(`{"keep-weekly":4,"keep-monthly":-1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r retention
		if err := r.UnmarshalJSON(b); err != nil {
			return
		}
		k := r.Retention
		for _, n := range []int{k.KeepLast, k.KeepHourly, k.KeepDaily, k.KeepWeekly, k.KeepMonthly, k.KeepYearly} {
			if n < 0 {
				t.Fatalf("%q: negative keep %+v", b, k)
			}
		}
		// What PVE would be sent for it reads back the same.
		var back retention
		if err := back.UnmarshalJSON([]byte(strconv.Quote(retentionSpec(k)))); err != nil || back.Retention != k {
			t.Fatalf("%q: %+v re-reads as %+v, %v", b, k, back.Retention, err)
		}
	})
}

func FuzzClusterResources(f *testing.F) {
	f.Add([]byte(`[{"id":"node/pve","type":"node","node":"pve","status":"online"},` +
		`{"id":"qemu/421","type":"qemu","vmid":421,"name":"k3sagent01","node":"pve","status":"running","lock":"backup","template":0},` +
		`{"id":"lxc/200","type":"lxc","vmid":"200","node":"pve","template":1,"pool":"k3s"},` +
		`{"id":"storage/pve/local","type":"storage","node":"pve","storage":"local","status":"available","shared":0,"content":"iso,backup","disk":10,"maxdisk":"100","plugintype":"dir"},` +
		`{"id":"storage/pve/nfs","type":"storage","node":"pve","storage":"nfs","status":"unknown","shared":"1"}]`))
	f.Add([]byte(`[{"id":"node/alpha","type":"node","status":"offline"},{"id":"storage/alpha/local","type":"storage","node":"alpha"},` +
		`{"id":"storage/beta/local","type":"storage","node":"beta","status":"available"},{"id":"qemu/x","type":"qemu"}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var res []resource
		if json.Unmarshal(b, &res) != nil {
			return
		}
		inv := newInventory(res)
		for _, tg := range inv.targets(nil, nil) {
			if typ, vmid, err := parseTargetID(tg.ID); err != nil || vmid != tg.VMID || targetID(typ, vmid) != tg.ID {
				t.Fatalf("target id %q does not read back: %v", tg.ID, err)
			}
		}
		seen := map[string]bool{}
		for _, st := range inv.storeList() {
			storage, _, err := parseStoreID(st.ID)
			if err != nil || storage != st.Name || seen[st.ID] {
				t.Fatalf("store id %q (name %q, seen %v): %v", st.ID, st.Name, seen[st.ID], err)
			}
			seen[st.ID] = true
		}
	})
}

func FuzzStorageContent(f *testing.F) {
	seedFixture(f, "storage-content-backup.json")
	f.Add([]byte(`[{"volid":"s:backup/x","vmid":"100","ctime":"1768446002","size":-1,"protected":"1","content":"backup"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var entries []contentEntry
		if json.Unmarshal(b, &entries) != nil {
			return
		}
		inv := newInventory([]resource{{Type: "qemu", Node: "pve", Name: "g", VMID: number{100, true}}})
		inv.addRestorePoints("pve/s", entries)
		for _, tg := range inv.targets(nil, nil) {
			for _, rp := range tg.RestorePoints {
				if rp.Target != tg.ID || rp.Store != "pve/s" {
					t.Fatalf("restore point %+v under %s", rp, tg.ID)
				}
			}
		}
	})
}

func FuzzStorageList(f *testing.F) {
	seedFixture(f, "storage-list-backup.json")
	f.Add([]byte(`[{"storage":"usb","active":"0","enabled":0,"shared":true,"total":"N/A"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var list []nodeStorage
		if json.Unmarshal(b, &list) != nil {
			return
		}
		inv := newInventory(nil)
		for _, s := range list {
			st, listed := inv.mergeBackupStorage("pve", s)
			if st == nil && isStorageName(s.Storage) || listed && !st.Online {
				t.Fatalf("an offline store is to be listed: %+v", st)
			}
		}
	})
}

func FuzzDisksList(f *testing.F) {
	seedFixture(f, "disks-list.json")
	f.Add([]byte(`[{"devpath":"/dev/sda","wearout":"N/A","rpm":"7200","size":"4000787030016"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var entries []diskEntry
		if json.Unmarshal(b, &entries) != nil {
			return
		}
		for _, e := range entries {
			if d := e.disk(); d.Wearout < -1 && e.Wearout.Valid && e.Wearout.V >= 0 {
				t.Fatalf("wearout %v read as %d", e.Wearout.V, d.Wearout)
			}
		}
	})
}

func FuzzTaskStatus(f *testing.F) {
	seedFixture(f, "task-status-warnings.json")
	f.Add([]byte(`{"status":"stopped","exitstatus":"job errors"}`))
	f.Add([]byte(`{"status":"running","id":421}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var st taskStatus
		if json.Unmarshal(b, &st) != nil {
			return
		}
		c := &Client{now: time.Now, stopAsked: map[string]bool{}}
		job := model.Job{Method: model.MethodVzdump, State: model.JobRunning}
		c.finish(&job, st.UPID, st.ExitStatus, &taskLog{})
		if !job.State.Terminal() || job.Message == "" {
			t.Fatalf("exit status %q ends as %s %q", st.ExitStatus, job.State, job.Message)
		}
	})
}

func FuzzTaskLog(f *testing.F) {
	b, err := os.ReadFile("testdata/vzdump-qemu-task-log.txt")
	if err != nil {
		f.Fatal(err)
	}
	var lines []map[string]any
	for i, l := range strings.Split(string(b), "\n") {
		lines = append(lines, map[string]any{"n": i + 1, "t": l})
	}
	page, _ := json.Marshal(lines)
	f.Add(page)
	f.Add([]byte(`[{"n":1,"t":"no content"}]`))
	f.Add([]byte(`[{"n":"3","t":"INFO:  45% (4.5 GiB of 10.0 GiB) in 30s, read: 1 MiB/s"},{"n":2,"t":"ERROR: x"},{"n":null}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var page []logLine
		if json.Unmarshal(b, &page) != nil {
			return
		}
		sorted := sortLines(page)
		if len(sorted) != len(page) {
			t.Fatalf("sorting kept %d of %d lines", len(sorted), len(page))
		}
		for i := 1; i < len(sorted); i++ {
			if sorted[i].N.V < sorted[i-1].N.V {
				t.Fatalf("lines out of order at %d", i)
			}
		}
		tail := &taskLog{}
		job := model.Job{Method: model.MethodVzdump, Progress: model.UnknownProgress()}
		for _, l := range sorted {
			tail.take(l.T, &job)
		}
		checkProgress(t, job.Progress)
	})
}

func checkProgress(t *testing.T, p model.Progress) {
	t.Helper()
	// -1 is unknown.
	if p.Percent < -1 || p.Percent > 100 || p.DoneBytes < -1 || p.TotalBytes < -1 || p.ETA < 0 ||
		math.IsNaN(p.ReadBytesPerS) || math.IsInf(p.ReadBytesPerS, 0) || math.IsNaN(p.WriteBytesPerS) || math.IsInf(p.WriteBytesPerS, 0) {
		t.Fatalf("progress %+v", p)
	}
}

func FuzzProgressLine(f *testing.F) {
	b, err := os.ReadFile("testdata/vzdump-qemu-task-log.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "%") {
			f.Add(l)
		}
	}
	f.Add("INFO:  45% (4.5 GiB of 10.0 GiB) in 2h 3m 4s, read: 152.3 MiB/s")
	f.Add("INFO: 100% (99999999999999999999 PiB of 1 B) in 99999999999999999999h, read: 1e400 B/s")
	f.Fuzz(func(t *testing.T, line string) {
		p, ok := parseProgress(line)
		if !ok {
			return
		}
		if p.Percent < 0 || p.Percent > 100 || p.Done < 0 || p.Total < 0 || p.Elapsed < 0 {
			t.Fatalf("%q: %+v", line, p)
		}
		pr := model.UnknownProgress()
		p.apply(&pr)
		checkProgress(t, pr)
	})
}

// fixedAnswer is a transport that answers every request the same way.
type fixedAnswer struct {
	status      int
	reason      string
	contentType string
	body        []byte
}

func (a fixedAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	h := http.Header{}
	if a.contentType != "" {
		h.Set("Content-Type", a.contentType)
	}
	return &http.Response{StatusCode: a.status, Status: strconv.Itoa(a.status) + " " + a.reason, Header: h,
		Body: io.NopCloser(bytes.NewReader(a.body)), Request: req}, nil
}

func FuzzErrorBody(f *testing.F) {
	f.Add(500, "unable to read /etc/pve/storage.cfg", "application/json;charset=UTF-8", []byte(`{"data":null,"message":"unable to read\n"}`))
	f.Add(400, "Parameter verification failed.", "application/json", []byte(`{"data":null,"errors":{"vmid":"invalid format"}}`))
	f.Add(403, "Permission check failed (/vms/421, VM.Backup)", "", []byte(`{"data":null}`))
	f.Add(401, "invalid token value!", "", []byte{})
	f.Add(200, "OK", "text/html", []byte(`<html>`))
	f.Add(200, "OK", "text/plain", []byte(`OK`))
	f.Add(502, "Bad Gateway", "text/html", []byte(`<html><body>bad gateway</body></html>`))
	f.Fuzz(func(t *testing.T, status int, reason, contentType string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		ct := &checkedTransport{next: fixedAnswer{status, reason, contentType, body}, site: "https://pve:8006", apiPath: "/api2/json", tokenID: "u@pve!t"}
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://pve:8006/api2/json/version", nil)
		res, err := ct.RoundTrip(req)
		switch {
		case err != nil:
			if res != nil {
				t.Fatal("an error and a response")
			}
			ae, ok := err.(*APIError)
			if !ok || ae.Error() == "" {
				t.Fatalf("error %T %v", err, err)
			}
			_ = ae.gone()
		case status >= 400:
			t.Fatalf("HTTP %d passed as a success", status)
		default:
			_, _ = io.ReadAll(res.Body)
		}
	})
}

func FuzzUPID(f *testing.F) {
	f.Add("UPID:pve:000A1B2C:0123ABCD:6968A742:vzdump:100:root@pam!backupconsole:")
	f.Add("UPID:beta:00000001:00000002:00000003:qmsnapshot:421:u@pve:")
	f.Add("UPID::::::::")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUPID(s)
		if err != nil {
			return
		}
		if u.Node == "" {
			t.Fatalf("%q: no node", s)
		}
		job, ok := runningJob(taskEntry{UPID: s, Type: u.Type, ID: text(u.ID)}, "pve", nil)
		if ok && job.Target != "" {
			if _, _, err := parseTargetID(job.Target); err != nil {
				t.Fatalf("%q: target %q: %v", s, job.Target, err)
			}
		}
	})
}

func FuzzTargetAndStoreIDs(f *testing.F) {
	for _, s := range []string{"pve/qemu/421", "pve/lxc/200", "alpha/qemu/201", "pve/hddusb_bkpvzdumps", "pve/local@alpha", "pve/qemu/0201", "urbackup/k3sagent01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if typ, vmid, err := parseTargetID(id); err == nil && targetID(typ, vmid) != id {
			t.Fatalf("%q reads as %s %d", id, typ, vmid)
		} else if err != nil && strings.Contains(err.Error(), "old target id") && !strings.Contains(err.Error(), "use pve/") {
			t.Fatalf("%q: %v", id, err)
		}
		if storage, node, err := parseStoreID(id); err == nil {
			key := storage
			if node != "" {
				key += "@" + node
			}
			if storeID(key) != id {
				t.Fatalf("%q reads as %q %q", id, storage, node)
			}
		}
	})
}

func FuzzClusterBackup(f *testing.F) {
	seedFixture(f, "cluster-backup.json")
	f.Add([]byte(`[{"vmid":"411,421 422","enabled":"0","prune-backups":"keep-last=3"},{"all":1,"exclude":421,"node":"pve"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var jobs []backupJob
		if json.Unmarshal(b, &jobs) != nil {
			return
		}
		for _, j := range jobs {
			_ = j.covers(421, "pve", "k3s")
		}
	})
}

func FuzzPruneAndSnapshotLists(f *testing.F) {
	seedFixture(f, "prunebackups-preview.json")
	f.Add([]byte(`[{"name":"pre-upgrade","snaptime":"1768446002","vmstate":"1","parent":"x"},{"name":"current"}]`))
	f.Add([]byte(`{"version":"8.4.1","release":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var prune []pruneEntry
		if json.Unmarshal(b, &prune) == nil {
			marks := pruneMarks(prune)
			for i := 1; i < len(marks); i++ {
				if marks[i].Time.After(marks[i-1].Time) {
					t.Fatal("prune marks are not newest first")
				}
			}
		}
		var snaps []snapshotEntry
		_ = json.Unmarshal(b, &snaps)
		var v versionInfo
		if json.Unmarshal(b, &v) == nil && !strings.HasPrefix(v.label(), "pve") {
			t.Fatalf("version label %q", v.label())
		}
	})
}
