package pve

import (
	"container/heap"
	"sort"
	"strings"
	"time"
)

// A task is a PVE worker: a UPID, a log that grows in wall time, an exit
// status. Its future is a queue of events on the server's tick clock; reading
// the world applies the events that are due (advance), so a task's log, its
// status and its effects always agree with each other.
type task struct {
	upid   string
	u      upid
	start  time.Time     // world time at t0
	t0     time.Duration // tick of creation (negative for history)
	lines  []logLine     // ordered by at
	locks  []lockSpan
	done   bool
	end    time.Duration
	exit   string
	events []*event // pending, so a stop can cancel them

	forgotten bool
	// stop ends the task when it is stopped (DELETE); nil ends it the generic way.
	stop func(w *world, t *task, now time.Duration)
	vz   *vzdumpRun
}

type logLine struct {
	at   time.Duration
	text string
}

// lockSpan is a guest config lock a task holds over an interval of ticks.
type lockSpan struct {
	vmid     int
	name     string
	from, to time.Duration
}

// timeAt is the world time of a tick, as the task's clock shows it.
func (t *task) timeAt(at time.Duration) time.Time { return t.start.Add(at - t.t0) }

func (t *task) log(at time.Duration, lines ...string) {
	for _, l := range lines {
		t.lines = append(t.lines, logLine{at: at, text: l})
	}
}

// visible is how many log lines exist at a tick.
func (t *task) visible(now time.Duration) int {
	return sort.Search(len(t.lines), func(i int) bool { return t.lines[i].at > now })
}

func (t *task) running() bool { return !t.done }

// newTask registers a worker started on a node at tick now by user.
func (w *world) newTask(node, typ, id, user string, now time.Duration) *task {
	w.pidSeq += 0x1F3
	start := w.timeAt(now)
	u := upid{
		node:      node,
		pid:       w.pidSeq,
		pstart:    uint32(start.Sub(w.nodeNamed(node).bootAt) / (10 * time.Millisecond)), // jiffies since boot
		starttime: start.Unix(),
		typ:       typ,
		id:        id,
		user:      user,
	}
	t := &task{upid: u.String(), u: u, start: start, t0: now, end: -1}
	w.tasks[t.upid] = t
	w.taskOrder = append(w.taskOrder, t)
	w.live = append(w.live, t)
	return t
}

// finish ends a task at a tick. exit is the exit status; the log's last line
// says it, except for "unexpected status" (the worker died without one).
func (w *world) finish(t *task, at time.Duration, exit string) {
	if t.done {
		return
	}
	switch {
	case exit == "OK":
		t.log(at, "TASK OK")
	case strings.HasPrefix(exit, "WARNINGS: "):
		t.log(at, "TASK "+exit)
	case exit != "unexpected status":
		t.log(at, "TASK ERROR: "+exit)
	}
	t.done, t.end, t.exit = true, at, exit
	for _, e := range t.events {
		e.cancelled = true
	}
	t.events = nil
	for i := range t.locks {
		if t.locks[i].to > at {
			t.locks[i].to = at
		}
	}
	for i, x := range w.live {
		if x == t {
			w.live = append(w.live[:i], w.live[i+1:]...)
			break
		}
	}
	if n := w.nodeNamed(t.u.node); n != nil && n.vzdumpHolder == t {
		n.vzdumpHolder = nil
		w.passVzdumpLock(n, at)
	}
}

// cut drops what a task had planned after now, so it can end differently.
func (w *world) cut(t *task, now time.Duration) {
	for _, e := range t.events {
		e.cancelled = true
	}
	t.events = nil
	t.lines = t.lines[:t.visible(now)]
	for i := range t.locks {
		if t.locks[i].to > now {
			t.locks[i].to = now
		}
	}
}

// stopTask is DELETE /nodes/{node}/tasks/{upid}: SIGTERM to the worker.
func (w *world) stopTask(t *task, now time.Duration) {
	if t.done {
		return
	}
	w.cut(t, now)
	if t.stop != nil {
		t.stop(w, t, now)
		return
	}
	w.finish(t, now, "interrupted by signal")
}

// event is one step of a task's future.
type event struct {
	at        time.Duration
	seq       int
	task      *task
	fn        func(at time.Duration)
	cancelled bool
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}

// schedule runs fn at a tick, as part of task t.
func (w *world) schedule(t *task, at time.Duration, fn func(at time.Duration)) {
	w.eventSeq++
	e := &event{at: at, seq: w.eventSeq, task: t, fn: fn}
	t.events = append(t.events, e)
	heap.Push(&w.events, e)
}

// advance applies, in time order, every event due at or before now.
func (w *world) advance(now time.Duration) {
	for len(w.events) > 0 && w.events[0].at <= now {
		e := heap.Pop(&w.events).(*event)
		if e.cancelled {
			continue
		}
		t := e.task
		for i, x := range t.events {
			if x == e {
				t.events = append(t.events[:i], t.events[i+1:]...)
				break
			}
		}
		e.fn(e.at)
	}
}

// findTask resolves a UPID the way the task endpoints do.
func (w *world) findTask(r *request) (*task, error) {
	s := r.param("upid")
	u, ok := parseUPID(s)
	if !ok {
		return nil, paramError(map[string]string{"upid": "unable to parse worker upid"})
	}
	t := w.tasks[s]
	if t == nil || t.forgotten || u.node != r.param("node") {
		return nil, paramError(map[string]string{"upid": "no such task"})
	}
	return t, nil
}

