package clonezilla

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FindImage is the image arg names: an image directory given by its path,
// or an image found by its name in dirs (the config's image_dirs). The
// errors say what to give instead.
func FindImage(arg string, dirs []string) (Image, error) {
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return ReadImage(arg)
	}
	if strings.ContainsRune(arg, filepath.Separator) {
		return Image{}, fmt.Errorf("%s: no such directory", arg)
	}
	images, _ := Scan(dirs)
	for _, img := range images {
		if img.Name == arg {
			return img, nil
		}
	}
	if len(dirs) == 0 {
		return Image{}, fmt.Errorf("%s: no such directory, and no [clonezilla] image_dirs to look for it by name", arg)
	}
	return Image{}, fmt.Errorf("no image named %s in %s (backdeck clonezilla list shows them)", arg, strings.Join(dirs, ", "))
}
