package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nestedArrays is the file of issue 9: one key whose value is arrays nested
// as deep as size allows.
func nestedArrays(size int) []byte {
	n := (size - len("targets = \n")) / 2
	return []byte("targets = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n")
}

// wideNested is size bytes of lines each nested 12 arrays deep (the loader
// lets 15 through): the whole file is decoded, indexed and checked.
func wideNested(size int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "k%07d = %s1%s\n", i, strings.Repeat("[", 12), strings.Repeat("]", 12))
	}
	return []byte(b.String())
}

// BenchmarkLoadNested loads hostile nested files of 12 to 200 KB: the time
// per load grows no faster than the file. "deep" is refused at the 16th
// level without reading further; "wide" goes through every step.
func BenchmarkLoadNested(b *testing.B) {
	for _, shape := range []struct {
		name string
		make func(int) []byte
	}{{"deep", nestedArrays}, {"wide", wideNested}} {
		for _, kb := range []int{12, 25, 50, 200} {
			b.Run(fmt.Sprintf("%s/%dKB", shape.name, kb), func(b *testing.B) {
				path := filepath.Join(b.TempDir(), "config.toml")
				data := shape.make(kb * 1000)
				if err := os.WriteFile(path, data, 0o600); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					Load(b.Context(), path)
				}
			})
		}
	}
}
