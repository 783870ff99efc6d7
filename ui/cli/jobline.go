package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// jobLine is one progress line of `backdeck run`.
type jobLine struct {
	State          model.JobState `json:"state"`
	Percent        *float64       `json:"percent"`
	DoneBytes      *int64         `json:"done_bytes"`
	TotalBytes     *int64         `json:"total_bytes"`
	BytesPerSecond *float64       `json:"bytes_per_second"`
	ETASeconds     *int64         `json:"eta_seconds"`
	Message        string         `json:"message"`
}

// newJobLine takes what `run` prints from a job; unknown figures are null.
func newJobLine(j model.Job) jobLine {
	l := jobLine{State: j.State, Message: j.Message}
	if l.Message == "" {
		l.Message = j.Progress.LastLine
	}
	p := j.Progress
	if p.Percent >= 0 {
		v := p.Percent
		l.Percent = &v
	}
	if p.DoneBytes >= 0 {
		v := p.DoneBytes
		l.DoneBytes = &v
	}
	if p.TotalBytes >= 0 {
		v := p.TotalBytes
		l.TotalBytes = &v
	}
	if p.ReadBytesPerS >= 0 {
		v := p.ReadBytesPerS
		l.BytesPerSecond = &v
	}
	if p.ETAKnown {
		v := int64(p.ETA / time.Second)
		l.ETASeconds = &v
	}
	if j.State.Terminal() {
		l.ETASeconds, l.BytesPerSecond = nil, nil // nothing is on its way any more
	}
	return l
}

// text writes the line for humans: "running  45% 4.5 GiB/10.0 GiB 152.3 MiB/s ETA 36 s".
func (l jobLine) text() string {
	parts := []string{fmt.Sprintf("%-9s", l.State)}
	if l.Percent != nil {
		parts = append(parts, fmt.Sprintf("%3.0f%%", *l.Percent))
	}
	if l.DoneBytes != nil && l.TotalBytes != nil {
		parts = append(parts, model.HumanBytes(*l.DoneBytes)+"/"+model.HumanBytes(*l.TotalBytes))
	}
	if l.BytesPerSecond != nil {
		parts = append(parts, model.HumanBytes(int64(*l.BytesPerSecond))+"/s")
	}
	if l.ETASeconds != nil {
		parts = append(parts, "ETA "+model.HumanAge(time.Duration(*l.ETASeconds)*time.Second))
	}
	// While figures tell the progress, the log line would only repeat them.
	if l.Message != "" && (l.Percent == nil || l.State.Terminal()) {
		parts = append(parts, l.Message)
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}
