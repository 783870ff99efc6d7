package images

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/backdeck/backdeck/backends/lab/host"
)

// lsblkSize is a size as lsblk (and ocs-get-dev-info) prints it: binary
// units, one decimal unless whole ("1007K", "929.5G", "1.8T").
func lsblkSize(n int64) string {
	const units = "BKMGTPE"
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + "B"
	}
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + units[i:i+1]
}

// blkdevList is lsblk's listing of Clonezilla Live's machine (blkdev.list):
// the live system's loop device, the HDD, the Live USB stick, the images
// drive mounted on /home/partimag, and the SSD with the host's LVs active
// but for those that skip activation.
func blkdevList() string {
	type dev struct {
		kname, name      string
		size             int64
		typ, fstype, mnt string
		model            string
		children         []dev
	}
	lvm := func(kname, name string, size int64, fstype string, kids ...dev) dev {
		return dev{kname: kname, name: name, size: size, typ: "lvm", fstype: fstype, children: kids}
	}
	pool := host.LVNamed("pve", "data").Size
	thin := []dev{lvm("dm-5", "pve-data", pool, "")}
	for _, r := range host.LVs() {
		if r.VG == "pve" && r.Pool == "data" && r.Attr[4] == 'a' { // active
			thin = append(thin, lvm(fmt.Sprintf("dm-%d", 5+len(thin)), "pve-"+strings.ReplaceAll(r.LV, "-", "--"), r.Size, ""))
		}
	}
	tpool := lvm("dm-4", "pve-data-tpool", pool, "", thin...)
	ssd := seedDisk("S5GXNX0T")
	hdd := seedDisk("ZFL1ABCD")
	images := seedDisk("NB2K5678")
	devs := []dev{
		{kname: "loop0", name: "loop0", size: 406519808, typ: "loop", fstype: "squashfs", mnt: "/usr/lib/live/mount/rootfs/filesystem.squashfs"},
		{kname: "sda", name: "sda", size: hdd.Size, typ: "disk", model: hdd.Model, children: []dev{
			{kname: "sda1", name: "sda1", size: hdd.Parts[0].Size, typ: "part", fstype: "ext4"}}},
		{kname: "sdb", name: "sdb", size: 15376318464, typ: "disk", fstype: "iso9660", model: "Cruzer Blade", children: []dev{
			{kname: "sdb1", name: "sdb1", size: 512753664, typ: "part", fstype: "iso9660", mnt: "/usr/lib/live/mount/medium"},
			{kname: "sdb2", name: "sdb2", size: 5242880, typ: "part", fstype: "vfat"}}},
		{kname: "sdc", name: "sdc", size: images.Size, typ: "disk", model: images.Model, children: []dev{
			{kname: "sdc1", name: "sdc1", size: images.Parts[0].Size, typ: "part", fstype: "ext4", mnt: repo}}},
		{kname: "nvme0n1", name: "nvme0n1", size: ssd.Size, typ: "disk", model: ssd.Model, children: []dev{
			{kname: "nvme0n1p1", name: "nvme0n1p1", size: ssd.Parts[0].Size, typ: "part"},
			{kname: "nvme0n1p2", name: "nvme0n1p2", size: ssd.Parts[1].Size, typ: "part", fstype: "vfat"},
			{kname: "nvme0n1p3", name: "nvme0n1p3", size: ssd.Parts[2].Size, typ: "part", fstype: "LVM2_member", children: []dev{
				lvm("dm-0", "pve-swap", host.LVNamed("pve", "swap").Size, "swap"),
				lvm("dm-1", "pve-root", host.LVNamed("pve", "root").Size, "ext4"),
				lvm("dm-2", "pve-data_tmeta", host.PVETmetaSize, "", tpool),
				lvm("dm-3", "pve-data_tdata", pool, "", tpool)}}}},
	}
	rows := [][]string{{"KNAME", "NAME", "SIZE", "TYPE", "FSTYPE", "MOUNTPOINT", "MODEL"}}
	var walk func(ds []dev, prefix string)
	walk = func(ds []dev, prefix string) {
		for i, d := range ds {
			branch, more := "", ""
			if prefix != "\x00" {
				branch, more = "|-", "| "
				if i == len(ds)-1 {
					branch, more = "`-", "  "
				}
			}
			p := strings.TrimPrefix(prefix, "\x00")
			rows = append(rows, []string{d.kname, p + branch + d.name, lsblkSize(d.size), d.typ, d.fstype, d.mnt, d.model})
			walk(d.children, p+more)
		}
	}
	walk(devs, "\x00")
	// lsblk right-aligns SIZE and pads every column but the last.
	widths := columnWidths(rows)
	var s strings.Builder
	for _, r := range rows {
		for i, c := range r {
			switch {
			case i == len(r)-1:
				s.WriteString(c)
			case i == 2:
				fmt.Fprintf(&s, "%*s ", widths[i], c)
			default:
				fmt.Fprintf(&s, "%-*s ", widths[i], c)
			}
		}
		s.WriteString("\n")
	}
	return s.String()
}

