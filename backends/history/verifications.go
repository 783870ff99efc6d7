package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// RecordVerification keeps the result of checking a restore point. Every
// check is kept: the newest is the point's "verified" state, the older ones
// say since when it has been whole.
func (d *DB) RecordVerification(ctx context.Context, point string, v model.Verification) error {
	if point == "" {
		return errors.New("history: a verification without a restore point cannot be recorded")
	}
	problems := v.Problems
	if problems == nil {
		problems = []string{}
	}
	b, err := json.Marshal(problems)
	if err != nil {
		return err
	}
	ok := 0
	if v.OK {
		ok = 1
	}
	_, err = d.write(ctx, func(tx *sql.Tx) (bool, error) {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO verifications (point, at, level, ok, problems) VALUES (?, ?, ?, ?, ?)`,
			point, millis(v.At), v.Level, ok, string(b))
		return err == nil, err
	})
	return err
}

// Verifications returns the newest verification of each of the points that
// has one.
func (d *DB) Verifications(ctx context.Context, points []string) (map[string]model.Verification, error) {
	out := map[string]model.Verification{}
	if len(points) == 0 {
		return out, nil
	}
	// One query for all points: the console asks on every refresh.
	args := make([]any, len(points))
	for i, p := range points {
		args[i] = p
	}
	q := `SELECT v.point, v.at, v.level, v.ok, v.problems FROM verifications v
	      WHERE v.point IN (?` + strings.Repeat(", ?", len(points)-1) + `)
	        AND v.rowid = (SELECT w.rowid FROM verifications w WHERE w.point = v.point
	                       ORDER BY w.at DESC, w.rowid DESC LIMIT 1)`
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, d.wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			point, problems string
			at              sql.NullInt64
			v               model.Verification
			ok              int
		)
		if err := rows.Scan(&point, &at, &v.Level, &ok, &problems); err != nil {
			return nil, d.wrap(err)
		}
		v.At, v.OK = fromMillis(at), ok == 1
		if err := json.Unmarshal([]byte(problems), &v.Problems); err != nil {
			return nil, d.wrap(err)
		}
		if len(v.Problems) == 0 {
			v.Problems = nil
		}
		out[point] = v
	}
	return out, d.wrap(rows.Err())
}
