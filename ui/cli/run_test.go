package cli

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

func TestResolveTargetByNameOrVMID(t *testing.T) {
	guest := func(id, name string, vmid int) model.TargetStatus {
		return model.TargetStatus{Target: model.Target{ID: id, Name: name, VMID: vmid, Source: model.SourceProxmox,
			Methods: []model.Method{model.MethodVzdump, model.MethodSnapshot}}}
	}
	client := model.TargetStatus{Target: model.Target{ID: "urbackup/k3sagent01", Name: "k3sagent01", Source: model.SourceURBackup,
		Methods: []model.Method{model.MethodIncrFile, model.MethodFullFile}}}
	p := &model.Posture{Concerns: []model.ConcernStatus{
		{Targets: []model.TargetStatus{guest("pve/qemu/421", "k3sagent01", 421), guest("pve/lxc/200", "web", 200), guest("pve/qemu/201", "web", 201)}},
		{Targets: []model.TargetStatus{client, guest("pve/qemu/421", "k3sagent01", 421)}},
	}}
	for _, tc := range []struct {
		arg    string
		method model.Method
		want   string // the id, or a piece of the error
	}{
		{"k3sagent01", model.MethodVzdump, "pve/qemu/421"},
		{"421", model.MethodSnapshot, "pve/qemu/421"},
		{"k3sagent01", model.MethodIncrFile, "urbackup/k3sagent01"},
		{"200", model.MethodVzdump, "pve/lxc/200"},
		{"web", model.MethodVzdump, `"web" names 2 targets (pve/lxc/200, pve/qemu/201)`},
		{"nosuch", model.MethodVzdump, `no target named "nosuch"`},
		{"421", model.MethodIncrFile, `no target named "421" takes --method incr-file`},
	} {
		got, err := resolveTarget(p, tc.arg, tc.method)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s --method %s: got %q, want %q", tc.arg, tc.method, got, tc.want)
		}
	}
}

func TestStatusShowsIDs(t *testing.T) {
	home := t.TempDir()
	out, errOut, _ := runIn(t, home, "status", "--demo", "--ids")
	for _, id := range []string{"pve/qemu/421", "urbackup/k3sagent01", "clonezilla/pve-ssd"} {
		if !strings.Contains(out, " "+id+" ") {
			t.Errorf("no %s column in\n%s%s", id, out, errOut)
		}
	}
	out, _, _ = runIn(t, home, "status", "--demo")
	if strings.Contains(out, "pve/qemu/421") {
		t.Errorf("ids shown without --ids on a pipe:\n%s", out)
	}
}

// run follows a vzdump to its end, one JSON line per change, every line
// with every key.
func TestRunFollowsAJobToItsEnd(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	out, errOut, code := runIn(t, home, "run", "pve/qemu/422", "--method", "vzdump", "--json", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var last map[string]any
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		lines++
		last = nil
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("line %d is not JSON: %q", lines, sc.Text())
		}
		for _, k := range []string{"state", "percent", "done_bytes", "total_bytes", "bytes_per_second", "eta_seconds", "message"} {
			if _, ok := last[k]; !ok {
				t.Fatalf("line %d lacks %q: %s", lines, k, sc.Text())
			}
		}
	}
	if lines < 2 || last["state"] != "succeeded" {
		t.Fatalf("%d lines, the last %v", lines, last)
	}

	// By name, in text: the guest's name finds its id.
	out, errOut, code = runIn(t, home, "run", "k3sagent02", "--method", "snapshot", "--name", "by-name", "--config", cfg)
	if code != 0 || !strings.Contains(out, "succeeded") {
		t.Errorf("run by name: exit %d\n%s%s", code, out, errOut)
	}
}

func TestRunRefusesWithReasons(t *testing.T) {
	home := t.TempDir()
	_, cfg := labWith(t, home)
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"run", "urbackup/k3sserver01", "--method", "incr-file"}, 2, "offline"},
		{[]string{"run", "pve/qemu/421", "--method", "frob"}, exitUsage, "backdeck run: unknown method"},
		{[]string{"run"}, exitUsage, "give one TARGET"},
		{[]string{"run", "pve/qemu/421", "pve/qemu/422", "--method", "vzdump"}, exitUsage, "give one TARGET"},
		{[]string{"run", "nosuchguest", "--method", "vzdump"}, exitUsage, `no target named "nosuchguest"`},
		{[]string{"run", "pve/qemu/999", "--method", "vzdump"}, 2, "999"},
	} {
		_, errOut, code := runIn(t, home, append(c.args, "--config", cfg)...)
		if code != c.code || !strings.Contains(errOut, c.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.says)
		}
	}
	if _, errOut, code := runIn(t, home, "run", "pve/qemu/421", "--method", "vzdump", "--config", home+"/none.toml"); code != exitSetup || !strings.Contains(errOut, "no config at") {
		t.Errorf("no config: exit %d\n%s", code, errOut)
	}
}
