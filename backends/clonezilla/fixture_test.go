package clonezilla

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests verify real images that Debian's clonezilla package makes during
// the run, on loop-device disks built the way FORMAT.md §1 describes for a
// kernel without partition scanning, device-mapper or vfat, and without
// udev. They are built once per test binary.

const installHint = "install clonezilla partclone lvm2 parted dosfstools e2fsprogs mtools gdisk (apt-get install -y …), and run the tests as root"

// The images the fixture makes, by name in its repository.
const (
	imgSums    = "disk-sums"     // savedisk -z9p -gs -gm: zstd, MD5SUMS + SHA1SUMS, unsplit
	imgSplitGz = "disk-split-gz" // savedisk -z1p -i 4 -gs -gm: gzip in 4 MB volumes
	imgNoSums  = "disk-nosums"   // savedisk -z9p: no checksum files
	imgLVM     = "pve-lvm"       // savedisk -z9p -gs -gm -gb of a Proxmox-like disk: bios_grub, ESP, LVM
	imgParts   = "part-ext4"     // saveparts -z9p -i 4 -gm: zstd in 4 MB volumes, MD5SUMS only
)

// vgName is the fixture's volume group; not "pve", so that it cannot touch a
// real Proxmox host's.
const vgName = "bdpve"

type fixture struct {
	dir     string // everything the fixture made
	repo    string // ocs-sr's -or: the images
	started time.Time
}

func (f *fixture) image(name string) string { return filepath.Join(f.repo, name) }

// shared holds the one fixture of the test binary; TestMain removes it.
var shared struct {
	once sync.Once
	f    *fixture
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.f != nil {
		os.RemoveAll(shared.f.dir)
	}
	os.Exit(code)
}

// images returns the fixture, building it on first use.
func images(tb testing.TB) *fixture {
	tb.Helper()
	shared.once.Do(func() {
		start := time.Now()
		shared.f, shared.err = buildFixture()
		if shared.err != nil && !strings.Contains(shared.err.Error(), installHint) {
			// Loop devices are shared with the rest of the machine: one more
			// try when something else got in the way.
			fmt.Fprintf(os.Stderr, "clonezilla fixture: first try failed, trying again: %v\n", shared.err)
			shared.f, shared.err = buildFixture()
		}
		if shared.err == nil {
			fmt.Fprintf(os.Stderr, "clonezilla fixture: 5 images made in %s\n", time.Since(start).Round(time.Second))
		}
	})
	if shared.err != nil {
		tb.Fatalf("cannot make the Clonezilla test images: %v", shared.err)
	}
	return shared.f
}

func buildFixture() (*fixture, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("not root: %s", installHint)
	}
	for _, tool := range []string{"ocs-sr", "partclone.ext4", "partclone.vfat", "partclone.dd", "zstd", "pigz",
		"sgdisk", "sfdisk", "parted", "partx", "losetup", "mkfs.vfat", "mmd", "mcopy", "mkfs.ext4", "mkswap",
		"pvcreate", "vgcreate", "lvcreate", "lvs", "pvs"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s not found: %s", tool, installHint)
		}
	}
	dir, err := os.MkdirTemp("", "backdeck-clonezilla-")
	if err != nil {
		return nil, err
	}
	f := &fixture{dir: dir, repo: filepath.Join(dir, "partimag"), started: time.Now().Add(-time.Second)}
	b := &builder{dir: dir, rnd: rand.New(rand.NewChaCha8([32]byte{'b', 'a', 'c', 'k', 'd', 'e', 'c', 'k'}))}
	err = b.build(f)
	b.teardown()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\n--- log ---\n%s", err, tail(b.log.String(), 4000))
	}
	return f, nil
}

// builder makes the source disks and the images, and undoes every loop
// device, link and LVM trace it made.
type builder struct {
	dir   string
	rnd   *rand.Rand
	log   bytes.Buffer
	loops []string // detached in reverse order
	links []string // /dev/<vg>/… and /dev/mapper/… links
}

