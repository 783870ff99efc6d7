package clonezilla

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io/fs"
)

// An image's stamp changes whenever one of its files may have changed: it
// digests the name, type, size and modification time of every entry of the
// image directory, which the scan stats anyway. A verification is worth
// something only for the content it read; the stamp tells whether the image
// is still that content without reading it again.
type stamper struct{ h hash.Hash }

func newStamper() stamper { return stamper{h: sha256.New()} }

// add counts one directory entry; entries come in name order (os.ReadDir's).
func (s stamper) add(info fs.FileInfo) {
	fmt.Fprintf(s.h, "%q %v %d %d\n", info.Name(), info.Mode().Type(), info.Size(), info.ModTime().UnixNano())
}

// sum is the stamp: "v1-" and 24 hex digits.
func (s stamper) sum() string { return "v1-" + hex.EncodeToString(s.h.Sum(nil)[:12]) }
