// Package smart reads the SMART health of the drives that hold backups: on
// the Proxmox host through smartctl's JSON output (and lsblk to find the USB
// drives), on a laptop through the PVE disks API. Both give the same
// model.SMARTReading, which model.SMARTVerdict rates.
package smart
