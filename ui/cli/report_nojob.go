package cli

import (
	"fmt"
	"strings"
)

// noJobLines names the guests that no scheduled backup job covers, once
// each whatever the concerns they are in: they are backed up only when
// someone remembers to. "" when there are none.
func (r statusReport) noJobLines() string {
	seen := map[string]bool{}
	var names []string
	for _, c := range r.Concerns {
		for _, t := range c.Targets {
			if t.NoJob && !seen[t.ID] {
				seen[t.ID] = true
				names = append(names, fmt.Sprintf("%s (%s)", t.Name, t.ID))
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "\nNo backup job covers: " + strings.Join(names, ", ") + "\n" +
		"  add them to one (Datacenter → Backup) or back them up by hand\n"
}
