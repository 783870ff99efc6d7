package clonezilla

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The image drive is plugged in for a monthly run and spends the rest of the
// month in a drawer. The source keeps the last inventory it read in a small
// file, so the host's disks are still rated by the images they have while
// the drive is away, marked as last seen.

// cachedInventory is the file's content.
type cachedInventory struct {
	Seen   time.Time `json:"seen"`
	Images []Image   `json:"images"`
}

// saveCache writes the inventory atomically (a temporary file renamed), so a
// crash never leaves half a file.
func saveCache(path string, images []Image, seen time.Time) error {
	b, err := json.Marshal(cachedInventory{Seen: seen, Images: images})
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
	var c cachedInventory
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, false, fmt.Errorf("%s is damaged (%v): it is written anew on the next scan", path, err)
	}
	return c, true, nil
}
