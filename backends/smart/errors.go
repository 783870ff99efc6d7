package smart

import "errors"

var (
	// ErrAsleep is returned with the reading when smartctl found the drive in
	// standby (or sleep) and left it so (-n standby): the drive's last
	// reading still stands.
	ErrAsleep = errors.New("the drive is asleep: smartctl did not wake it")
	// ErrPermission is matched (errors.Is) by the error of a read that
	// smartctl could not make without root.
	ErrPermission = errors.New("smartctl needs root")
	// ErrNotInstalled is matched by the error of a read whose tool is not
	// installed.
	ErrNotInstalled = errors.New("a tool is not installed")
)

// permissionError names the device in the words of permissionMessage.
type permissionError struct{ dev string }

func (e permissionError) Error() string        { return permissionMessage(e.dev) }
func (e permissionError) Is(target error) bool { return target == ErrPermission }

// missingToolError says which Debian package brings the tool.
type missingToolError struct{ tool, pkg string }

func (e missingToolError) Error() string {
	return e.tool + " is not installed: apt-get install " + e.pkg
}
func (e missingToolError) Is(target error) bool { return target == ErrNotInstalled }
