package images

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// image is one imaging run of the plan.
type image struct {
	name    string
	disk    *disk
	start   time.Time // ocs-sr starts (UTC, Clonezilla Live's clock)
	damaged bool
}

// planImages lists the images before now, oldest first, the SSD's before the
// HDD's of the same day (two boots of Clonezilla Live: one disk each).
func planImages(now time.Time) []image {
	loc := now.Location()
	ssd, hdd := imagedDisks()
	var days []time.Time // 09:00 on the imaging days
	for k := 0; len(days) < 4; k++ {
		day := time.Date(now.Year(), now.Month()-time.Month(k), 1, 9, 0, 0, 0, loc)
		if day.Add(time.Hour).Before(now) { // both runs over
			days = append(days, day)
		}
	}
	upgrade := now.AddDate(0, 0, -10)
	upgrade = time.Date(upgrade.Year(), upgrade.Month(), upgrade.Day(), 19, 30, 0, 0, loc)
	if upgrade.Day() != 1 {
		days = append(days, upgrade)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	oldest := days[0]
	var plan []image
	for _, day := range days {
		date := day.Format("2006-01-02")
		for i, d := range []*disk{ssd, hdd} {
			name := hostName + "-" + d.key + "-" + date
			rng := newRand(name)
			// The HDD's run starts once the SSD's is over and the host booted
			// Clonezilla Live again.
			start := day.Add(time.Duration(4+14*i)*time.Minute + time.Duration(rng.IntN(120))*time.Second)
			plan = append(plan, image{name: name, disk: d, start: start.UTC(), damaged: d == hdd && day.Equal(oldest)})
		}
	}
	return plan
}

// newRand is the image's generator, seeded by a name.
func newRand(name string) *rand.Rand { return rand.New(newSource(name)) }

func newSource(name string) *rand.ChaCha8 {
	return rand.NewChaCha8(sha256.Sum256([]byte("backdeck lab clonezilla " + name)))
}

// guid is a stable random-looking GUID (version 4), upper case as sfdisk
// and sgdisk print them.
func guid(seed string) string {
	b := sha256.Sum256([]byte("guid " + seed))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := strings.ToUpper(hex.EncodeToString(b[:16]))
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// lvmID is a stable LVM identifier (6-4-4-4-4-4-6 letters and digits).
func lvmID(seed string) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := sha256.Sum256([]byte("lvm " + seed))
	var s strings.Builder
	for i, n := range []int{6, 4, 4, 4, 4, 4, 6} {
		if i > 0 {
			s.WriteByte('-')
		}
		for range n {
			s.WriteByte(chars[int(b[s.Len()%32])%len(chars)])
		}
	}
	return s.String()
}
