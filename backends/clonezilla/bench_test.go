package clonezilla

import (
	"context"
	"os"
	"testing"
)

// benchImage is the image the benchmarks verify: $BACKDECK_BENCH_IMAGE (an
// image of a few hundred MB gives stable figures), else the fixture's
// checksummed image.
func benchImage(b *testing.B) Image {
	b.Helper()
	dir := os.Getenv("BACKDECK_BENCH_IMAGE")
	if dir == "" {
		dir = images(b).image(imgSums)
	}
	img, err := ReadImage(dir)
	if err != nil {
		b.Fatal(err)
	}
	return img
}

func benchVerify(b *testing.B, opts Options) {
	img := benchImage(b)
	r, err := VerifyWith(context.Background(), img, opts, nil) // also warms the page cache
	if err != nil || !r.OK {
		b.Fatalf("verify: %v %+v", err, r.Problems)
	}
	b.SetBytes(r.Bytes)
	b.ResetTimer()
	for b.Loop() {
		if _, err := VerifyWith(context.Background(), img, opts, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyLevel1: the checksum files, file by file; MB/s is of the
// image files read.
func BenchmarkVerifyLevel1(b *testing.B) { benchVerify(b, Options{Level: LevelChecksums}) }

// BenchmarkVerifyLevel1EveryDigest: level 1 recomputing MD5 as well as SHA-1.
func BenchmarkVerifyLevel1EveryDigest(b *testing.B) {
	benchVerify(b, Options{Level: LevelChecksums, EveryDigest: true})
}

// BenchmarkVerifyLevel2: checksums and every stream decoded to its end.
func BenchmarkVerifyLevel2(b *testing.B) { benchVerify(b, Options{Level: LevelStreams}) }

// BenchmarkVerifyLevel3: all of it and the partclone CRCs.
func BenchmarkVerifyLevel3(b *testing.B) { benchVerify(b, Options{Level: LevelPartclone}) }
