package wire

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/lab"
	"github.com/backdeck/backdeck/backends/smart"
	"github.com/backdeck/backdeck/model/config"
)

// historyOpener opens the history when the engine first needs it (in a
// goroutine of the engine's: a slow file never holds the console up). The
// demo's is seeded with the lab's invented past.
type historyOpener struct {
	path string
	demo *demoLab // nil outside the demo
	now  func() time.Time

	mu sync.Mutex // the engine opens, Close closes
	db *history.DB
}

func (h *historyOpener) open(ctx context.Context) (backends.History, error) {
	db, err := history.Open(ctx, h.path)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.db = db
	h.mu.Unlock()
	if h.demo == nil {
		return db, nil
	}
	var past []history.UsageRecord
	for _, r := range h.demo.homelab.PVE.UsageHistory(120) {
		past = append(past, history.UsageRecord{StoreID: r.StoreID, At: r.At, Used: r.Used, Total: r.Total})
	}
	if err := db.SeedUsage(ctx, past); err != nil {
		return nil, err
	}
	// The demo's sleeping drive was last read awake three hours ago.
	serial, data, err := lab.SleepingDriveReading()
	if err != nil {
		return nil, err
	}
	r, err := smart.ParseSmartctl(data, 0, h.now().Add(-3*time.Hour))
	if err != nil {
		return nil, err
	}
	if _, err := db.RecordSMART(ctx, serial, r, 0); err != nil {
		return nil, err
	}
	return db, nil
}

func (h *historyOpener) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.db != nil {
		h.db.Close()
	}
}

// HistoryPath is where the history of the config at configPath lives, as
// Build chooses it (backdeck doctor checks that file).
func HistoryPath(getenv func(string) string, configPath string) string {
	return historyPathFor(getenv, configPath)
}

// historyPathFor is where the history (and the caches beside it) of the
// config at configPath live: the state directory for the config found by
// default, and a directory of its own under state/configs/ for any other, so
// that what one config saw (a lab's images, its guests' jobs) never shows
// under another. A note in that directory names the config it belongs to.
func historyPathFor(getenv func(string) string, configPath string) string {
	def := history.DefaultPath(getenv)
	if def == "" || configPath == "" {
		return def
	}
	defaultConfig, _ := config.FindPath("", func(k string) string {
		if k == "BACKDECK_CONFIG" {
			return ""
		}
		return getenv(k)
	})
	abs, err := filepath.Abs(configPath)
	if err != nil {
		return def
	}
	if d, err := filepath.Abs(defaultConfig); err == nil && d == abs {
		return def
	}
	sum := sha256.Sum256([]byte(abs))
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, filepath.Base(filepath.Dir(abs)))
	dir := filepath.Join(filepath.Dir(def), "configs", fmt.Sprintf("%.24s-%x", name, sum[:6]))
	if err := os.MkdirAll(dir, 0o700); err == nil {
		// Best effort: the note only helps a person looking at the directory.
		_ = os.WriteFile(filepath.Join(dir, "config-path"), []byte(abs+"\n"), 0o600)
	}
	return filepath.Join(dir, filepath.Base(def))
}