func (b *builder) build(f *fixture) error {
	if err := os.MkdirAll(f.repo, 0o755); err != nil {
		return err
	}
	simple, err := b.simpleDisk()
	if err != nil {
		return err
	}
	base := "-b -q2 -j2 -sfsck -scs -senc -p true -nogui"
	for _, s := range []struct{ name, opts, mode, dev string }{
		{imgSums, "-z9p -gs -gm", "savedisk", simple},
		{imgSplitGz, "-z1p -i 4 -gs -gm", "savedisk", simple},
		{imgNoSums, "-z9p", "savedisk", simple},
		{imgParts, "-z9p -i 4 -gm", "saveparts", simple + "p2"},
	} {
		if err := b.save(f.repo, base+" "+s.opts, s.mode, s.name, s.dev); err != nil {
			return err
		}
	}
	pve, err := b.pveDisk()
	if err != nil {
		return err
	}
	return b.save(f.repo, base+" -z9p -gs -gm -gb", "savedisk", imgLVM, pve)
}

// run runs a tool, logging its command and output.
func (b *builder) run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "LVM_SUPPRESS_FD_WARNINGS=1", "LC_ALL=C",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	out, err := cmd.CombinedOutput()
	fmt.Fprintf(&b.log, "$ %s %s\n%s", name, strings.Join(args, " "), out)
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
			b.loops = append(b.loops, dev)
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

// simpleDisk is a 128 MiB GPT disk: an ESP (vfat, filled with mtools, since
// vfat cannot be mounted here) and an ext4 root filled by mkfs.ext4 -d with
// 9 MiB of random data, so that the gzip image spans several 4 MB volumes.
func (b *builder) simpleDisk() (string, error) {
	img := filepath.Join(b.dir, "simple.img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Truncate(img, 128<<20); err != nil {
		return "", err
	}
	if _, err := b.run("sgdisk", "-n1:2048:+34M", "-t1:EF00", "-c1:EFI system partition",
		"-n2:0:0", "-t2:8300", "-c2:rootfs", img); err != nil {
		return "", err
	}
	root := filepath.Join(b.dir, "rootfs")
	for _, d := range []string{"etc", "data", "home/user"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return "", err
		}
	}
	if err := b.randomFile(filepath.Join(root, "data/random.bin"), 9<<20); err != nil {
		return "", err
	}
	var text strings.Builder
	for i := range 30000 {
		fmt.Fprintf(&text, "line %d of a text file that compresses well\n", i)
	}
	if err := os.WriteFile(filepath.Join(root, "home/user/notes.txt"), []byte(text.String()), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(root, "etc/hostname"), []byte("pve\n"), 0o644); err != nil {
		return "", err
	}
	efi := filepath.Join(b.dir, "grubx64.efi")
	if err := b.randomFile(efi, 300<<10); err != nil {
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

// pveDisk is a 192 MiB Proxmox-like GPT disk: bios_grub (saved raw by
// partclone.dd), an ESP, and an LVM PV with VG bdpve holding swap, an ext4
// root and a VM disk that holds its own GPT (saved raw). With no
// device-mapper, the LVs are created metadata-only and exposed as loop
// devices at their extents' offsets, linked as /dev/<vg>/<lv> (§1).
func (b *builder) pveDisk() (string, error) {
	img := filepath.Join(b.dir, "pve.img")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Truncate(img, 192<<20); err != nil {
		return "", err
	}
	if _, err := b.run("sgdisk", "-a", "2", "-n1:34:2047", "-t1:EF02", "-n2:2048:+34M", "-t2:EF00",
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
	}{{"swap", 8}, {"root", 64}, {"vm-100-disk-0", 16}}
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
	if err := b.randomFile(filepath.Join(rootDir, "etc/pve/blob"), 3<<20); err != nil {
		return "", err
	}
	vmDisk := filepath.Join(b.dir, "vm-100-disk-0.raw")
	if err := b.randomFile(vmDisk, 2<<20); err != nil {
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
