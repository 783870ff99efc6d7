package clonezilla

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backdeck/backdeck/model"
)

// Progress is where a verification is: bytes of the image read so far (each
// file is read once, whatever the level), the speed and what is left.
type Progress struct {
	DoneBytes  int64
	TotalBytes int64
	BytesPerS  float64       // over the last few seconds
	ETA        time.Duration // valid when ETAKnown
	ETAKnown   bool
	File       string // the file read most recently started
}

// Percent is the share done, 0..100.
func (p Progress) Percent() float64 {
	if p.TotalBytes <= 0 {
		return 100
	}
	return 100 * float64(p.DoneBytes) / float64(p.TotalBytes)
}

// Model turns the progress into the job progress the console shows.
func (p Progress) Model() model.Progress {
	return model.Progress{
		Percent:        p.Percent(),
		DoneBytes:      p.DoneBytes,
		TotalBytes:     p.TotalBytes,
		ReadBytesPerS:  p.BytesPerS,
		WriteBytesPerS: -1,
		ETA:            p.ETA,
		ETAKnown:       p.ETAKnown,
		LastLine:       fmt.Sprintf("verifying %s", p.File),
	}
}

// progressEvery is how often the callback hears of progress: often enough to
// look live, rarely enough to cost nothing.
const progressEvery = 100 * time.Millisecond

// rateWindow is how far back the speed looks.
const rateWindow = 3 * time.Second

// meter counts bytes from many goroutines and reports to the callback from
// one goroutine of its own, so the callback needs no locking.
type meter struct {
	total int64
	done  atomic.Int64
	file  atomic.Pointer[string]
	start time.Time

	cb      func(Progress)
	stop    chan struct{}
	stopped sync.WaitGroup
	samples []sample // ring of recent (time, done), for the speed
}

type sample struct {
	at   time.Time
	done int64
}

func newMeter(total int64, cb func(Progress)) *meter {
	m := &meter{total: total, cb: cb, start: time.Now(), stop: make(chan struct{})}
	if cb != nil {
		m.stopped.Add(1)
		go m.run()
	}
	return m
}

func (m *meter) add(n int) { m.done.Add(int64(n)) }

func (m *meter) setFile(name string) { m.file.Store(&name) }

func (m *meter) run() {
	defer m.stopped.Done()
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			m.cb(m.snapshot(time.Now()))
			return
		case now := <-t.C:
			m.cb(m.snapshot(now))
		}
	}
}

// finish reports the last figures and stops the reporting goroutine.
func (m *meter) finish() {
	close(m.stop)
	m.stopped.Wait()
}

func (m *meter) snapshot(now time.Time) Progress {
	done := m.done.Load()
	p := Progress{DoneBytes: done, TotalBytes: m.total}
	if f := m.file.Load(); f != nil {
		p.File = *f
	}
	m.samples = append(m.samples, sample{now, done})
	for len(m.samples) > 2 && now.Sub(m.samples[0].at) > rateWindow {
		m.samples = m.samples[1:]
	}
	from := sample{m.start, 0}
	if now.Sub(m.start) > rateWindow {
		from = m.samples[0]
	}
	if dt := now.Sub(from.at).Seconds(); dt > 0 {
		p.BytesPerS = float64(done-from.done) / dt
	}
	if p.BytesPerS > 0 && m.total >= done {
		p.ETA = time.Duration(float64(m.total-done) / p.BytesPerS * float64(time.Second)).Round(time.Second)
		p.ETAKnown = true
	}
	return p
}
