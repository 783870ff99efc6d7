package clonezilla

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/needs"
)

// The tests verify real images that Debian's clonezilla package makes during
// the run, on loop-device disks built the way FORMAT.md §1 describes for a
// kernel without partition scanning, device-mapper or vfat, and without
// udev. They are built once per test binary, small. ocs-sr's own work is most
// of the cost whatever the size (a shell script that starts some 3 000
// processes, 30–50 s of CPU per save), so there are three saves, side by side,
// and each shape the tests need (zstd and gzip, split and not, savedisk and
// saveparts, every checksum file, LVM and raw volumes) is in one of them.

// The images the fixture makes, by name in its repository.
const (
	imgSums   = "disk-sums"   // savedisk -z9p -gs -gm: zstd, MD5SUMS + SHA1SUMS, unsplit
	imgNoSums = "disk-nosums" // disk-sums without its checksum files, as savedisk -z9p writes it
	// savedisk -z9p -i 1 -gs -gm -gb of a Proxmox-like disk (bios_grub,
	// ESP, LVM): zstd in 1 MB volumes, the root LV in two of them.
	imgLVM   = "pve-lvm"
	imgParts = "part-ext4-gz" // saveparts -z1p -i 1 -gm of the ext4 root: gzip in 1 MB volumes, MD5SUMS only
)

// vgName is the fixture's volume group: not "pve", so that it cannot touch a
// real Proxmox host's, and the test binary's own, so that two runs on one
// machine (two packages' checkouts, CI beside a developer) never share one.
var vgName = fmt.Sprintf("bdpve%d", os.Getpid())

// The source disks' sizes and contents, which the tests check the images
// against.
const (
	simpleDiskMiB = 64 // GPT: ESP, then an ext4 root to the end
	// espMiB is the smallest FAT32 with 512-byte clusters that mkfs.vfat
	// makes (65525 clusters and the FATs).
	espMiB = 34
	// rootRandom is the incompressible data in the simple disk's ext4 root:
	// enough that the gzip image of the root spans 3 volumes of 1 MB.
	rootRandom = 2560 << 10
	pveDiskMiB = 80 // GPT: bios_grub, ESP, LVM PV
	// The LVs of the PV, and the random data in the ext4 root (more than
	// a 1 MB volume) and in the VM disk (which partclone.dd saves whole,
	// in one volume).
	swapLVMiB  = 8
	rootLVMiB  = 12
	vmLVMiB    = 4
	lvRoot     = 1536 << 10
	vmDiskData = 768 << 10
)

type fixture struct {
	dir     string // everything the fixture made
	repo    string // ocs-sr's -or: the images
	started time.Time
}

func (f *fixture) image(name string) string { return filepath.Join(f.repo, name) }

// shared holds the one fixture of the test binary; TestMain removes it.
var shared struct {
	once   sync.Once
	f      *fixture
	reason string // what this machine lacks to make the images
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.f != nil {
		os.RemoveAll(shared.f.dir)
	}
	os.Exit(code)
}

// images returns the fixture, building it on first use; it skips the test
// (fails it under BACKDECK_TEST_ALL) when the machine cannot make images.
func images(tb testing.TB) *fixture {
	tb.Helper()
	shared.once.Do(func() {
		if shared.reason = fixtureNeeds(); shared.reason != "" {
			return
		}
		// A build that cannot end in time stops (and undoes its loop
		// devices) before go test's timeout kills the binary.
		end := time.Now().Add(24 * time.Hour) // benchmarks have no deadline
		if d, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
			if e, ok := d.Deadline(); ok {
				end = e.Add(-time.Minute)
			}
		}
		ctx, cancel := context.WithDeadline(context.Background(), end)
		defer cancel()
		start := time.Now()
		var steps string
		shared.f, steps, shared.err = buildFixture(ctx)
		if shared.err != nil && ctx.Err() == nil {
			// Loop devices are shared with the rest of the machine: one more
			// try when something else got in the way.
			fmt.Fprintf(os.Stderr, "clonezilla fixture: first try failed, trying again: %v\n", shared.err)
			shared.f, steps, shared.err = buildFixture(ctx)
		}
		if shared.err == nil {
			fmt.Fprintf(os.Stderr, "clonezilla fixture: 4 images made in %s (%s)\n", time.Since(start).Round(time.Second), steps)
		}
	})
	if shared.reason != "" {
		needs.Skip(tb, "real Clonezilla images: %s", shared.reason)
	}
	if shared.err != nil {
		tb.Fatalf("cannot make the Clonezilla test images: %v", shared.err)
	}
	return shared.f
}

