package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/backdeck/backdeck/ui/theme"

	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/model"
)

// clonezillaGroup is the row of `backdeck clonezilla`, whose commands are
// the clonezilla_*.go files.
func clonezillaGroup() command {
	return command{
		name:    "clonezilla",
		summary: "the Clonezilla images of the host's disks",
		about:   "The Clonezilla images of the Proxmox host's own disks ([clonezilla] in the config).",
	}
}

// buildClonezilla builds the sources and checks [clonezilla] is configured;
// it has said why on stderr when it returns nil.
func buildClonezilla(ctx context.Context, c *call) *wire.Built {
	b, err := c.build(ctx, wire.SourceTimeout)
	if err != nil {
		c.warnf("%v", err)
		return nil
	}
	if b.Clonezilla == nil {
		b.Close()
		c.warnf("the config has no [clonezilla] section: add image_dirs and the [[clonezilla.disk]] list (see config.toml.example)")
		return nil
	}
	return b
}

// verifications reads each image's verdict from the history: its checks
// of the image as it is now (its stamp), where damage stays until a check
// as deep passes. An error means the verdicts are unknown, not "not
// verified": the caller says so.
func verifications(ctx context.Context, path string, images []clonezilla.Image) (map[string]model.Verification, error) {
	db, err := history.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var ids []string
	for _, img := range images {
		ids = append(ids, img.Path)
	}
	checks, err := db.Checks(ctx, ids)
	if err != nil {
		return nil, err
	}
	found := map[string]model.Verification{}
	for _, img := range images {
		if v := model.VerificationVerdict(checks[img.Path], img.Stamp); v != nil {
			found[img.Path] = *v
		}
	}
	return found, nil
}

// verifiedText is an image's newest verification in words.
func verifiedText(v model.Verification, found bool, name string, now time.Time, ascii, demo bool) string {
	switch {
	case !found && demo:
		return "not verified: backdeck clonezilla verify " + name + " --demo"
	case !found:
		return "not verified: backdeck clonezilla verify " + name
	case v.OK:
		return fmt.Sprintf("%s verified whole at level %d, %s ago", theme.Glyph(model.StatusOK, ascii), v.Level, model.HumanAge(now.Sub(v.At)))
	}
	damaged := fmt.Sprintf("%s DAMAGED: %d problems found at level %d, %s ago", theme.Glyph(model.StatusCritical, ascii), len(v.Problems), v.Level, model.HumanAge(now.Sub(v.At)))
	if len(v.Problems) > 0 {
		damaged += " (first: " + v.Problems[0] + ")"
	}
	return damaged
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
