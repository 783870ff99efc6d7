package ui

import (
	"time"

	"github.com/backdeck/backdeck/model"
)

// Facts about drives and stores that the panel and the detail pane share.

// driveStores are the stores a drive holds: those that name its serial
// (Store.Drive) and those its config lists (Drive.Holds), each once, in
// the posture's order.
func driveStores(d *model.Drive, stores []model.Store) []*model.Store {
	serial := firstNonEmpty(d.Serial, d.ID)
	var out []*model.Store
	for i := range stores {
		s := &stores[i]
		held := s.Drive != "" && (s.Drive == serial || s.Drive == d.ID)
		for _, h := range d.Holds {
			held = held || h == s.ID
		}
		if held {
			out = append(out, s)
		}
	}
	return out
}

// driveUsage adds up the used and total space of a drive's stores that
// report a size (an offline store reports zeros).
func driveUsage(stores []*model.Store) (used, total int64) {
	for _, s := range stores {
		if s.Online && s.Total > 0 {
			used += s.Used
			total += s.Total
		}
	}
	return used, total
}

// storeForecast is a store's forecast; a store that has only FullAt (a
// backend without history) is filling at that date.
func storeForecast(s *model.Store) model.Forecast {
	f := s.Forecast
	if f.State != model.ForecastFilling && s.FullAt != nil {
		f = model.Forecast{State: model.ForecastFilling, FullAt: s.FullAt}
	}
	return f
}

// soonestForecast is the forecast of a drive's store that fills first; when
// none fills, "not filling" if any store says so, else "not enough history".
func soonestForecast(stores []*model.Store) model.Forecast {
	var best model.Forecast
	found := false
	for _, s := range stores {
		if !s.Online {
			continue
		}
		f := storeForecast(s)
		switch {
		case !found:
			best, found = f, true
		case f.State == model.ForecastFilling && f.FullAt != nil:
			if best.State != model.ForecastFilling || best.FullAt == nil || f.FullAt.Before(*best.FullAt) {
				best = f
			}
		case f.State == model.ForecastNotFilling && best.State == model.ForecastNotEnough:
			best = f
		}
	}
	return best
}

// healthWord is a drive's verdict as a word: passed, warning, failed, unknown.
func healthWord(h model.Health) string {
	if h == "" {
		return string(model.HealthUnknown)
	}
	return string(h)
}

// driveState says in words what keeps a drive from being read now:
// "asleep · read 3 h ago", "not plugged in"; "" for an awake drive.
func driveState(d *model.Drive, now time.Time) string {
	switch {
	case !d.Present && !d.Asleep:
		return "not plugged in"
	case d.Asleep:
		if d.Reading == nil || d.Reading.At.IsZero() {
			return "asleep · never read"
		}
		return "asleep · read " + model.HumanAge(now.Sub(d.Reading.At)) + " ago"
	}
	return ""
}

// findDrive finds a drive by id or serial.
func findDrive(p *model.Posture, id string) *model.Drive {
	if p == nil {
		return nil
	}
	for i := range p.Drives {
		dr := &p.Drives[i]
		if dr.ID == id || dr.Serial == id {
			return dr
		}
	}
	return nil
}