// fixtureNeeds says what the machine lacks to make the images, "" when
// nothing: root and loop devices, and the tools of these Debian packages.
func fixtureNeeds() string {
	if r := needs.LoopReason(); r != "" {
		return r
	}
	for _, p := range []struct {
		pkg  string
		cmds []string
	}{
		{"clonezilla", []string{"ocs-sr"}},
		{"partclone", []string{"partclone.ext4", "partclone.vfat", "partclone.dd"}},
		{"zstd", []string{"zstd"}},
		{"pigz", []string{"pigz"}},
		{"gdisk", []string{"sgdisk"}},
		{"fdisk", []string{"sfdisk"}},
		{"parted", []string{"parted"}},
		{"util-linux", []string{"partx", "mkswap"}},
		{"dosfstools", []string{"mkfs.vfat"}},
		{"mtools", []string{"mmd", "mcopy"}},
		{"e2fsprogs", []string{"mkfs.ext4"}},
		{"lvm2", []string{"pvcreate", "vgcreate", "lvcreate", "lvs", "pvs", "vgs"}},
	} {
		if r := needs.Commands(p.pkg, p.cmds...); r != "" {
			return r
		}
	}
	return ""
}

func buildFixture(ctx context.Context) (*fixture, string, error) {
	dir, err := os.MkdirTemp("", "backdeck-clonezilla-")
	if err != nil {
		return nil, "", err
	}
	f := &fixture{dir: dir, repo: filepath.Join(dir, "partimag"), started: time.Now().Add(-time.Second)}
	b := &builder{ctx: ctx, dir: dir, rnd: rand.New(rand.NewChaCha8([32]byte{'b', 'a', 'c', 'k', 'd', 'e', 'c', 'k'}))}
	err = b.build(f)
	b.ctx = context.Background() // undo everything, even after a timeout
	b.teardown()
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", fmt.Errorf("%w\n--- log ---\n%s", err, tail(b.logText(), 4000))
	}
	return f, strings.Join(b.steps, ", "), nil
}

// builder makes the source disks and the images, and undoes every loop
// device, link and LVM trace it made.
type builder struct {
	ctx   context.Context // ends the tools it runs
	dir   string
	rnd   *rand.Rand
	mu    sync.Mutex // guards log and loops: the saves run side by side
	log   bytes.Buffer
	steps []string // how long each step took
	loops []string // detached in reverse order
	links []string // /dev/<vg>/… and /dev/mapper/… links
}

// took notes how long a step took, for the fixture's summary line.
func (b *builder) took(step string, since time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.steps = append(b.steps, fmt.Sprintf("%s %s", step, time.Since(since).Round(time.Second)))
}

func (b *builder) logText() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.log.String()
}

