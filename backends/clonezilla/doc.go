// Package clonezilla inventories the Clonezilla images of the host's disks and
// verifies them natively, without Clonezilla: the checksum files (level 1),
// the image's structure and every compressed stream decoded to its end
// (level 2), and the partclone streams checked block group by block group the
// way partclone.chkimg does (level 3).
//
// An image is a directory that Clonezilla's ocs-sr wrote; the layout it
// follows is described in testdata/FORMAT.md. Scan finds
// images by their files (never by their names), Verify checks one of them and
// reports every problem by file name.
package clonezilla
