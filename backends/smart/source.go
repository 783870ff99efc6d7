package smart

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backdeck/backdeck/model"
)

// SourceOptions configures a Source.
type SourceOptions struct {
	// Mode is "host" (smartctl and lsblk on this machine, through Reader)
	// or "laptop" (the PVE disks API, through PVE); anything else is host.
	Mode string
	// Drives are the configured drives ([[drive]]): each is reported,
	// plugged in or not, with its name and the stores it holds.
	Drives []model.DriveConfig
	// Reader reads the host's drives (its Run may be the lab's fake
	// smartctl); its Timeout bounds each drive's read and its Parallel the
	// reads at once, on both paths (nil: the defaults).
	Reader *Reader
	// PVE is the laptop path's PVE API client.
	PVE PVEDisks
	// Now is the clock of the laptop path's readings; default time.Now.
	Now func() time.Time
}

// Source observes the SMART health of the drives that hold backups: every
// USB drive and every configured drive wherever it is attached. It is a
// backends.Observer of model.SourceSMART. The drives are read a few at a
// time (Reader.Parallel), each with its own timeout counted from when its
// read starts, so one drive that hangs (a dying disk behind a USB bridge)
// costs its own timeout and one slot, and holds none of the others.
//
// Each drive comes out as the same model.Drive on both paths: ID and Serial
// the serial, Name the configured name (else the model), Model the vendor
// and model as the system lists the disk (lsblk, or PVE's disks list: the
// enclosure's name for a USB drive; smartctl's model of the disk inside is
// in Reading.Model on the host), Health and Reasons from
// model.SMARTVerdict of this reading alone (the engine judges it again
// against the previous reading in its history).
type Source struct {
	mode   string
	drives []model.DriveConfig
	reader *Reader
	pve    PVEDisks
	now    func() time.Time
}

