package smart

import (
	"path/filepath"
	"testing"
)

// BenchmarkParseSmartctlATA parses the largest ATA output of the fixtures
// (smart-ata-full.json, 38 KB: device statistics, SCT and logs besides the
// attributes), as the host mode does for every drive on every refresh.
func BenchmarkParseSmartctlATA(b *testing.B) {
	data := readFile(b, filepath.Join(scrutinyDir, "smart-ata-full.json"))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseSmartctl(data, 0, readAt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParsePVESmart parses the PVE disks/smart data of the seed's /dev/sda.
func BenchmarkParsePVESmart(b *testing.B) {
	data := pveData(b, "disks-smart-ata.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParsePVESmart(data, readAt); err != nil {
			b.Fatal(err)
		}
	}
}
