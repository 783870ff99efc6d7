package images

import (
	"time"
)

// hardware is what the images say of the host beyond its disks.
type hardware struct {
	installed time.Time // Proxmox VE was installed (the LVs' creation)
	snapshot  time.Time // the lab's PVE made VM 421's snapshot
	dmi       string
	lshw      string
	lspci     string
}

// hostHardware is the host: a small-form-factor office PC (invented),
// installed a year and a quarter before now.
func hostHardware(now time.Time) hardware {
	inst := now.AddDate(-1, -3, 0).UTC()
	inst = time.Date(inst.Year(), inst.Month(), inst.Day(), 10, 32, 5, 0, time.UTC)
	return hardware{
		installed: inst,
		snapshot:  now.Add(-3*24*time.Hour - 2*time.Hour),
		dmi: `# dmidecode 3.6
Getting SMBIOS data from sysfs.
SMBIOS 3.2.0 present.

Handle 0x0000, DMI type 0, 26 bytes
BIOS Information
	Vendor: LENOVO
	Version: M1UKT4BA
	Release Date: 06/27/2024
	ROM Size: 16 MB
	BIOS Revision: 4.11

Handle 0x0001, DMI type 1, 27 bytes
System Information
	Manufacturer: LENOVO
	Product Name: 10ST001QGE
	Version: ThinkCentre M720s
	Serial Number: PC1K7Q2M
	UUID: 5a3e1c4d-2b6f-11ea-8c1d-98fa9b4e2c71
	Wake-up Type: Power Switch
	SKU Number: LENOVO_MT_10ST_BU_Think_FM_ThinkCentre M720s
	Family: ThinkCentre M720s

Handle 0x0002, DMI type 2, 15 bytes
Base Board Information
	Manufacturer: LENOVO
	Product Name: 3132
	Version: SDK0J40697 WIN 3305209010451
	Serial Number: L1HF9AB01CE

Handle 0x0004, DMI type 4, 48 bytes
Processor Information
	Socket Designation: U3E1
	Type: Central Processor
	Family: Core i5
	Manufacturer: Intel(R) Corporation
	Version: Intel(R) Core(TM) i5-9500 CPU @ 3.00GHz
	Max Speed: 4400 MHz
	Current Speed: 3000 MHz
	Core Count: 6
	Core Enabled: 6
	Thread Count: 6
`,
		lshw: `pve
    description: Desktop Computer
    product: 10ST001QGE (LENOVO_MT_10ST_BU_Think_FM_ThinkCentre M720s)
    vendor: LENOVO
    version: ThinkCentre M720s
    serial: PC1K7Q2M
    width: 64 bits
  *-core
       description: Motherboard
       product: 3132
       vendor: LENOVO
     *-memory
          description: System Memory
          size: 64GiB
     *-cpu
          product: Intel(R) Core(TM) i5-9500 CPU @ 3.00GHz
          vendor: Intel Corp.
          size: 3000MHz
          configuration: cores=6 enabledcores=6 threads=6
     *-nvme
          description: NVMe device
          product: Samsung SSD 980 PRO 1TB
          serial: S5GXNX0T
          logical name: /dev/nvme0
     *-sata
          description: SATA controller
          product: Cannon Lake PCH SATA AHCI Controller
        *-disk
             description: ATA Disk
             product: ST2000DM008-2FR1
             serial: ZFL1ABCD
             logical name: /dev/sda
     *-network
          description: Ethernet interface
          product: Ethernet Connection (7) I219-V
          logical name: eth0
`,
		lspci: `'lspci' results:
00:00.0 Host bridge: Intel Corporation 8th/9th Gen Core 8-core Desktop Processor Host Bridge/DRAM Registers [Coffee Lake S] (rev 0d)
00:02.0 VGA compatible controller: Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630] (rev 02)
00:14.0 USB controller: Intel Corporation Cannon Lake PCH USB 3.1 xHCI Host Controller (rev 10)
00:17.0 SATA controller: Intel Corporation Cannon Lake PCH SATA AHCI Controller (rev 10)
00:1b.0 PCI bridge: Intel Corporation Cannon Lake PCH PCI Express Root Port #21 (rev f0)
00:1f.0 ISA bridge: Intel Corporation Q370 Chipset LPC/eSPI Controller (rev 10)
00:1f.6 Ethernet controller: Intel Corporation Ethernet Connection (7) I219-V (rev 10)
01:00.0 Non-Volatile memory controller: Samsung Electronics Co Ltd NVMe SSD Controller PM9A1/PM9A3/980PRO
*****************************************************.
'lspci -n' results:
00:00.0 0600: 8086:3e31 (rev 0d)
00:02.0 0300: 8086:3e92 (rev 02)
00:14.0 0c03: 8086:a36d (rev 10)
00:17.0 0106: 8086:a352 (rev 10)
00:1b.0 0604: 8086:a32c (rev f0)
00:1f.0 0601: 8086:a306 (rev 10)
00:1f.6 0200: 8086:15bc (rev 10)
01:00.0 0108: 144d:a80a
`,
	}
}
