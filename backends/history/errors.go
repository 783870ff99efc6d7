package history

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The kinds of failure the console tells apart: both mean "run without
// history", but the words to the operator differ.
var (
	// ErrDamaged: the file is not a SQLite database, or a malformed one.
	ErrDamaged = errors.New("history database damaged")
	// ErrLocked: another process held the database past busyTimeout.
	ErrLocked = errors.New("history database locked")
)

// fileError carries words for the operator and keeps both the kind and the
// driver's error reachable through errors.Is/As.
type fileError struct {
	msg   string
	kind  error
	cause error
}

func (e *fileError) Error() string   { return e.msg }
func (e *fileError) Unwrap() []error { return []error{e.kind, e.cause} }

// wrap turns a driver error into one that names the file and says what to do.
func (d *DB) wrap(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("history database %s: %w", d.path, err)
	}
	switch se.Code() & 0xff { // the primary code; extended codes add detail above
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return &fileError{
			msg:  fmt.Sprintf("history database %s is damaged (%v): move it away and backdeck starts a new one", d.path, err),
			kind: ErrDamaged, cause: err,
		}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return d.locked(err)
	}
	return fmt.Errorf("history database %s: %w", d.path, err)
}

func (d *DB) locked(cause error) error {
	return &fileError{
		msg: fmt.Sprintf("history database %s is locked by another program (another backdeck?) for more than %s: close that one, or wait, and start again",
			d.path, busyTimeout),
		kind: ErrLocked, cause: cause,
	}
}
