package lab

import (
	"context"

	"github.com/backdeck/backdeck/backends/lab/host"
)

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
