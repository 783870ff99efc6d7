package smart

import (
	"encoding/json"
	"fmt"
	"strings"
)

// lsblkColumns are the columns ListUSB asks lsblk for (-J -b -o …).
const lsblkColumns = "NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR"

// BlockDevice is one device of `lsblk -J -b -o NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR`.
type BlockDevice struct {
	Name     string // sdb
	Path     string // /dev/sdb
	Tran     string // usb, sata, nvme…; "" for partitions and virtual devices
	Serial   string // "" when lsblk has none (some USB bridges)
	Model    string
	Vendor   string
	Size     int64  // bytes; -1 when unknown
	Type     string // disk, part, lvm, loop, rom…
	Children []BlockDevice
}

type lsblkDevice struct {
	Name     lenientString `json:"name"`
	Path     lenientString `json:"path"`
	Tran     lenientString `json:"tran"`
	Serial   lenientString `json:"serial"`
	Model    lenientString `json:"model"`
	Vendor   lenientString `json:"vendor"`
	Size     lenientInt    `json:"size"`
	Type     lenientString `json:"type"`
	Children []lsblkDevice `json:"children"`
}

// ParseLsblk reads lsblk's JSON, leniently: util-linux versions write sizes
// and serials as numbers or strings, and absent values as null. A device
// without a name or path is left out, with its children: nothing could
// read it or tell it apart.
func ParseLsblk(data []byte) ([]BlockDevice, error) {
	var doc struct {
		BlockDevices *[]lsblkDevice `json:"blockdevices"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("lsblk's JSON does not decode: %w", err)
	}
	if doc.BlockDevices == nil {
		return nil, fmt.Errorf("lsblk's JSON has no blockdevices")
	}
	return blockDevices(*doc.BlockDevices), nil
}

func blockDevices(in []lsblkDevice) []BlockDevice {
	var out []BlockDevice
	for _, d := range in {
		if d.Name == "" && d.Path == "" {
			continue
		}
		b := BlockDevice{
			Name: string(d.Name), Path: string(d.Path), Tran: strings.ToLower(string(d.Tran)),
			Serial: string(d.Serial), Model: string(d.Model), Vendor: string(d.Vendor),
			Size: -1, Type: string(d.Type), Children: blockDevices(d.Children),
		}
		if d.Size.Valid && d.Size.V >= 0 { // a negative size is no size
			b.Size = d.Size.V
		}
		if b.Path == "" && b.Name != "" { // lsblk before 2.33 has no PATH
			b.Path = "/dev/" + b.Name
		}
		out = append(out, b)
	}
	return out
}
