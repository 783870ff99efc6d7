package clonezilla

import (
	"regexp"
	"strings"
)

// Stream formats: what the decompressed stream of an image file holds.
const (
	formatPartclone = "partclone"    // a partclone image (header, bitmap, blocks with CRCs)
	formatRaw       = "partclone.dd" // partclone.dd: the raw device bytes, no header
	formatNTFSClone = "ntfsclone"    // older images: ntfsclone's own format
	formatDDImg     = "dd"           // older images: dd of the device
)

// streamName is what the name of one file of a partition or LV image tells.
type streamName struct {
	Dev    string // file-name form of the device: "sda1", "loop0p2", "pve-root"
	FS     string // the file system tag: "ext4", "vfat", "dd" …
	Comp   string // compression tag: "zst", "gz" …; "" when the name does not tell
	Format string
	Base   string // the name without the volume suffix: all volumes share it
	Suffix string // "aa", "ab" … from split; "" for an unsplit stream
}

// compressionName maps Clonezilla's file-name tags to the names people know.
func compressionName(tag string) (string, bool) {
	switch tag {
	case "zst":
		return "zstd", true
	case "gz":
		return "gzip", true
	case "bz2":
		return "bzip2", true
	case "lzo":
		return "lzop", true
	case "lzma", "xz", "lzip", "lz4":
		return tag, true
	case "lrz":
		return "lrzip", true
	case "uncomp":
		return "none", true
	}
	return "", false
}

var (
	rePartclone = regexp.MustCompile(`^(.+)\.([A-Za-z0-9_+]+)-ptcl-img\.([a-z0-9]+)(?:\.([a-z]{2}))?$`)
	reNTFSClone = regexp.MustCompile(`^(.+)\.ntfs-img(?:\.([a-z]{2}))?$`)
	reDDImg     = regexp.MustCompile(`^(.+)\.dd-img(?:\.([a-z]{2}))?$`)
	reOldPtcl   = regexp.MustCompile(`^(.+)\.([A-Za-z0-9_+]+)-img(?:\.([a-z]{2}))?$`)
	reNVMeLike  = regexp.MustCompile(`^(.*\d)p\d+$`)
	reSDLike    = regexp.MustCompile(`^(.*\D)\d+$`)
)

// parseStreamName recognises the image files Clonezilla writes for partitions
// and LVs, current (<dev>.<fs>-ptcl-img.<comp>[.aa]) and older
// (<dev>.<fs>-img.aa, <dev>.ntfs-img.aa, <dev>.dd-img.aa).
func parseStreamName(name string) (streamName, bool) {
	if m := rePartclone.FindStringSubmatch(name); m != nil {
		if _, known := compressionName(m[3]); !known {
			return streamName{}, false
		}
		s := streamName{Dev: m[1], FS: m[2], Comp: m[3], Format: formatPartclone, Suffix: m[4]}
		if s.FS == "dd" {
			s.Format = formatRaw
		}
		s.Base = strings.TrimSuffix(name, "."+s.Suffix)
		if s.Suffix == "" {
			s.Base = name
		}
		return s, true
	}
	for _, old := range []struct {
		re     *regexp.Regexp
		format string
		fs     string
	}{{reNTFSClone, formatNTFSClone, "ntfs"}, {reDDImg, formatDDImg, "dd"}} {
		if m := old.re.FindStringSubmatch(name); m != nil {
			s := streamName{Dev: m[1], FS: old.fs, Format: old.format, Suffix: m[2], Base: name}
			if s.Suffix != "" {
				s.Base = strings.TrimSuffix(name, "."+s.Suffix)
			}
			return s, true
		}
	}
	if m := reOldPtcl.FindStringSubmatch(name); m != nil {
		s := streamName{Dev: m[1], FS: m[2], Format: formatPartclone, Suffix: m[3], Base: name}
		if s.Suffix != "" {
			s.Base = strings.TrimSuffix(name, "."+s.Suffix)
		}
		return s, true
	}
	return streamName{}, false
}

// suffixIndex is the position of a split suffix: "aa" → 0, "ab" → 1, "ba" → 26.
func suffixIndex(s string) int {
	if len(s) != 2 {
		return -1
	}
	return int(s[0]-'a')*26 + int(s[1]-'a')
}

// suffixAt is the split suffix at a position.
func suffixAt(i int) string {
	return string([]byte{byte('a' + i/26), byte('a' + i%26)})
}

// toFilename is Clonezilla's to_filename: /dev/pve/root → pve-root.
func toFilename(dev string) string {
	return strings.ReplaceAll(strings.TrimPrefix(dev, "/dev/"), "/", "-")
}

// parentDisk guesses the disk of a partition from its kernel name, as
// Clonezilla's get_diskname does; the partition tables, when present, are the
// better source.
func parentDisk(part string) string {
	if m := reNVMeLike.FindStringSubmatch(part); m != nil {
		return m[1]
	}
	if m := reSDLike.FindStringSubmatch(part); m != nil {
		return m[1]
	}
	return part
}
