package images

import (
	"github.com/backdeck/backdeck/backends/lab/host"
)

// disk is one of the host's internal disks as its images record it; its
// name, serial, model and partition sizes are the seed host's (lab/host).
type disk struct {
	key        string // the config's name of the disk: "pve-ssd"
	seed       host.Disk
	sectors    int64
	physical   int64  // physical sector size
	parted     string // parted's Model line
	sysModel   string // what sgdisk reads from sysfs (SCSI: 16 characters)
	heads, spt int64  // the geometry sfdisk reports
	labelID    string // the GPT disk GUID
	parts      []partition
}

// partition is a partition of a disk.
type partition struct {
	name       string // "nvme0n1p1"
	start, len int64  // sectors
	typeGUID   string
	uuid       string // the partition's GUID
	code       string // sgdisk's type code
	partedFS   string
	flags      string
	devFS      string // dev-fs.list's file system ("" for an LVM PV)
}

const (
	gptBIOSBoot = "21686148-6449-6E6F-744E-656564454649"
	gptESP      = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	gptLVM      = "E6D6D379-F507-44C2-A23C-238F2A3DF928"
	gptLinux    = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
)

// imagedDisks are the SSD and the HDD. The SSD is laid out as the Proxmox VE
// installer does (BIOS boot from sector 34, a 1 GiB ESP, the rest LVM), the
// HDD has one partition from sector 2048.
func imagedDisks() (ssd, hdd *disk) {
	n, s := seedDisk("S5GXNX0T"), seedDisk("ZFL1ABCD")
	ssd = &disk{key: "pve-ssd", seed: n, sectors: n.Size / 512, physical: 512, parted: n.Model + " (nvme)", sysModel: n.Model,
		heads: 64, spt: 32, labelID: guid("nvme0n1 label")}
	meta := []struct{ typ, code, fs, flags, devFS string }{
		{gptBIOSBoot, "EF02", "", "bios_grub", "bios_grub"},
		{gptESP, "EF00", "fat32", "boot, esp", "vfat"},
		{gptLVM, "8E00", "", "lvm", ""},
	}
	start := int64(34)
	for i, p := range n.Parts {
		m := meta[i]
		ssd.parts = append(ssd.parts, partition{name: p.Name, start: start, len: p.Size / 512, typeGUID: m.typ, uuid: guid(p.Name),
			code: m.code, partedFS: m.fs, flags: m.flags, devFS: m.devFS})
		start = (start + p.Size/512 + 2047) / 2048 * 2048
	}
	hdd = &disk{key: "pve-hdd", seed: s, sectors: s.Size / 512, physical: 4096, parted: "ATA " + s.Model[:16] + " (scsi)",
		sysModel: s.Model[:16], heads: 255, spt: 63, labelID: guid("sda label")}
	p := s.Parts[0]
	hdd.parts = []partition{{name: p.Name, start: 2048, len: p.Size / 512, typeGUID: gptLinux, uuid: guid(p.Name),
		code: "8300", partedFS: "ext4", devFS: "ext4"}}
	return ssd, hdd
}

func (d *disk) name() string { return d.seed.Name }

// lastUsable is the GPT's last usable sector.
func (d *disk) lastUsable() int64 { return d.sectors - 34 }

// seedDisk is a disk of the seed host; the images name only those it has.
func seedDisk(serial string) host.Disk {
	d, ok := host.DiskBySerial(serial)
	if !ok {
		panic("lab: no host disk " + serial) // the seed tables name them
	}
	return d
}

func partNames(d *disk) []string {
	var out []string
	for _, p := range d.parts {
		out = append(out, p.name)
	}
	return out
}
