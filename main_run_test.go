package main

import (
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
