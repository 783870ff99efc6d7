// Package lvm reads LVM's report of logical volumes (lvs --reportformat
// json) for the backends that look at the Proxmox host itself: its thin
// pools as stores, its volumes before an imaging run.
package lvm

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Args are the arguments for lvs: bytes without a suffix, and every column
// the readers use.
var Args = []string{"--reportformat", "json", "--units", "b", "--nosuffix",
	"-o", "vg_name,lv_name,lv_attr,lv_size,data_percent,metadata_percent,pool_lv,origin"}

// LV is one row of lvs's report.
type LV struct {
	VG, Name, Attr string
	PoolLV         string // the thin pool of a thin LV
	Origin         string // the origin of a snapshot
	Size           int64  // bytes
	// DataPercent and MetadataPercent are 0 when lvs gives none (not a thin
	// pool or thin LV, or not active).
	DataPercent     float64
	MetadataPercent float64
}

// ThinPool reports whether the LV is a thin pool (attr "t…").
func (lv LV) ThinPool() bool { return strings.HasPrefix(lv.Attr, "t") }

// Parse reads lvs's JSON report. Numbers come as strings ("12.34", "" when
// the column does not apply) or, with json_std, as numbers; columns not
// asked for are left empty. A size that is not a whole number of bytes, or
// a percentage outside 0..100, is an error: no lvs prints one, and a store
// built on it would be impossible (used beyond its size).
func Parse(b []byte) ([]LV, error) {
	var doc struct {
		Report []struct {
			LV []map[string]any `json:"lv"`
		} `json:"report"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("not lvs's JSON report: %w", err)
	}
	if doc.Report == nil {
		return nil, errors.New("not lvs's JSON report: no \"report\"")
	}
	var lvs []LV
	for _, r := range doc.Report {
		for _, row := range r.LV {
			lv := LV{VG: str(row["vg_name"]), Name: str(row["lv_name"]), Attr: str(row["lv_attr"]),
				PoolLV: str(row["pool_lv"]), Origin: str(row["origin"])}
			size, err := num(row["lv_size"])
			if err == nil && (size < 0 || size >= math.MaxInt64 || size != math.Trunc(size)) {
				err = fmt.Errorf("%v is not a size in bytes", size)
			}
			if err != nil {
				return nil, fmt.Errorf("%s/%s lv_size: %w", lv.VG, lv.Name, err)
			}
			lv.Size = int64(size)
			if lv.DataPercent, err = percent(row["data_percent"]); err != nil {
				return nil, fmt.Errorf("%s/%s data_percent: %w", lv.VG, lv.Name, err)
			}
			if lv.MetadataPercent, err = percent(row["metadata_percent"]); err != nil {
				return nil, fmt.Errorf("%s/%s metadata_percent: %w", lv.VG, lv.Name, err)
			}
			lvs = append(lvs, lv)
		}
	}
	return lvs, nil
}

func str(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

// num reads a finite number given as a string or a number; "" or absent
// is 0.
func num(v any) (float64, error) {
	switch v := v.(type) {
	case nil:
		return 0, nil
	case float64:
		return v, nil
	case string:
		v = strings.TrimSpace(v)
		if v == "" {
			return 0, nil
		}
		f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSuffix(v, "B"), "%"), 64)
		if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			err = fmt.Errorf("%q is not a number", v)
		}
		return f, err
	}
	return 0, fmt.Errorf("unexpected %T", v)
}

// percent reads a percentage: a number within 0..100.
func percent(v any) (float64, error) {
	p, err := num(v)
	if err == nil && (p < 0 || p > 100) {
		err = fmt.Errorf("%v is not a percentage", p)
	}
	return p, err
}
