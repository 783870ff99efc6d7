package images

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// infos writes the Info-* files, the save log and the image's size and id,
// last, as ocs-sr does.
func (b *build) infos() {
	d := b.img.disk
	hw := b.hw
	stamp := b.clock.Format("2006-0102-1504")
	b.addText("Info-dmi.txt", "This image was saved from this machine with DMI info at "+stamp+":\n"+hw.dmi)
	b.addText("Info-lshw.txt", "This image was saved from this machine with hardware info at "+stamp+":\n"+hw.lshw)
	b.addText("Info-lspci.txt", "This image was saved from this machine with PCI info at "+stamp+":\n"+hw.lspci)
	b.addText("Info-smart.txt", "This image was saved from this machine with hard drive S.M.A.R.T. info at "+stamp+":\n"+
		stars+"\nFor the drive: /dev/"+d.name()+"\n"+smartReport(d, b.clock, hw))
	b.addText("Info-OS-prober.txt", "This OS-related info was saved from this machine with os-prober at "+stamp+":\n"+
		"/dev/mapper/pve-root:Debian GNU/Linux 12 (bookworm):Debian:linux\n"+stars+"\n"+
		"This Linux boot related info was saved from this machine with linux-boot-prober at "+stamp+":\n"+
		"/dev/mapper/pve-root:/dev/nvme0n1p2::/boot/vmlinuz-6.8.12-9-pve:/boot/initrd.img-6.8.12-9-pve:root=/dev/mapper/pve-root ro quiet\n")
	b.addText("Info-packages.txt", "Image was saved by these Clonezilla-related packages:\n"+packages+"\n")
	b.addText("Info-saved-by-cmd.txt", fmt.Sprintf("/usr/sbin/ocs-sr -q2 -j2 -z9p -i 4096 -sfsck -senc -gs -gm -p poweroff savedisk %s SERIALNO=%s\n",
		b.img.name, d.seed.Serial))
	b.tick(2*time.Second, 4*time.Second)
	b.logf("%s", stars)
	b.logf("This image was saved successfully: %s", b.img.name)
	b.logf("Ending /usr/sbin/ocs-sr at %s UTC...", b.clock.Format("2006-01-02 15:04:05"))
	saved := fmt.Sprintf("This image was saved by Clonezilla at %s UTC.\nThe log during saving:\n----------------------------------------------------------\n",
		b.clock.Format("2006-01-02 15:04:05"))
	log := []byte(saved + strings.Join(b.log, "\n") + "\n")
	b.add("clonezilla-img", log, 0o644)
	var du int64 = 4096 // the directory itself
	for _, f := range b.files {
		du += (int64(len(f.data)) + 4095) / 4096 * 4096
	}
	b.addText("Info-img-size.txt", fmt.Sprintf("Image size (Bytes):\n%s\t%s\n", duHuman(du), b.dir()))
	id := sha512.Sum512(log)
	b.addText("Info-img-id.txt", "# This checksum is only for identifying the image. Created by the command: sha512sum clonezilla-img\nIMG_ID="+hex.EncodeToString(id[:])+"\n")
}

// duHuman is `du -h`: binary units rounded up, one decimal below 10.
func duHuman(n int64) string {
	const units = "KMGTPE"
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v < 10 {
		v = float64(int64(v*10+0.999999)) / 10
		if v < 10 {
			return strconv.FormatFloat(v, 'f', 1, 64) + units[i:i+1]
		}
	}
	return strconv.FormatInt(int64(v+0.999999), 10) + units[i:i+1]
}

