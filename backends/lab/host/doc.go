// Package host is what the seed homelab's Proxmox host itself shows, and
// what the lab's other rooms share.
//
// The host's disks (the NVMe SSD and SATA HDD inside, three USB drives:
// the vzdump drive, the Clonezilla images drive, a WD Elements asleep) with
// their partitions, LVs and filesystems; Runner, a fake smartctl, lsblk and
// lvs that print them as the real tools do, with SMART readings from
// smartdata/ (SleepingDriveReading is the sleeping drive's last one awake);
// and the same figures for the rooms that show them again: the PVE disks
// API (lab/pve, SmartJSON) and the Clonezilla images of the internal disks
// (lab/images: DiskBySerial, PartNamed, LVs). The servers' self-signed
// certificates (NewCertificate, FingerprintOf as PVE prints it), the sizes
// and the deterministic Hash behind every invented wobble are here too.
//
// Nothing here changes: the tables are the seed's, and unplugging a drive
// in the lab's PVE does not reach them.
package host
