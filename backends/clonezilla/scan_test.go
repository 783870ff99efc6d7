package clonezilla

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func imageNamed(t *testing.T, imgs []Image, name string) Image {
	t.Helper()
	for _, img := range imgs {
		if img.Name == name {
			return img
		}
	}
	t.Fatalf("image %s not found", name)
	return Image{}
}

func volumeNamed(t *testing.T, vols []Volume, name string) Volume {
	t.Helper()
	for _, v := range vols {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("volume %s not in %+v", name, vols)
	return Volume{}
}

// TestScanInventory: the repository's four images, as Clonezilla wrote them.
func TestScanInventory(t *testing.T) {
	f := images(t)
	missing := filepath.Join(f.dir, "no-such-dir")
	imgs, errs := Scan([]string{f.repo, missing})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "no-such-dir") {
		t.Errorf("errors %v: want one naming the missing directory", errs)
	}
	if len(imgs) != 4 {
		t.Fatalf("%d images, want 4: %+v", len(imgs), imgs)
	}
	for i := 1; i < len(imgs); i++ {
		if imgs[i].Saved.After(imgs[i-1].Saved) {
			t.Errorf("not newest first: %s (%v) after %s (%v)", imgs[i].Name, imgs[i].Saved, imgs[i-1].Name, imgs[i-1].Saved)
		}
	}
	for _, img := range imgs {
		if img.SavedFrom != SavedFromLog || img.Saved.Before(f.started.Add(-time.Minute)) || img.Saved.After(time.Now().Add(time.Minute)) {
			t.Errorf("%s: saved %v (from %s), want during the test run, from clonezilla-img", img.Name, img.Saved, img.SavedFrom)
		}
		if !strings.Contains(img.Command, "ocs-sr") || !strings.Contains(img.Command, img.Name) {
			t.Errorf("%s: command %q", img.Name, img.Command)
		}
		if len(img.Disks) != 1 || img.Disks[0].Table != "gpt" || img.Disks[0].SizeFrom != img.Disks[0].Name+"-pt.parted" {
			t.Errorf("%s: disks %+v", img.Name, img.Disks)
		}
		// Clonezilla writes Info-smart.txt when smartctl is installed.
		if _, err := os.Stat(filepath.Join(img.Path, "Info-smart.txt")); err == nil && img.SMARTAtSave == "" {
			t.Errorf("%s: no SMART line although Info-smart.txt exists", img.Name)
		}
		if img.SizeBytes <= 0 {
			t.Errorf("%s: size %d", img.Name, img.SizeBytes)
		}
	}

	sums := imageNamed(t, imgs, imgSums)
	disk := sums.Disks[0].Name
	if sums.Mode != ModeSaveDisk || sums.Compression != "zstd" || !slices.Equal(sums.Checksums, []string{"SHA1SUMS", "MD5SUMS"}) {
		t.Errorf("%s: mode %s, compression %q, checksums %v", sums.Name, sums.Mode, sums.Compression, sums.Checksums)
	}
	if sums.Disks[0].Size != simpleDiskMiB<<20 {
		t.Errorf("disk size %d, want %d MiB", sums.Disks[0].Size, simpleDiskMiB)
	}
	if len(sums.Parts) != 2 {
		t.Fatalf("parts %+v", sums.Parts)
	}
	p1, p2 := sums.Parts[0], sums.Parts[1]
	if p1.Name != disk+"p1" || p1.FS != "vfat" || p1.Disk != disk || p1.Size != espMiB<<20 || p1.Comp != "zstd" ||
		!slices.Equal(p1.Files, []string{disk + "p1.vfat-ptcl-img.zst"}) || p1.Bytes <= 0 {
		t.Errorf("p1 %+v", p1)
	}
	// The root runs from the ESP's end to the backup GPT, less alignment.
	if p2.FS != "ext4" || p2.Dev != "/dev/"+disk+"p2" || p2.Size <= (simpleDiskMiB-espMiB-2)<<20 || p2.Size > (simpleDiskMiB-espMiB-1)<<20 {
		t.Errorf("p2 %+v", p2)
	}

	nosums := imageNamed(t, imgs, imgNoSums)
	if len(nosums.Checksums) != 0 || !strings.Contains(nosums.Summary(), "no checksums") {
		t.Errorf("no-checksum image: %v, %q", nosums.Checksums, nosums.Summary())
	}

	parts := imageNamed(t, imgs, imgParts)
	if parts.Mode != ModeSaveParts || len(parts.Parts) != 1 || parts.Parts[0].Name != disk+"p2" ||
		!slices.Equal(parts.Checksums, []string{"MD5SUMS"}) || parts.Disks[0].Name != disk {
		t.Errorf("saveparts image: %+v", parts)
	}
	// Split in 1 MB (decimal) volumes: all full but the last.
	gz := parts.Parts[0]
	if parts.Compression != "gzip" || len(gz.Files) < 3 || gz.Files[0] != disk+"p2.ext4-ptcl-img.gz.aa" {
		t.Errorf("split gzip image: %q, p2 files %v", parts.Compression, gz.Files)
	}
	for _, name := range gz.Files[:len(gz.Files)-1] {
		if fi, err := os.Stat(filepath.Join(parts.Path, name)); err != nil || fi.Size() != 1000*1000 {
			t.Errorf("volume %s: %v %v, want 1 000 000 bytes", name, fi, err)
		}
	}

	lvm := imageNamed(t, imgs, imgLVM)
	pve := lvm.Disks[0].Name
	if lvm.Disks[0].Size != pveDiskMiB<<20 || len(lvm.Checksums) != 3 {
		t.Errorf("LVM disk %+v, checksums %v", lvm.Disks, lvm.Checksums)
	}
	if len(lvm.Parts) != 2 || lvm.Parts[0].FS != "dd" || lvm.Parts[0].Size != 2014*512 || lvm.Parts[1].FS != "vfat" {
		t.Errorf("LVM disk partitions %+v", lvm.Parts)
	}
	if len(lvm.PVs) != 1 || lvm.PVs[0].Dev != pve+"p3" || lvm.PVs[0].VG != vgName || lvm.PVs[0].UUID == "" {
		t.Errorf("PVs %+v", lvm.PVs)
	}
	if len(lvm.LVs) != 3 {
		t.Fatalf("LVs %+v", lvm.LVs)
	}
	for _, w := range []struct {
		name, fs string
		size     int64
		files    int // 1 MB volumes
	}{
		{vgName + "-swap", "swap", swapLVMiB << 20, 0},
		{vgName + "-root", "ext4", rootLVMiB << 20, 2},
		{vgName + "-vm-100-disk-0", "dd", vmLVMiB << 20, 1},
	} {
		v := volumeNamed(t, lvm.LVs, w.name)
		if v.FS != w.fs || v.Size != w.size || v.VG != vgName || len(v.Files) != w.files {
			t.Errorf("LV %+v, want fs %s size %d in %d files", v, w.fs, w.size, w.files)
		}
	}
	if len(lvm.Swaps) != 1 || lvm.Swaps[0].File != "swappt-"+vgName+"-swap.info" || lvm.Swaps[0].Label != "swap" || lvm.Swaps[0].UUID == "" {
		t.Errorf("swaps %+v", lvm.Swaps)
	}
	if got, want := lvm.Summary(), pve+" · 2 partitions, 3 LVs · zstd · B2SUMS, SHA1SUMS, MD5SUMS"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}

	rp := lvm.RestorePoint("clonezilla/pve-ssd")
	if rp.ID != lvm.Path || rp.Target != "clonezilla/pve-ssd" || rp.Method != MethodClonezilla || !rp.Time.Equal(lvm.Saved) ||
		rp.Size != lvm.SizeBytes || rp.Notes != lvm.Summary() || rp.Format != "clonezilla savedisk zstd" || rp.Stamp == "" || rp.Stamp != lvm.Stamp {
		t.Errorf("restore point %+v", rp)
	}
}

