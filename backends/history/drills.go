package history

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/backdeck/backdeck/model"
)

// DrillRecord is a restore drill as the history keeps it: the result
// (model.Drill) and what finding its leftovers needs.
type DrillRecord struct {
	ID      string
	Target  string
	Point   string
	Node    string
	Scratch int // the scratch guest's VMID; 0 before one is chosen
	Started time.Time
	// Ended is zero while the drill runs, or when it was cut short.
	Ended   time.Time
	Result  model.Drill
	Cleaned bool // its scratch guest is gone
}

// BeginDrill records a drill before it touches anything.
func (d *DB) BeginDrill(ctx context.Context, r DrillRecord) error {
	if r.ID == "" || r.Target == "" {
		return errors.New("history: a drill needs an id and a target")
	}
	_, err := d.write(ctx, func(tx *sql.Tx) (bool, error) {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO drills (id, target, point, node, scratch, started) VALUES (?, ?, ?, ?, ?, ?)`,
			r.ID, r.Target, r.Point, r.Node, r.Scratch, millis(r.Started))
		return err == nil, err
	})
	return err
}

// DrillScratch records the scratch guest a drill is about to create.
func (d *DB) DrillScratch(ctx context.Context, id, node string, vmid int) error {
	return d.updateDrill(ctx, `UPDATE drills SET node = ?, scratch = ? WHERE id = ?`, node, vmid, id)
}

// EndDrill records how a drill ended and whether its scratch guest is gone.
func (d *DB) EndDrill(ctx context.Context, id string, result model.Drill, cleaned bool) error {
	return d.updateDrill(ctx, `UPDATE drills SET ended = ?, ok = ?, step = ?, note = ?, cleaned = ? WHERE id = ?`,
		millis(result.At), boolInt(result.OK), result.Step, result.Note, boolInt(cleaned), id)
}

// DrillCleaned records that a drill's scratch guest is gone; a drill cut
// short ends there, failed at the step it was at.
func (d *DB) DrillCleaned(ctx context.Context, id string, at time.Time, note string) error {
	return d.updateDrill(ctx,
		`UPDATE drills SET cleaned = 1,
		   note = CASE WHEN ended IS NULL THEN ? ELSE note END,
		   step = CASE WHEN ended IS NULL AND step = '' THEN 'interrupted' ELSE step END,
		   ended = COALESCE(ended, ?)
		 WHERE id = ?`, note, millis(at), id)
}

func (d *DB) updateDrill(ctx context.Context, q string, args ...any) error {
	_, err := d.write(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return false, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return false, errors.New("history: no such drill")
		}
		return true, nil
	})
	return err
}

// OpenDrills lists the drills whose scratch guest may still exist: not
// ended, or ended without their cleanup, oldest first.
func (d *DB) OpenDrills(ctx context.Context) ([]DrillRecord, error) {
	return d.drillRows(ctx, `SELECT id, target, point, node, scratch, started, ended, ok, step, note, cleaned
		FROM drills WHERE cleaned = 0 ORDER BY started, rowid`)
}

// Drills returns the ended drills of each target, newest first, at most
// perTarget of each (≤ 0: all).
func (d *DB) Drills(ctx context.Context, targets []string, perTarget int) (map[string][]model.Drill, error) {
	out := map[string][]model.Drill{}
	if len(targets) == 0 {
		return out, nil
	}
	args := make([]any, len(targets))
	for i, t := range targets {
		args[i] = t
	}
	rows, err := d.drillRows(ctx, `SELECT id, target, point, node, scratch, started, ended, ok, step, note, cleaned
		FROM drills WHERE ended IS NOT NULL AND target IN (?`+strings.Repeat(", ?", len(targets)-1)+`)
		ORDER BY target, ended DESC, rowid DESC`, args...)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if perTarget <= 0 || len(out[r.Target]) < perTarget {
			out[r.Target] = append(out[r.Target], r.Result)
		}
	}
	return out, nil
}

func (d *DB) drillRows(ctx context.Context, q string, args ...any) ([]DrillRecord, error) {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, d.wrap(err)
	}
	defer rows.Close()
	var out []DrillRecord
	for rows.Next() {
		var (
			r              DrillRecord
			started, ended sql.NullInt64
			ok, cleaned    int
		)
		if err := rows.Scan(&r.ID, &r.Target, &r.Point, &r.Node, &r.Scratch, &started, &ended, &ok, &r.Result.Step, &r.Result.Note, &cleaned); err != nil {
			return nil, d.wrap(err)
		}
		r.Started, r.Ended = fromMillis(started), fromMillis(ended)
		r.Result.At, r.Result.Point, r.Result.OK = r.Ended, r.Point, ok == 1
		r.Cleaned = cleaned == 1
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, d.wrap(err)
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
