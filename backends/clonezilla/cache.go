package clonezilla

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// The image drive is plugged in for a monthly run and spends the rest of the
// month in a drawer. The source keeps the last inventory it read in a small
// file, so the host's disks are still rated by the images they have while
// the drive is away, marked as last seen. The file remembers images only of
// the image directories the config names: a lab or demo run, or another
// config sharing the state directory, never shows its images as the host's.

// cachedInventory is the file's content.
type cachedInventory struct {
	Seen time.Time `json:"seen"`
	// Dirs are the image directories scanned (absent in files of older
	// versions).
	Dirs   []string `json:"dirs,omitempty"`
	Images []Image  `json:"images"`
}

// maxCacheFile bounds what is read of the file: a few KiB per image.
const maxCacheFile = 16 << 20

// saveCache writes the inventory atomically (a temporary file renamed), so a
// crash never leaves half a file.
func saveCache(path string, c cachedInventory) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".clonezilla-images-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// loadCache reads the last inventory; ok is false when there is none.
func loadCache(path string) (cachedInventory, bool, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return cachedInventory{}, false, nil
	}
	if err != nil {
		return cachedInventory{}, false, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && (!st.Mode().IsRegular() || st.Size() > maxCacheFile) {
		return cachedInventory{}, false, fmt.Errorf("%s is not the image list backdeck keeps (not a regular file of at most %d MiB): remove it, it is written anew on the next scan", path, maxCacheFile>>20)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxCacheFile+1))
	if err != nil {
		return cachedInventory{}, false, err
	}
	c, err := decodeCache(b)
	if err != nil {
		return c, false, fmt.Errorf("%s is damaged (%v): it is written anew on the next scan", path, err)
	}
	return c, true, nil
}

// decodeCache reads the file's JSON.
func decodeCache(b []byte) (cachedInventory, error) {
	if len(b) > maxCacheFile {
		return cachedInventory{}, fmt.Errorf("larger than %d MiB", maxCacheFile>>20)
	}
	var c cachedInventory
	if err := json.Unmarshal(b, &c); err != nil {
		return cachedInventory{}, err
	}
	return c, nil
}

// within keeps what the record says of the image directories dirs: their
// images (the directories themselves, or their children) and their names.
func (c cachedInventory) within(dirs []string) cachedInventory {
	named := map[string]bool{}
	for _, d := range dirs {
		named[filepath.Clean(d)] = true
	}
	out := cachedInventory{Seen: c.Seen}
	for _, d := range c.Dirs {
		if named[filepath.Clean(d)] {
			out.Dirs = append(out.Dirs, d)
		}
	}
	for _, img := range c.Images {
		p := filepath.Clean(img.Path)
		if named[p] || named[filepath.Dir(p)] {
			out.Images = append(out.Images, img)
		}
	}
	return out
}

// covers reports whether the record knows the image directory dir: it was
// scanned, or images of it are remembered (files of older versions do not
// list the directories).
func (c cachedInventory) covers(dir string) bool {
	dir = filepath.Clean(dir)
	for _, d := range c.Dirs {
		if filepath.Clean(d) == dir {
			return true
		}
	}
	for _, img := range c.Images {
		p := filepath.Clean(img.Path)
		if p == dir || filepath.Dir(p) == dir {
			return true
		}
	}
	return false
}
