package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/backdeck/backdeck/model"
)

// RecordSMART stores a drive's reading, unless the drive already has one
// less than minInterval away from r.At. The whole reading is kept as JSON,
// so trends can use any figure later; the figures that verdicts and "grew
// since" look at also get columns of their own.
func (d *DB) RecordSMART(ctx context.Context, serial string, r *model.SMARTReading, minInterval time.Duration) (bool, error) {
	if r == nil {
		return false, errors.New("history: no SMART reading to record")
	}
	if r.At.IsZero() {
		return false, fmt.Errorf("history: SMART reading of %s has no time", serial)
	}
	reading, err := json.Marshal(r)
	if err != nil {
		return false, fmt.Errorf("history: SMART reading of %s: %w", serial, err)
	}
	return d.write(ctx, func(tx *sql.Tx) (bool, error) {
		if minInterval > 0 {
			var near bool
			lo, hi := r.At.Add(-minInterval).UnixMilli(), r.At.Add(minInterval).UnixMilli()
			err := tx.QueryRowContext(ctx,
				`SELECT EXISTS (SELECT 1 FROM smart WHERE serial = ? AND at > ? AND at < ?)`,
				serial, lo, hi).Scan(&near)
			if err != nil || near {
				return false, err
			}
		}
		var passed, temp, media sql.NullInt64
		if r.Passed != nil {
			passed = sql.NullInt64{Valid: true}
			if *r.Passed {
				passed.Int64 = 1
			}
		}
		if r.TemperatureC != nil {
			temp = sql.NullInt64{Int64: int64(*r.TemperatureC), Valid: true}
		}
		if r.NVMe != nil {
			media = sql.NullInt64{Int64: r.NVMe.MediaErrors, Valid: true}
		}
		_, err := tx.ExecContext(ctx,
			`INSERT INTO smart (serial, at, passed, temperature, attr5, attr187, attr197, attr198, media_errors, reading)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			serial, r.At.UnixMilli(), passed, temp,
			rawAttr(r, 5), rawAttr(r, 187), rawAttr(r, 197), rawAttr(r, 198),
			media, string(reading))
		return err == nil, err
	})
}

// rawAttr is the raw value of ATA attribute id, NULL when the drive has none.
func rawAttr(r *model.SMARTReading, id int) sql.NullInt64 {
	for _, a := range r.Attributes {
		if a.ID == id {
			return sql.NullInt64{Int64: a.Raw, Valid: true}
		}
	}
	return sql.NullInt64{}
}

// LastSMART is the drive's newest reading taken strictly before before, nil
// when there is none: what "grew since" compares the current reading with.
func (d *DB) LastSMART(ctx context.Context, serial string, before time.Time) (*model.SMARTReading, error) {
	out, err := d.readings(ctx,
		`SELECT reading FROM smart WHERE serial = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1`,
		serial, before.UnixMilli())
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return out[0], nil
}

// SMARTHistory is the drive's readings taken at or after since, oldest first.
func (d *DB) SMARTHistory(ctx context.Context, serial string, since time.Time) ([]*model.SMARTReading, error) {
	return d.readings(ctx,
		`SELECT reading FROM smart WHERE serial = ? AND at >= ? ORDER BY at, id`,
		serial, since.UnixMilli())
}

func (d *DB) readings(ctx context.Context, query string, args ...any) ([]*model.SMARTReading, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, d.wrap(err)
	}
	defer rows.Close()
	var out []*model.SMARTReading
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return nil, d.wrap(err)
		}
		r := new(model.SMARTReading)
		if err := json.Unmarshal([]byte(text), r); err != nil {
			return nil, fmt.Errorf("history database %s: a SMART reading does not decode: %w", d.path, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, d.wrap(err)
	}
	return out, nil
}
