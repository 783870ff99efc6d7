package wire

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/backends/drill"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/model/config"
)

// SourceTimeout is how long one source (the PVE API, the UrBackup server,
// smartctl on the host) may take over one refresh unless a command says
// otherwise: long enough for a host busy with a vzdump to answer over a slow
// link, short enough that a status run from cron ends with what it has.
const SourceTimeout = 20 * time.Second

// DemoJobDuration is how long a simulated vzdump or UrBackup job takes in
// the demo and in backdeck lab: long enough to watch its progress.
const DemoJobDuration = 20 * time.Second

// Options say what to build.
type Options struct {
	// ConfigPath is --config; "" looks at $BACKDECK_CONFIG, then
	// $XDG_CONFIG_HOME/backdeck/config.toml.
	ConfigPath string
	// Demo starts the simulated homelab and builds on its config instead;
	// the demo keeps a history of its own, thrown away by Close.
	Demo bool
	// Getenv reads the environment (secrets named by *_env keys, the
	// config and state directories); nil reads nothing.
	Getenv func(string) string
	// Now is the wall clock every age is measured on.
	Now func() time.Time
	// SourceTimeout bounds one source's refresh; 0 is SourceTimeout.
	SourceTimeout time.Duration
	// Warn receives each warning of the config as soon as it is loaded,
	// before anything else can fail; nil drops them (they stay in
	// Built.Config.Warnings).
	Warn func(string)
	// IsPVEHost tells mode "auto" whether this machine is the PVE host;
	// nil looks for /etc/pve.
	IsPVEHost func() bool
}

// Built is a ready engine with what it was built from.
type Built struct {
	Config *model.Config
	// Engine has every configured source; it is not started.
	Engine *backends.Engine
	// Title names what the console shows: "demo", or the PVE host's address.
	Title string
	// Mode is "host" (the tools run on this machine) or "laptop".
	Mode string
	// Clonezilla is the Clonezilla source; nil without [clonezilla].
	Clonezilla *clonezilla.Source
	// Proxmox is the PVE source; nil without [proxmox]. Restores and
	// drills talk to it directly (next free VMID, configs, destroy).
	Proxmox *proxmox.Client
	// Drills is the PVE source the engine runs: the client, with restore
	// drills as jobs; nil without [proxmox].
	Drills *drill.Runner
	// HistoryPath is the history database of this config (caches live
	// beside it).
	HistoryPath string

	closers []func()
}

// Close releases what Build started, newest first: the history, the demo's
// servers and its directory.
func (b *Built) Close() {
	for i := len(b.closers) - 1; i >= 0; i-- {
		b.closers[i]()
	}
	b.closers = nil
}

// Build loads the config (or starts the demo) and builds the engine.
func Build(ctx context.Context, opts Options) (*Built, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.SourceTimeout <= 0 {
		opts.SourceTimeout = SourceTimeout
	}
	b := &Built{}
	var demo *demoLab
	if opts.Demo {
		d, err := startDemo(ctx, opts.Now)
		if err != nil {
			return nil, err
		}
		b.closers = append(b.closers, d.close)
		demo = d
		b.Config, b.Title, b.HistoryPath = d.cfg, "demo", d.historyPath
	} else {
		path, explicit := config.FindPath(opts.ConfigPath, opts.Getenv)
		if _, err := os.Stat(path); err != nil && errors.Is(err, os.ErrNotExist) {
			if explicit {
				return nil, fmt.Errorf("no config at %s", path)
			}
			return nil, fmt.Errorf("no config at %s.\nTo try backdeck, run: backdeck --demo\nTo set it up, run: backdeck setup (or copy config.toml.example to %s and edit it)", path, path)
		}
		cfg, err := config.Load(ctx, path)
		if err != nil {
			return nil, err
		}
		if opts.Warn != nil {
			for _, w := range cfg.Warnings {
				opts.Warn(w)
			}
		}
		b.Config, b.HistoryPath = cfg, historyPathFor(opts.Getenv, path)
	}
	b.Mode = hostMode(b.Config.Mode, opts.IsPVEHost)
	observers, err := b.buildSources(opts, demo != nil)
	if err != nil {
		b.Close()
		return nil, err
	}
	h := &historyOpener{path: b.HistoryPath, demo: demo, now: opts.Now}
	b.closers = append(b.closers, h.close)
	b.Engine = backends.NewEngine(backends.EngineOptions{Concerns: b.Config.ConcernSpecs(), Backends: observers, Now: opts.Now,
		Interval: b.Config.Refresh.Duration, SourceTimeout: opts.SourceTimeout, OpenHistory: h.open})
	return b, nil
}

// hostMode is where the tools run: mode "host" or "laptop" as configured,
// and for "auto" (or none) the host when this machine is a PVE host.
func hostMode(configured string, isPVEHost func() bool) string {
	if configured != "" && configured != "auto" {
		return configured
	}
	if isPVEHost == nil {
		isPVEHost = func() bool {
			_, err := os.Stat("/etc/pve")
			return err == nil
		}
	}
	if isPVEHost() {
		return "host"
	}
	return "laptop"
}
