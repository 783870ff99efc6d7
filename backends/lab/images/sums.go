package images

import (
	"crypto/md5"
	"crypto/sha1"
	"fmt"
	"sort"
	"strings"
	"time"
)

// sums writes MD5SUMS, then SHA1SUMS, over the files there are when ocs-sr
// makes them (`md5sum * > MD5SUMS` in the image directory: sorted, the
// checksum file itself not in it).
func (b *build) sums() {
	for _, s := range []struct {
		file string
		sum  func([]byte) []byte
	}{
		{"MD5SUMS", func(p []byte) []byte { h := md5.Sum(p); return h[:] }},
		{"SHA1SUMS", func(p []byte) []byte { h := sha1.Sum(p); return h[:] }},
	} {
		b.logf("Generating %s for image %s. This might take a while...", s.file, b.img.name)
		files := append([]imageFile{}, b.files...)
		sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
		var out strings.Builder
		for _, f := range files {
			fmt.Fprintf(&out, "%x  %s\n", s.sum(f.data), f.name)
		}
		secs := 0.05 + b.rng.Float64()/5
		b.logf("\nreal\t0m%.3fs\nuser\t0m%.3fs\nsys\t0m0.0%02ds", secs, secs*0.8, b.rng.IntN(60))
		b.tick(time.Second, 2*time.Second)
		b.addText(s.file, out.String())
	}
}
