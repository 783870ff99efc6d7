package history

import (
	"context"
	"database/sql"
	"errors"

	"github.com/backdeck/backdeck/model"
)

// RecordJob inserts the job or updates the row with its id: call it on
// start, on each state change and at the end. What is stored is what a
// console needs to list past jobs and to follow a running one again after a
// restart (source, node, task id).
func (d *DB) RecordJob(ctx context.Context, j model.Job) error {
	if j.ID == "" {
		return errors.New("history: a job without an id cannot be recorded")
	}
	_, err := d.write(ctx, func(tx *sql.Tx) (bool, error) {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO jobs (id, target, name, method, source, node, task_id, storage,
			                   started, ended, state, message, percent, done_bytes, total_bytes)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			 ON CONFLICT (id) DO UPDATE SET
			   target = excluded.target, name = excluded.name, method = excluded.method,
			   source = excluded.source, node = excluded.node, task_id = excluded.task_id,
			   storage = excluded.storage, started = excluded.started, ended = excluded.ended,
			   state = excluded.state, message = excluded.message, percent = excluded.percent,
			   done_bytes = excluded.done_bytes, total_bytes = excluded.total_bytes`,
			j.ID, j.Target, j.Name, string(j.Method), string(j.Source), j.Node, j.TaskID, j.Storage,
			millis(j.Started), millis(j.Ended), string(j.State), j.Message,
			j.Progress.Percent, j.Progress.DoneBytes, j.Progress.TotalBytes)
		return err == nil, err
	})
	return err
}

// Jobs is the most recent jobs, newest start first (jobs that never started
// last), at most limit of them; limit ≤ 0 means all. Progress carries the
// stored percent and bytes, the rest unknown.
func (d *DB) Jobs(ctx context.Context, limit int) ([]model.Job, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := d.db.QueryContext(ctx,
		`SELECT id, target, name, method, source, node, task_id, storage,
		        started, ended, state, message, percent, done_bytes, total_bytes
		 FROM jobs ORDER BY COALESCE(started, 0) DESC, rowid DESC LIMIT ?`, limit)
	if err != nil {
		return nil, d.wrap(err)
	}
	defer rows.Close()
	var out []model.Job
	for rows.Next() {
		var (
			j                     model.Job
			method, source, state string
			started, ended        sql.NullInt64
		)
		j.Progress = model.UnknownProgress()
		if err := rows.Scan(&j.ID, &j.Target, &j.Name, &method, &source, &j.Node, &j.TaskID, &j.Storage,
			&started, &ended, &state, &j.Message,
			&j.Progress.Percent, &j.Progress.DoneBytes, &j.Progress.TotalBytes); err != nil {
			return nil, d.wrap(err)
		}
		j.Method, j.Source, j.State = model.Method(method), model.Source(source), model.JobState(state)
		j.Started, j.Ended = fromMillis(started), fromMillis(ended)
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, d.wrap(err)
	}
	return out, nil
}