func (b *builder) build(f *fixture) error {
	if err := os.MkdirAll(f.repo, 0o755); err != nil {
		return err
	}
	start := time.Now()
	simple, err := b.simpleDisk()
	if err != nil {
		return err
	}
	pve, err := b.pveDisk()
	if err != nil {
		return err
	}
	b.took("source disks", start)
	base := "-b -q2 -j2 -sfsck -scs -senc -p true -nogui"
	saves := []struct{ name, opts, mode, dev string }{
		{imgSums, "-z9p -gs -gm", "savedisk", simple},
		{imgParts, "-z1p -i 1 -gm", "saveparts", simple + "p2"},
		{imgLVM, "-z9p -i 1 -gs -gm -gb", "savedisk", pve},
	}
	errs := make([]error, len(saves))
	var wg sync.WaitGroup
	for i, s := range saves {
		wg.Go(func() {
			start := time.Now()
			errs[i] = b.save(f.repo, base+" "+s.opts, s.mode, s.name, s.dev)
			b.took(s.name, start)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return deriveNoSums(f.image(imgSums), f.image(imgNoSums))
}

// deriveNoSums makes the image savedisk -z9p (without -gs -gm) writes of the
// same disk, from the one with checksums, instead of a fifth save: FORMAT.md's
// appendix shows the two differ only in the checksum files, the command line
// in Info-saved-by-cmd.txt and the save log's words (kept here: the image id
// is the digest of the log).
func deriveNoSums(sums, dst string) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(sums)
	if err != nil {
		return err
	}
	from, to := filepath.Base(sums), filepath.Base(dst)
	for _, e := range entries {
		name := e.Name()
		if name == "MD5SUMS" || name == "SHA1SUMS" || name == "B2SUMS" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(sums, name))
		if err != nil {
			return err
		}
		if name == "Info-saved-by-cmd.txt" {
			b = []byte(strings.ReplaceAll(strings.ReplaceAll(string(b), " -gs -gm", ""), from, to))
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// run runs a tool, logging its command and output.
func (b *builder) run(name string, args ...string) (string, error) {
	cmd := exec.CommandContext(b.ctx, name, args...)
	cmd.Env = append(os.Environ(), "LVM_SUPPRESS_FD_WARNINGS=1", "LC_ALL=C",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	// ocs-sr is a script: stopping it stops the tools it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	b.mu.Lock()
	fmt.Fprintf(&b.log, "$ %s %s\n%s", name, strings.Join(args, " "), out)
	b.mu.Unlock()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, tail(string(out), 600))
	}
	return string(out), nil
}

// attach sets up a loop device for a disk image file and exposes its
// partitions with partx, since this kernel does not scan them (§1).
func (b *builder) attach(file string) (string, error) {
	dev, err := b.loop("-P", file)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(dev + "p1"); err != nil {
		if _, err := b.run("partx", "-a", dev); err != nil {
			return "", err
		}
	}
	for range 50 {
		if _, err := os.Stat(dev + "p1"); err == nil {
			return dev, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("no partition devices appeared for %s", dev)
}

// loop attaches a free loop device, retrying when another process (another
// package's tests) takes the one losetup found first.
func (b *builder) loop(args ...string) (string, error) {
	var err error
	for try := range 5 {
		var out string
		if out, err = b.run("losetup", append([]string{"-f", "--show"}, args...)...); err == nil {
			dev := strings.TrimSpace(out)
			b.mu.Lock()
			b.loops = append(b.loops, dev)
			b.mu.Unlock()
			return dev, nil
		}
		time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
	}
	return "", err
}

// randomFile writes n reproducible random bytes.
func (b *builder) randomFile(path string, n int) error {
	buf := make([]byte, n)
	for i := 0; i+8 <= len(buf); i += 8 {
		v := b.rnd.Uint64()
		for j := range 8 {
			buf[i+j] = byte(v >> (8 * j))
		}
	}
	return os.WriteFile(path, buf, 0o644)
}

// simpleDisk is a small GPT disk: an ESP (vfat, filled with mtools, since
// vfat cannot be mounted here) and an ext4 root filled by mkfs.ext4 -d with
// random data, so that the gzip image spans several 1 MB volumes.
func (b *builder) simpleDisk() (string, error) {
	img := filepath.Join(b.dir, "simple.img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Truncate(img, simpleDiskMiB<<20); err != nil {
		return "", err
	}
	if _, err := b.run("sgdisk", "-n1:2048:+"+strconv.Itoa(espMiB)+"M", "-t1:EF00", "-c1:EFI system partition",
		"-n2:0:0", "-t2:8300", "-c2:rootfs", img); err != nil {
		return "", err
	}
	root := filepath.Join(b.dir, "rootfs")
	for _, d := range []string{"etc", "data", "home/user"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return "", err
		}
	}
	if err := b.randomFile(filepath.Join(root, "data/random.bin"), rootRandom); err != nil {
		return "", err
	}
	var text strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&text, "line %d of a text file that compresses well\n", i)
	}
	if err := os.WriteFile(filepath.Join(root, "home/user/notes.txt"), []byte(text.String()), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(root, "etc/hostname"), []byte("pve\n"), 0o644); err != nil {
		return "", err
	}
	efi := filepath.Join(b.dir, "grubx64.efi")
	if err := b.randomFile(efi, 64<<10); err != nil {
		return "", err
	}
	dev, err := b.attach(img)
	if err != nil {
		return "", err
	}
	for _, c := range [][]string{
		{"mkfs.vfat", "-F", "32", "-s", "1", "-n", "EFI", dev + "p1"},
		{"mmd", "-i", dev + "p1", "::/EFI", "::/EFI/debian"},
		{"mcopy", "-i", dev + "p1", efi, "::/EFI/debian/"},
		{"mkfs.ext4", "-q", "-F", "-L", "rootfs", "-d", root, dev + "p2"},
	} {
		if _, err := b.run(c[0], c[1:]...); err != nil {
			return "", err
		}
	}
	return filepath.Base(dev), nil
}

// pveDisk is a small Proxmox-like GPT disk: bios_grub (saved raw by
// partclone.dd), an ESP, and an LVM PV with VG bdpve holding swap, an ext4
// root and a VM disk that holds its own GPT (saved raw). With no
// device-mapper, the LVs are created metadata-only and exposed as loop
// devices at their extents' offsets, linked as /dev/<vg>/<lv> (§1).
func (b *builder) pveDisk() (string, error) {
	img := filepath.Join(b.dir, "pve.img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Truncate(img, pveDiskMiB<<20); err != nil {
		return "", err
	}
	if _, err := b.run("sgdisk", "-a", "2", "-n1:34:2047", "-t1:EF02", "-n2:2048:+"+strconv.Itoa(espMiB)+"M", "-t2:EF00",
		"-n3:0:0", "-t3:8E00", img); err != nil {
		return "", err
	}
	dev, err := b.attach(img)
	if err != nil {
		return "", err
	}
	pv := dev + "p3"
	b.removeVGTraces()
	noBackup := "--config=backup{backup=0 archive=0}"
	for _, c := range [][]string{
		{"mkfs.vfat", "-F", "32", "-s", "1", "-n", "EFI", dev + "p2"},
		{"pvcreate", noBackup, "-ff", "-y", pv},
		{"vgcreate", noBackup, vgName, pv},
	} {
		if _, err := b.run(c[0], c[1:]...); err != nil {
			return "", err
		}
	}
	lvs := []struct {
		name string
		mib  int
	}{{"swap", swapLVMiB}, {"root", rootLVMiB}, {"vm-100-disk-0", vmLVMiB}}
	for _, lv := range lvs {
		if _, err := b.run("lvcreate", noBackup, "--driverloaded", "n", "-an", "-Zn", "-Wn",
			"-L", strconv.Itoa(lv.mib)+"M", "-n", lv.name, vgName); err != nil {
			return "", err
		}
	}
	peStart, err := b.number("pvs", "--noheadings", "--nosuffix", "--units", "b", "-o", "pe_start", pv)
	if err != nil {
		return "", err
	}
	extent, err := b.number("vgs", "--noheadings", "--nosuffix", "--units", "b", "-o", "vg_extent_size", vgName)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll("/dev/"+vgName, 0o755); err != nil {
		return "", err
	}
	if err := os.MkdirAll("/dev/mapper", 0o755); err != nil {
		return "", err
	}
	lvDev := map[string]string{}
	for _, lv := range lvs {
		out, err := b.run("lvs", "--noheadings", "-o", "seg_pe_ranges", vgName+"/"+lv.name)
		if err != nil {
			return "", err
		}
		// "/dev/loop1p3:4-19": a linear LV, one segment.
		_, ranges, _ := strings.Cut(strings.TrimSpace(out), ":")
		first, _, _ := strings.Cut(ranges, "-")
		pe, err := strconv.ParseInt(first, 10, 64)
		if err != nil {
			return "", fmt.Errorf("LV %s: extents %q", lv.name, out)
		}
		loop, err := b.loop("-o", strconv.FormatInt(peStart+pe*extent, 10), "--sizelimit", strconv.Itoa(lv.mib<<20), pv)
		if err != nil {
			return "", err
		}
		lvDev[lv.name] = loop
		for _, link := range []string{"/dev/" + vgName + "/" + lv.name, "/dev/mapper/" + vgName + "-" + strings.ReplaceAll(lv.name, "-", "--")} {
			os.Remove(link)
			if err := os.Symlink(loop, link); err != nil {
				return "", err
			}
			b.links = append(b.links, link)
		}
	}
	rootDir := filepath.Join(b.dir, "lvroot")
	if err := os.MkdirAll(filepath.Join(rootDir, "etc/pve"), 0o755); err != nil {
		return "", err
	}
	if err := b.randomFile(filepath.Join(rootDir, "etc/pve/blob"), lvRoot); err != nil {
		return "", err
	}
	vmDisk := filepath.Join(b.dir, "vm-100-disk-0.raw")
	if err := b.randomFile(vmDisk, vmDiskData); err != nil {
		return "", err
	}
	for _, c := range [][]string{
		{"mkswap", "-L", "swap", lvDev["swap"]},
		{"mkfs.ext4", "-q", "-F", "-L", "root", "-d", rootDir, lvDev["root"]},
		{"dd", "if=" + vmDisk, "of=" + lvDev["vm-100-disk-0"], "bs=1M", "seek=1", "conv=notrunc"},
		{"sgdisk", "-n1:2048:0", "-t1:8300", lvDev["vm-100-disk-0"]},
	} {
		if _, err := b.run(c[0], c[1:]...); err != nil {
			return "", err
		}
	}
	return filepath.Base(dev), nil
}

func (b *builder) number(name string, args ...string) (int64, error) {
	out, err := b.run(name, args...)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is no number", name, out)
	}
	return n, nil
}

// save runs ocs-sr as FORMAT.md §2.1 does; its exit status is not enough
// (§2.1), so the end-of-job line is required too (saveparts prints no
// "saved successfully").
func (b *builder) save(repo, opts, mode, name, dev string) error {
	args := append([]string{"-or", repo}, strings.Fields(opts)...)
	args = append(args, mode, name, dev)
	out, err := b.run("ocs-sr", args...)
	if err != nil {
		return err
	}
	if !strings.Contains(out, "End of "+mode+" job for image") {
		return fmt.Errorf("ocs-sr %s %s: no end-of-job line: %s", mode, name, tail(out, 1500))
	}
	return nil
}

// teardown undoes the disks: stray grub-mount daemons (os-prober leaves them
// holding the loop devices, §1) are killed by PID, the LV links and LVM's
// metadata backups removed, the loop devices detached.
func (b *builder) teardown() {
	b.killGrubMounts()
	for _, l := range b.links {
		os.Remove(l)
	}
	os.Remove("/dev/" + vgName)
	for i := len(b.loops) - 1; i >= 0; i-- {
		dev := b.loops[i]
		if _, err := os.Stat(dev + "p1"); err == nil {
			b.run("partx", "-d", dev)
		}
		b.run("losetup", "-d", dev)
	}
	b.removeVGTraces()
}

func (b *builder) removeVGTraces() {
	os.Remove("/etc/lvm/backup/" + vgName)
	if old, _ := filepath.Glob("/etc/lvm/archive/" + vgName + "_*.vg"); old != nil {
		for _, f := range old {
			os.Remove(f)
		}
	}
}

// killGrubMounts ends the grub-mount processes that hold one of our loop
// devices, and only those.
func (b *builder) killGrubMounts() {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
		if len(args) == 0 || filepath.Base(args[0]) != "grub-mount" {
			continue
		}
		for _, a := range args[1:] {
			if b.ours(a) {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
				if proc, err := os.FindProcess(pid); err == nil && pid > 0 {
					proc.Kill()
				}
				break
			}
		}
	}
}

func (b *builder) ours(dev string) bool {
	for _, l := range b.loops {
		if dev == l || strings.HasPrefix(dev, l+"p") {
			return true
		}
	}
	return false
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
