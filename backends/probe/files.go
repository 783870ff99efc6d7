package probe

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/backdeck/backdeck/backends/history"
)

// SecretFile checks that a secret file exists, is a regular file and that
// no one but its owner can read or write it. It reports the mode, never
// the content.
func SecretFile(id, what, path string) Check {
	c := Check{ID: id, Title: what + " file " + path}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Status, c.Detail = Fail, "does not exist: write the "+what+" into it, then chmod 600 it"
	case err != nil:
		c.Status, c.Detail = Fail, err.Error()
	case !fi.Mode().IsRegular():
		c.Status, c.Detail = Fail, "is not a regular file"
	case fi.Mode().Perm()&0o077 != 0:
		c.Status, c.Detail = Fail, fmt.Sprintf("mode %04o: others on this machine can read it; chmod 600 %s", fi.Mode().Perm(), path)
	default:
		c.Status, c.Detail = OK, fmt.Sprintf("mode %04o, yours alone", fi.Mode().Perm())
	}
	return c
}

// SecretEnv checks that the environment variable a secret comes from is set.
func SecretEnv(id, what, name string, getenv func(string) string) Check {
	c := Check{ID: id, Title: what + " from $" + name, Status: OK, Detail: "set"}
	if getenv(name) == "" {
		c.Status, c.Detail = Fail, "not set: export it before starting backdeck"
	}
	return c
}

// StateDir checks that the directory of the history and caches can be
// created and written.
func StateDir(dir string) Check {
	c := Check{ID: "files.state", Title: "state directory " + dir}
	if dir == "" {
		c.Status, c.Detail = Off, "none: set XDG_STATE_HOME or HOME; the console runs without history"
		return c
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		c.Status, c.Detail = Off, fmt.Sprintf("cannot be created: %v; the console runs without history", err)
		return c
	}
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		c.Status, c.Detail = Off, fmt.Sprintf("not writable: %v; the console runs without history", err)
		return c
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		c.Status, c.Detail = Off, fmt.Sprintf("a file written there cannot be removed: %v", err)
		return c
	}
	c.Status, c.Detail = OK, "writable"
	return c
}

// History checks that the history database opens and reads. A database
// not created yet is fine (the console creates it); a damaged or locked one
// is reported, since the console then runs without history.
func History(ctx context.Context, path string) Check {
	c := Check{ID: "files.history", Title: "history " + path}
	if path == "" {
		c.Status, c.Detail = Off, "no path: set XDG_STATE_HOME or HOME"
		return c
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		c.Status, c.Detail = OK, "not created yet: the console creates it at its first refresh"
		return c
	}
	db, err := history.Open(ctx, path)
	if err != nil {
		c.Status, c.Detail = Off, err.Error()+"; the console runs without history until it is fixed"
		return c
	}
	defer db.Close()
	jobs, err := db.Jobs(ctx, 1000)
	if err != nil {
		c.Status, c.Detail = Off, err.Error()
		return c
	}
	c.Status, c.Detail = OK, fmt.Sprintf("opens and reads (%d jobs recorded)", len(jobs))
	return c
}

// stateDirOf is the directory that holds the history.
func stateDirOf(historyPath string) string {
	if historyPath == "" {
		return ""
	}
	return filepath.Dir(historyPath)
}
