package history

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdeck/backdeck/model"
)

// RecordUsage stores one usage sample of a store, unless the store already
// has a sample less than minInterval away from at: the engine refreshes
// every 30 s, the forecast needs far fewer points. written says whether a
// row was added.
//
// "Away" counts both ways, so a clock set back does not open the gate on
// every refresh until it catches up with the newest row. A sample that
// cannot be true (model.UsageSample.Possible) is not written.
func (d *DB) RecordUsage(ctx context.Context, storeID string, at time.Time, used, total int64, minInterval time.Duration) (bool, error) {
	if !(model.UsageSample{At: at, Used: used, Total: total}).Possible() {
		return false, nil
	}
	return d.write(ctx, func(tx *sql.Tx) (bool, error) {
		if minInterval > 0 {
			var near bool
			lo, hi := at.Add(-minInterval).UnixMilli(), at.Add(minInterval).UnixMilli()
			err := tx.QueryRowContext(ctx,
				`SELECT EXISTS (SELECT 1 FROM usage WHERE store = ? AND at > ? AND at < ?)`,
				storeID, lo, hi).Scan(&near)
			if err != nil || near {
				return false, err
			}
		}
		_, err := tx.ExecContext(ctx,
			`INSERT INTO usage (store, at, used, total) VALUES (?, ?, ?, ?)`,
			storeID, at.UnixMilli(), used, total)
		return err == nil, err
	})
}

// Usage is the store's samples taken at or after since, oldest first.
func (d *DB) Usage(ctx context.Context, storeID string, since time.Time) ([]model.UsageSample, error) {
	rows, err := d.db.QueryContext(ctx,
		`SELECT at, used, total FROM usage WHERE store = ? AND at >= ? ORDER BY at`,
		storeID, since.UnixMilli())
	if err != nil {
		return nil, d.wrap(err)
	}
	defer rows.Close()
	var out []model.UsageSample
	for rows.Next() {
		var at int64
		var s model.UsageSample
		if err := rows.Scan(&at, &s.Used, &s.Total); err != nil {
			return nil, d.wrap(err)
		}
		s.At = time.UnixMilli(at)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, d.wrap(err)
	}
	return out, nil
}

// UsageRecord is one store's usage at one time, for SeedUsage.
type UsageRecord struct {
	StoreID     string
	At          time.Time
	Used, Total int64
}

// SeedUsage writes many samples in one transaction (the demo's invented
// past: one transaction a sample cost seconds under load, and the engine
// gives the history 5 s to open). Impossible samples are left out, as
// RecordUsage leaves them.
func (d *DB) SeedUsage(ctx context.Context, records []UsageRecord) error {
	_, err := d.write(ctx, func(tx *sql.Tx) (bool, error) {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO usage (store, at, used, total) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return false, err
		}
		defer stmt.Close()
		for _, r := range records {
			if !(model.UsageSample{At: r.At, Used: r.Used, Total: r.Total}).Possible() {
				continue
			}
			if _, err := stmt.ExecContext(ctx, r.StoreID, r.At.UnixMilli(), r.Used, r.Total); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	return err
}
