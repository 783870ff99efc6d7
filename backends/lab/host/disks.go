package host

// Disk is one of the seed homelab's physical disks as the Proxmox host
// sees it: its row in lsblk and how the lab's smartctl answers for it.
type Disk struct {
	Name, Tran, Serial, Model, Vendor string // as lsblk prints them (Vendor padded to 8)
	Size                              int64
	Rota                              bool // spins (lsblk ROTA)
	Parts                             []Part
	// smart is the smartdata file smartctl prints for the disk when it
	// reads it; "" when the lab has no reading (the Run fails).
	smart string
	// noSAT: the USB bridge (a JMicron) passes no SAT commands: with -d sat
	// smartctl gets no answer (and reports SLEEP under -n standby), while
	// smartctl's own detection (-d usbjmicron) reads it.
	noSAT bool
	// standby: the drive sleeps; -n standby (or idle) leaves it alone.
	standby bool
}

// Part is a partition, or a device-mapper device (an LV), under a Disk.
type Part struct {
	Name string
	Size int64
	Type string // part, lvm
	// The filesystem or volume signature as lsblk shows it (FSTYPE, LABEL,
	// UUID; "" prints null). Mountpoint, FSUsed and FSAvail only for a
	// mounted filesystem: FSUSED is what statfs counts used, FSAVAIL what is
	// left to users (ext4's reserved blocks are in neither).
	FSType, Label, UUID, Mountpoint string
	FSUsed, FSAvail                 int64
	Parts                           []Part
}

// thinPool is how lsblk shows an active LVM thin pool: its metadata and data
// LVs each hold the pool device ("-tpool"), which holds the pool's own LV and
// its active thin LVs, so the tree lists those twice. Names are
// device-mapper names (dashes inside a VG or LV name doubled).
func thinPool(vgPool string, meta, data int64, thins ...Part) []Part {
	lvm := func(name string, size int64, parts []Part) Part {
		return Part{Name: name, Size: size, Type: "lvm", Parts: parts}
	}
	tpool := []Part{lvm(vgPool+"-tpool", data, append([]Part{lvm(vgPool, data, nil)}, thins...))}
	return []Part{lvm(vgPool+"_tmeta", meta, tpool), lvm(vgPool+"_tdata", data, tpool)}
}

// thinLV is an active thin LV holding a guest's disk (a partition table, so
// no FSTYPE).
func thinLV(dmName string, size int64) Part {
	return Part{Name: dmName, Size: size, Type: "lvm"}
}