// taskEntry is a task as the status and list endpoints show it.
func taskEntry(t *task) map[string]any {
	user, token := splitTokenUser(t.u.user)
	m := map[string]any{
		"upid":      t.upid,
		"node":      t.u.node,
		"pid":       t.u.pid,
		"pstart":    t.u.pstart,
		"starttime": t.u.starttime,
		"type":      t.u.typ,
		"id":        t.u.id,
		"user":      user,
	}
	if token != "" {
		m["tokenid"] = token
	}
	return m
}

// GET /nodes/{node}/tasks/{upid}/status
func (w *world) taskStatus(r *request, now time.Duration) (any, error) {
	t, err := w.findTask(r)
	if err != nil {
		return nil, err
	}
	m := taskEntry(t)
	if t.running() {
		m["status"] = "running"
	} else {
		m["status"] = "stopped"
		m["exitstatus"] = t.exit
	}
	return m, nil
}

// GET /nodes/{node}/tasks/{upid}/log: start is the number of lines to skip,
// limit 0 reads to the end, n is 1-based. A missing log file still answers
// 200, with one line saying so (PVE::Tools::dump_logfile).
func (w *world) taskLog(r *request, now time.Duration) (any, error) {
	if _, ok := parseUPID(r.param("upid")); !ok {
		return nil, paramError(map[string]string{"upid": "unable to parse worker upid"})
	}
	start, err := r.intParam("start", 0, 0)
	if err != nil {
		return nil, err
	}
	limit, err := r.intParam("limit", 50, 0)
	if err != nil {
		return nil, err
	}
	t := w.tasks[r.param("upid")]
	if t == nil || t.forgotten {
		return withTotal{data: []map[string]any{{"n": 1, "t": "unable to open file - No such file or directory"}}, total: 1}, nil
	}
	n := t.visible(now)
	out := []map[string]any{}
	for i := start; i < n && (limit == 0 || i < start+limit); i++ {
		out = append(out, map[string]any{"n": i + 1, "t": t.lines[i].text})
	}
	if n == 0 {
		return withTotal{data: []map[string]any{{"n": 1, "t": "no content"}}, total: 1}, nil
	}
	return withTotal{data: out, total: n}, nil
}

// GET /nodes/{node}/tasks/{upid}: the index of a task's subdirectories.
func (w *world) taskIndex(r *request, now time.Duration) (any, error) {
	return []map[string]any{{"name": "log"}, {"name": "status"}}, nil
}

// DELETE /nodes/{node}/tasks/{upid}
func (w *world) taskStop(r *request, now time.Duration) (any, error) {
	t, err := w.findTask(r)
	if err != nil {
		return nil, err
	}
	w.stopTask(t, now)
	return nil, nil
}

// GET /nodes/{node}/tasks: source=archive (default) lists finished tasks,
// active the running ones (status "RUNNING"), all both; newest first.
func (w *world) taskList(r *request, now time.Duration) (any, error) {
	start, err := r.intParam("start", 0, 0)
	if err != nil {
		return nil, err
	}
	limit, err := r.intParam("limit", 50, 0)
	if err != nil {
		return nil, err
	}
	source := r.form.Get("source")
	if source == "" {
		source = "archive"
	}
	if source != "archive" && source != "active" && source != "all" {
		return nil, paramError(map[string]string{"source": "value '" + source + "' does not have a value in the enumeration 'archive, active, all'"})
	}
	errorsOnly, err := r.boolParam("errors", false)
	if err != nil {
		return nil, err
	}
	typefilter, vmid, userfilter := r.form.Get("typefilter"), r.form.Get("vmid"), r.form.Get("userfilter")
	since, err := r.intParam("since", -1, -1)
	if err != nil {
		return nil, err
	}
	until, err := r.intParam("until", -1, -1)
	if err != nil {
		return nil, err
	}
	match := func(t *task) bool {
		switch {
		case t.forgotten, t.u.node != r.param("node"),
			typefilter != "" && t.u.typ != typefilter,
			vmid != "" && t.u.id != vmid,
			userfilter != "" && !strings.Contains(strings.ToLower(t.u.user), strings.ToLower(userfilter)),
			since >= 0 && t.u.starttime < int64(since),
			until >= 0 && t.u.starttime > int64(until),
			errorsOnly && !t.running() && t.exit == "OK":
			return false
		}
		return true
	}
	var picked []*task
	if source != "archive" {
		for i := len(w.taskOrder) - 1; i >= 0; i-- {
			if t := w.taskOrder[i]; t.running() && match(t) {
				picked = append(picked, t)
			}
		}
	}
	if source != "active" {
		var ended []*task
		for _, t := range w.taskOrder {
			if !t.running() && match(t) {
				ended = append(ended, t)
			}
		}
		// The index file is in order of ending; it is read backwards.
		sort.SliceStable(ended, func(i, j int) bool { return ended[i].end > ended[j].end })
		picked = append(picked, ended...)
	}
	out := []map[string]any{}
	// Unlike the log, a limit of 0 lists nothing here.
	for i := start; i < len(picked) && i < start+limit; i++ {
		t := picked[i]
		m := taskEntry(t)
		if t.running() {
			m["status"] = "RUNNING"
		} else {
			m["status"] = t.exit
			m["endtime"] = t.timeAt(t.end).Unix()
		}
		out = append(out, m)
	}
	return withTotal{data: out, total: len(picked)}, nil
}
