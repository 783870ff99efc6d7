package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// drill_max_age is read, checked and written like max_age.
func TestDrillMaxAge(t *testing.T) {
	c, err := Parse(t.Context(), testFile, []byte("[[concern]]\nid = \"vms\"\nmax_age = \"26h\"\ndrill_max_age = \"30d\"\ntargets = [\"pve/qemu/*\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	specs := c.ConcernSpecs()
	if len(specs) == 0 || specs[0].DrillMaxAge != 30*24*time.Hour {
		t.Fatalf("specs %+v", specs)
	}
	for _, tc := range []struct {
		src  string
		line int
		has  string
	}{
		{"[[concern]]\nid = \"vms\"\ndrill_max_age = 30\n", 3, `[[concern]] #1 drill_max_age: 30 has no unit; write e.g. drill_max_age = "30d"`},
		{"[[concern]]\nid = \"vms\"\ndrill_max_age = \"-3d\"\n", 3, `[[concern]] #1 drill_max_age: "-3d" is negative`},
		{"[[concern]]\nid = \"vms\"\ndrill_max_age = \"soon\"\n", 3, `drill_max_age: "soon" is not a duration`},
		{"[[concern]]\nid = \"backups\"\ndrill_max_age = \"30d\"\n", 3, "[[concern]] #1 drill_max_age: the backups concern rates the stores and drives"},
	} {
		_, err := Parse(t.Context(), testFile, []byte(tc.src))
		if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("%s:%d: ", testFile, tc.line)) || !strings.Contains(err.Error(), tc.has) {
			t.Errorf("%q: %v, want line %d with %q", tc.src, err, tc.line, tc.has)
		}
	}
}
