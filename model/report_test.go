package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestReportJSONKeys(t *testing.T) {
	src := SourceState{Source: SourceProxmox, OK: true, Targets: []Target{
		{ID: "pve/qemu/411", Name: "k3sserver01", Methods: []Method{MethodVzdump, MethodSnapshot},
			RestorePoints: []RestorePoint{{Time: now.Add(-2 * time.Hour), Size: 1 << 30}, {Time: now.Add(-26 * time.Hour), Size: 1 << 30}}},
		{ID: "pve/qemu/500", Name: "scratch"},
	}, Stores: []Store{{ID: "pve/hddusb_bkpvzdumps", Online: true, Backup: true, Total: 100, Used: 50}}}
	p := BuildPosture(PostureInput{Now: now, Sources: []SourceState{src},
		Concerns: []ConcernSpec{{ID: ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/*"}}},
		Jobs:     []Job{{ID: "UPID:x", Target: "pve/qemu/411", Method: MethodVzdump, State: JobRunning, Progress: Progress{Percent: 45}}},
	})
	b, err := json.Marshal(NewReport(p))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"generated_at", "overall", "concerns", "stores", "drives", "jobs", "errors"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("key %q missing in %s", k, b)
		}
	}
	if doc["overall"] != "critical" {
		t.Errorf("overall = %v (scratch never backed up)", doc["overall"])
	}
	target := doc["concerns"].([]any)[0].(map[string]any)["targets"].([]any)[0].(map[string]any)
	want := map[string]any{"id": "pve/qemu/411", "name": "k3sserver01", "method": "vzdump", "status": "ok",
		"last_backup": "2026-11-29T12:30:00Z", "age_seconds": 7200.0, "max_age_seconds": 93600.0, "restore_points": 2.0,
		"size_bytes": float64(2 << 30)}
	for k, v := range want {
		if target[k] != v {
			t.Errorf("target[%s] = %v, want %v", k, target[k], v)
		}
	}
	never := doc["concerns"].([]any)[0].(map[string]any)["targets"].([]any)[1].(map[string]any)
	if never["last_backup"] != nil || never["age_seconds"] != nil {
		t.Errorf("a target never backed up has null last_backup and age: %v", never)
	}
	job := doc["jobs"].([]any)[0].(map[string]any)
	if job["state"] != "running" || job["percent"] != 45.0 {
		t.Errorf("job = %v", job)
	}
	if s := doc["stores"].([]any)[0].(map[string]any); s["full_at"] != nil || s["online"] != true {
		t.Errorf("store = %v", s)
	}
}

func TestJobLine(t *testing.T) {
	j := Job{State: JobRunning, Progress: Progress{Percent: 45, DoneBytes: 4831838208, TotalBytes: 10737418240,
		ReadBytesPerS: 152.3 * 1024 * 1024, WriteBytesPerS: -1, ETA: 36 * time.Second, ETAKnown: true}}
	j.Progress.LastLine = "INFO:  45% (4.5 GiB of 10.0 GiB) in 30s"
	if got := NewJobLine(j).Text(); got != "running    45% 4.5 GiB/10.0 GiB 152.3 MiB/s ETA 36 s" {
		t.Errorf("text = %q", got)
	}
	j.State, j.Message = JobFailed, "job errors"
	if got := NewJobLine(j).Text(); got != "failed     45% 4.5 GiB/10.0 GiB job errors" {
		t.Errorf("the final line carries the message: %q", got)
	}
	b, _ := json.Marshal(NewJobLine(Job{State: JobRunning, Progress: UnknownProgress()}))
	if !strings.Contains(string(b), `"percent":null`) || !strings.Contains(string(b), `"eta_seconds":null`) {
		t.Errorf("unknown figures are null: %s", b)
	}
}

func TestInsecureSourceIsMarked(t *testing.T) {
	p := BuildPosture(PostureInput{Now: now, Sources: []SourceState{{Source: SourceProxmox, OK: true, Insecure: true}},
		Concerns: []ConcernSpec{{ID: ConcernBackups}}})
	r := NewReport(p)
	if len(r.Insecure) != 1 || r.Insecure[0] != SourceProxmox {
		t.Fatalf("insecure = %v", r.Insecure)
	}
	if !strings.Contains(r.Text(false), "INSECURE: proxmox") {
		t.Fatalf("the text report must say it:\n%s", r.Text(false))
	}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"insecure":["proxmox"]`) {
		t.Fatalf("json: %s", b)
	}
}