// NewSource builds a Source; it runs nothing until Observe.
func NewSource(opts SourceOptions) *Source {
	s := &Source{mode: opts.Mode, drives: slices.Clone(opts.Drives), reader: opts.Reader, pve: opts.PVE, now: opts.Now}
	if s.mode != "laptop" {
		s.mode = "host"
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Source names the source the drives come from.
func (s *Source) Source() model.Source { return model.SourceSMART }

// Mode is "host" or "laptop".
func (s *Source) Mode() string { return s.mode }

// Observe reads every drive once and reports them in the order of the
// configuration, then the other USB drives by device. A drive that cannot
// be read is reported with the reason in words; Observe itself fails only
// when no drive could be found (lsblk, or every PVE node, failed) or when
// every read failed for one reason that is the tool's, not the drive's:
// smartctl is not installed, smartctl needs root, the PVE token may not
// read disks.
func (s *Source) Observe(ctx context.Context) (model.SourceState, error) {
	var (
		drives []model.Drive
		err    error
	)
	if s.mode == "laptop" {
		drives, err = s.observePVE(ctx)
	} else {
		drives, err = s.observeHost(ctx)
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		return model.SourceState{}, err
	}
	return model.SourceState{Source: model.SourceSMART, OK: true, At: s.now(), Drives: drives}, nil
}

// diskRead is one disk as the system lists it, and its read.
type diskRead struct {
	devPath string
	serial  string
	model   string // vendor and model as listed, for people
	typ     string // usb, hdd, ssd, nvme; "" unknown
	size    int64
	reading *model.SMARTReading
	err     error
}

// asleepReason is a sleeping drive's reason until the engine puts its last
// reading from the history in its place.
const asleepReason = "asleep (standby): not woken; showing the last reading"

// observeHost lists the disks with lsblk and reads the USB and configured
// ones with smartctl.
func (s *Source) observeHost(ctx context.Context) ([]model.Drive, error) {
	if s.reader == nil {
		return nil, errors.New("no smartctl reader for SMART on the host")
	}
	disks, rota, err := s.reader.listDisks(ctx)
	if err != nil {
		return nil, err
	}
	var cands []BlockDevice
	for _, d := range disks {
		if d.Tran == "usb" || s.configured(d.Serial) != nil {
			cands = append(cands, d)
		}
	}
	base, parallel := s.reader.timeout(), s.reader.parallel()
	reads := inParallel(parallel, len(cands), func(i int) diskRead {
		r := hostDisk(cands[i])
		t, ok := driveTimeout(ctx, base)
		if !ok {
			r.err = outOfTime(len(cands), parallel)
			return r
		}
		rd := *s.reader
		rd.Timeout = t
		r = readHost(ctx, &rd, cands[i], r)
		if spins, ok := rota[r.devPath]; ok && r.typ == "" {
			r.typ = "ssd"
			if spins {
				r.typ = "hdd"
			}
		}
		return r
	})
	if err := hostToolError(reads); err != nil {
		return nil, err
	}
	var unknown []string // disks whose serial no one could tell
	for _, r := range reads {
		if r.serial == "" {
			unknown = append(unknown, r.devPath)
		}
	}
	why := ""
	if len(unknown) > 0 {
		why = strings.Join(unknown, ", ") + " could not be identified"
	}
	return s.assemble(reads, why), nil
}

// listDisks lists the whole disks (lsblk TYPE disk), USB or not, and
// which of them spin (by device path; absent when lsblk did not say).
func (r *Reader) listDisks(ctx context.Context) ([]BlockDevice, map[string]bool, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	out, code, err := r.run(ctx, "lsblk", "-J", "-b", "-o", lsblkColumns+",ROTA")
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return nil, nil, missingToolError{"lsblk", "util-linux"}
	case err != nil:
		return nil, nil, fmt.Errorf("lsblk: %w", err)
	case code != 0:
		return nil, nil, fmt.Errorf("lsblk exited with status %d", code)
	}
	devs, err := ParseLsblk(out)
	if err != nil {
		return nil, nil, err
	}
	var disks []BlockDevice
	for _, d := range devs {
		if d.Type == "disk" {
			disks = append(disks, d)
		}
	}
	return disks, rotational(out), nil
}

// rotational reads lsblk's ROTA column by device path: true for a spinning
// disk. util-linux 2.38 writes it as a boolean, older versions as "1"/"0".
func rotational(data []byte) map[string]bool {
	var doc struct {
		BlockDevices []struct {
			Name lenientString   `json:"name"`
			Path lenientString   `json:"path"`
			Rota json.RawMessage `json:"rota"`
		} `json:"blockdevices"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	out := map[string]bool{}
	for _, d := range doc.BlockDevices {
		p := string(d.Path)
		if p == "" {
			p = "/dev/" + string(d.Name)
		}
		switch strings.Trim(string(d.Rota), `" `) {
		case "true", "1":
			out[p] = true
		case "false", "0":
			out[p] = false
		}
	}
	return out
}

// hostDisk is a disk as lsblk lists it, not read yet.
func hostDisk(bd BlockDevice) diskRead {
	out := diskRead{devPath: bd.Path, serial: strings.TrimSpace(bd.Serial), model: displayModel(bd.Vendor, bd.Model), size: max(bd.Size, 0)}
	switch bd.Tran {
	case "usb", "nvme":
		out.typ = bd.Tran
	}
	return out
}

