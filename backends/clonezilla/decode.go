package clonezilla

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// decodeStream decodes one stream to its end (level 2) and checks what it
// holds (level 3), reporting against the volume file being read.
func (v *verification) decodeStream(s *stream, t *tap) {
	br := bufio.NewReaderSize(t, 256<<10)
	head, err := br.Peek(16)
	if len(head) == 0 {
		var re *readError
		if !errors.As(err, &re) {
			v.problem(Problem{File: s.Volumes[0].Name, Level: 2, Message: "empty: the stream holds no data"})
		}
		return
	}
	comp := s.Comp
	if found := sniff(head); found != "" && found != comp {
		if comp != "" {
			named, _ := compressionName(comp)
			is, _ := compressionName(found)
			v.problem(Problem{File: s.Volumes[0].Name, Level: 2, Message: fmt.Sprintf("named as %s but holds %s data", named, is)})
		}
		comp = found
	}
	if comp == "" {
		comp = "uncomp" // older images without a compression tag, uncompressed
	}
	dec, closeDec, ok, err := openDecoder(br, comp)
	defer closeDec()
	if err != nil {
		v.streamError(s, t, err)
		return
	}
	if !ok {
		name, _ := compressionName(comp)
		v.notice(s.Volumes[0].Name, fmt.Sprintf("compression %s is not checked by this version: the stream was not decoded", name))
		return
	}
	buf := make([]byte, chunkSize)
	if v.level < LevelPartclone {
		_, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{dec}, buf)
		if err != nil {
			v.streamError(s, t, err)
		}
		return
	}
	bdec := bufio.NewReaderSize(dec, 64<<10)
	inner, _ := bdec.Peek(len(ptclMagic))
	switch {
	case s.Format == formatPartclone || string(inner) == ptclMagic:
		c, err := checkPartclone(bdec, v.expectedBytes(s))
		for _, msg := range c.Problems {
			v.problem(Problem{File: v.fileAt(s, t, false), Level: 3, Message: msg})
		}
		for _, msg := range c.Notices {
			v.notice(s.Volumes[0].Name, msg)
		}
		if err != nil {
			v.streamError(s, t, err)
		}
	case s.Format == formatRaw || s.Format == formatDDImg:
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{bdec}, buf)
		if err != nil {
			v.streamError(s, t, err)
			return
		}
		v.checkRawLength(s, n)
	default:
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{bdec}, buf); err != nil {
			v.streamError(s, t, err)
			return
		}
		v.notice(s.Volumes[0].Name, s.Format+" images are decoded but not checked natively")
	}
}

// streamError reports a failure while decoding: damage found by the
// decompressor (level 2); read errors are reported by the reader already.
func (v *verification) streamError(s *stream, t *tap, err error) {
	var re *readError
	if errors.As(err, &re) {
		return
	}
	truncated := errors.Is(err, io.ErrUnexpectedEOF)
	v.problem(Problem{File: v.fileAt(s, t, truncated), Level: 2, Message: err.Error() + v.where(s)})
}

// fileAt names the volume the decoder was reading when it found damage. A
// stream that ends early after a volume of the full split size most likely
// lost its next volume: that one is named.
func (v *verification) fileAt(s *stream, t *tap, truncated bool) string {
	i := max(t.vol, 0)
	if i >= len(s.Volumes) {
		i = len(s.Volumes) - 1
	}
	if truncated && i == len(s.Volumes)-1 && s.Volumes[i].Suffix != "" {
		if full := v.volumeSize(s); full > 0 && s.Volumes[i].Size == full {
			return s.Base + "." + suffixAt(suffixIndex(s.Volumes[i].Suffix)+1)
		}
	}
	return s.Volumes[i].Name
}

// where adds, for split streams, which stream the volume belongs to: damage
// found at the end (a checksum over the whole stream) may lie in any volume.
func (v *verification) where(s *stream) string {
	if len(s.Volumes) < 2 {
		return ""
	}
	return fmt.Sprintf(" (in the stream of %d volumes %s.%s–%s)", len(s.Volumes), s.Base, s.Volumes[0].Suffix, s.Volumes[len(s.Volumes)-1].Suffix)
}

// volumeSize is the size of every volume but the last: ocs-sr's -i N in
// decimal MB as Clonezilla writes them now (split -b NMB), or in MiB as older
// versions did when the volumes say so; without -i, the first volume's.
func (v *verification) volumeSize(s *stream) int64 {
	if mb := v.l.splitBytes; mb > 0 {
		if mib := mb / 1000000 << 20; len(s.Volumes) > 1 && s.Volumes[0].Size == mib {
			return mib
		}
		return mb
	}
	if len(s.Volumes) > 1 {
		return s.Volumes[0].Size
	}
	return 0
}

// expectedBytes is the size of the stream's partition or LV, 0 when unknown.
func (v *verification) expectedBytes(s *stream) int64 {
	if _, p, ss, ok := v.l.partition(s.Dev); ok {
		return p.Bytes(ss)
	}
	for _, e := range v.l.lvs() {
		if e.Name() == s.Dev {
			if c, ok := v.l.vgconfs[e.VG]; ok {
				return c.Bytes(e.LV)
			}
		}
	}
	return 0
}

// expectedFrom names the file expectedBytes comes from.
func (v *verification) expectedFrom(s *stream) string {
	if disk, _, _, ok := v.l.partition(s.Dev); ok {
		return disk + "-pt.sf"
	}
	for _, e := range v.l.lvs() {
		if e.Name() == s.Dev {
			return "lvm_" + e.VG + ".conf"
		}
	}
	return ""
}

// checkRawLength compares a raw (dd) stream's length with its device's:
// partclone.dd writes the device's bytes and nothing else, so only the
// compressor's checksum and this length protect it.
func (v *verification) checkRawLength(s *stream, n int64) {
	want := v.expectedBytes(s)
	if want == 0 {
		v.notice(s.Volumes[0].Name, fmt.Sprintf("raw image of %d bytes: the size of %s is not known, so not compared", n, s.Dev))
		return
	}
	if n != want {
		v.problem(Problem{File: s.Volumes[len(s.Volumes)-1].Name, Level: 3,
			Message: fmt.Sprintf("raw image holds %d bytes, but %s is %d bytes (%s)", n, s.Dev, want, v.expectedFrom(s))})
	}
}
