package clonezilla

import (
	"fmt"
	"os"
)

// RemoveImage removes an image directory, and only one that is a Clonezilla
// image directly inside a configured image directory: a stale or mistyped
// path never takes anything else with it.
func (s *Source) RemoveImage(path string) error {
	if s.ImageDirOf(path) == "" {
		return fmt.Errorf("%s is not inside the configured image_dirs: not removed", path)
	}
	if _, err := ReadImage(path); err != nil {
		return fmt.Errorf("%s is no longer a Clonezilla image (%v): not removed", path, err)
	}
	return os.RemoveAll(path)
}
