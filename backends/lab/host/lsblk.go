package host

import "encoding/json"

type lsblkRow struct {
	Name     string     `json:"name"`
	Path     string     `json:"path"`
	Tran     *string    `json:"tran"`
	Serial   *string    `json:"serial"`
	Model    *string    `json:"model"`
	Size     int64      `json:"size"`
	Type     string     `json:"type"`
	Vendor   *string    `json:"vendor"`
	Rota     bool       `json:"rota"`
	FSType   *string    `json:"fstype"`
	Label    *string    `json:"label"`
	UUID     *string    `json:"uuid"`
	Mount    *string    `json:"mountpoint"`
	FSUsed   *int64     `json:"fsused"`
	FSAvail  *int64     `json:"fsavail"`
	Children []lsblkRow `json:"children,omitempty"`
}

// lsblkJSON is `lsblk -J -b -o NAME,PATH,TRAN,SERIAL,MODEL,SIZE,TYPE,VENDOR,ROTA,FSTYPE,LABEL,UUID,MOUNTPOINT,FSUSED,FSAVAIL`
// of util-linux 2.38 (the columns it prints whatever -o asks): with -b the
// sizes are JSON numbers, and a column that does not apply is null (FSUSED
// and FSAVAIL of a filesystem not mounted too).
func lsblkJSON() []byte {
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var parts func(ps []Part, tran string, rota bool) []lsblkRow
	parts = func(ps []Part, tran string, rota bool) []lsblkRow {
		var out []lsblkRow
		for _, p := range ps {
			row := lsblkRow{Name: p.Name, Path: "/dev/" + p.Name, Size: p.Size, Type: p.Type, Rota: rota,
				FSType: str(p.FSType), Label: str(p.Label), UUID: str(p.UUID), Mount: str(p.Mountpoint)}
			if p.Mountpoint != "" {
				row.FSUsed, row.FSAvail = &p.FSUsed, &p.FSAvail
			}
			if p.Type == "lvm" {
				row.Path = "/dev/mapper/" + p.Name
			} else {
				row.Tran = str(tran)
			}
			row.Children = parts(p.Parts, tran, rota)
			out = append(out, row)
		}
		return out
	}
	rows := make([]lsblkRow, 0, len(seedDisks))
	for _, d := range seedDisks {
		rows = append(rows, lsblkRow{Name: d.Name, Path: "/dev/" + d.Name, Tran: str(d.Tran), Serial: str(d.Serial),
			Model: str(d.Model), Size: d.Size, Type: "disk", Vendor: str(d.Vendor), Rota: d.Rota, Children: parts(d.Parts, d.Tran, d.Rota)})
	}
	b, err := json.MarshalIndent(map[string]any{"blockdevices": rows}, "", "   ")
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return append(b, '\n')
}
