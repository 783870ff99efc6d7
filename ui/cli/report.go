package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/backdeck/backdeck/ui/theme"

	"github.com/backdeck/backdeck/model"
)

// statusReport is the JSON document of `backdeck status --json`. Its keys
// are a contract, listed in README (Commands): add keys, never rename or
// remove them.
type statusReport struct {
	GeneratedAt time.Time           `json:"generated_at"`
	Overall     model.Status        `json:"overall"`
	Concerns    []reportConcern     `json:"concerns"`
	Stores      []reportStore       `json:"stores"`
	Drives      []reportDrive       `json:"drives"`
	Jobs        []reportJob         `json:"jobs"`
	Errors      []model.SourceError `json:"errors"`
	Notes       []model.SourceError `json:"notes"`
	// Insecure lists the sources reached without verifying their certificate.
	Insecure []model.Source `json:"insecure"`
}

// reportConcern is one concern in the report.
type reportConcern struct {
	ID      model.ConcernID `json:"id"`
	Name    string          `json:"name"`
	Status  model.Status    `json:"status"`
	Targets []reportTarget  `json:"targets"`
}

// reportTarget is one target in the report.
type reportTarget struct {
	ID            string           `json:"id"`
	Name          string           `json:"name"`
	Kind          model.TargetKind `json:"kind"`
	Method        model.Method     `json:"method"`
	Status        model.Status     `json:"status"`
	LastBackup    *time.Time       `json:"last_backup"`
	AgeSeconds    *int64           `json:"age_seconds"`
	MaxAgeSeconds int64            `json:"max_age_seconds"`
	RestorePoints int              `json:"restore_points"`
	SizeBytes     int64            `json:"size_bytes"`
	Lock          string           `json:"lock,omitempty"`
	// Node is the PVE node a guest is on now (a fact, not part of its id).
	Node   string `json:"node,omitempty"`
	Detail string `json:"detail"`
	// NoJob is set on a guest that no scheduled backup job covers.
	NoJob bool `json:"no_job,omitempty"`
	// Images are a host disk's Clonezilla images, newest first (the other
	// kinds' restore points are only counted: there can be hundreds).
	Images []reportImage `json:"images,omitempty"`
	// RestoreTestedAt and LastDrill are a guest's restore drills
	// (report_drill.go), only when it has had one.
	RestoreTestedAt *time.Time   `json:"restore_tested_at,omitempty"`
	LastDrill       *reportDrill `json:"last_drill,omitempty"`
}

// reportStore is one store in the report.
type reportStore struct {
	ID         string     `json:"id"`
	Online     bool       `json:"online"`
	TotalBytes int64      `json:"total_bytes"`
	UsedBytes  int64      `json:"used_bytes"`
	FullAt     *time.Time `json:"full_at"`
}

// reportDrive is one drive in the report.
type reportDrive struct {
	ID           string       `json:"id"`
	Model        string       `json:"model"`
	Serial       string       `json:"serial"`
	Health       model.Health `json:"health"`
	Reasons      []string     `json:"reasons"`
	TemperatureC *int         `json:"temperature_c"`
}

// reportJob is one job in the report.
type reportJob struct {
	ID      string         `json:"id"`
	Target  string         `json:"target"`
	Method  model.Method   `json:"method"`
	State   model.JobState `json:"state"`
	Percent *float64       `json:"percent"`
	Message string         `json:"message,omitempty"`
}

// reportImage is one Clonezilla image of a host disk target.
type reportImage struct {
	Path      string              `json:"path"`
	Saved     time.Time           `json:"saved"`
	SizeBytes int64               `json:"size_bytes"`
	Format    string              `json:"format"`
	Verified  *reportVerification `json:"verified"` // null: never verified
}

// reportVerification is the newest check of an image.
type reportVerification struct {
	At       time.Time `json:"at"`
	Level    int       `json:"level"`
	OK       bool      `json:"ok"`
	Problems []string  `json:"problems"`
}

// newReportVerification is v for the report (nil stays nil).
func newReportVerification(v *model.Verification) *reportVerification {
	if v == nil {
		return nil
	}
	problems := v.Problems
	if problems == nil {
		problems = []string{}
	}
	return &reportVerification{At: v.At.UTC(), Level: v.Level, OK: v.OK, Problems: problems}
}

