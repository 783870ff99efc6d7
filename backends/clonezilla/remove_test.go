package clonezilla

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backdeck/backdeck/model"
)

// TestRemoveImageOnlyAnImageInAnImageDir: prune removes an image directly
// inside a configured image directory, and refuses everything else, leaving
// it in place.
func TestRemoveImageOnlyAnImageInAnImageDir(t *testing.T) {
	repo := t.TempDir()
	other := t.TempDir()
	src := NewSource(SourceOptions{Config: model.ClonezillaConfig{ImageDirs: []string{repo}}})

	img := tinyImage(t, repo, "pve-pve-ssd-2026-10-01", "2026-10-01 03:04:05")
	if err := src.RemoveImage(img); err != nil {
		t.Fatalf("removing an image: %v", err)
	}
	if _, err := os.Stat(img); !os.IsNotExist(err) {
		t.Fatalf("the image is still there: %v", err)
	}

	outside := tinyImage(t, other, "pve-pve-ssd-2026-09-01", "2026-09-01 03:04:05")
	nested := tinyImage(t, filepath.Join(repo, "old"), "pve-pve-ssd-2026-08-01", "2026-08-01 03:04:05")
	notImage := filepath.Join(repo, "photos")
	if err := os.Mkdir(notImage, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, notImage, "cat.jpg", "not an image")
	for _, tc := range []struct{ path, says string }{
		{outside, "not inside the configured image_dirs"},
		{nested, "not inside the configured image_dirs"},
		{repo, "not inside the configured image_dirs"},
		{filepath.Join(repo, "..", filepath.Base(other), "pve-pve-ssd-2026-09-01"), "not inside the configured image_dirs"},
		{notImage, "is no longer a Clonezilla image"},
	} {
		err := src.RemoveImage(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "not removed") {
			t.Errorf("RemoveImage(%s) = %v, want an error saying %q", tc.path, err, tc.says)
		}
		if _, err := os.Stat(tc.path); err != nil {
			t.Errorf("%s went: %v", tc.path, err)
		}
	}

	// A link in the image directory to an image elsewhere: the link goes,
	// never what it points at.
	link := filepath.Join(repo, "linked")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	if err := src.RemoveImage(link); err != nil {
		t.Fatalf("removing a link to an image: %v", err)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("the link is still there: %v", err)
	}
	if _, err := ReadImage(outside); err != nil {
		t.Errorf("the image the link pointed at was touched: %v", err)
	}
}
