package cli

import (
	"context"
	"fmt"
	"time"

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

// verifications reads the newest verification of each image from the
// history; without a history every image is "not verified" and a warning
// says why.
func verifications(ctx context.Context, c *call, path string, images []clonezilla.Image) map[string]model.Verification {
	db, err := history.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck: no verification history:", err)
		return nil
	}
	defer db.Close()
	var ids []string
	for _, img := range images {
		ids = append(ids, img.Path)
	}
	found, err := db.Verifications(ctx, ids)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck: reading the verification history:", err)
	}
	return found
}

// verifiedText is an image's newest verification in words.
func verifiedText(v model.Verification, found bool, name string, now time.Time, ascii, demo bool) string {
	switch {
	case !found && demo:
		return "not verified: backdeck clonezilla verify " + name + " --demo"
	case !found:
		return "not verified: backdeck clonezilla verify " + name
	case v.OK:
		return fmt.Sprintf("%s verified whole at level %d, %s ago", model.StatusOK.Glyph(ascii), v.Level, model.HumanAge(now.Sub(v.At)))
	}
	damaged := fmt.Sprintf("%s DAMAGED: %d problems found at level %d, %s ago", model.StatusCritical.Glyph(ascii), len(v.Problems), v.Level, model.HumanAge(now.Sub(v.At)))
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