// smartReport is `smartctl -a` of the disk at the save: a healthy reading,
// its power-on hours counted from the install.
func smartReport(d *disk, at time.Time, hw hardware) string {
	hours := int(at.Sub(hw.installed).Hours()) + 1712 // used before the install
	local := at.Format("Mon Jan _2 15:04:05 2006 UTC")
	head := smartctlBanner + "\nCopyright (C) 2002-23, Bruce Allen, Christian Franke, www.smartmontools.org\n\n=== START OF INFORMATION SECTION ===\n"
	if d.seed.Tran == "nvme" {
		return head + fmt.Sprintf(`Model Number:                       %s
Serial Number:                      %s
Firmware Version:                   5B2QGXA7
PCI Vendor/Subsystem ID:            0x144d
IEEE OUI Identifier:                0x002538
Total NVM Capacity:                 1,000,204,886,016 [1.00 TB]
Unallocated NVM Capacity:           0
Controller ID:                      6
NVMe Version:                       1.3
Number of Namespaces:               1
Namespace 1 Size/Capacity:          1,000,204,886,016 [1.00 TB]
Namespace 1 Utilization:            331,708,219,392 [331 GB]
Namespace 1 Formatted LBA Size:     512
Namespace 1 IEEE EUI-64:            002538 5b11a0e1b2
Local Time is:                      %s
Firmware Updates (0x16):            3 Slots, no Reset required
Optional Admin Commands (0x0017):   Security Format Frmw_DL Self_Test
Optional NVM Commands (0x0057):     Comp Wr_Unc DS_Mngmt Sav/Sel_Feat Timestmp
Log Page Attributes (0x2f):         S/H_per_NS Cmd_Eff_Lg Ext_Get_Lg Telmtry_Lg Log0_FISE_MI
Maximum Data Transfer Size:         128 Pages
Warning  Comp. Temp. Threshold:     82 Celsius
Critical Comp. Temp. Threshold:     85 Celsius

=== START OF SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED

SMART/Health Information (NVMe Log 0x02)
Critical Warning:                   0x00
Temperature:                        36 Celsius
Available Spare:                    100%%
Available Spare Threshold:          10%%
Percentage Used:                    3%%
Data Units Read:                    41,825,117 [21.4 TB]
Data Units Written:                 58,204,963 [29.8 TB]
Host Read Commands:                 402,117,806
Host Write Commands:                1,104,391,275
Controller Busy Time:               2,214
Power Cycles:                       61
Power On Hours:                     %d
Unsafe Shutdowns:                   9
Media and Data Integrity Errors:    0
Error Information Log Entries:      0
Warning  Comp. Temperature Time:    0
Critical Comp. Temperature Time:    0

Error Information (NVMe Log 0x01, 16 of 64 entries)
No Errors Logged

`, d.seed.Model, d.seed.Serial, local, hours)
	}
	return head + fmt.Sprintf(`Model Family:     Seagate BarraCuda 3.5 (SMR)
Device Model:     %s
Serial Number:    %s
LU WWN Device Id: 5 000c50 0c1234567
Firmware Version: 0001
User Capacity:    2,000,398,934,016 bytes [2.00 TB]
Sector Sizes:     512 bytes logical, 4096 bytes physical
Rotation Rate:    7200 rpm
Form Factor:      3.5 inches
Device is:        In smartctl database 7.3/5528
ATA Version is:   ACS-4 T13/BSR INCITS 529 revision 5
SATA Version is:  SATA 3.1, 6.0 Gb/s (current: 6.0 Gb/s)
Local Time is:    %s
SMART support is: Available - device has SMART capability.
SMART support is: Enabled

=== START OF READ SMART DATA SECTION ===
SMART overall-health self-assessment test result: PASSED

SMART Attributes Data Structure revision number: 10
Vendor Specific SMART Attributes with Thresholds:
ID# ATTRIBUTE_NAME          FLAG     VALUE WORST THRESH TYPE      UPDATED  WHEN_FAILED RAW_VALUE
  1 Raw_Read_Error_Rate     0x000f   080   064   006    Pre-fail  Always       -       104831552
  3 Spin_Up_Time            0x0003   097   096   000    Pre-fail  Always       -       0
  4 Start_Stop_Count        0x0032   100   100   020    Old_age   Always       -       74
  5 Reallocated_Sector_Ct   0x0033   100   100   010    Pre-fail  Always       -       0
  7 Seek_Error_Rate         0x000f   087   060   045    Pre-fail  Always       -       482113906
  9 Power_On_Hours          0x0032   %03d   %03d   000    Old_age   Always       -       %d
 10 Spin_Retry_Count        0x0013   100   100   097    Pre-fail  Always       -       0
 12 Power_Cycle_Count       0x0032   100   100   020    Old_age   Always       -       74
187 Reported_Uncorrect      0x0032   100   100   000    Old_age   Always       -       0
188 Command_Timeout         0x0032   100   100   000    Old_age   Always       -       0 0 0
190 Airflow_Temperature_Cel 0x0022   066   054   040    Old_age   Always       -       34 (Min/Max 22/46)
194 Temperature_Celsius     0x0022   034   046   000    Old_age   Always       -       34 (0 20 0 0 0)
197 Current_Pending_Sector  0x0012   100   100   000    Old_age   Always       -       0
198 Offline_Uncorrectable   0x0010   100   100   000    Old_age   Offline      -       0
199 UDMA_CRC_Error_Count    0x003e   200   200   000    Old_age   Always       -       0

SMART Error Log Version: 1
No Errors Logged

`, d.seed.Model, d.seed.Serial, local, 100-hours/876, 100-hours/876, hours)
}
