package clonezilla

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdeck/backdeck/model"
)

// repoWith makes an image directory holding one image rebuilt from
// FORMAT.md's appendix (no root needed).
func repoWith(t *testing.T, repo, image string) string {
	t.Helper()
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(repo, image)
	if err := os.Rename(formatImage(t, image), dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

func cacheSource(dirs []string, cache string) *Source {
	at := time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC)
	return NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: dirs}, CachePath: cache,
		Now: func() time.Time { return at }})
}

// Issue 9 §3: the list kept for while the drive is away shows, and keeps,
// only images of the directories the config names now.
func TestCacheShowsOnlyTheConfiguredDirs(t *testing.T) {
	tmp := t.TempDir()
	x, y := filepath.Join(tmp, "x"), filepath.Join(tmp, "y")
	cache := filepath.Join(tmp, "state", "clonezilla-images.json")
	repoWith(t, x, "simple-gpt-sums")
	state, err := cacheSource([]string{x}, cache).Observe(context.Background())
	if err != nil || len(state.Targets) == 0 || len(state.Targets[0].RestorePoints) != 1 {
		t.Fatalf("scan of x: %v %+v", err, state.Targets)
	}

	// Another config, whose image directory y is away: x's images are not
	// its own, so it has no record to show.
	_, err = cacheSource([]string{y}, cache).Observe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "plug in and mount the image drive") {
		t.Fatalf("y away with a record of x only: %v", err)
	}
	c, ok, err := loadCache(cache)
	if !ok || err != nil || len(c.Images) != 0 || len(c.Dirs) != 0 {
		t.Errorf("the record still keeps x: %+v %v %v", c, ok, err)
	}

	// A record of x and y, y away, config y: only y's image shows.
	repoWith(t, x, "simple-gpt-nosums")
	repoWith(t, y, "pve-host-lvm")
	if _, err := cacheSource([]string{x, y}, cache).Observe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(y, y+".away"); err != nil {
		t.Fatal(err)
	}
	state, err = cacheSource([]string{y}, cache).Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var points []string
	for _, tg := range state.Targets {
		for _, rp := range tg.RestorePoints {
			points = append(points, rp.ID)
		}
	}
	if len(points) != 1 || points[0] != filepath.Join(y, "pve-host-lvm") || !state.Targets[0].Offline {
		t.Errorf("shown %v (targets %+v), want y's image alone, offline", points, state.Targets)
	}
}

// A record written by an older version names no directories: its images
// count only where they lie in a configured directory.
func TestCacheWithoutDirsFiltersByPath(t *testing.T) {
	tmp := t.TempDir()
	cache := filepath.Join(tmp, "clonezilla-images.json")
	old := cachedInventory{Seen: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Images: []Image{
		{Path: "/tmp/x/img-a", Name: "img-a"}, {Path: "/tmp/x", Name: "x"}, {Path: "/tmp/y/img-b", Name: "img-b"},
	}}
	b, _ := json.Marshal(old)
	if err := os.WriteFile(cache, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dirs []string
		want int
	}{{[]string{"/tmp/x"}, 2}, {[]string{"/tmp/x/"}, 2}, {[]string{"/tmp/y"}, 1}, {[]string{"/tmp/z"}, 0},
		{[]string{"/tmp"}, 1}, // the image /tmp/x, in the repository /tmp
	} {
		got := old.within(c.dirs)
		if len(got.Images) != c.want {
			t.Errorf("within %v: %+v, want %d images", c.dirs, got.Images, c.want)
		}
		if covered := got.covers(c.dirs[0]); covered != (c.want > 0) {
			t.Errorf("covers(%s) = %v", c.dirs[0], covered)
		}
	}
}

// Issue 9 §4: a state directory that cannot be written does not disable the
// source: the images are read and shown, and the failure is a note.
func TestCacheThatCannotBeWrittenIsANote(t *testing.T) {
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "images")
	repoWith(t, repo, "simple-gpt-sums")
	// A regular file where the state directory should be: ENOTDIR, which
	// fails for root too (a read-only directory would not).
	notDir := filepath.Join(tmp, "state")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := cacheSource([]string{repo}, filepath.Join(notDir, "clonezilla-images.json"))
	state, err := s.Observe(context.Background())
	if err != nil {
		t.Fatalf("a cache that cannot be written failed the source: %v", err)
	}
	if len(state.Targets) != 1 || len(state.Targets[0].RestorePoints) != 1 || state.Targets[0].Offline {
		t.Errorf("targets %+v, want the image shown", state.Targets)
	}
	if len(state.Notes) != 1 || !strings.Contains(state.Notes[0], "not kept for when the image drive is away") ||
		!strings.Contains(state.Notes[0], "not a directory") || !strings.Contains(state.Notes[0], "make "+notDir+" writable") {
		t.Errorf("notes %q", state.Notes)
	}
	// Written fine: no note.
	s = cacheSource([]string{repo}, filepath.Join(tmp, "ok", "clonezilla-images.json"))
	if state, err := s.Observe(context.Background()); err != nil || len(state.Notes) != 0 {
		t.Errorf("writable state: %v %q", err, state.Notes)
	}
}

// A record that is not a regular file or is far too large is refused with
// what to do, not read.
func TestCacheRefusesWhatIsNotARecord(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := loadCache(dir); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("a directory as record: %v", err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, maxCacheFile+1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadCache(big); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("a huge record: %v", err)
	}
}
