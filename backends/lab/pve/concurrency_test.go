package pve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// TestConcurrentClients hits the server from several clients while a backup
// runs and the knobs move (run with -race).
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{BackupDuration: 800 * time.Millisecond})
	upid := startVzdump(c, "411,421", nil)
	paths := []string{"/cluster/resources", "/nodes/pve/storage?content=backup",
		"/nodes/pve/storage/hddusb_bkpvzdumps/content?content=backup&vmid=421",
		"/nodes/pve/tasks/" + url.PathEscape(upid) + "/status", "/nodes/pve/tasks/" + url.PathEscape(upid) + "/log?start=3",
		"/nodes/pve/tasks?source=all", "/nodes/pve/qemu/421/snapshot", "/nodes/pve/disks/list"}
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 25; j++ {
				path := paths[(i+j)%len(paths)]
				resp, _ := c.do(http.MethodGet, path, nil)
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusInternalServerError {
					t.Errorf("%s: %s", path, resp.Status)
				}
			}
		}(i)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for j := 0; j < 10; j++ {
			p.SetNextOutcome(OutcomeOK)
			p.SetLock(100, "")
			_ = p.Requests()
			_ = p.RequestsByPath()
		}
	}()
	wg.Wait()
	if _, st := c.follow(upid, nil); st.ExitStatus != "OK" {
		t.Errorf("exit %q", st.ExitStatus)
	}
}

// go-proxmox posts JSON bodies; PVE accepts them like form fields.
func TestJSONBodyAndRefusedPost(t *testing.T) {
	t.Parallel()
	p, c := startLab(t, Options{BackupDuration: 300 * time.Millisecond})
	body, _ := json.Marshal(map[string]any{"vmid": 421, "storage": "hddusb_bkpvzdumps", "compress": "zstd",
		"notes-template": "{{guestname}}", "protected": false})
	req, _ := http.NewRequest(http.MethodPost, p.URL()+"/api2/json/nodes/pve/vzdump", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", c.token)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ Data string }
	_ = json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("json vzdump: %s", resp.Status)
	}
	if _, st := c.follow(env.Data, nil); st.ExitStatus != "OK" {
		t.Errorf("json vzdump ended %q", st.ExitStatus)
	}
	// A refused POST still gets its 401, body unread or not.
	bad := newClient(t, p, "PVEAPIToken="+p.TokenID()+"=nope")
	r, _ := bad.do(http.MethodPost, "/nodes/pve/vzdump", url.Values{"vmid": {"421"}, "notes-template": {string(bytes.Repeat([]byte("x"), 64<<10))}})
	if r.Status != "401 invalid token value!" {
		t.Errorf("refused post: %q", r.Status)
	}
}
