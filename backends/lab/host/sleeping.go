package host

import "fmt"

// SleepingDriveReading is what smartctl printed for the WD Elements (the
// drive the lab keeps in standby) when it was last awake, so the demo can
// show a sleeping drive with its last reading. It is invented from the
// internal disk's real output with the WD's identity put in.
func SleepingDriveReading() (serial string, data []byte, err error) {
	d := diskBySerial("WX12A3456789")
	if d == nil {
		return "", nil, fmt.Errorf("lab: no sleeping drive")
	}
	out, _, err := smartctlFile(smartctlCall{dev: "/dev/" + d.Name, argv: []string{"smartctl", "--json=o", "-a", "-d", "sat", "/dev/" + d.Name}},
		"internal-sda-ZFL1ABCD.json", true)
	if err != nil {
		return "", nil, err
	}
	doc, err := decodeJSON(out)
	if err != nil {
		return "", nil, err
	}
	doc["model_name"] = "WDC WD20SDRW-11VUUS0"
	doc["serial_number"] = d.Serial
	out, _, err = encodeJSON(doc, 0)
	return d.Serial, out, err
}
