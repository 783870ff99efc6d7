package history

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations returns the schema steps: step i takes user_version i to i+1.
// Append only; a released step never changes, since files in the field
// already ran it.
func migrations() []string {
	return []string{
		// 1: usage samples, SMART readings, jobs.
		`CREATE TABLE usage (
			store TEXT    NOT NULL,
			at    INTEGER NOT NULL, -- unix ms
			used  INTEGER NOT NULL,
			total INTEGER NOT NULL
		);
		CREATE INDEX usage_store_at ON usage (store, at);

		CREATE TABLE smart (
			id           INTEGER PRIMARY KEY,
			serial       TEXT    NOT NULL,
			at           INTEGER NOT NULL, -- unix ms
			passed       INTEGER,          -- NULL unknown
			temperature  INTEGER,
			attr5        INTEGER,          -- raw values; NULL when the drive has no such attribute
			attr187      INTEGER,
			attr197      INTEGER,
			attr198      INTEGER,
			media_errors INTEGER,          -- NVMe
			reading      TEXT    NOT NULL  -- the whole model.SMARTReading as JSON
		);
		CREATE INDEX smart_serial_at ON smart (serial, at);

		CREATE TABLE jobs (
			id          TEXT PRIMARY KEY,
			target      TEXT NOT NULL,
			name        TEXT NOT NULL,
			method      TEXT NOT NULL,
			source      TEXT NOT NULL,
			node        TEXT NOT NULL,
			task_id     TEXT NOT NULL,
			storage     TEXT NOT NULL,
			started     INTEGER, -- unix ms, NULL not started
			ended       INTEGER, -- unix ms, NULL not ended
			state       TEXT NOT NULL,
			message     TEXT NOT NULL,
			percent     REAL    NOT NULL, -- -1 unknown, as in model.Progress
			done_bytes  INTEGER NOT NULL,
			total_bytes INTEGER NOT NULL
		);
		CREATE INDEX jobs_started ON jobs (started);`,
		// 2: verifications of restore points (Clonezilla images).
		`CREATE TABLE verifications (
			point    TEXT    NOT NULL, -- the restore point's id: an image's path
			at       INTEGER NOT NULL, -- unix ms
			level    INTEGER NOT NULL,
			ok       INTEGER NOT NULL,
			problems TEXT    NOT NULL  -- JSON array of "file: what is wrong"
		);
		CREATE INDEX verifications_point_at ON verifications (point, at);`,
		// 3: the stamp the point had when it was checked, so that a check
		// of content that changed since is not taken for the content now.
		// Rows from before have none ("").
		`ALTER TABLE verifications ADD COLUMN stamp TEXT NOT NULL DEFAULT '';`,
		// 4: restore drills. A row is written before a drill touches PVE and
		// kept open (ended NULL, or cleaned 0) until its scratch guest is
		// gone, so the next start finds what a quit or crash left behind.
		`CREATE TABLE drills (
			id      TEXT PRIMARY KEY,
			target  TEXT    NOT NULL,
			point   TEXT    NOT NULL, -- the archive's volid
			node    TEXT    NOT NULL DEFAULT '',
			scratch INTEGER NOT NULL DEFAULT 0, -- the scratch guest's VMID; 0 before one is chosen
			started INTEGER NOT NULL, -- unix ms
			ended   INTEGER,          -- unix ms; NULL while it runs (or was cut short)
			ok      INTEGER NOT NULL DEFAULT 0,
			step    TEXT    NOT NULL DEFAULT '',
			note    TEXT    NOT NULL DEFAULT '',
			cleaned INTEGER NOT NULL DEFAULT 0 -- 1 once the scratch guest is gone
		);
		CREATE INDEX drills_target_ended ON drills (target, ended);`,
	}
}

// migrate brings the schema to the newest version. Reading user_version
// needs no write lock, so an up-to-date file opens even while another
// console writes; the steps run in one immediate transaction, so two
// consoles starting together migrate once and a failed step leaves nothing.
func (d *DB) migrate(ctx context.Context) error {
	steps := migrations()
	version, err := d.version(ctx)
	if err != nil {
		return err
	}
	if version == len(steps) {
		return nil
	}
	if version > len(steps) {
		return fmt.Errorf("history database %s was written by a newer backdeck (schema %d, this one knows %d): run that version, or move the file away",
			d.path, version, len(steps))
	}
	_, err = d.write(ctx, func(tx *sql.Tx) (bool, error) {
		// Again under the lock: another process may have migrated meanwhile.
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
			return false, err
		}
		if version >= len(steps) {
			return false, nil
		}
		for i := version; i < len(steps); i++ {
			if _, err := tx.ExecContext(ctx, steps[i]); err != nil {
				return false, fmt.Errorf("schema step %d: %w", i+1, err)
			}
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(steps)))
		return err == nil, err
	})
	return err
}

func (d *DB) version(ctx context.Context) (int, error) {
	var v int
	if err := d.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, d.wrap(err)
	}
	return v, nil
}
