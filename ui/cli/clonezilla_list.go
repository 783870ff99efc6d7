package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/backdeck/backdeck/ui/theme"

	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/model"
)

func clonezillaListCommand() command {
	return command{
		name:     "clonezilla list",
		synopsis: "[--json]",
		summary:  "the host's images, newest first, with their verification",
		about:    "The images in [clonezilla] image_dirs. Exit 2 when none can be read.",
		common:   true,
		flags: func(fs *flag.FlagSet) action {
			asJSON := fs.Bool("json", false, "print a JSON array")
			return func(ctx context.Context, c *call) int { return listImages(ctx, c, *asJSON) }
		},
	}
}

// imageJSON is one image in `clonezilla list --json`.
type imageJSON struct {
	Name        string              `json:"name"`
	Path        string              `json:"path"`
	Mode        string              `json:"mode"`
	Saved       time.Time           `json:"saved"`
	SavedFrom   string              `json:"saved_from"`
	Disks       []imageDiskJSON     `json:"disks"`
	Partitions  []string            `json:"partitions"`
	LVs         []string            `json:"lvs"`
	SizeBytes   int64               `json:"size_bytes"`
	Compression string              `json:"compression"`
	Checksums   []string            `json:"checksums"`
	SMARTAtSave string              `json:"smart_at_save"`
	Verified    *reportVerification `json:"verified"`
	// VerifiedError says why the verification is unknown (the history
	// cannot be read); Verified is then null without meaning "never".
	VerifiedError string `json:"verified_error,omitempty"`
}

type imageDiskJSON struct {
	Name   string `json:"name"`
	Serial string `json:"serial"`
	Model  string `json:"model"`
	Size   int64  `json:"size_bytes"`
	SMART  string `json:"smart"`
}

func listImages(ctx context.Context, c *call, asJSON bool) int {
	b := buildClonezilla(ctx, c)
	if b == nil {
		return exitSetup
	}
	defer b.Close()
	images, errs := clonezilla.Scan(b.Config.Clonezilla.ImageDirs)
	for _, err := range errs {
		c.warnf("%v", err)
	}
	verified, histErr := verifications(ctx, b.HistoryPath, images)
	if histErr != nil {
		c.warnf("the verifications are unknown: %v", histErr)
	}
	if asJSON {
		out := []imageJSON{}
		for _, img := range images {
			j := newImageJSON(img, verified)
			if histErr != nil {
				j.VerifiedError = "the history cannot be read: " + histErr.Error()
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(c.Stderr, "backdeck:", err)
		}
	} else {
		if len(images) == 0 {
			fmt.Fprintf(c.Stdout, "no Clonezilla image in %s\n", strings.Join(b.Config.Clonezilla.ImageDirs, ", "))
		}
		now := c.Now()
		for _, img := range images {
			fmt.Fprintf(c.Stdout, "%s  saved %s (%s ago)  %s\n", img.Name, img.Saved.Local().Format("2006-01-02 15:04"), model.HumanAge(now.Sub(img.Saved)), model.HumanBytes(img.SizeBytes))
			for _, d := range img.Disks {
				fmt.Fprintf(c.Stdout, "    disk %s %s serial %s %s, SMART at save: %s\n", d.Name, d.Model, orDash(d.Serial), model.HumanBytes(d.Size), orDash(d.SMART))
			}
			fmt.Fprintf(c.Stdout, "    %s\n", img.Summary())
			v, found := verified[img.Path]
			if histErr != nil {
				fmt.Fprintf(c.Stdout, "    %s verification unknown: the history cannot be read\n", theme.Glyph(model.StatusUnknown, c.ascii(b)))
			} else {
				fmt.Fprintf(c.Stdout, "    %s\n", verifiedText(v, found, filepath.Base(img.Path), now, c.ascii(b), c.common.demo))
			}
			fmt.Fprintf(c.Stdout, "    %s\n", img.Path)
		}
	}
	if len(errs) > 0 && len(images) == 0 {
		return 2
	}
	return 0
}

func newImageJSON(img clonezilla.Image, verified map[string]model.Verification) imageJSON {
	j := imageJSON{Name: img.Name, Path: img.Path, Mode: string(img.Mode), Saved: img.Saved.UTC(), SavedFrom: img.SavedFrom,
		Disks: []imageDiskJSON{}, Partitions: []string{}, LVs: []string{}, SizeBytes: img.SizeBytes,
		Compression: img.Compression, Checksums: append([]string{}, img.Checksums...), SMARTAtSave: img.SMARTAtSave}
	for _, d := range img.Disks {
		j.Disks = append(j.Disks, imageDiskJSON{Name: d.Name, Serial: d.Serial, Model: d.Model, Size: d.Size, SMART: d.SMART})
	}
	for _, p := range img.Parts {
		j.Partitions = append(j.Partitions, p.Name)
	}
	for _, lv := range img.LVs {
		j.LVs = append(j.LVs, lv.Name)
	}
	if v, ok := verified[img.Path]; ok {
		j.Verified = newReportVerification(&v)
	}
	return j
}
