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

// driveSpace is a drive's space as its row and pane show it: the total is
// the drive's own size (lsblk's or PVE's), the stores on it are parts of
// it, and the used space is what its online stores use, never more than
// the drive.
type driveSpace struct {
	used   int64 // what the drive's online stores use, at most size
	size   int64 // the drive's capacity; 0 when unknown
	parts  int64 // the sizes of its online stores added up
	sized  bool  // an online store on it reported a size
	excess bool  // its stores add up to more than the drive
}

// driveUsage is the space of a drive holding stores (an offline store
// reports zeros, and is left out).
func driveUsage(d *model.Drive, stores []*model.Store) driveSpace {
	sp := driveSpace{size: max(d.Size, 0)}
	for _, s := range stores {
		if s.Online && s.Total > 0 {
			sp.used += max(s.Used, 0)
			sp.parts += s.Total
			sp.sized = true
		}
	}
	if sp.size > 0 {
		sp.excess = sp.parts > sp.size
		sp.used = min(sp.used, sp.size)
	}
	return sp
}

// fraction is used/size, 0 when the size is unknown.
func (sp driveSpace) fraction() float64 {
	if sp.size <= 0 {
		return 0
	}
	return float64(sp.used) / float64(sp.size)
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