// readHost reads one disk into out (hostDisk's), within the reader's
// timeout for the whole. A USB drive is read through -d sat; when the
// bridge gives nothing back (no SMART data, or the "SLEEP" smartctl reports
// when the power-mode check goes unanswered) it is read once more with
// smartctl's own detection, which knows bridges such as JMicron's by their
// USB id. Neither read wakes the drive (-n standby).
func readHost(ctx context.Context, rd *Reader, bd BlockDevice, out diskRead) diskRead {
	ctx, cancel := context.WithTimeout(ctx, rd.timeout())
	defer cancel()
	deviceType := ""
	if bd.Tran == "usb" {
		deviceType = "sat"
	}
	reading, err := rd.Read(ctx, bd.Path, deviceType)
	if deviceType == "sat" && bridgeGaveNothing(reading, err) {
		again, err2 := rd.Read(ctx, bd.Path, "")
		switch {
		case err2 == nil && hasData(again):
			if reading != nil && len(reading.Messages) > 0 {
				again.Messages = append(again.Messages, "read again with smartctl's own device detection after -d sat gave "+reading.Messages[0])
			}
			reading, err = again, nil
		case errors.Is(err2, ErrAsleep):
			reading, err = again, err2
		}
	}
	out.reading, out.err = reading, err
	if reading != nil {
		if out.serial == "" {
			out.serial = reading.Serial
		}
		if out.model == "" {
			out.model = reading.Model
		}
		if bd.Tran == "usb" && reading.Transport == "" {
			reading.Transport = "usb"
		}
		if out.typ == "" && reading.NVMe != nil {
			out.typ = "nvme"
		}
	}
	return out
}

// bridgeGaveNothing reports whether a -d sat read came back empty in a way
// another device type may fix.
func bridgeGaveNothing(r *model.SMARTReading, err error) bool {
	if r == nil {
		return false
	}
	switch {
	case err == nil:
		return !hasData(r)
	case errors.Is(err, ErrAsleep):
		// STANDBY is the drive's own answer; SLEEP is also what smartctl
		// says when nothing answers the power-mode check (diagnosis.go).
		for _, m := range r.Messages {
			if strings.Contains(m, "reports SLEEP mode") {
				return true
			}
		}
	}
	return false
}

func hasData(r *model.SMARTReading) bool {
	return r != nil && (r.Passed != nil || len(r.Attributes) > 0 || r.NVMe != nil || r.SCSI != nil)
}

// hostToolError is Observe's error when every read failed for the same
// reason of the tool's: smartctl missing, or smartctl without root.
func hostToolError(reads []diskRead) error {
	if len(reads) == 0 {
		return nil
	}
	var devs []string
	for _, r := range reads {
		if !errors.Is(r.err, ErrNotInstalled) {
			devs = nil
			break
		}
		devs = append(devs, r.devPath)
	}
	if devs != nil {
		return reads[0].err
	}
	for _, r := range reads {
		if !errors.Is(r.err, ErrPermission) {
			return nil
		}
		devs = append(devs, r.devPath)
	}
	return permissionError{strings.Join(devs, ", ")}
}

// minDriveTime is the least time worth giving a drive's read.
const minDriveTime = 100 * time.Millisecond

// driveTimeout is the time a drive whose read starts now may take: the
// reader's timeout t, but within three quarters of what is left of ctx, so
// that Observe answers with the other drives before its caller gives up on
// it. It is false when that leaves the drive neither t nor minDriveTime:
// the drive is then not read at all.
func driveTimeout(ctx context.Context, t time.Duration) (time.Duration, bool) {
	if ctx.Err() != nil {
		return 0, false
	}
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl) * 3 / 4; left < t {
			return left, left >= minDriveTime
		}
	}
	return t, true
}

// outOfTime is the error of a drive whose turn came too late in a refresh.
func outOfTime(drives, parallel int) error {
	return fmt.Errorf("not read: the refresh ran out of time before its turn (%d drives, read %d at a time)", drives, parallel)
}

// inParallel runs f for 0..n-1, at most limit at a time, and returns the
// results in order.
func inParallel[T any](limit, n int, f func(i int) T) []T {
	out := make([]T, n)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range min(max(limit, 1), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				out[i] = f(i)
			}
		})
	}
	wg.Wait()
	return out
}

// configured is the drive configured with that serial, nil when none.
func (s *Source) configured(serial string) *model.DriveConfig {
	serial = strings.TrimSpace(serial)
	if serial == "" {
		return nil
	}
	for i := range s.drives {
		if strings.EqualFold(strings.TrimSpace(s.drives[i].Serial), serial) {
			return &s.drives[i]
		}
	}
	return nil
}

