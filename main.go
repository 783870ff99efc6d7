// Command backdeck is a terminal console for the backups of a small Proxmox
// VE homelab. This file holds the CLI: flags, subcommands and wiring only.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/hoststore"
	"github.com/backdeck/backdeck/backends/lab"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/backends/secret"
	"github.com/backdeck/backdeck/backends/smart"
	"github.com/backdeck/backdeck/backends/urbackup"
	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes of the headless commands besides status's 0–3.
const (
	exitUsage = 64 // bad flags or arguments
	exitSetup = 78 // no usable config
)

const usage = `backdeck — a terminal console for the backups of a Proxmox VE homelab

Usage:
  backdeck [--config PATH] [--ascii]        the dashboard
  backdeck --demo                           the dashboard on the built-in simulated homelab
  backdeck status [--json] [--demo]         one-shot posture report; exit 0 ok, 1 warning, 2 critical, 3 unknown
  backdeck run TARGET --method M [--json]   start a job headless (M: vzdump, snapshot, incr-file, full-file); exit 0 only on success
  backdeck lab [--config-out PATH]          run the simulated homelab alone and write a config for it
  backdeck --version

The config is found at --config, else $BACKDECK_CONFIG, else
$XDG_CONFIG_HOME/backdeck/config.toml. See config.toml.example.
Run "backdeck COMMAND --help" for a command's flags.
`

// env is what the commands take from the process, passed explicitly so
// nothing reads globals.
type env struct {
	args   []string
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, env{args: os.Args[1:], stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, e env) int {
	if len(e.args) > 0 {
		switch e.args[0] {
		case "status":
			return cmdStatus(ctx, e, e.args[1:])
		case "run":
			return cmdRun(ctx, e, e.args[1:])
		case "lab":
			return cmdLab(ctx, e, e.args[1:])
		case "setup":
			// Honest until the wizard exists: say how to set up by hand.
			fmt.Fprintln(e.stderr, "backdeck setup: the setup wizard is not built yet. Copy config.toml.example to ~/.config/backdeck/config.toml and edit it (README: \"Point it at your Proxmox host\"), or run backdeck lab to get a config for the simulated homelab.")
			return exitSetup
		case "help":
			fmt.Fprint(e.stdout, usage)
			return 0
		}
	}
	return cmdDashboard(ctx, e, e.args)
}

// commonFlags are the flags every command takes.
type commonFlags struct {
	config string
	demo   bool
	ascii  bool
}

func newFlagSet(e env, name, help string, cf *commonFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, help); fs.PrintDefaults() }
	fs.StringVar(&cf.config, "config", "", "config file (default $BACKDECK_CONFIG or $XDG_CONFIG_HOME/backdeck/config.toml)")
	fs.BoolVar(&cf.demo, "demo", false, "use the built-in simulated homelab; needs nothing else")
	fs.BoolVar(&cf.ascii, "ascii", false, "ASCII glyphs instead of ✓ ! ✗")
	return fs
}

// parse parses flags, with interspersed positional arguments allowed
// ("run pve/qemu/421 --method vzdump").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func cmdDashboard(ctx context.Context, e env, args []string) int {
	var cf commonFlags
	fs := newFlagSet(e, "backdeck", usage, &cf)
	showVersion := fs.Bool("version", false, "print the version")
	rest, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if *showVersion {
		fmt.Fprintln(e.stdout, "backdeck", version)
		return 0
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "backdeck: unknown command %q\n\n%s", rest[0], usage)
		return exitUsage
	}
	w, err := wire(ctx, e, cf, 20*time.Second)
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck:", err)
		return exitSetup
	}
	defer w.close()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.engine.Run(runCtx); close(done) }()
	opts := []tea.ProgramOption{tea.WithFPS(30), tea.WithContext(ctx)}
	noColor := e.getenv("NO_COLOR") != ""
	if noColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	m := ui.New(ui.Options{Engine: w.engine, ASCII: cf.ascii || w.cfg.UI.ASCII, NoColor: noColor, Title: w.title})
	_, err = tea.NewProgram(m, opts...).Run()
	cancel()
	<-done
	if err != nil && !errors.Is(err, tea.ErrInterrupted) && !errors.Is(err, context.Canceled) && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintln(e.stderr, "backdeck:", err)
		return 1
	}
	return 0
}