// seedDisks are the disks of the seed homelab's host, the same as the lab's
// PVE lists under /disks/list (lab/pve), plus a third USB drive asleep that
// only the host path sees: the internal NVMe SSD and SATA HDD, the backup
// drive (usb-backups, healthy), the Clonezilla images drive (usb-images, a
// failing Hitachi behind a JMicron bridge) and a WD Elements in standby.
var seedDisks = []Disk{
	{Name: "nvme0n1", Tran: "nvme", Serial: "S5GXNX0T", Model: "Samsung SSD 980 PRO 1TB", Size: 1000204886016,
		Parts: []Part{{Name: "nvme0n1p1", Size: 1031168, Type: "part"},
			{Name: "nvme0n1p2", Size: 1 << 30, Type: "part", FSType: "vfat", UUID: "7A2C-91E4", Mountpoint: "/boot/efi",
				FSUsed: 356352, FSAvail: 1071271936},
			{Name: "nvme0n1p3", Size: 999129374720 - 1<<30, Type: "part", FSType: "LVM2_member", UUID: NVMePVUUID,
				Parts: append([]Part{
					{Name: "pve-swap", Size: 8 << 30, Type: "lvm", FSType: "swap", UUID: PVESwapUUID},
					// The root filesystem's figures are the lab's PVE node's
					// (/nodes/pve/status rootfs: 94 GiB, 17.3 GiB used).
					{Name: "pve-root", Size: 96 << 30, Type: "lvm", FSType: "ext4", UUID: PVERootUUID, Mountpoint: "/",
						FSUsed: 18568183808, FSAvail: 77316964352}},
					thinPool("pve-data", PVETmetaSize, 794*GiB+300*MiB,
						thinLV("pve-vm--411--disk--0", 32*GiB), thinLV("pve-vm--421--disk--0", 32*GiB),
						thinLV("pve-vm--422--disk--0", 32*GiB), thinLV("pve-vm--431--disk--0", 32*GiB))...)}}},
	{Name: "sda", Rota: true, Tran: "sata", Serial: "ZFL1ABCD", Model: "ST2000DM008-2FR102", Vendor: "ATA     ", Size: 2000398934016,
		Parts: []Part{{Name: "sda1", Size: 2000397868544, Type: "part", FSType: "ext4", UUID: HDDFSUUID,
			Mountpoint: "/mnt/pve-hdd", FSUsed: 640 * GiB, FSAvail: 1181985603584}},
		smart: "internal-sda-ZFL1ABCD.json"},
	// The vzdump drive (sizes.go): the filesystem is the lab's PVE storage
	// hddusb_bkpvzdumps as the seed makes it (no reserved blocks; the
	// archives of its history are not counted: this fake does not follow
	// the PVE world).
	{Name: "sdb", Rota: true, Tran: "usb", Serial: "NA8F1234", Model: "Expansion HDD", Vendor: "Seagate ", Size: 4000787030016,
		Parts: []Part{{Name: "sdb1", Size: 4000785104896, Type: "part", FSType: "LVM2_member", UUID: "Vd2kQm-8Hn4-pL0s-Zt7R-c3Wx-Jy6F-a1Bq9e",
			Parts: append([]Part{
				{Name: "hddusb-bkpvzdumps", Size: BkpVzdumpsSize, Type: "lvm", FSType: "ext4", UUID: "0b8e4d2a-6c1f-4f3e-9d57-b2a8c61e0f94",
					Mountpoint: "/mnt/hddusb_bkpvzdumps", FSUsed: BkpVzdumpsUsed, FSAvail: BkpVzdumpsFS - BkpVzdumpsUsed}},
				thinPool("hddusb-bkpdata", BkpDataMeta, BkpDataSize, thinLV("hddusb-vm--431--disk--0", BkpDataSize))...)}},
		smart: "usb-backups-NA8F1234.json"},
	// The Clonezilla images drive (made with mkfs.ext4 -m 0: no reserved
	// blocks, so used and available add up to the filesystem).
	{Name: "sdc", Rota: true, Tran: "usb", Serial: "NB2K5678", Model: "HDS721050DLE630", Vendor: "Hitachi ", Size: 500107862016,
		Parts: []Part{{Name: "sdc1", Size: 500105216000, Type: "part", FSType: "ext4", Label: "cz-images", UUID: "5f0c2a1e-8b3d-4c7e-9a61-2d4f8e0b7c35",
			Mountpoint: "/mnt/cz-images", FSUsed: 180 * GiB, FSAvail: 298830004224}},
		smart: "usb-images-NB2K5678.json", noSAT: true},
	{Name: "sdd", Rota: true, Tran: "usb", Serial: "WX12A3456789", Model: "Elements 25A2", Vendor: "WD      ", Size: 2000365289472,
		Parts:   []Part{{Name: "sdd1", Size: 2000363192320, Type: "part", FSType: "ntfs", Label: "WD Elements", UUID: "6A2C4B1F2C4AEA8F"}},
		standby: true},
}

// The identifiers of the host's internal disks that its Clonezilla images
// (lab/images) record too.
const (
	NVMePVUUID  = "xQ3fRk-2LmV-8cTz-Wn4P-d7Ys-H1bJ-eK9o0u"
	PVESwapUUID = "3e9a71c4-0b5d-4f2a-8c63-e1d94f7b2a05"
	PVERootUUID = "c41b7e92-5a3f-4d08-b6e1-9f2c8a7d4b63"
	HDDFSUUID   = "9d5e2f70-1c84-4b3a-a6f9-57e0c2d18b4e"
)

// DiskBySerial is the seed host's disk with that serial.
func DiskBySerial(serial string) (Disk, bool) {
	if d := diskBySerial(serial); d != nil {
		return *d, true
	}
	return Disk{}, false
}

func diskByDev(dev string) *Disk {
	for i := range seedDisks {
		if "/dev/"+seedDisks[i].Name == dev {
			return &seedDisks[i]
		}
	}
	return nil
}

func diskBySerial(serial string) *Disk {
	for i := range seedDisks {
		if seedDisks[i].Serial == serial {
			return &seedDisks[i]
		}
	}
	return nil
}

// PartNamed finds a partition or LV of the seed host's disks by its lsblk
// name; the seed's own tables name only those it has.
func PartNamed(name string) Part {
	var find func([]Part) (Part, bool)
	find = func(ps []Part) (Part, bool) {
		for _, p := range ps {
			if p.Name == name {
				return p, true
			}
			if c, ok := find(p.Parts); ok {
				return c, true
			}
		}
		return Part{}, false
	}
	for _, d := range seedDisks {
		if p, ok := find(d.Parts); ok {
			return p
		}
	}
	panic("lab: no host partition " + name) // the seed tables name them
}
