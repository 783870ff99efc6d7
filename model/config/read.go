package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/backdeck/backdeck/model"
)

// MaxConfigSize is the largest config read: a real one is a few KB.
const MaxConfigSize = 1 << 20

// LoadConfig reads and checks the config file at path. A missing file gives
// an error that satisfies errors.Is(err, fs.ErrNotExist). Only a regular
// file of at most MaxConfigSize is read, so a device, pipe or directory
// named by mistake is refused at once rather than read for ever; loading
// ends with ctx's error when ctx is cancelled.
func Load(ctx context.Context, path string) (*model.Config, error) {
	data, err := readConfigFile(ctx, path)
	if err != nil {
		return nil, err
	}
	return Parse(ctx, path, data)
}

func readConfigFile(ctx context.Context, path string) ([]byte, error) {
	// Open, then ask the open file what it is, so nothing can swap the
	// file between the check and the read; O_NONBLOCK keeps the open of a
	// FIFO from waiting for a writer (reads of regular files ignore it).
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("reading the config: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading the config: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(path, info.Mode())
	}
	if info.Size() > MaxConfigSize {
		return nil, tooBig(path, info.Size())
	}
	// Read in pieces, up to one byte past the limit: the file may grow.
	data := make([]byte, 0, info.Size()+1)
	buf := make([]byte, 64<<10)
	r := io.LimitReader(f, MaxConfigSize+1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("reading the config %s: %w", path, err)
		}
		n, err := r.Read(buf)
		data = append(data, buf[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the config: %w", err)
		}
	}
	if len(data) > MaxConfigSize {
		return nil, tooBig(path, int64(len(data)))
	}
	return data, nil
}

func notRegular(path string, mode fs.FileMode) error {
	what := "not a regular file"
	switch {
	case mode.IsDir():
		return &Error{File: path, Msg: fmt.Sprintf("is a directory, not a regular file: name the config file itself, e.g. %s", filepath.Join(path, "config.toml"))}
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO), not a regular file"
	case mode&fs.ModeCharDevice != 0:
		what = "a character device, not a regular file"
	case mode&fs.ModeDevice != 0:
		what = "a block device, not a regular file"
	case mode&fs.ModeSocket != 0:
		what = "a socket, not a regular file"
	}
	return &Error{File: path, Msg: "is " + what + ": point --config (or BACKDECK_CONFIG) at your config.toml, a text file (see config.toml.example)"}
}

func tooBig(path string, size int64) error {
	return &Error{File: path, Msg: fmt.Sprintf("is %s, more than a config can be (%s at most; a real one is a few KB): is this the right file? See config.toml.example", model.HumanBytes(size), model.HumanBytes(MaxConfigSize))}
}
