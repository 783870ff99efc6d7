package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/wire"
	"github.com/backdeck/backdeck/model"
)

func clonezillaVerifyCommand() command {
	return command{
		name:     "clonezilla verify",
		synopsis: "IMAGE|--all [--level 1|2|3] [--json]",
		summary:  "prove images whole; exit 0 whole, 1 problems, 2 could not check",
		about: "Proves images whole and prints every problem by file name, one per line. IMAGE is a path or an\n" +
			"image name; an image given by its path needs no config. Level 1 checks the checksum files, 2 decodes\n" +
			"every stream, 3 (the default) checks partclone's CRCs too. With --all, the exit code is the\n" +
			"worst image's.",
		common: true,
		flags: func(fs *flag.FlagSet) action {
			all := fs.Bool("all", false, "verify every image in [clonezilla] image_dirs, newest first")
			level := fs.Int("level", clonezilla.LevelPartclone, "1 checksum files, 2 streams decoded, 3 partclone CRCs too")
			asJSON := fs.Bool("json", false, "one JSON object per line: progress lines, then one result per image")
			return func(ctx context.Context, c *call) int { return verifyImages(ctx, c, *all, *level, *asJSON) }
		},
	}
}

// verifyResultJSON is the last line of `clonezilla verify --json` per image.
type verifyResultJSON struct {
	Image    string               `json:"image"`
	Path     string               `json:"path"`
	Level    int                  `json:"level"`
	OK       bool                 `json:"ok"`
	Checked  bool                 `json:"checked"` // false: could not check; error says why
	Error    string               `json:"error,omitempty"`
	Problems []clonezilla.Problem `json:"problems"`
	Notices  []clonezilla.Notice  `json:"notices"`
	Bytes    int64                `json:"bytes"`
	Seconds  float64              `json:"seconds"`
}

func verifyImages(ctx context.Context, c *call, all bool, level int, asJSON bool) int {
	if all == (len(c.args) == 1) || len(c.args) > 1 {
		return c.failf(exitUsage, "give one IMAGE (a path or an image name) or --all")
	}
	if level < 1 || level > 3 {
		return c.failf(exitUsage, "--level is 1, 2 or 3")
	}
	// An image given by its path needs no config: an operator may check one
	// on any machine the drive is plugged into.
	var dirs []string
	historyPath := history.DefaultPath(c.Getenv)
	if st, err := os.Stat(firstArg(c.args)); err != nil || !st.IsDir() || c.common.demo || c.common.config != "" {
		b, err := c.build(ctx, wire.SourceTimeout)
		if err != nil {
			return c.failf(2, "%v", err)
		}
		defer b.Close()
		historyPath = b.HistoryPath
		if b.Config.Clonezilla != nil {
			dirs = b.Config.Clonezilla.ImageDirs
		}
	}
	var images []clonezilla.Image
	if all {
		if len(dirs) == 0 {
			return c.failf(2, "--all needs [clonezilla] image_dirs in the config")
		}
		var errs []error
		images, errs = clonezilla.Scan(dirs)
		for _, err := range errs {
			c.warnf("%v", err)
		}
		if len(images) == 0 {
			return c.failf(2, "no image found in %s", strings.Join(dirs, ", "))
		}
	} else {
		img, err := clonezilla.FindImage(c.args[0], dirs)
		if err != nil {
			return c.failf(2, "%v", err)
		}
		images = []clonezilla.Image{img}
	}
	db, err := history.Open(ctx, historyPath)
	if err != nil {
		c.warnf("the result will not be kept: %v", err)
		db = nil
	} else {
		defer db.Close()
	}
	code := 0
	var whole, damaged, unchecked []string
	for _, img := range images {
		res := verifyOne(ctx, c, img, level, asJSON, db)
		if res == exitInterrupted {
			return res
		}
		code = max(code, res)
		switch res {
		case 0:
			whole = append(whole, img.Name)
		case 1:
			damaged = append(damaged, img.Name)
		default:
			unchecked = append(unchecked, img.Name)
		}
	}
	if all {
		summary := verifySummary{Images: len(images), Whole: len(whole), Damaged: damaged, NotChecked: unchecked}
		if summary.Damaged == nil {
			summary.Damaged = []string{}
		}
		if summary.NotChecked == nil {
			summary.NotChecked = []string{}
		}
		if asJSON {
			printJSONLine(c, summary)
		} else {
			fmt.Fprintln(c.Stdout, summary.text())
		}
	}
	return code
}