// assemble turns the reads into drives: the configured ones in the
// config's order (those not found as not plugged in), then the others by
// device.
// why, when not empty, says why a configured drive that no disk showed may
// be plugged in all the same ("/dev/sdc could not be identified").
func (s *Source) assemble(reads []diskRead, why string) []model.Drive {
	byConfig := make(map[int]model.Drive)
	var others []model.Drive
	ids := map[string]bool{}
	for _, r := range reads {
		cfg := s.configured(r.serial)
		if cfg != nil {
			i := cfgIndex(s.drives, cfg)
			if _, dup := byConfig[i]; !dup {
				byConfig[i] = s.drive(r, cfg)
				ids[byConfig[i].ID] = true
				continue
			}
		}
		d := s.drive(r, nil)
		if ids[d.ID] { // two disks with one serial (some USB bridges make one up)
			d.ID += "@" + d.DevPath
		}
		ids[d.ID] = true
		others = append(others, d)
	}
	out := make([]model.Drive, 0, len(s.drives)+len(others))
	for i, c := range s.drives {
		if d, ok := byConfig[i]; ok {
			out = append(out, d)
			continue
		}
		out = append(out, model.Drive{ID: c.Serial, Name: c.Name, Serial: c.Serial, Holds: slices.Clone(c.Holds),
			Health: model.HealthUnknown, Reasons: []string{notFoundReason(c.Serial, why)}})
	}
	slices.SortStableFunc(others, func(a, b model.Drive) int { return cmp.Compare(a.DevPath, b.DevPath) })
	return append(out, others...)
}

func cfgIndex(drives []model.DriveConfig, c *model.DriveConfig) int {
	for i := range drives {
		if &drives[i] == c {
			return i
		}
	}
	return -1
}

func notFoundReason(serial, why string) string {
	if why != "" {
		return "not found: no disk with serial " + serial + " (" + why + ")"
	}
	return "not plugged in: no disk with serial " + serial
}

// drive is the model's drive for one read; cfg nil when not configured.
func (s *Source) drive(r diskRead, cfg *model.DriveConfig) model.Drive {
	d := model.Drive{ID: r.serial, Name: r.model, Model: r.model, Serial: r.serial, DevPath: r.devPath, Type: r.typ,
		Size: r.size, Present: true}
	if d.ID == "" {
		d.ID = r.devPath
	}
	if cfg != nil {
		d.Name, d.Holds = cfg.Name, slices.Clone(cfg.Holds)
	}
	switch {
	case errors.Is(r.err, ErrAsleep):
		d.Asleep, d.Health, d.Reasons = true, model.HealthUnknown, []string{asleepReason}
		if r.reading != nil {
			for _, m := range r.reading.Messages {
				if strings.Contains(m, "reports SLEEP mode") {
					d.Reasons = append(d.Reasons, m)
				}
			}
		}
	case r.err != nil:
		d.Health, d.Reasons = model.HealthUnknown, []string{r.err.Error()}
	default:
		d.Reading = r.reading
		d.Health, d.Reasons = model.SMARTVerdict(r.reading, nil)
		if r.reading != nil {
			d.TemperatureC = r.reading.TemperatureC
		}
	}
	return d
}

// displayModel is a disk's vendor and model for people: PVE's underscores
// ("Expansion_HDD") become spaces, a vendor that says nothing ("ATA",
// "unknown") or that the model already names is left out.
func displayModel(vendor, model string) string {
	clean := func(s string) string {
		s = strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " ")
		if strings.EqualFold(s, "unknown") {
			return ""
		}
		return s
	}
	v, m := clean(vendor), clean(model)
	if m == "" || v == "" || strings.EqualFold(v, "ATA") || strings.HasPrefix(strings.ToLower(m), strings.ToLower(v)) {
		return m
	}
	return v + " " + m
}