func cmdStatus(ctx context.Context, e env, args []string) int {
	var cf commonFlags
	fs := newFlagSet(e, "status", "Usage: backdeck status [--json] [--demo] [--config PATH]\n\nOne-shot posture report; exit 0 ok, 1 warning, 2 critical, 3 unknown.\n", &cf)
	asJSON := fs.Bool("json", false, "print one JSON object (keys as in DESIGN.md)")
	timeout := fs.Duration("timeout", 20*time.Second, "how long each source may take")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	w, err := wire(ctx, e, cf, *timeout)
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck:", err)
		return model.StatusUnknown.ExitCode()
	}
	defer w.close()
	p := w.engine.RefreshNow(ctx)
	rctx, cancel := context.WithTimeout(ctx, *timeout)
	w.engine.Reattach(rctx) // running jobs belong in the report
	cancel()
	p = w.engine.Posture()
	report := model.NewReport(p)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			fmt.Fprintln(e.stderr, "backdeck:", err)
		}
	} else {
		fmt.Fprint(e.stdout, report.Text(cf.ascii || w.cfg.UI.ASCII))
	}
	return p.Overall.ExitCode()
}

func cmdRun(ctx context.Context, e env, args []string) int {
	var cf commonFlags
	fs := newFlagSet(e, "run", "Usage: backdeck run TARGET --method vzdump|snapshot|incr-file|full-file [flags]\n\nStarts a job on the server and prints one line per progress change; exit 0 only when it succeeds.\nTARGET is a target id such as pve/qemu/421 (see backdeck status).\n", &cf)
	method := fs.String("method", "", "vzdump or snapshot (guests); incr-file, full-file, incr-image or full-image (UrBackup clients)")
	asJSON := fs.Bool("json", false, "one JSON object per line: state, percent, done_bytes, total_bytes, bytes_per_second, eta_seconds, message")
	storage := fs.String("storage", "", "vzdump: the storage to write to (default: config, then the cluster job's, then the only online one)")
	mode := fs.String("mode", "", "vzdump: snapshot, suspend or stop")
	protected := fs.Bool("protected", false, "vzdump: mark the backup protected")
	notes := fs.String("notes", "", "vzdump: notes template, e.g. {{guestname}}")
	snapName := fs.String("name", "", "snapshot: the snapshot name (default backdeck-YYYYMMDD-HHMM)")
	desc := fs.String("description", "", "snapshot: its description")
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 1 || *method == "" {
		fmt.Fprintln(e.stderr, "backdeck run: give one TARGET and --method, e.g. backdeck run pve/qemu/421 --method vzdump, or backdeck run urbackup/k3sagent01 --method incr-file")
		return exitUsage
	}
	req := model.JobRequest{Target: pos[0], Method: model.Method(*method), Storage: *storage, Mode: *mode, Notes: *notes,
		Snapshot: *snapName, Description: *desc}
	switch req.Method {
	case model.MethodVzdump, model.MethodIncrFile, model.MethodFullFile, model.MethodIncrImage, model.MethodFullImage:
	case model.MethodSnapshot:
		if req.Snapshot == "" {
			req.Snapshot = "backdeck-" + time.Now().Format("20060102-1504")
		}
	default:
		fmt.Fprintf(e.stderr, "backdeck run: unknown method %q: use vzdump or snapshot for guests, incr-file or full-file (incr-image, full-image) for UrBackup clients; rollback and delete are in the dashboard, behind a confirmation\n", *method)
		return exitUsage
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "protected" {
			req.Protected = protected
		}
	})
	w, err := wire(ctx, e, cf, 20*time.Second)
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck:", err)
		return exitSetup
	}
	defer w.close()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { w.engine.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()

	job, err := w.engine.Start(ctx, req)
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck run:", err)
		return 2
	}
	printer := jobPrinter{out: e.stdout, json: *asJSON}
	printer.print(job)
	for !job.State.Terminal() {
		select {
		case <-ctx.Done():
			fmt.Fprintf(e.stderr, "backdeck run: interrupted; the job goes on on the server (task %s). Stop it from the dashboard (x).\n", job.TaskID)
			return 130
		case ev := <-w.engine.Events():
			if je, ok := ev.(model.JobEvent); ok && je.Job.ID == job.ID {
				job = je.Job
				printer.print(job)
			}
		}
	}
	if job.State.Succeeded() {
		return 0
	}
	return 2
}

