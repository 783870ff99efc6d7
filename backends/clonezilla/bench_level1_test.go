package clonezilla

import (
	"context"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/backdeck/backdeck/backends/needs"
)

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLevel1: level 1 against coreutils' sha1sum -c SHA1SUMS on the
// same synthetic image (level1Image), warm in the page cache: four 64 MiB
// volumes, one of 256 MiB, sixty-four of 4 MiB, and one of 256 MiB under
// MD5SUMS and SHA1SUMS, where EveryDigest (MD5 as well) is measured against
// md5sum -c then sha1sum -c. Besides ns/op each reports cpu-ms/op, the CPU
// time it took, which other work on the machine disturbs less. Run it
// alone (-bench '^BenchmarkLevel1$'): BenchmarkVerifyLevel1 builds the
// Clonezilla fixture first.
func BenchmarkLevel1(b *testing.B) {
	for _, shape := range []struct {
		name string
		n    int
		size int64
		md5  bool
	}{
		{"4x64MiB", 4, 64 << 20, false},
		{"1x256MiB", 1, 256 << 20, false},
		{"64x4MiB", 64, 4 << 20, false},
		{"1x256MiB-md5", 1, 256 << 20, true},
	} {
		b.Run(shape.name, func(b *testing.B) {
			dir := level1Image(b, shape.n, shape.size, shape.md5)
			img, err := ReadImage(dir)
			if err != nil {
				b.Fatal(err)
			}
			verify := func(opts Options) func(b *testing.B) {
				return func(b *testing.B) {
					var bytes int64
					cpu := cpuTime(b)
					for b.Loop() {
						r, err := VerifyWith(context.Background(), img, opts, nil)
						if err != nil || !r.OK {
							b.Fatalf("verify: %v %+v", err, r.Problems)
						}
						bytes = r.Bytes
					}
					b.SetBytes(bytes)
					b.ReportMetric(float64(cpuTime(b)-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
				}
			}
			coreutils := func(tools ...string) func(b *testing.B) {
				return func(b *testing.B) {
					needs.Command(b, "coreutils", tools...)
					var cpu time.Duration
					for b.Loop() {
						for _, tool := range tools {
							sums := map[string]string{"md5sum": "MD5SUMS", "sha1sum": "SHA1SUMS"}[tool]
							cmd := exec.Command(tool, "--quiet", "-c", sums)
							cmd.Dir = dir
							if out, err := cmd.CombinedOutput(); err != nil {
								b.Fatalf("%s -c %s: %v\n%s", tool, sums, err, out)
							}
							cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
						}
					}
					b.SetBytes(shape.size * int64(shape.n))
					b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
				}
			}
			b.Run("backdeck", verify(Options{Level: LevelChecksums}))
			b.Run("sha1sum", coreutils("sha1sum"))
			if shape.md5 {
				b.Run("backdeck-every-digest", verify(Options{Level: LevelChecksums, EveryDigest: true}))
				b.Run("md5sum+sha1sum", coreutils("md5sum", "sha1sum"))
			}
		})
	}
}
