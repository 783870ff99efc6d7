package clonezilla

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
)

// chunkSize is the read size: large enough that the per-chunk cost
// (a read, channel sends, hash calls) vanishes, small enough to pipeline.
const chunkSize = 1 << 20

// chunksPerReader bounds the memory of one reader and how far it runs ahead
// of its slowest consumer.
const chunksPerReader = 6

// fanout reads files once and hands every chunk to its consumers (the
// stream decoder, the digests when they are spread), each in a goroutine of
// its own, so a file is read once however many checks it feeds.
type fanout struct {
	free      chan *chunk
	made      int   // chunks allocated or taken from the pool so far, at most chunksPerReader
	chunkSize int64 // no larger than the files need
	pool      *chunkPool
	taps      []*tap
}

type chunk struct {
	buf  []byte
	n    int
	refs atomic.Int32
}

// message is a volume starting (begin), some of its bytes (c), or its end
// (end, with the read error if any).
type message struct {
	vol   int
	begin bool
	c     *chunk
	end   bool
	err   error
}

// chunkPool keeps full-size chunks between the files of one verification,
// so that reading a file allocates nothing.
type chunkPool struct{ free chan *chunk }

// newChunkPool keeps up to the chunks that many readers use at once.
func newChunkPool(readers int) *chunkPool {
	return &chunkPool{free: make(chan *chunk, readers*chunksPerReader)}
}

func (p *chunkPool) get() *chunk {
	select {
	case c := <-p.free:
		return c
	default:
		return &chunk{buf: make([]byte, chunkSize)}
	}
}

func (p *chunkPool) put(c *chunk) {
	select {
	case p.free <- c:
	default: // full: the garbage collector takes it
	}
}

// newFanout prepares to read size bytes in all. Chunks come from the pool
// as the reader needs them (a file smaller than a chunk gets a chunk of its
// own size instead), and go back to it with release.
func newFanout(size int64, pool *chunkPool) *fanout {
	return &fanout{free: make(chan *chunk, chunksPerReader), chunkSize: min(max(size, 1), chunkSize), pool: pool}
}

// chunk returns a free chunk, taking one while fewer than chunksPerReader
// are in use.
func (f *fanout) chunk() *chunk {
	select {
	case c := <-f.free:
		return c
	default:
	}
	if f.made < chunksPerReader {
		f.made++
		if f.chunkSize == chunkSize {
			return f.pool.get()
		}
		return &chunk{buf: make([]byte, f.chunkSize)}
	}
	return <-f.free
}

// release gives the fanout's chunks back to the pool, once the read and
// every consumer are done.
func (f *fanout) release() {
	for {
		select {
		case c := <-f.free:
			if len(c.buf) == chunkSize {
				f.pool.put(c)
			}
		default:
			return
		}
	}
}

// tap adds a consumer; all taps must be added before reading starts, and
// each must be consumed to its end (or drained).
func (f *fanout) tap() *tap {
	t := &tap{f: f, ch: make(chan message, chunksPerReader+4), vol: -1}
	f.taps = append(f.taps, t)
	return t
}

func (f *fanout) send(m message) {
	if m.c != nil {
		m.c.refs.Store(int32(len(f.taps)))
	}
	for _, t := range f.taps {
		t.ch <- m
	}
}

// read reads the files in order, one after the other; d, when not nil,
// computes the digests right there on the bytes just read, then the taps
// get them. It returns each file's read error and stops early only when ctx
// is done.
func (f *fanout) read(ctx context.Context, dir string, files []string, d *digester, m *meter) []error {
	defer func() {
		for _, t := range f.taps {
			close(t.ch)
		}
	}()
	errs := make([]error, len(files))
	for i, name := range files {
		if ctx.Err() != nil {
			return errs
		}
		m.setFile(name)
		if d != nil {
			d.begin(i)
		}
		f.send(message{vol: i, begin: true})
		errs[i] = f.readOne(ctx, filepath.Join(dir, name), d, m)
		if d != nil {
			d.end(i, errs[i])
		}
		f.send(message{vol: i, end: true, err: errs[i]})
	}
	return errs
}

func (f *fanout) readOne(ctx context.Context, path string, d *digester, m *meter) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := f.chunk()
		n, err := io.ReadFull(file, c.buf)
		if n > 0 {
			c.n = n
			m.add(n)
			if d != nil {
				d.write(c.buf[:n])
			}
		}
		if n > 0 && len(f.taps) > 0 {
			f.send(message{c: c})
		} else {
			f.free <- c
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil
		default:
			return err
		}
	}
}

// tap is one consumer's view of a fanout: an io.Reader over the bytes of all
// the volumes in order.
type tap struct {
	f   *fanout
	ch  chan message
	cur *chunk
	off int
	vol int // the volume the bytes last read belong to
}

func (t *tap) release(c *chunk) {
	if c.refs.Add(-1) == 0 {
		t.f.free <- c
	}
}

// readError is a failure to read an image file (not a damaged content).
type readError struct {
	vol int
	err error
}

func (e *readError) Error() string { return fmt.Sprintf("read error: %v", e.err) }

// Read implements io.Reader over the volumes' bytes; a volume that could not
// be read ends the stream with a *readError.
func (t *tap) Read(p []byte) (int, error) {
	for t.cur == nil {
		m, ok := <-t.ch
		if !ok {
			return 0, io.EOF
		}
		switch {
		case m.c != nil:
			t.cur, t.off = m.c, 0
		case m.begin:
			t.vol = m.vol
		case m.end && m.err != nil:
			return 0, &readError{vol: m.vol, err: m.err}
		}
	}
	n := copy(p, t.cur.buf[t.off:t.cur.n])
	t.off += n
	if t.off == t.cur.n {
		t.release(t.cur)
		t.cur = nil
	}
	return n, nil
}

// drain consumes what is left, so the reader never blocks on a consumer
// that stopped early.
func (t *tap) drain() {
	if t.cur != nil {
		t.release(t.cur)
		t.cur = nil
	}
	for m := range t.ch {
		if m.c != nil {
			t.release(m.c)
		}
	}
}