// jobPrinter prints a job's line only when it changed.
type jobPrinter struct {
	out  io.Writer
	json bool
	last string
}

func (p *jobPrinter) print(j model.Job) {
	line := model.NewJobLine(j)
	var s string
	if p.json {
		b, _ := json.Marshal(line)
		s = string(b)
	} else {
		s = line.Text()
	}
	if s != p.last {
		fmt.Fprintln(p.out, s)
		p.last = s
	}
}

func cmdLab(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("lab", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: backdeck lab [--config-out PATH]\n\nRuns the simulated homelab's servers on 127.0.0.1 until interrupted, prints their URLs,\nand writes a ready config (and its secret file, mode 600) for them.\n")
		fs.PrintDefaults()
	}
	out := fs.String("config-out", "backdeck-lab/config.toml", "where to write the config; its secret files go beside it")
	duration := fs.Duration("backup-duration", 20*time.Second, "how long a simulated vzdump takes")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	h, err := lab.StartHomelab(lab.HomelabOptions{
		PVE:      lab.Options{BackupDuration: *duration, AuthFailDelay: 3 * time.Second},
		URBackup: lab.URBackupOptions{BackupDuration: *duration},
	})
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck lab:", err)
		return 1
	}
	defer h.Close()
	dir := filepath.Dir(*out)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fmt.Fprintln(e.stderr, "backdeck lab:", err)
		return 1
	}
	written, err := h.WriteConfig(dir)
	if err == nil && filepath.Clean(written) != filepath.Clean(*out) {
		err = os.Rename(written, *out)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck lab:", err)
		return 1
	}
	p, u := h.PVE, h.URBackup
	fmt.Fprintf(e.stdout, "PVE API       %s/api2/json\n  fingerprint %s\n  token       %s\nUrBackup      %s (behind nginx; the server itself at %s)\n  fingerprint %s\n  user        %s\nconfig        %s\n\nTry: backdeck --config %s\nPress Ctrl+C to stop.\n",
		p.URL(), p.Fingerprint(), p.TokenID(), u.TLSURL(), u.URL(), u.Fingerprint(), u.Username(), *out, *out)
	<-ctx.Done()
	return 0
}

// wired is a ready engine with what built it.
type wired struct {
	cfg    *model.Config
	engine *backends.Engine
	title  string
	close  func()
}

