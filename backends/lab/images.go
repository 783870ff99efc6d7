package lab

import (
	"time"

	"github.com/backdeck/backdeck/backends/lab/images"
)

// WriteClonezillaImages writes the seed host's Clonezilla images into dir
// as of now (images.Write) and returns their directories, oldest first.
func WriteClonezillaImages(dir string, now time.Time) ([]string, error) {
	return images.Write(dir, now)
}
