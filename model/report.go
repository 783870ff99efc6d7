package model

import (
	"fmt"
	"strings"
	"time"
)

// Report is the JSON document of `backdeck status --json`. Its keys are a
// contract (DESIGN.md): add keys, never rename or remove them.
type Report struct {
	GeneratedAt time.Time       `json:"generated_at"`
	Overall     Status          `json:"overall"`
	Concerns    []ReportConcern `json:"concerns"`
	Stores      []ReportStore   `json:"stores"`
	Drives      []ReportDrive   `json:"drives"`
	Jobs        []ReportJob     `json:"jobs"`
	Errors      []SourceError   `json:"errors"`
	// Insecure lists the sources reached without verifying their certificate.
	Insecure []Source `json:"insecure"`
}

// ReportConcern is one concern in the report.
type ReportConcern struct {
	ID      ConcernID      `json:"id"`
	Name    string         `json:"name"`
	Status  Status         `json:"status"`
	Targets []ReportTarget `json:"targets"`
}

// ReportTarget is one target in the report.
type ReportTarget struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Kind          TargetKind `json:"kind"`
	Method        Method     `json:"method"`
	Status        Status     `json:"status"`
	LastBackup    *time.Time `json:"last_backup"`
	AgeSeconds    *int64     `json:"age_seconds"`
	MaxAgeSeconds int64      `json:"max_age_seconds"`
	RestorePoints int        `json:"restore_points"`
	SizeBytes     int64      `json:"size_bytes"`
	Lock          string     `json:"lock,omitempty"`
	// Node is the PVE node a guest is on now (a fact, not part of its id).
	Node   string `json:"node,omitempty"`
	Detail string `json:"detail"`
	// Images are a host disk's Clonezilla images, newest first (the other
	// kinds' restore points are only counted: there can be hundreds).
	Images []ReportImage `json:"images,omitempty"`
}

// ReportStore is one store in the report.
type ReportStore struct {
	ID         string     `json:"id"`
	Online     bool       `json:"online"`
	TotalBytes int64      `json:"total_bytes"`
	UsedBytes  int64      `json:"used_bytes"`
	FullAt     *time.Time `json:"full_at"`
}

// ReportDrive is one drive in the report.
type ReportDrive struct {
	ID           string   `json:"id"`
	Model        string   `json:"model"`
	Serial       string   `json:"serial"`
	Health       Health   `json:"health"`
	Reasons      []string `json:"reasons"`
	TemperatureC *int     `json:"temperature_c"`
}

// ReportJob is one job in the report.
type ReportJob struct {
	ID      string   `json:"id"`
	Target  string   `json:"target"`
	Method  Method   `json:"method"`
	State   JobState `json:"state"`
	Percent *float64 `json:"percent"`
	Message string   `json:"message,omitempty"`
}

// ReportImage is one Clonezilla image of a host disk target.
type ReportImage struct {
	Path      string              `json:"path"`
	Saved     time.Time           `json:"saved"`
	SizeBytes int64               `json:"size_bytes"`
	Format    string              `json:"format"`
	Verified  *ReportVerification `json:"verified"` // null: never verified
}

// ReportVerification is the newest check of an image.
type ReportVerification struct {
	At       time.Time `json:"at"`
	Level    int       `json:"level"`
	OK       bool      `json:"ok"`
	Problems []string  `json:"problems"`
}

// NewReportVerification is v for the report (nil stays nil).
func NewReportVerification(v *Verification) *ReportVerification {
	if v == nil {
		return nil
	}
	problems := v.Problems
	if problems == nil {
		problems = []string{}
	}
	return &ReportVerification{At: v.At.UTC(), Level: v.Level, OK: v.OK, Problems: problems}
}

// NewReport turns a posture into the status report. Lists are never null.
func NewReport(p *Posture) Report {
	r := Report{GeneratedAt: p.GeneratedAt.UTC(), Overall: p.Overall, Concerns: []ReportConcern{},
		Stores: []ReportStore{}, Drives: []ReportDrive{}, Jobs: []ReportJob{}, Errors: []SourceError{}, Insecure: []Source{}}
	for _, c := range p.Concerns {
		rc := ReportConcern{ID: c.ID, Name: c.Name, Status: c.Status, Targets: []ReportTarget{}}
		for _, t := range c.Targets {
			rt := ReportTarget{ID: t.ID, Name: t.Name, Kind: t.Kind, Status: t.Status, MaxAgeSeconds: int64(t.MaxAge / time.Second),
				RestorePoints: len(t.RestorePoints), SizeBytes: t.TotalSize(), Lock: t.Lock, Detail: t.Reason}
			if t.Source == SourceProxmox {
				rt.Node = t.Node
			}
			if len(t.Methods) > 0 {
				rt.Method = t.Methods[0]
			}
			if t.Source == SourceClonezilla {
				rt.Images = []ReportImage{}
				for _, rp := range t.RestorePoints {
					rt.Images = append(rt.Images, ReportImage{Path: rp.ID, Saved: rp.Time.UTC(), SizeBytes: rp.Size,
						Format: rp.Format, Verified: NewReportVerification(rp.Verified)})
				}
			}
			if t.HasBackup {
				lb := t.LastBackup.UTC()
				age := int64(t.Age / time.Second)
				rt.LastBackup, rt.AgeSeconds = &lb, &age
			}
			rc.Targets = append(rc.Targets, rt)
		}
		r.Concerns = append(r.Concerns, rc)
	}
	for _, s := range p.Stores {
		r.Stores = append(r.Stores, ReportStore{ID: s.ID, Online: s.Online, TotalBytes: s.Total, UsedBytes: s.Used, FullAt: s.FullAt})
	}
	for _, d := range p.Drives {
		reasons := d.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		r.Drives = append(r.Drives, ReportDrive{ID: d.ID, Model: d.Model, Serial: d.Serial, Health: d.Health, Reasons: reasons, TemperatureC: d.TemperatureC})
	}
	for _, j := range p.Jobs {
		rj := ReportJob{ID: j.ID, Target: j.Target, Method: j.Method, State: j.State, Message: j.Message}
		if j.Progress.Percent >= 0 {
			pct := j.Progress.Percent
			rj.Percent = &pct
		}
		r.Jobs = append(r.Jobs, rj)
	}
	r.Errors = append(r.Errors, p.Errors...)
	r.Insecure = append(r.Insecure, p.Insecure...)
	return r
}

