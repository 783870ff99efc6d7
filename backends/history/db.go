// Package history is the console's small database: store usage samples,
// SMART readings and jobs over time, for trends (the date a drive fills, a
// growing reallocated-sector count) and for re-attaching to running jobs.
//
// It is one SQLite file in WAL mode, through modernc.org/sqlite (pure Go).
// Times are stored as unix milliseconds (UTC by definition); every write is
// one transaction.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeout bounds how long a statement waits for another process's lock
// before it fails with ErrLocked: long enough to ride out another console's
// write, short enough that a stuck lock never freezes this one.
const busyTimeout = 2 * time.Second

// openTimeout bounds Open as a whole: it runs a few statements, each of
// which could wait busyTimeout, and the lock error promises busyTimeout.
const openTimeout = busyTimeout

// DB is the history database. It is safe for use by several goroutines.
type DB struct {
	db   *sql.DB
	path string
}

// DefaultPath is $XDG_STATE_HOME/backdeck/history.db, else
// ~/.local/state/backdeck/history.db; "" when neither variable is set.
// A relative XDG_STATE_HOME is ignored, as the XDG spec asks.
func DefaultPath(getenv func(string) string) string {
	if dir := getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "backdeck", "history.db")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "state", "backdeck", "history.db")
	}
	return ""
}

// Open opens the database at path, creating its directory (0700) and the
// file (0600) when missing, and brings the schema up to date. A damaged file
// fails with ErrDamaged and a locked one with ErrLocked, each in words that
// name the file; Open gives up within openTimeout whatever ctx allows.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("history database: no path (neither XDG_STATE_HOME nor HOME is set)")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("history database %s: %w", path, err)
	}
	// Create the file here so that it is private: SQLite would make it 0644.
	// An empty file is a valid empty database.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("history database %s: %w", path, err)
	}
	f.Close()

	// Per-connection settings go in the DSN so that any connection the pool
	// opens again gets them. synchronous=NORMAL in WAL mode loses no
	// committed transaction when the process dies, only on power loss, and
	// never corrupts. _txlock=immediate makes every transaction take the
	// write lock at BEGIN, so a check-then-insert cannot race another
	// process and a lock conflict shows at BEGIN, not halfway.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()

	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("history database %s: %w", path, err)
	}
	// One connection: writes are serialised in this process (SQLite allows
	// one writer anyway) and reads are short. Simple, and race-free.
	sdb.SetMaxOpenConns(1)
	d := &DB{db: sdb, path: path}
	octx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := d.setup(octx); err != nil {
		sdb.Close()
		if octx.Err() != nil && ctx.Err() == nil && !errors.Is(err, ErrLocked) {
			return nil, d.locked(err) // our bound, not the caller's, ran out
		}
		return nil, err
	}
	return d, nil
}

func (d *DB) setup(ctx context.Context) error {
	// journal_mode is persistent; WAL lets readers in other processes go on
	// while one writes. Where WAL is impossible SQLite keeps its rollback
	// journal and answers with that mode: still correct, so carry on.
	var mode string
	if err := d.db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return d.wrap(err)
	}
	return d.migrate(ctx)
}

// Path is the file the database lives in.
func (d *DB) Path() string { return d.path }

// Close closes the database; the last connection to close checkpoints the
// WAL into the main file.
func (d *DB) Close() error {
	if err := d.db.Close(); err != nil {
		return d.wrap(err)
	}
	return nil
}

// write runs fn in one transaction and commits it when fn wrote something;
// on any error nothing of it stays.
func (d *DB) write(ctx context.Context, fn func(*sql.Tx) (bool, error)) (bool, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return false, d.wrap(err)
	}
	written, err := fn(tx)
	if err != nil || !written {
		tx.Rollback()
		return false, d.wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return false, d.wrap(err)
	}
	return true, nil
}

// millis is t as unix milliseconds, NULL for the zero time.
func millis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// fromMillis reverses millis.
func fromMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return time.UnixMilli(ms.Int64)
}
