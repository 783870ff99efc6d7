// Package hoststore observes the stores of the machine it runs on, the PVE
// host: its LVM thin pools (lvs) and the mount points it is told to watch
// (statfs). It is a backends.Observer of the source "host".
package hoststore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/backdeck/backdeck/backends/lvm"
	"github.com/backdeck/backdeck/backends/toolrun"
	"github.com/backdeck/backdeck/model"
)

// SourceHost names the stores read on the host itself.
const SourceHost = model.SourceHost

// Options configures a Source.
type Options struct {
	// Run runs a command and returns its standard output and exit status;
	// nil runs the real command (os/exec).
	Run func(ctx context.Context, name string, args ...string) ([]byte, int, error)
	// Statfs gives a file system's total, free and available bytes; nil
	// uses syscall.Statfs.
	Statfs func(path string) (total, free, avail uint64, err error)
	// Mounts are the mount points to report (e.g. "/mnt/hddusb_bkpvzdumps").
	// A path that is not a mount point (its device is its parent's) or
	// that cannot be read is reported offline.
	Mounts []string
	// Node is the host's name, a fact of each store (Store.Node); default
	// os.Hostname(). It is no part of the ids, which start with "host/".
	Node string
}

// Source reads the host's thin pools and mount points.
type Source struct {
	run    func(ctx context.Context, name string, args ...string) ([]byte, int, error)
	statfs func(path string) (total, free, avail uint64, err error)
	dev    func(path string) (uint64, error) // the device a path is on
	mounts []string
	node   string
}

// New builds a Source; it runs nothing until Observe.
func New(opts Options) *Source {
	s := &Source{run: opts.Run, statfs: opts.Statfs, dev: statDev, node: opts.Node}
	if s.run == nil {
		s.run = toolrun.Exec("LVM_SUPPRESS_FD_WARNINGS=1")
	}
	if s.statfs == nil {
		s.statfs = sysStatfs
	}
	if s.node == "" {
		s.node, _ = os.Hostname()
		if s.node == "" {
			s.node = "localhost"
		}
	}
	for _, m := range opts.Mounts {
		s.mounts = append(s.mounts, filepath.Clean(m))
	}
	return s
}

// idPrefix starts every store id of this source, as "pve/" starts PVE's.
const idPrefix = "host/"

// Source names the source: "host".
func (s *Source) Source() model.Source { return SourceHost }

// Observe reads the thin pools, then the mount points in the order given.
// A thin pool's metadata comes as a store of its own (Type
// "lvmthin-metadata", Total 100, Used the percent) so the usage rules warn
// on it. Observe fails only when nothing at all could be read: lvs failed
// and no mount point could be read (a path found not mounted was read).
func (s *Source) Observe(ctx context.Context) (model.SourceState, error) {
	state := model.SourceState{Source: SourceHost, OK: true, At: time.Now()}
	pools, lvsErr := s.thinPools(ctx)
	state.Stores = append(state.Stores, pools...)
	read := lvsErr == nil
	var mountErrs []string
	for _, path := range s.mounts {
		st, err := s.mount(ctx, path)
		if err != nil && !errors.Is(err, errNotMounted) {
			mountErrs = append(mountErrs, err.Error())
		} else {
			read = true // a path known not to be mounted was read too
		}
		state.Stores = append(state.Stores, st)
	}
	if !read {
		msgs := append([]string{lvsErr.Error()}, mountErrs...)
		return model.SourceState{}, errors.New(strings.Join(msgs, "; "))
	}
	return state, nil
}

func (s *Source) thinPools(ctx context.Context) ([]model.Store, error) {
	out, code, err := toolrun.Bounded(ctx, s.run, "lvs", lvm.Args...)
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return nil, errors.New("lvs is not installed (package lvm2): no thin pools")
	case err != nil:
		return nil, fmt.Errorf("lvs: %w", err)
	case code != 0 && len(bytes.TrimSpace(out)) == 0:
		return nil, fmt.Errorf("lvs exited with status %d", code)
	}
	lvs, err := lvm.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("lvs (exit status %d): %w", code, err)
	}
	var stores []model.Store
	for _, lv := range lvs {
		if !lv.ThinPool() {
			continue
		}
		// "host/hddusb_bkpdata" for the thin pool bkpdata of VG hddusb,
		// which PVE's storage of it is usually named after.
		id := idPrefix + lv.VG + "_" + lv.Name
		name := lv.VG + "/" + lv.Name
		used := int64(math.Round(float64(lv.Size) * lv.DataPercent / 100))
		stores = append(stores, model.Store{
			ID: id, Name: name, Node: s.node, Type: "lvmthin", Online: true, Backup: true,
			Total: lv.Size, Used: used, Avail: lv.Size - used,
		}, model.Store{
			ID: id + "-meta", Name: name + " metadata", Node: s.node, Type: "lvmthin-metadata", Online: true, Backup: true,
			Total: 100, Used: int64(math.Round(lv.MetadataPercent)), Avail: 100 - int64(math.Round(lv.MetadataPercent)),
		})
	}
	return stores, nil
}

// mount reads one mount point; the store comes back offline with the error
// when the path is not mounted or cannot be read.
func (s *Source) mount(ctx context.Context, path string) (model.Store, error) {
	st := model.Store{
		ID: idPrefix + "mount" + strings.ReplaceAll(path, "/", "-"), Name: path, Node: s.node,
		Type: "mount", Backup: true,
	}
	type result struct {
		total, free, avail uint64
		err                error
	}
	done := make(chan result, 1) // buffered: an abandoned statfs still finishes
	go func() {
		if err := s.mounted(path); err != nil {
			done <- result{err: err}
			return
		}
		t, f, a, err := s.statfs(path)
		done <- result{t, f, a, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	if r.err != nil {
		return st, fmt.Errorf("%s: %w", path, r.err)
	}
	st.Online = true
	st.Total = int64(r.total)
	st.Used = int64(r.total - r.free)
	st.Avail = int64(r.avail)
	return st, nil
}

// errNotMounted is a watched path that is not a mount point.
var errNotMounted = errors.New("not mounted")

// mounted checks that path is a mount point: its device differs from its
// parent's ("/" always is one).
func (s *Source) mounted(path string) error {
	if path == "/" {
		return nil
	}
	d, err := s.dev(path)
	if err != nil {
		return err
	}
	pd, err := s.dev(filepath.Dir(path))
	if err != nil {
		return err
	}
	if d == pd {
		return errNotMounted
	}
	return nil
}

func statDev(path string) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Dev), nil
}

func sysStatfs(path string) (total, free, avail uint64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, 0, 0, err
	}
	bs := uint64(st.Bsize)
	return st.Blocks * bs, st.Bfree * bs, st.Bavail * bs, nil
}