// blkidList is blkid's listing of the same machine (blkid.list).
func blkidList() string {
	guids := partitionGUIDs()
	esp := host.PartNamed("nvme0n1p2")
	lines := []string{
		fmt.Sprintf(`/dev/mapper/pve-root: UUID="%s" BLOCK_SIZE="4096" TYPE="ext4"`, host.PVERootUUID),
		fmt.Sprintf(`/dev/mapper/pve-swap: UUID="%s" TYPE="swap"`, host.PVESwapUUID),
	}
	for _, vm := range []int{411, 421, 422, 431} {
		lines = append(lines, fmt.Sprintf(`/dev/mapper/pve-vm--%d--disk--0: PTUUID="%s" PTTYPE="gpt"`, vm, strings.ToLower(guid(fmt.Sprintf("vm-%d-disk-0", vm)))))
	}
	lines = append(lines,
		fmt.Sprintf(`/dev/nvme0n1p1: PARTUUID="%s"`, strings.ToLower(guids["nvme0n1p1"])),
		fmt.Sprintf(`/dev/nvme0n1p2: UUID="%s" BLOCK_SIZE="512" TYPE="vfat" PARTUUID="%s"`, esp.UUID, strings.ToLower(guids["nvme0n1p2"])),
		fmt.Sprintf(`/dev/nvme0n1p3: UUID="%s" TYPE="LVM2_member" PARTUUID="%s"`, host.NVMePVUUID, strings.ToLower(guids["nvme0n1p3"])),
		fmt.Sprintf(`/dev/sda1: UUID="%s" BLOCK_SIZE="4096" TYPE="ext4" PARTUUID="%s"`, host.HDDFSUUID, strings.ToLower(guids["sda1"])),
		`/dev/sdb1: BLOCK_SIZE="2048" UUID="2025-02-10-07-52-19-00" LABEL="CLONEZILLA" TYPE="iso9660" PARTLABEL="ISO9660" PARTUUID="6e1b3c2a-0000-4d2e-9c11-5a7f3b2e9d40"`,
		`/dev/sdb2: SEC_TYPE="msdos" LABEL_FATBOOT="CZ-EFI" LABEL="CZ-EFI" UUID="67B4-1F2A" BLOCK_SIZE="512" TYPE="vfat" PARTLABEL="Appended2" PARTUUID="6e1b3c2a-0000-4d2e-9c11-5a7f3b2e9d41"`,
		`/dev/sdc1: LABEL="cz-images" UUID="5f0c2a1e-8b3d-4c7e-9a61-2d4f8e0b7c35" BLOCK_SIZE="4096" TYPE="ext4" PARTUUID="b7e1d3c4-01"`,
		`/dev/loop0: BLOCK_SIZE="131072" TYPE="squashfs"`,
	)
	return strings.Join(lines, "\n") + "\n"
}

// partitionGUIDs maps both disks' partitions to their GUIDs.
func partitionGUIDs() map[string]string {
	ssd, hdd := imagedDisks()
	out := map[string]string{}
	for _, d := range []*disk{ssd, hdd} {
		for _, p := range d.parts {
			out[p.name] = p.uuid
		}
	}
	return out
}
