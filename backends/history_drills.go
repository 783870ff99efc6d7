package backends

import (
	"context"

	"github.com/backdeck/backdeck/model"
)

// drillsKept is how many drills of a target the posture carries: the
// newest passing one is what is rated, the others show what came after.
const drillsKept = 5

// attachDrills gives the PVE guests their recorded restore drills (one
// query for all of them).
func attachDrills(ctx context.Context, h History, targets []model.Target) error {
	var ids []string
	for _, t := range targets {
		if t.Source == model.SourceProxmox && (t.Kind == model.KindVM || t.Kind == model.KindLXC) {
			ids = append(ids, t.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	drills, err := h.Drills(ctx, ids, drillsKept)
	if err != nil {
		return err
	}
	for i := range targets {
		if d, ok := drills[targets[i].ID]; ok {
			targets[i].Drills = d
		}
	}
	return nil
}
