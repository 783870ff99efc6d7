package clonezilla

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyImage writes the smallest directory Clonezilla's files make an image
// of (a savedisk of sda, saved at the time given), without root or tools.
func tinyImage(tb testing.TB, repo, name, saved string) string {
	tb.Helper()
	dir := filepath.Join(repo, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	writeFile(tb, dir, "disk", "sda\n")
	writeFile(tb, dir, "parts", "sda1\n")
	writeFile(tb, dir, "clonezilla-img", "This image was saved by Clonezilla at "+saved+" UTC\n")
	return dir
}

func TestFindImageByPathOrName(t *testing.T) {
	repo := t.TempDir()
	other := t.TempDir()
	newer := tinyImage(t, repo, "pve-pve-ssd-2026-11-01", "2026-11-01 03:04:05")
	tinyImage(t, repo, "pve-pve-ssd-2026-10-01", "2026-10-01 03:04:05")
	elsewhere := tinyImage(t, other, "copied", "2026-09-01 03:04:05")
	photos := filepath.Join(repo, "photos")
	if err := os.Mkdir(photos, 0o755); err != nil {
		t.Fatal(err)
	}
	dirs := []string{repo}

	for _, tc := range []struct {
		arg, dirs, want string // want: the image's path, or a piece of the error
	}{
		{"pve-pve-ssd-2026-11-01", "repo", newer},
		{newer, "", newer},             // a path needs no image_dirs
		{elsewhere, "repo", elsewhere}, // nor to be inside them
		{"copied", "repo", "no image named copied in " + repo + " (backdeck clonezilla list shows them)"},
		{"copied", "", "copied: no such directory, and no [clonezilla] image_dirs"},
		{filepath.Join(repo, "gone"), "repo", filepath.Join(repo, "gone") + ": no such directory"},
		{photos, "repo", "is no Clonezilla image"},
	} {
		var d []string
		if tc.dirs != "" {
			d = dirs
		}
		img, err := FindImage(tc.arg, d)
		got := img.Path
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("FindImage(%q, %v) = %q, want %q", tc.arg, d, got, tc.want)
		}
		if err == nil && img.Name != filepath.Base(tc.want) {
			t.Errorf("FindImage(%q): name %q", tc.arg, img.Name)
		}
	}
}