// newStatusReport turns a posture into the status report. Lists are never null.
func newStatusReport(p *model.Posture) statusReport {
	r := statusReport{GeneratedAt: p.GeneratedAt.UTC(), Overall: p.Overall, Concerns: []reportConcern{},
		Stores: []reportStore{}, Drives: []reportDrive{}, Jobs: []reportJob{}, Errors: []model.SourceError{}, Notes: []model.SourceError{}, Insecure: []model.Source{}}
	for _, c := range p.Concerns {
		rc := reportConcern{ID: c.ID, Name: c.Name, Status: c.Status, Targets: []reportTarget{}}
		for _, t := range c.Targets {
			rt := reportTarget{ID: t.ID, Name: t.Name, Kind: t.Kind, Status: t.Status, MaxAgeSeconds: int64(t.MaxAge / time.Second),
				RestorePoints: len(t.RestorePoints), SizeBytes: t.TotalSize(), Lock: t.Lock, Detail: t.Reason, NoJob: t.NoJob}
			if t.Source == model.SourceProxmox {
				rt.Node = t.Node
			}
			if len(t.Methods) > 0 {
				rt.Method = t.Methods[0]
			}
			if t.Source == model.SourceClonezilla {
				rt.Images = []reportImage{}
				for _, rp := range t.RestorePoints {
					rt.Images = append(rt.Images, reportImage{Path: rp.ID, Saved: rp.Time.UTC(), SizeBytes: rp.Size,
						Format: rp.Format, Verified: newReportVerification(rp.Verified)})
				}
			}
			rt.RestoreTestedAt, rt.LastDrill = drillReport(t.Target)
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
		r.Stores = append(r.Stores, reportStore{ID: s.ID, Online: s.Online, TotalBytes: s.Total, UsedBytes: s.Used, FullAt: s.FullAt})
	}
	for _, d := range p.Drives {
		reasons := d.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		r.Drives = append(r.Drives, reportDrive{ID: d.ID, Model: d.Model, Serial: d.Serial, Health: d.Health, Reasons: reasons, TemperatureC: d.TemperatureC})
	}
	for _, j := range p.Jobs {
		rj := reportJob{ID: j.ID, Target: j.Target, Method: j.Method, State: j.State, Message: j.Message}
		if j.Progress.Percent >= 0 {
			pct := j.Progress.Percent
			rj.Percent = &pct
		}
		r.Jobs = append(r.Jobs, rj)
	}
	r.Errors = append(r.Errors, p.Errors...)
	r.Notes = append(r.Notes, p.Notes...)
	r.Insecure = append(r.Insecure, p.Insecure...)
	return r
}

// textOptions shape the text form of the report.
type textOptions struct {
	ASCII bool // glyphs in ASCII
	// IDs adds each target's id as a column: what run and the config take.
	IDs bool
}

// text writes the report for a terminal or a mail: one line per concern and
// target, then stores, jobs and errors.
func (r statusReport) text(opts textOptions) string {
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
	fmt.Fprintf(&b, "backdeck status at %s: %s %s\n", r.GeneratedAt.Local().Format("2006-01-02 15:04"), theme.Glyph(r.Overall, ascii), r.Overall)
	for _, src := range r.Insecure {
		fmt.Fprintf(&b, "INSECURE: %s is reached without verifying its TLS certificate (insecure = true)\n", src)
	}
	for _, c := range r.Concerns {
		fmt.Fprintf(&b, "\n%s %-8s %s\n", theme.Glyph(c.Status, ascii), c.Status, c.Name)
		if len(c.Targets) == 0 {
			fmt.Fprintf(&b, "    (no targets)\n")
		}
		for _, t := range c.Targets {
			age := "never"
			if t.Kind == model.KindStore || t.Kind == model.KindDrive {
				age = ""
			} else if t.AgeSeconds != nil {
				age = model.HumanAge(time.Duration(*t.AgeSeconds) * time.Second)
			}
			lock := ""
			if t.Lock != "" {
				lock = " [locked: " + t.Lock + "]"
			}
			id := ""
			if idWidth > 0 {
				id = fmt.Sprintf("%-*s  ", idWidth, t.ID)
			}
			fmt.Fprintf(&b, "  %s %-8s %-22s %s%7s  %s%s\n", theme.Glyph(t.Status, ascii), t.Status, t.Name, id, age, t.Detail, lock)
		}
	}
	b.WriteString(r.noJobLines())
	if len(r.Stores) > 0 {
		fmt.Fprintf(&b, "\nStores\n")
		for _, s := range r.Stores {
			state := "offline"
			if s.Online {
				pct := 0.0
				if s.TotalBytes > 0 {
					pct = float64(s.UsedBytes) / float64(s.TotalBytes) * 100
				}
				state = fmt.Sprintf("%3.0f%% of %s used", pct, model.HumanBytes(s.TotalBytes))
				if s.FullAt != nil {
					state += ", full in " + model.HumanAge(s.FullAt.Sub(r.GeneratedAt)) + " (" + s.FullAt.Local().Format("2006-01-02") + ")"
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
	if len(r.Notes) > 0 {
		fmt.Fprintf(&b, "\nNotes\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  %s: %s\n", n.Source, n.Message)
		}
	}
	return b.String()
}