// TextOptions shape the text form of the report.
type TextOptions struct {
	ASCII bool // glyphs in ASCII
	// IDs adds each target's id as a column: what run and the config take.
	IDs bool
}

// Text writes the report for a terminal or a mail: one line per concern and
// target, then stores, jobs and errors.
func (r Report) Text(opts TextOptions) string {
	ascii := opts.ASCII
	idWidth := 0
	if opts.IDs {
		for _, c := range r.Concerns {
			for _, t := range c.Targets {
				idWidth = max(idWidth, len(t.ID))
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "backdeck status at %s: %s %s\n", r.GeneratedAt.Local().Format("2006-01-02 15:04"), r.Overall.Glyph(ascii), r.Overall)
	for _, src := range r.Insecure {
		fmt.Fprintf(&b, "INSECURE: %s is reached without verifying its TLS certificate (insecure = true)\n", src)
	}
	for _, c := range r.Concerns {
		fmt.Fprintf(&b, "\n%s %-8s %s\n", c.Status.Glyph(ascii), c.Status, c.Name)
		if len(c.Targets) == 0 {
			fmt.Fprintf(&b, "    (no targets)\n")
		}
		for _, t := range c.Targets {
			age := "never"
			if t.Kind == KindStore || t.Kind == KindDrive {
				age = ""
			} else if t.AgeSeconds != nil {
				age = HumanAge(time.Duration(*t.AgeSeconds) * time.Second)
			}
			lock := ""
			if t.Lock != "" {
				lock = " [locked: " + t.Lock + "]"
			}
			id := ""
			if idWidth > 0 {
				id = fmt.Sprintf("%-*s  ", idWidth, t.ID)
			}
			fmt.Fprintf(&b, "  %s %-8s %-22s %s%7s  %s%s\n", t.Status.Glyph(ascii), t.Status, t.Name, id, age, t.Detail, lock)
		}
	}
	if len(r.Stores) > 0 {
		fmt.Fprintf(&b, "\nStores\n")
		for _, s := range r.Stores {
			state := "offline"
			if s.Online {
				pct := 0.0
				if s.TotalBytes > 0 {
					pct = float64(s.UsedBytes) / float64(s.TotalBytes) * 100
				}
				state = fmt.Sprintf("%3.0f%% of %s used", pct, HumanBytes(s.TotalBytes))
				if s.FullAt != nil {
					state += ", full in " + HumanAge(s.FullAt.Sub(r.GeneratedAt)) + " (" + s.FullAt.Local().Format("2006-01-02") + ")"
				}
			}
			fmt.Fprintf(&b, "  %-28s %s\n", s.ID, state)
		}
	}
	if len(r.Jobs) > 0 {
		fmt.Fprintf(&b, "\nJobs\n")
		for _, j := range r.Jobs {
			pct := ""
			if j.Percent != nil {
				pct = fmt.Sprintf(" %.0f%%", *j.Percent)
			}
			fmt.Fprintf(&b, "  %-9s %-15s %s%s %s\n", j.State, j.Method, j.Target, pct, j.Message)
		}
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(&b, "\nErrors\n")
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "  %s: %s\n", e.Source, e.Message)
		}
	}
	return b.String()
}

// JobLine is one progress line of `backdeck run`.
type JobLine struct {
	State          JobState `json:"state"`
	Percent        *float64 `json:"percent"`
	DoneBytes      *int64   `json:"done_bytes"`
	TotalBytes     *int64   `json:"total_bytes"`
	BytesPerSecond *float64 `json:"bytes_per_second"`
	ETASeconds     *int64   `json:"eta_seconds"`
	Message        string   `json:"message"`
}

// NewJobLine takes what `run` prints from a job; unknown figures are null.
func NewJobLine(j Job) JobLine {
	l := JobLine{State: j.State, Message: j.Message}
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

// Text writes the line for humans: "running  45% 4.5 GiB/10.0 GiB 152.3 MiB/s ETA 36 s".
func (l JobLine) Text() string {
	parts := []string{fmt.Sprintf("%-9s", l.State)}
	if l.Percent != nil {
		parts = append(parts, fmt.Sprintf("%3.0f%%", *l.Percent))
	}
	if l.DoneBytes != nil && l.TotalBytes != nil {
		parts = append(parts, HumanBytes(*l.DoneBytes)+"/"+HumanBytes(*l.TotalBytes))
	}
	if l.BytesPerSecond != nil {
		parts = append(parts, HumanBytes(int64(*l.BytesPerSecond))+"/s")
	}
	if l.ETASeconds != nil {
		parts = append(parts, "ETA "+HumanAge(time.Duration(*l.ETASeconds)*time.Second))
	}
	// While figures tell the progress, the log line would only repeat them.
	if l.Message != "" && (l.Percent == nil || l.State.Terminal()) {
		parts = append(parts, l.Message)
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}
