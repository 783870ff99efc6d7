package clonezilla

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/backends/lvm"
	"github.com/backdeck/backdeck/backends/toolrun"
)

// LsblkArgs are the arguments ReadHost gives lsblk: sizes in bytes (-b), and
// FSUSED/FSAVAIL, which lsblk only knows for mounted filesystems.
var LsblkArgs = []string{"-J", "-b", "-o", "NAME,PATH,TYPE,SIZE,FSTYPE,LABEL,UUID,SERIAL,MODEL,TRAN,MOUNTPOINT,FSUSED,FSAVAIL"}

// BlockDev is a block device as lsblk shows it, with its children
// (partitions, then the device-mapper devices of LVM on them).
type BlockDev struct {
	Name, Path, Type, FSType, Label, UUID, Serial, Model, Tran, Mountpoint string

	Size, FSUsed, FSAvail int64
	// FSKnown is set when lsblk gave FSUSED and FSAVAIL: only for mounted
	// filesystems.
	FSKnown bool

	Children []BlockDev
}

// Host is what ReadHost found on the machine.
type Host struct {
	Disks []BlockDev
	LVs   []lvm.LV
	// LVsErr says why the LVs could not be read; a host without LVM is
	// fine, so it does not make ReadHost fail.
	LVsErr error
}

// ReadHost runs lsblk and lvs through run, each bounded by ctx.
func ReadHost(ctx context.Context, run func(ctx context.Context, name string, args ...string) ([]byte, int, error)) (Host, error) {
	var h Host
	out, code, err := toolrun.Bounded(ctx, run, "lsblk", LsblkArgs...)
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return h, errors.New("lsblk is not installed (package util-linux)")
	case err != nil:
		return h, fmt.Errorf("lsblk: %w", err)
	case code != 0 && len(bytes.TrimSpace(out)) == 0:
		return h, fmt.Errorf("lsblk exited with status %d", code)
	}
	if h.Disks, err = ParseLsblk(out); err != nil {
		return h, fmt.Errorf("lsblk: %w", err)
	}
	out, code, err = toolrun.Bounded(ctx, run, "lvs", lvm.Args...)
	switch {
	case errors.Is(err, exec.ErrNotFound):
		h.LVsErr = errors.New("lvs is not installed (package lvm2): LVM volumes not counted")
	case err != nil:
		h.LVsErr = fmt.Errorf("lvs: %w: LVM volumes not counted", err)
	// lvs exits non-zero when one VG is unreadable but still reports the
	// others: use what it printed.
	case code != 0 && len(bytes.TrimSpace(out)) == 0:
		h.LVsErr = fmt.Errorf("lvs exited with status %d: LVM volumes not counted", code)
	default:
		if h.LVs, err = lvm.Parse(out); err != nil {
			h.LVsErr = fmt.Errorf("lvs: %w: LVM volumes not counted", err)
		}
	}
	return h, nil
}

// ParseLsblk reads the output of lsblk -J -b -o … (LsblkArgs). Numbers may
// be JSON numbers or, from older util-linux, strings; null is "does not
// apply"; columns not asked for are ignored and missing ones left empty.
func ParseLsblk(b []byte) ([]BlockDev, error) {
	var doc struct {
		Devices *[]lsblkDev `json:"blockdevices"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("not lsblk's JSON: %w", err)
	}
	if doc.Devices == nil {
		return nil, errors.New("not lsblk's JSON: no \"blockdevices\"")
	}
	return convertLsblk(*doc.Devices), nil
}

type lsblkDev struct {
	Name       jsonText   `json:"name"`
	Path       jsonText   `json:"path"`
	Type       jsonText   `json:"type"`
	Size       jsonNumber `json:"size"`
	FSType     jsonText   `json:"fstype"`
	Label      jsonText   `json:"label"`
	UUID       jsonText   `json:"uuid"`
	Serial     jsonText   `json:"serial"`
	Model      jsonText   `json:"model"`
	Tran       jsonText   `json:"tran"`
	Mountpoint jsonText   `json:"mountpoint"`
	FSUsed     jsonNumber `json:"fsused"`
	FSAvail    jsonNumber `json:"fsavail"`
	Children   []lsblkDev `json:"children"`
}

func convertLsblk(in []lsblkDev) []BlockDev {
	out := make([]BlockDev, 0, len(in))
	for _, d := range in {
		out = append(out, BlockDev{
			Name: string(d.Name), Path: string(d.Path), Type: string(d.Type),
			FSType: string(d.FSType), Label: string(d.Label), UUID: string(d.UUID),
			Serial: string(d.Serial), Model: string(d.Model), Tran: string(d.Tran),
			Mountpoint: string(d.Mountpoint),
			Size:       d.Size.n, FSUsed: d.FSUsed.n, FSAvail: d.FSAvail.n,
			FSKnown:  d.FSUsed.set && d.FSAvail.set,
			Children: convertLsblk(d.Children),
		})
	}
	return out
}

// jsonText is a string column: null becomes "", padding is trimmed, and a
// number (a tool printing a serial as digits) is kept as its text.
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*t = ""
	case string:
		*t = jsonText(strings.TrimSpace(v))
	case float64, bool:
		*t = jsonText(strings.TrimSpace(string(b)))
	default:
		return fmt.Errorf("unexpected %s", b)
	}
	return nil
}

// jsonNumber is a byte count given as a number or a string; null and "" are
// "not given".
type jsonNumber struct {
	n   int64
	set bool
}

func (j *jsonNumber) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*j = jsonNumber{}
		return nil
	}
	if unq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(unq)
		if s == "" {
			*j = jsonNumber{}
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Sizes are integers, but a float does no harm.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return fmt.Errorf("%s is not a number of bytes", b)
		}
		n = int64(f)
	}
	*j = jsonNumber{n: n, set: true}
	return nil
}
