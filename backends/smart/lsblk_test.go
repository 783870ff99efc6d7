package smart

import (
	"reflect"
	"testing"
)

func TestParseLsblk(t *testing.T) {
	devs, err := ParseLsblk(readFile(t, "testdata/lsblk.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 4 {
		t.Fatalf("%d devices, want 4: %+v", len(devs), devs)
	}
	usb := devs[2]
	want := BlockDevice{
		Name: "sdb", Path: "/dev/sdb", Tran: "usb", Serial: "", Model: "Expansion HDD", Vendor: "Seagate",
		Size: 4000787030016, Type: "disk",
		Children: []BlockDevice{{
			Name: "sdb1", Path: "/dev/sdb1", Tran: "usb", Size: 4000785104896, Type: "part",
			Children: []BlockDevice{{Name: "hddusb-bkpvzdumps", Path: "/dev/mapper/hddusb-bkpvzdumps", Size: 1099511627776, Type: "lvm"}},
		}},
	}
	if !reflect.DeepEqual(usb, want) {
		t.Errorf("sdb =\n %+v\nwant\n %+v", usb, want)
	}
	if sda := devs[1]; sda.Serial != "ZFL1ABCD" || sda.Vendor != "ATA" || sda.Tran != "sata" || sda.Children != nil {
		t.Errorf("sda = %+v", sda)
	}
	if nvme := devs[0]; nvme.Tran != "nvme" || len(nvme.Children) != 2 || nvme.Vendor != "" {
		t.Errorf("nvme0n1 = %+v", nvme)
	}
}

// TestParseLsblkOldUtilLinux: before 2.33 there is no PATH, and lsblk writes
// every value as a string; a number where a string belongs is taken as
// written, null sizes are unknown (-1).
func TestParseLsblkOldUtilLinux(t *testing.T) {
	devs, err := ParseLsblk(readFile(t, "testdata/lsblk-2.33.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []BlockDevice{
		{Name: "sda", Path: "/dev/sda", Tran: "sata", Serial: "ZFL1ABCD", Model: "ST2000DM008-2FR102", Vendor: "ATA", Size: 2000398934016, Type: "disk"},
		{Name: "sdb", Path: "/dev/sdb", Tran: "usb", Model: "Expansion HDD", Vendor: "Seagate", Size: 4000787030016, Type: "disk",
			Children: []BlockDevice{{Name: "sdb1", Path: "/dev/sdb1", Size: 4000785104896, Type: "part"}}},
		{Name: "sdc", Path: "/dev/sdc", Tran: "usb", Serial: "2433274", Model: "Flash Disk", Vendor: "Generic", Size: -1, Type: "disk"},
	}
	if !reflect.DeepEqual(devs, want) {
		t.Errorf("devices =\n %+v\nwant\n %+v", devs, want)
	}
}

func TestParseLsblkBadInput(t *testing.T) {
	for _, in := range []string{"", "lsblk: unknown column: PATH", `{"devices": []}`} {
		if devs, err := ParseLsblk([]byte(in)); err == nil {
			t.Errorf("ParseLsblk(%q) = %+v, want an error", in, devs)
		}
	}
	if devs, err := ParseLsblk([]byte(`{"blockdevices": []}`)); err != nil || len(devs) != 0 {
		t.Errorf("no devices: %+v, %v", devs, err)
	}
}

// A negative size (found by FuzzParseLsblk) is no size: unknown, -1.
func TestParseLsblkNegativeSize(t *testing.T) {
	devs, err := ParseLsblk([]byte(`{"blockdevices":[{"name":"sda","size":-5,"children":[{"name":"sda1","size":"-4096"}]}]}`))
	if err != nil || len(devs) != 1 || devs[0].Size != -1 || devs[0].Children[0].Size != -1 {
		t.Errorf("%+v %v", devs, err)
	}
}

// A device without a name or path (found by FuzzHostObserve: smartctl was
// then run on "") is left out.
func TestParseLsblkNamelessDevice(t *testing.T) {
	devs, err := ParseLsblk([]byte(`{"blockdevices":[{"type":"disk","tran":"usb","children":[{"name":"sdz1"}]},{"name":"sdb","type":"disk"}]}`))
	if err != nil || len(devs) != 1 || devs[0].Path != "/dev/sdb" {
		t.Errorf("%+v %v", devs, err)
	}
}
