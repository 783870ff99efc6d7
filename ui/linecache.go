package ui

// lineCache is the lines a panel drew last; the tree, the detail, the jobs
// and the stores panels embed it. View draws again only when something
// shown changed (dirty) or the height did: an unchanged panel costs nothing
// when the frame is put together again.
type lineCache struct {
	cache   []string // the lines drawn last, each as wide as the panel
	dirty   bool     // something shown changed since
	renders int      // how many times the panel was drawn (tests, benchmarks)
}

// lines returns the cached lines, or draws them again: draw appends the
// panel's lines to the buffer it is given (the last drawing's, reused), and
// what it returns is cut or padded with blank lines to exactly h lines of
// w cells.
func (lc *lineCache) lines(w, h int, draw func(buf []string) []string) []string {
	h = max(0, h)
	if !lc.dirty && len(lc.cache) == h {
		return lc.cache
	}
	lc.renders++
	lc.dirty = false
	out := draw(lc.cache[:0])
	if len(out) > h {
		out = out[:h]
	}
	for len(out) < h {
		out = append(out, blank(w))
	}
	lc.cache = out
	return out
}

// Invalidate forces a redraw (the clock moved: ages changed).
func (lc *lineCache) Invalidate() { lc.dirty = true }
