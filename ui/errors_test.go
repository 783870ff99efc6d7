package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// PVE's answer to a wrong token, as the proxmox source words it; SMART
// read through PVE (on a laptop) fails of it too, behind its own words.
const (
	pve401   = "PVE rejected the API token backdeck@pve!console: 401 invalid token value! — check token_id and the secret file"
	smart401 = "listing the PVE nodes for their disks: " + pve401
)

func postureWithErrors(errs ...model.SourceError) *model.Posture {
	p := seedPosture()
	p.Errors = errs
	return p
}

// One line per cause, with the sources it affects: in the log, the status
// bar and the stores panel.
func TestErrorsOnceByCause(t *testing.T) {
	pveErr := model.SourceError{Source: model.SourceProxmox, Message: pve401, At: testNow}
	smartErr := model.SourceError{Source: model.SourceSMART, Message: smart401, At: testNow}
	urbErr := model.SourceError{Source: model.SourceURBackup, Message: "UrBackup refused the login: wrong password", At: testNow}
	both := postureWithErrors(pveErr, smartErr)
	cases := []struct {
		name   string
		events []model.Event // a nil event: two minutes pass
		want   []string      // the log's lines, newest first
		bar    string
	}{
		{"the engine's event, then the posture (twice)", []model.Event{
			model.ErrorEvent{Err: pveErr}, model.PostureEvent{Posture: both},
			model.ErrorEvent{Err: pveErr}, model.ErrorEvent{Err: smartErr}, model.PostureEvent{Posture: both},
		}, []string{"proxmox, smart: " + pve401}, "✗ proxmox, smart: " + pve401},
		{"SMART's first", []model.Event{
			model.ErrorEvent{Err: smartErr}, model.ErrorEvent{Err: pveErr}, model.PostureEvent{Posture: both},
		}, []string{"proxmox, smart: " + pve401}, "✗ proxmox, smart: " + pve401},
		{"another cause is another line", []model.Event{
			model.PostureEvent{Posture: postureWithErrors(pveErr, urbErr, smartErr)},
		}, []string{"urbackup: " + urbErr.Message, "proxmox, smart: " + pve401}, "✗ urbackup: " + urbErr.Message},
		{"two sources' words around one cause, a posture between", []model.Event{
			model.ErrorEvent{Err: model.SourceError{Source: model.SourceProxmox, Message: "listing running jobs: " + pve401}},
			model.PostureEvent{Posture: postureWithErrors()}, // the sources have not answered yet
			model.ErrorEvent{Err: smartErr}, model.ErrorEvent{Err: pveErr}, model.PostureEvent{Posture: both},
		}, []string{"proxmox, smart: " + pve401}, "✗ proxmox, smart: " + pve401},
		{"a failure a while after a recovery is news again", []model.Event{
			model.PostureEvent{Posture: both}, model.PostureEvent{Posture: postureWithErrors()}, nil,
			model.ErrorEvent{Err: pveErr}, model.PostureEvent{Posture: both},
		}, []string{"proxmox, smart: " + pve401, "proxmox, smart: " + pve401}, "✗ proxmox, smart: " + pve401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := testNow
			tm := newTestModel(t, 160, 48, func(o *Options) { o.Now = func() time.Time { return clock } })
			for _, ev := range c.events {
				if ev == nil {
					clock = clock.Add(2 * time.Minute)
					continue
				}
				tm.send(eventsMsg{evs: []model.Event{ev}})
			}
			var got []string
			for i := len(tm.m.log.entries) - 1; i >= 0; i-- {
				got = append(got, tm.m.log.entries[i].text())
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("the log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if bar := tm.m.status.Text(); bar != c.bar {
				t.Fatalf("the status bar says %q, want %q", bar, c.bar)
			}
			if n := strings.Count(strings.Join(tm.storesText(), "\n"), "invalid token value"); n != 1 {
				t.Fatalf("the stores panel says it %d times:\n%s", n, strings.Join(tm.storesText(), "\n"))
			}
			tm.keys("L")
			n := 0
			for _, l := range strings.Split(tm.screen(), "\n") {
				if strings.Contains(l, ":00  ") && strings.Contains(l, "invalid token value") {
					n++
				}
			}
			if want := strings.Count(strings.Join(c.want, "\n"), "invalid token value"); n != want {
				t.Fatalf("the log view says it %d times, want %d:\n%s", n, want, tm.screen())
			}
		})
	}
}
