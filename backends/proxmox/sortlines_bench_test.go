package proxmox

import "testing"

// A log page in reverse order (a proxy or an old server may send any order):
// ordering it must not take quadratic time, whatever its length.
func BenchmarkSortLinesReversed(b *testing.B) {
	page := make([]logLine, 20000)
	for i := range page {
		page[i] = logLine{N: number{float64(len(page) - i), true}, T: "INFO: line"}
	}
	b.ResetTimer()
	for b.Loop() {
		sortLines(page)
	}
}
