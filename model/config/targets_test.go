package config

import (
	"fmt"
	"strings"
	"testing"
)

// Ids of the old form, node first, still load: rewritten to the source's
// id, each with a warning at its line naming the new id.
func TestOldGuestTargetIDs(t *testing.T) {
	src := pveOK + `
[[concern]]
id = "vms"
targets = [
  "alpha/qemu/201",
  "beta/lxc/300",
  "pve/qemu/411",
  "*/qemu/5*",
  "alpha/qemu/*",
  "urbackup/k3sagent01",
  "clonezilla/pve-ssd",
  "a-b/qemu/202",
]

[[concern]]
id = "cluster"
targets = ["alpha/qemu/421", "beta/qemu/421", "pve/qemu/422", "gamma/qemu/422", "pve/qemu/423", "pve/qemu/423"]
`
	c, err := Parse(t.Context(), testFile, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "vms targets", c.Concerns[0].Targets, []string{
		"pve/qemu/201", "pve/lxc/300", "pve/qemu/411", "*/qemu/5*", "pve/qemu/*",
		"urbackup/k3sagent01", "clonezilla/pve-ssd", "pve/qemu/202",
	})
	eq(t, "cluster targets", c.Concerns[1].Targets, []string{"pve/qemu/421", "pve/qemu/422", "pve/qemu/423"})
	eq(t, "warnings", c.Warnings, []string{
		testFile + `:9: target "alpha/qemu/201" is now "pve/qemu/201": the id names the source, not the node`,
		testFile + `:10: target "beta/lxc/300" is now "pve/lxc/300": the id names the source, not the node`,
		testFile + `:13: target "alpha/qemu/*" is now "pve/qemu/*": the id names the source, not the node, so this pattern covers the guests of every node`,
		testFile + `:16: target "a-b/qemu/202" is now "pve/qemu/202": the id names the source, not the node`,
		testFile + `:21: target "alpha/qemu/421" is now "pve/qemu/421": the id names the source, not the node`,
		testFile + `:21: target "beta/qemu/421" is now "pve/qemu/421", listed already: the id names the source, not the node; kept once`,
		testFile + `:21: target "gamma/qemu/422" is now "pve/qemu/422", listed already: the id names the source, not the node; kept once`,
		testFile + `:21: target "pve/qemu/423" is listed twice: kept once`,
	})
}

// Two nodes' ids of one guest on different lines: the warning says where
// the first is.
func TestOldGuestTargetIDsCollapse(t *testing.T) {
	src := "[[concern]]\nid = \"vms\"\ntargets = [\n  \"pve/qemu/201\",\n  \"alpha/qemu/201\",\n  \"alpha/qemu/202\",\n  \"pve/qemu/202\",\n]\n"
	c, err := Parse(t.Context(), testFile, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "targets", c.Concerns[0].Targets, []string{"pve/qemu/201", "pve/qemu/202"})
	eq(t, "warnings", c.Warnings, []string{
		testFile + `:5: target "alpha/qemu/201" is now "pve/qemu/201", listed already (line 4): the id names the source, not the node; kept once`,
		testFile + `:6: target "alpha/qemu/202" is now "pve/qemu/202": the id names the source, not the node`,
		testFile + `:7: target "pve/qemu/202" is listed already as "alpha/qemu/202" (line 6): kept once`,
	})
}

func TestOldGuestTargetIDsWarnAFew(t *testing.T) {
	var ids []string
	for i := range 50 {
		ids = append(ids, fmt.Sprintf("%q", fmt.Sprintf("n%d/qemu/%d", i, 100+i)))
	}
	src := "[[concern]]\nid = \"vms\"\ntargets = [" + strings.Join(ids, ", ") + "]\n"
	c, err := Parse(t.Context(), testFile, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Concerns[0].Targets) != 50 {
		t.Errorf("%d targets, want 50", len(c.Concerns[0].Targets))
	}
	if len(c.Warnings) != maxProblems+1 || c.Warnings[maxProblems] != testFile+": and 30 more warnings like these" {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func TestNewGuestTarget(t *testing.T) {
	for in, want := range map[string]string{
		"alpha/qemu/201": "pve/qemu/201",
		"node1/lxc/300":  "pve/lxc/300",
		"n?de/qemu/1":    "pve/qemu/1",
		"alpha/qemu/2*":  "pve/qemu/2*",
		"pve/qemu/201":   "",
		"*/qemu/201":     "",
		"p*/lxc/*":       "",
		"alpha/disk/1":   "",
		"alpha/*/201":    "",
		"urbackup/x":     "",
		"a/b/qemu/1":     "",
		"pve/hdd_bkp":    "",
		"[/qemu/1":       "",
	} {
		got, ok := newGuestTarget(in)
		if want == "" && (ok || got != in) || want != "" && (!ok || got != want) {
			t.Errorf("newGuestTarget(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
