package ui

// Minimum terminal size the dashboard draws in.
const (
	minWidth  = 80
	minHeight = 24
)

// layout is where each panel goes; it is computed on tea.WindowSizeMsg (and
// when the number of jobs or stores changes), never in View.
//
//	┌ header ─────────────────────────────── clock ┐   1 line
//	│ tree (treeW)    │ detail (detailW)            │   mainH lines
//	├ Jobs ───────────┴─────────────────────────────┤   1
//	│ jobs                                          │   jobsH
//	├ Stores & drives ──────────────────────────────┤   1
//	│ stores and drives                             │   storesH
//	└ status bar ───────────────────────────────────┘   1
type layout struct {
	w, h    int
	small   bool // below minWidth×minHeight: only a message is drawn
	treeW   int
	detailW int
	mainH   int
	jobsH   int
	storesH int
}

// computeLayout shares the screen out: the tree takes about a third of the
// width (32 to 56 cells), the jobs and stores panels as many lines as they
// have rows within a cap that grows with the height, the tree and the
// detail pane the rest.
func computeLayout(w, h, jobRows, storeRows int) layout {
	l := layout{w: w, h: h}
	if w < minWidth || h < minHeight {
		l.small = true
		return l
	}
	inner := w - 3
	l.treeW = max(32, min(56, w*35/100))
	l.detailW = inner - l.treeW
	jobsCap := max(2, (h-4)/5)
	storesCap := max(2, (h-4)/6)
	minJobs := 1
	if h >= 40 {
		minJobs = 3
	}
	l.jobsH = max(minJobs, min(jobRows, jobsCap))
	l.storesH = max(1, min(storeRows, storesCap))
	l.mainH = h - 4 - l.jobsH - l.storesH
	return l
}
