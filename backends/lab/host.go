package lab

import (
	"context"
	"time"

	"github.com/backdeck/backdeck/backends/lab/host"
	"github.com/backdeck/backdeck/backends/lab/images"
)

// What the seed host shows, under the names the demo and the tests use.

// SmartctlRunner is the host's fake smartctl, lsblk and lvs (host.Runner),
// for the host path of backends/smart and the Clonezilla preflight.
func SmartctlRunner() func(ctx context.Context, name string, args ...string) ([]byte, int, error) {
	return host.Runner()
}

// SleepingDriveReading is what smartctl printed for the drive the lab keeps
// in standby when it was last awake (host.SleepingDriveReading).
func SleepingDriveReading() (serial string, data []byte, err error) {
	return host.SleepingDriveReading()
}

// WriteClonezillaImages writes the host's Clonezilla images into dir as of
// now (images.Write) and returns their directories, oldest first.
func WriteClonezillaImages(dir string, now time.Time) ([]string, error) {
	return images.Write(dir, now)
}
