// Package images writes the seed host's Clonezilla images (Write) in
// ocs-sr's own format, for `backdeck lab`, the demo and the tests of
// backends/clonezilla: the 1st of each recent month and before an upgrade,
// both internal disks of the host, one image damaged on purpose.
//
// The files of an image, by format:
//
//   - plan.go: which images exist at a given time, and the seeds of their
//     bytes (every byte follows from the image's name);
//   - build.go: one run of ocs-sr, its files in the order it writes them and
//     its save log;
//   - streams.go and partclone.go: the partclone v2 streams (header, bitmap,
//     blocks and CRCs) of the small invented filesystems, zstd-compressed,
//     and the log lines of their runs;
//   - tables.go: the partition tables (sfdisk, parted, sgdisk, the GPT
//     copies and the MBR);
//   - lvm.go: the LVM lists, VG pve's metadata and the swap LV's info;
//   - blockdevs.go: blkdev.list and blkid.list of Clonezilla Live's machine;
//   - sums.go: MD5SUMS and SHA1SUMS;
//   - info.go and hardware.go: the Info-* files, the save log's file and the
//     image's size and id;
//   - write.go: the files onto the disk, each image appearing whole.
//
// The disks, partitions, LVs and identifiers are the seed host's (lab/host),
// so the images agree with its fake lsblk and lvs.
package images
