package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/backdeck/backdeck/model"
)

// RecordVerification keeps the result of checking a restore point, with the
// stamp the point had when it was checked. Every check is kept: the point's
// verdict comes from all of them (model.VerificationVerdict).
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
			`INSERT INTO verifications (point, at, level, ok, problems, stamp) VALUES (?, ?, ?, ?, ?, ?)`,
			point, millis(v.At), v.Level, ok, string(b), v.Stamp)
		return err == nil, err
	})
	return err
}

// Checks returns every recorded check of each of the points that has one,
// oldest first.
func (d *DB) Checks(ctx context.Context, points []string) (map[string][]model.Verification, error) {
	out := map[string][]model.Verification{}
	if len(points) == 0 {
		return out, nil
	}
	// One query for all points: the console asks on every refresh.
	args := make([]any, len(points))
	for i, p := range points {
		args[i] = p
	}
	q := `SELECT point, at, level, ok, problems, stamp FROM verifications
	      WHERE point IN (?` + strings.Repeat(", ?", len(points)-1) + `)
	      ORDER BY point, at, rowid`
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
		if err := rows.Scan(&point, &at, &v.Level, &ok, &problems, &v.Stamp); err != nil {
			return nil, d.wrap(err)
		}
		v.At, v.OK = fromMillis(at), ok == 1
		if err := json.Unmarshal([]byte(problems), &v.Problems); err != nil {
			return nil, d.wrap(err)
		}
		if len(v.Problems) == 0 {
			v.Problems = nil
		}
		out[point] = append(out[point], v)
	}
	return out, d.wrap(rows.Err())
}

// Verifications returns the verdict of each of the points that has one,
// for callers that do not know the points' stamps: every check counts (see
// model.VerificationVerdict).
func (d *DB) Verifications(ctx context.Context, points []string) (map[string]model.Verification, error) {
	checks, err := d.Checks(ctx, points)
	if err != nil {
		return nil, err
	}
	out := make(map[string]model.Verification, len(checks))
	for p, cs := range checks {
		if v := model.VerificationVerdict(cs, ""); v != nil {
			out[p] = *v
		}
	}
	return out, nil
}
