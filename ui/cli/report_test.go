package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// reportNow is the instant the report tests are written for.
var reportNow = time.Date(2026, 11, 29, 14, 30, 0, 0, time.UTC)

func TestReportJSONKeys(t *testing.T) {
	src := model.SourceState{Source: model.SourceProxmox, OK: true, Targets: []model.Target{
		{ID: "pve/qemu/411", Name: "k3sserver01", Methods: []model.Method{model.MethodVzdump, model.MethodSnapshot},
			RestorePoints: []model.RestorePoint{{Time: reportNow.Add(-2 * time.Hour), Size: 1 << 30}, {Time: reportNow.Add(-26 * time.Hour), Size: 1 << 30}}},
		{ID: "pve/qemu/500", Name: "scratch"},
	}, Stores: []model.Store{{ID: "pve/hddusb_bkpvzdumps", Online: true, Backup: true, Total: 100, Used: 50}}}
	p := model.BuildPosture(model.PostureInput{Now: reportNow, Sources: []model.SourceState{src},
		Concerns: []model.ConcernSpec{{ID: model.ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/*"}}},
		Jobs:     []model.Job{{ID: "UPID:x", Target: "pve/qemu/411", Method: model.MethodVzdump, State: model.JobRunning, Progress: model.Progress{Percent: 45}}},
	})
	b, err := json.Marshal(newStatusReport(p))
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
	j := model.Job{State: model.JobRunning, Progress: model.Progress{Percent: 45, DoneBytes: 4831838208, TotalBytes: 10737418240,
		ReadBytesPerS: 152.3 * 1024 * 1024, WriteBytesPerS: -1, ETA: 36 * time.Second, ETAKnown: true}}
	j.Progress.LastLine = "INFO:  45% (4.5 GiB of 10.0 GiB) in 30s"
	if got := newJobLine(j).text(); got != "running    45% 4.5 GiB/10.0 GiB 152.3 MiB/s ETA 36 s" {
		t.Errorf("text = %q", got)
	}
	j.State, j.Message = model.JobFailed, "job errors"
	if got := newJobLine(j).text(); got != "failed     45% 4.5 GiB/10.0 GiB job errors" {
		t.Errorf("the final line carries the message: %q", got)
	}
	b, _ := json.Marshal(newJobLine(model.Job{State: model.JobRunning, Progress: model.UnknownProgress()}))
	if !strings.Contains(string(b), `"percent":null`) || !strings.Contains(string(b), `"eta_seconds":null`) {
		t.Errorf("unknown figures are null: %s", b)
	}
}

func TestInsecureSourceIsMarked(t *testing.T) {
	p := model.BuildPosture(model.PostureInput{Now: reportNow, Sources: []model.SourceState{{Source: model.SourceProxmox, OK: true, Insecure: true}},
		Concerns: []model.ConcernSpec{{ID: model.ConcernBackups}}})
	r := newStatusReport(p)
	if len(r.Insecure) != 1 || r.Insecure[0] != model.SourceProxmox {
		t.Fatalf("insecure = %v", r.Insecure)
	}
	if !strings.Contains(r.text(textOptions{}), "INSECURE: proxmox") {
		t.Fatalf("the text report must say it:\n%s", r.text(textOptions{}))
	}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"insecure":["proxmox"]`) {
		t.Fatalf("json: %s", b)
	}
}

func TestReportListsImagesOfHostDisks(t *testing.T) {
	reportNow := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) // this test's own instant
	whole := &model.Verification{At: reportNow.Add(-time.Hour), Level: 3, OK: true}
	damaged := &model.Verification{At: reportNow.Add(-time.Hour), Level: 3, Problems: []string{"sda1.ext4-ptcl-img.zst.aa: CRC mismatch (level 3)"}}
	disk := model.Target{ID: "clonezilla/pve-hdd", Name: "pve-hdd", Kind: "disk", Source: model.SourceClonezilla, RestorePoints: []model.RestorePoint{
		{ID: "/cz/pve-pve-hdd-2026-11-19", Time: reportNow.AddDate(0, 0, -10), Size: 3 << 20, Format: "clonezilla savedisk zstd", Verified: damaged},
		{ID: "/cz/pve-pve-hdd-2026-11-01", Time: reportNow.AddDate(0, 0, -28), Size: 2 << 20, Format: "clonezilla savedisk zstd", Verified: whole},
		{ID: "/cz/pve-pve-hdd-2026-10-01", Time: reportNow.AddDate(0, 0, -59), Size: 2 << 20, Format: "clonezilla savedisk zstd"},
	}}
	guest := model.Target{ID: "pve/qemu/411", Name: "k3sserver01", Kind: model.KindVM, Source: model.SourceProxmox,
		RestorePoints: []model.RestorePoint{{ID: "x", Time: reportNow.Add(-time.Hour)}}}
	p := model.BuildPosture(model.PostureInput{Now: reportNow, Sources: []model.SourceState{
		{Source: model.SourceClonezilla, OK: true, Targets: []model.Target{disk}}, {Source: model.SourceProxmox, OK: true, Targets: []model.Target{guest}}},
		Concerns: []model.ConcernSpec{{ID: model.ConcernHost, MaxAge: 35 * 24 * time.Hour, Targets: []string{"clonezilla/*"}},
			{ID: model.ConcernVMs, MaxAge: 26 * time.Hour, Targets: []string{"pve/qemu/*"}}}})
	b, err := json.Marshal(newStatusReport(p))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Concerns []struct {
			ID      string
			Targets []struct {
				ID         string
				AgeSeconds int64 `json:"age_seconds"`
				Images     []struct {
					Path     string
					Verified *struct {
						Level    int
						OK       bool
						Problems []string
					}
				} `json:"images"`
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	host, vms := doc.Concerns[0].Targets[0], doc.Concerns[1].Targets[0]
	if len(host.Images) != 3 || host.Images[0].Path != "/cz/pve-pve-hdd-2026-11-19" {
		t.Fatalf("host images %+v", host.Images)
	}
	if v := host.Images[0].Verified; v == nil || v.OK || len(v.Problems) != 1 {
		t.Errorf("damaged image's verification %+v", v)
	}
	if v := host.Images[1].Verified; v == nil || !v.OK || v.Level != 3 || v.Problems == nil {
		t.Errorf("whole image's verification %+v (problems must be [] not null)", v)
	}
	if host.Images[2].Verified != nil {
		t.Errorf("never verified image has %+v", host.Images[2].Verified)
	}
	// The damaged newest image is no good backup: the age is the whole one's.
	if want := int64(28 * 24 * 3600); host.AgeSeconds != want {
		t.Errorf("age %d s, want %d (the newest whole image)", host.AgeSeconds, want)
	}
	if vms.Images != nil {
		t.Errorf("a guest lists images: %+v", vms.Images)
	}
}
