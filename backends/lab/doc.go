// Package lab is the simulated homelab: real protocol servers on loopback that
// answer like the real ones (shapes, quirks, timings), for `backdeck --demo`,
// `backdeck lab` and the backends' tests. It imports nothing of the product.
//
// This package assembles the world from its rooms: StartHomelab runs the
// Proxmox VE node (lab/pve) and the UrBackup server on bkpserver
// (lab/urbackup) on one clock, and Homelab.WriteConfig writes a backdeck
// config for them, with their secret files and the host's Clonezilla images
// (lab/images). What the host itself shows (its disks, the fake smartctl,
// lsblk and lvs behind SmartctlRunner, the certificates both servers use) is
// lab/host.
package lab
