package lvm

import (
	"math"
	"os"
	"testing"
)

// FuzzParse feeds lvs's JSON report. Properties: no panic, bounded time and
// memory, and what Parse accepts is usable: sizes are bytes, percentages
// are within 0..100, so a thin pool's used space is never beyond its size.
//
// go test -run XXX -fuzz '^FuzzParse$' -fuzztime 30s ./backends/lvm/
func FuzzParse(f *testing.F) {
	captured, err := os.ReadFile("testdata/lvs-2.03.16-inactive.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(captured)
	for _, s := range []string{"", "{", "null", "[]", `{"report":null}`, `{"report":[]}`, `{"report":[{"lv":null}]}`,
		`{"report":[{"lv":[{"vg_name":"pve","lv_name":"data","lv_attr":"twi-aotz--","lv_size":"852807680000","data_percent":"29.09","metadata_percent":"1.52","pool_lv":"","origin":""}]}]}`,
		`{"report":[{"lv":[{"vg_name":"v","lv_name":"p","lv_attr":"twi---tz--","lv_size":4096,"data_percent":12.5,"metadata_percent":""}]}]}`,
		`{"report":[{"lv":[{"lv_size":"1e30","data_percent":"NaN","metadata_percent":"-1%"}]}]}`,
		`{"report":[{"lv":[{"lv_size":"-4096B","data_percent":"Inf"}]},{"lv":[{"lv_size":9.5,"vg_name":7}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lvs, err := Parse(data)
		if err != nil {
			if lvs != nil {
				t.Fatalf("%+v and %v", lvs, err)
			}
			return
		}
		for _, lv := range lvs {
			for _, p := range []float64{lv.DataPercent, lv.MetadataPercent} {
				if math.IsNaN(p) || p < 0 || p > 100 {
					t.Errorf("%s/%s: %v %%", lv.VG, lv.Name, p)
				}
			}
			if lv.Size < 0 {
				t.Errorf("%s/%s: size %d", lv.VG, lv.Name, lv.Size)
			}
			if used := int64(math.Round(float64(lv.Size) * lv.DataPercent / 100)); used < 0 || used > lv.Size {
				t.Errorf("%s/%s: %d used of %d", lv.VG, lv.Name, used, lv.Size)
			}
		}
	})
}