// verifySummary is the last line of verify --all: how many images, and
// which ones are damaged or could not be checked.
type verifySummary struct {
	Images     int      `json:"images"`
	Whole      int      `json:"whole"`
	Damaged    []string `json:"damaged"`
	NotChecked []string `json:"not_checked"`
}

// text is "10 images: 9 whole, 1 damaged (pve-pve-hdd-2026-08-01)".
func (s verifySummary) text() string {
	parts := []string{fmt.Sprintf("%d whole", s.Whole)}
	if n := len(s.Damaged); n > 0 {
		parts = append(parts, fmt.Sprintf("%d damaged (%s)", n, strings.Join(s.Damaged, ", ")))
	}
	if n := len(s.NotChecked); n > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be checked (%s)", n, strings.Join(s.NotChecked, ", ")))
	}
	word := "images"
	if s.Images == 1 {
		word = "image"
	}
	return fmt.Sprintf("%d %s: %s", s.Images, word, strings.Join(parts, ", "))
}

// firstArg is the first positional argument, or "".
func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// verifyOne verifies one image with progress lines, prints its problems,
// keeps the result in the history and returns the exit code.
func verifyOne(ctx context.Context, c *call, img clonezilla.Image, level int, asJSON bool, db *history.DB) int {
	job := model.Job{ID: img.Path, Name: img.Name, Method: model.MethodVerify, Source: model.SourceClonezilla,
		State: model.JobRunning, Progress: model.UnknownProgress()}
	if !asJSON {
		fmt.Fprintf(c.Stdout, "verifying %s (level %d)\n", img.Path, level)
	}
	printer := jobPrinter{out: c.Stdout, json: asJSON}
	var mu sync.Mutex
	var last time.Time
	rep, err := clonezilla.Verify(ctx, img, level, func(p clonezilla.Progress) {
		// Once a second is enough for a log; the console shows it live.
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		j := job
		j.Progress = p.Model()
		printer.print(j)
	})
	if ctx.Err() != nil {
		return c.failf(exitInterrupted, "interrupted; %s was not fully checked", img.Name)
	}
	res := verifyResultJSON{Image: img.Name, Path: img.Path, Level: level, Problems: []clonezilla.Problem{}, Notices: []clonezilla.Notice{}}
	if err != nil {
		res.Error = err.Error()
		if asJSON {
			printJSONLine(c, res)
		} else {
			fmt.Fprintf(c.Stdout, "%s: could not check: %v\n", img.Name, err)
		}
		return 2
	}
	res.Checked, res.OK, res.Bytes, res.Seconds = true, rep.OK, rep.Bytes, rep.Duration.Seconds()
	res.Problems = append(res.Problems, rep.Problems...)
	res.Notices = append(res.Notices, rep.Notices...)
	if db != nil {
		if err := db.RecordVerification(ctx, img.Path, *clonezilla.Verification(rep)); err != nil {
			c.warnf("the result was not kept: %v", err)
		}
	}
	if asJSON {
		printJSONLine(c, res)
	} else {
		for _, n := range rep.Notices {
			fmt.Fprintf(c.Stdout, "note: %s\n", n)
		}
		if rep.OK {
			fmt.Fprintf(c.Stdout, "%s: whole (level %d, %s read in %s)\n", img.Name, rep.Level, model.HumanBytes(rep.Bytes), rep.Duration.Round(10*time.Millisecond))
		} else {
			fmt.Fprintf(c.Stdout, "%s: %s\n", img.Name, rep.Summary())
			for _, p := range rep.Problems {
				fmt.Fprintln(c.Stdout, p)
			}
		}
	}
	if !rep.OK {
		return 1
	}
	return 0
}

// printJSONLine prints v as one line of JSON.
func printJSONLine(c *call, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintln(c.Stderr, "backdeck:", err)
		return
	}
	fmt.Fprintln(c.Stdout, string(b))
}