// wire loads the config (or starts the lab for --demo) and builds the engine.
func wire(ctx context.Context, e env, cf commonFlags, sourceTimeout time.Duration) (*wired, error) {
	closers := []func(){}
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	var cfg *model.Config
	title := ""
	// The history lives in the state directory; the demo keeps its own,
	// seeded with the lab's invented past, and throws it away at the end.
	historyPath := history.DefaultPath(e.getenv)
	var seed []lab.UsageRecord
	if cf.demo {
		h, err := lab.StartHomelab(lab.HomelabOptions{
			PVE:      lab.Options{BackupDuration: 20 * time.Second},
			URBackup: lab.URBackupOptions{BackupDuration: 20 * time.Second},
		})
		if err != nil {
			return nil, fmt.Errorf("starting the simulated homelab: %w", err)
		}
		closers = append(closers, func() { h.Close() })
		dir, err := os.MkdirTemp("", "backdeck-demo-")
		if err != nil {
			closeAll()
			return nil, err
		}
		closers = append(closers, func() { os.RemoveAll(dir) })
		path, err := h.WriteConfig(dir)
		if err == nil {
			cfg, err = model.LoadConfig(path)
		}
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("the demo config: %w", err)
		}
		title = "demo"
		historyPath = filepath.Join(dir, "history.db")
		seed = h.PVE.UsageHistory(120)
	} else {
		path, explicit := model.FindConfigPath(cf.config, e.getenv)
		if _, err := os.Stat(path); err != nil && errors.Is(err, os.ErrNotExist) {
			if explicit {
				return nil, fmt.Errorf("no config at %s", path)
			}
			return nil, fmt.Errorf("no config at %s.\nTo try backdeck, run: backdeck --demo\nTo set it up, copy config.toml.example to %s and edit it (README: \"Point it at your Proxmox host\")", path, path)
		}
		var err error
		cfg, err = model.LoadConfig(path)
		if err != nil {
			return nil, err
		}
	}
	var bs []backends.Observer
	var pve *proxmox.Client
	if cfg.Proxmox != nil {
		sec, err := secret.Read("the PVE token secret", cfg.Proxmox.TokenSecretFile, cfg.Proxmox.TokenSecretEnv, e.getenv)
		if err != nil {
			closeAll()
			return nil, err
		}
		c, err := proxmox.New(proxmox.Options{Config: *cfg.Proxmox, Secret: sec})
		if err != nil {
			closeAll()
			return nil, err
		}
		bs = append(bs, c)
		pve = c
		if title == "" {
			title = strings.TrimPrefix(strings.TrimPrefix(cfg.Proxmox.URL, "https://"), "http://")
		}
	}
	// SMART: on the PVE host through smartctl and lsblk ("auto" is the host
	// when /etc/pve exists), on a laptop through the PVE API for the
	// configured drives; the demo reads the lab's fake smartctl.
	mode := cfg.Mode
	if mode == "" || mode == "auto" {
		mode = "laptop"
		if _, err := os.Stat("/etc/pve"); err == nil {
			mode = "host"
		}
	}
	switch {
	case cf.demo:
		bs = append(bs, smart.NewSource(smart.SourceOptions{Mode: "host", Drives: cfg.Drives, Reader: &smart.Reader{Run: lab.SmartctlRunner()}}))
	case mode == "host":
		bs = append(bs, smart.NewSource(smart.SourceOptions{Mode: "host", Drives: cfg.Drives, Reader: &smart.Reader{}}))
	case len(cfg.Drives) > 0 && pve != nil:
		bs = append(bs, smart.NewSource(smart.SourceOptions{Mode: "laptop", Drives: cfg.Drives, PVE: pve}))
	}
	// The host's own stores: its LVM thin pools and the mount points [host] lists.
	if mode == "host" && !cf.demo {
		bs = append(bs, hoststore.New(hoststore.Options{Mounts: cfg.Host.Mounts}))
	}
	if cfg.URBackup != nil {
		pw := ""
		if cfg.URBackup.PasswordFile != "" || cfg.URBackup.PasswordEnv != "" {
			var err error
			pw, err = secret.Read("the UrBackup password", cfg.URBackup.PasswordFile, cfg.URBackup.PasswordEnv, e.getenv)
			if err != nil {
				closeAll()
				return nil, err
			}
		}
		c, err := urbackup.New(urbackup.Options{Config: *cfg.URBackup, Password: pw})
		if err != nil {
			closeAll()
			return nil, err
		}
		bs = append(bs, c)
	}
	var db *history.DB
	closers = append(closers, func() {
		if db != nil {
			db.Close()
		}
	})
	openHistory := func(ctx context.Context) (backends.History, error) {
		var err error
		db, err = history.Open(ctx, historyPath)
		if err != nil {
			return nil, err
		}
		for _, r := range seed {
			if _, err := db.RecordUsage(ctx, r.StoreID, r.At, r.Used, r.Total, 0); err != nil {
				return nil, err
			}
		}
		if cf.demo {
			// The demo's sleeping drive was last read awake three hours ago.
			serial, data, err := lab.SleepingDriveReading()
			if err != nil {
				return nil, err
			}
			r, err := smart.ParseSmartctl(data, 0, time.Now().Add(-3*time.Hour))
			if err != nil {
				return nil, err
			}
			if _, err := db.RecordSMART(ctx, serial, r, 0); err != nil {
				return nil, err
			}
		}
		return db, nil
	}
	eng := backends.NewEngine(backends.EngineOptions{Concerns: cfg.ConcernSpecs(), Backends: bs,
		Interval: cfg.Refresh.Duration, SourceTimeout: sourceTimeout, OpenHistory: openHistory})
	return &wired{cfg: cfg, engine: eng, title: title, close: closeAll}, nil
}

func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return exitUsage
}
