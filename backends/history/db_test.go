package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// openTemp opens a fresh database in the test's temporary directory.
func openTemp(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "backdeck", "history.db")
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, path
}

func TestDefaultPath(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/a"}, "/x/state/backdeck/history.db"},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.local/state/backdeck/history.db"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/a"}, "/home/a/.local/state/backdeck/history.db"},
		{map[string]string{}, ""},
	}
	for _, c := range cases {
		if got := DefaultPath(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %q, want %q", c.env, got, c.want)
		}
	}
}

func TestOpenCreatesPrivateFileInWALMode(t *testing.T) {
	d, path := openTemp(t)
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("directory: %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file: %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	var mode string
	if err := d.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q, %v; want wal", mode, err)
	}
	if v, err := d.version(context.Background()); err != nil || v != len(migrations()) {
		t.Errorf("user_version %d, %v; want %d", v, err, len(migrations()))
	}
	if _, err := Open(context.Background(), ""); err == nil {
		t.Error("Open with no path succeeded")
	}
}

// Spaces, '?', '#' and '%' in the path must not be read as URI syntax.
func TestOddPath(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "my state?x=1#frag", "100% history.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.RecordUsage(ctx, "s", time.UnixMilli(1), 1, 2, 0); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("the rows are not in %s: %v", path, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files beside the database after close: %v", entries)
	}
}

func TestSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	d, path := openTemp(t)
	at := time.UnixMilli(1_790_000_000_000)
	if _, err := d.RecordUsage(ctx, "pve/local", at, 10, 100, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	got, err := d2.Usage(ctx, "pve/local", time.Time{})
	if err != nil || len(got) != 1 || !got[0].At.Equal(at) || got[0].Used != 10 {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	// The schema is not run twice.
	if v, err := d2.version(ctx); err != nil || v != len(migrations()) {
		t.Errorf("user_version %d, %v", v, err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	d, path := openTemp(t)
	if _, err := d.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations())+1)); err != nil {
		t.Fatal(err)
	}
	d.Close()
	_, err := Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "newer backdeck") {
		t.Fatalf("Open = %v, want a newer-schema error naming the file", err)
	}
}

func TestDamagedFile(t *testing.T) {
	ctx := context.Background()
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "history.db")
		garbage := []byte(strings.Repeat("this is not a database, just some text\n", 300))
		if err := os.WriteFile(path, garbage, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := Open(ctx, path)
		if err == nil {
			d.Close()
			t.Fatal("Open of garbage succeeded")
		}
		assertDamaged(t, err, path)
	})
	t.Run("malformed", func(t *testing.T) {
		d, path := openTemp(t)
		for i := range 2000 {
			if _, err := d.RecordUsage(ctx, "s", time.UnixMilli(int64(i)), int64(i), 1<<40, 0); err != nil {
				t.Fatal(err)
			}
		}
		d.Close()
		// Keep the header page, scribble over every page after it.
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := 4096; i < len(b); i++ {
			b[i] = byte(i * 7)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err = Open(ctx, path)
		if err == nil {
			defer d.Close()
			_, err = d.Usage(ctx, "s", time.Time{})
		}
		if err == nil {
			t.Fatal("a malformed database read without error")
		}
		assertDamaged(t, err, path)
	})
}

func assertDamaged(t *testing.T, err error, path string) {
	t.Helper()
	t.Logf("damaged error: %v", err)
	if !errors.Is(err, ErrDamaged) {
		t.Errorf("error %q is not ErrDamaged", err)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "move it away") {
		t.Errorf("error %q does not name the file and what to do", msg)
	}
}

// lockedFor bounds how long a locked database may hold a call: the busy
// timeout plus slack for a slow (race-instrumented) run. It guards against a
// hang, it is not a timing test.
const lockedFor = busyTimeout + 2*time.Second

func TestLocked(t *testing.T) {
	ctx := context.Background()
	t.Run("write while another holds the write lock", func(t *testing.T) {
		d, path := openTemp(t)
		d.Close()
		release := holdExclusive(t, path, false)
		defer release()

		start := time.Now()
		d, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open of an up-to-date WAL file must not need the lock: %v", err)
		}
		defer d.Close()
		_, err = d.RecordUsage(ctx, "s", time.Now(), 1, 2, 0)
		assertLocked(t, err, path, time.Since(start))
		// Readers still read in WAL mode.
		if _, err := d.Usage(ctx, "s", time.Time{}); err != nil {
			t.Errorf("read while locked: %v", err)
		}
		release()
		if _, err := d.RecordUsage(ctx, "s", time.Now(), 1, 2, 0); err != nil {
			t.Errorf("write after the lock went: %v", err)
		}
	})
	t.Run("open a new file another holds", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "history.db")
		release := holdExclusive(t, path, true)
		defer release()
		start := time.Now()
		d, err := Open(ctx, path)
		if err == nil {
			d.Close()
			t.Fatal("Open of an exclusively locked file succeeded")
		}
		assertLocked(t, err, path, time.Since(start))
	})
}

// holdExclusive opens path with a plain connection and holds BEGIN
// EXCLUSIVE on it until release. fresh makes it a rollback-journal file with
// a pending write, which shuts out readers too.
func holdExclusive(t *testing.T, path string, fresh bool) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"BEGIN EXCLUSIVE"}
	if fresh {
		stmts = []string{"CREATE TABLE other (x)", "BEGIN EXCLUSIVE", "INSERT INTO other VALUES (1)"}
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			other.Close()
		})
	}
}

func assertLocked(t *testing.T, err error, path string, took time.Duration) {
	t.Helper()
	if !errors.Is(err, ErrLocked) {
		t.Errorf("error %v is not ErrLocked", err)
	}
	if err != nil && (!strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "locked")) {
		t.Errorf("error %q does not name the file and say locked", err)
	}
	if took > lockedFor {
		t.Errorf("a locked database held the call for %v (busy timeout %v)", took, busyTimeout)
	}
	t.Logf("locked error after %v: %v", took.Round(10*time.Millisecond), err)
}

// Several goroutines write and read at once: database/sql and the single
// connection serialise them; -race checks the rest.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	const writers, each = 6, 40
	base := time.UnixMilli(1_790_000_000_000)
	var wg sync.WaitGroup
	errs := make(chan error, writers*2)
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			store := fmt.Sprintf("store%d", w)
			for i := range each {
				if _, err := d.RecordUsage(ctx, store, base.Add(time.Duration(i)*time.Minute), int64(i), 100, time.Minute); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range each {
				if _, err := d.Usage(ctx, fmt.Sprintf("store%d", w), time.Time{}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := range writers {
		got, err := d.Usage(ctx, fmt.Sprintf("store%d", w), time.Time{})
		if err != nil || len(got) != each {
			t.Errorf("store%d: %d rows, %v; want %d", w, len(got), err, each)
		}
	}
}