// TestScanRecognisesByFiles: an image is found whatever its name, in a
// repository or given itself; a directory of other files is not an image.
func TestScanRecognisesByFiles(t *testing.T) {
	f := images(t)
	repo := t.TempDir()
	renamed := copyImage(t, f.image(imgSums))
	if err := os.Rename(renamed, filepath.Join(repo, "backup of the SSD")); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(repo, "photos")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, other, "cat.jpg", "not an image")
	imgs, errs := Scan([]string{repo, f.image(imgNoSums)})
	if len(errs) != 0 || len(imgs) != 2 {
		t.Fatalf("images %+v, errors %v", imgs, errs)
	}
	names := []string{imgs[0].Name, imgs[1].Name}
	slices.Sort(names)
	if !slices.Equal(names, []string{"backup of the SSD", imgNoSums}) {
		t.Errorf("names %v", names)
	}
	if _, err := ReadImage(other); err == nil {
		t.Error("a directory of photos read as an image")
	}
	// Without disk and parts it is still an image, a broken one.
	broken := copyImage(t, f.image(imgSums))
	remove(t, broken, "disk", "parts")
	img, err := ReadImage(broken)
	if err != nil || img.Mode != ModeUnknown || len(img.Parts) != 2 {
		t.Errorf("broken image: %v, %+v", err, img)
	}
}

// TestSavedFallbacks: without clonezilla-img the save time comes from the
// command file's time, then the directory's, and says so.
func TestSavedFallbacks(t *testing.T) {
	f := images(t)
	dir := copyImage(t, f.image(imgNoSums))
	when := time.Date(2026, 11, 1, 3, 4, 5, 0, time.UTC)
	remove(t, dir, "clonezilla-img")
	if err := os.Chtimes(filepath.Join(dir, "Info-saved-by-cmd.txt"), when, when); err != nil {
		t.Fatal(err)
	}
	img, err := ReadImage(dir)
	if err != nil || img.SavedFrom != SavedFromCommand || !img.Saved.Equal(when) {
		t.Errorf("saved %v from %s (%v), want %v from the command file", img.Saved, img.SavedFrom, err, when)
	}
	remove(t, dir, "Info-saved-by-cmd.txt")
	if err := os.Chtimes(dir, when, when); err != nil {
		t.Fatal(err)
	}
	img, err = ReadImage(dir)
	if err != nil || img.SavedFrom != SavedFromDir || !img.Saved.Equal(when) {
		t.Errorf("saved %v from %s (%v), want %v from the directory", img.Saved, img.SavedFrom, err, when)
	}
}
