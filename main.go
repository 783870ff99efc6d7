// Command backdeck is a terminal console for the backups of a small Proxmox
// VE homelab. This file holds the CLI: flags, subcommands and wiring only.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/backdeck/backdeck/backends"
	"github.com/backdeck/backdeck/backends/clonezilla"
	"github.com/backdeck/backdeck/backends/history"
	"github.com/backdeck/backdeck/backends/hoststore"
	"github.com/backdeck/backdeck/backends/lab"
	labpve "github.com/backdeck/backdeck/backends/lab/pve"
	laburbackup "github.com/backdeck/backdeck/backends/lab/urbackup"
	"github.com/backdeck/backdeck/backends/proxmox"
	"github.com/backdeck/backdeck/backends/secret"
	"github.com/backdeck/backdeck/backends/smart"
	"github.com/backdeck/backdeck/backends/toolrun"
	"github.com/backdeck/backdeck/backends/urbackup"
	"github.com/backdeck/backdeck/model"
	"github.com/backdeck/backdeck/ui"
	"github.com/backdeck/backdeck/ui/termsafe"
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
  backdeck clonezilla list [--json]         the images of the host's disks, with their verification
  backdeck clonezilla verify IMAGE|--all    prove images whole; exit 0 whole, 1 problems, 2 could not check
  backdeck clonezilla prepare [--out PATH]  preflight and the unattended run for Clonezilla Live
  backdeck clonezilla prune [--remove]      preview (and remove, typing each name) what retention drops
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
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// now is the wall clock every age and date is measured on: time.Now,
	// or the clock BACKDECK_CLOCK starts (the tests run on chosen dates).
	now func() time.Time
	// columns is the terminal's width when stdout is one, else 0.
	columns func() int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	columns := func() int {
		if !term.IsTerminal(os.Stdout.Fd()) {
			return 0
		}
		w, _, err := term.GetSize(os.Stdout.Fd())
		if err != nil {
			return 0
		}
		return w
	}
	code := run(ctx, env{args: os.Args[1:], stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, columns: columns})
	stop()
	os.Exit(code)
}

// run is the CLI. Everything it prints passes through termsafe: names,
// notes, task logs, error reasons and file names come from outside and must
// not act on the terminal.
func run(ctx context.Context, e env) int {
	stdout, stderr := termsafe.NewWriter(e.stdout), termsafe.NewWriter(e.stderr)
	defer stdout.Flush()
	defer stderr.Flush()
	e.stdout, e.stderr = stdout, stderr
	if e.columns == nil {
		e.columns = func() int { return 0 }
	}
	if e.now == nil {
		now, err := clockFromEnv(e.getenv)
		if err != nil {
			fmt.Fprintln(e.stderr, "backdeck:", err)
			return exitUsage
		}
		e.now = now
	}
	return runCommand(ctx, e)
}

func runCommand(ctx context.Context, e env) int {
	if len(e.args) > 0 {
		switch e.args[0] {
		case "status":
			return cmdStatus(ctx, e, e.args[1:])
		case "run":
			return cmdRun(ctx, e, e.args[1:])
		case "lab":
			return cmdLab(ctx, e, e.args[1:])
		case "clonezilla":
			return cmdClonezilla(ctx, e, e.args[1:])
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

// envClock names the variable that starts the wall clock at a chosen
// instant (RFC 3339); time then runs on from it. The tests use it to run on
// the 1st or the 31st of a month whatever today is.
const envClock = "BACKDECK_CLOCK"

// clockFromEnv is time.Now, or the clock envClock starts.
func clockFromEnv(getenv func(string) string) (func() time.Time, error) {
	v := getenv(envClock)
	if v == "" {
		return time.Now, nil
	}
	start, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: not a time; write it as 2026-12-01T08:00:00Z (RFC 3339), or unset it", envClock, v)
	}
	origin := time.Now()
	return func() time.Time { return start.Add(time.Since(origin)) }, nil
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
	m := ui.New(ui.Options{Engine: w.engine, Now: e.now, Warnings: w.cfg.Warnings, ASCII: cf.ascii || w.cfg.UI.ASCII, NoColor: noColor, Title: w.title})
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
	ids := fs.Bool("ids", false, "show each target's id (shown anyway where the terminal is 120 columns or wider)")
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
	w.engine.RefreshNow(ctx)
	rctx, cancel := context.WithTimeout(ctx, *timeout)
	w.engine.Reattach(rctx) // running jobs belong in the report
	cancel()
	p := w.engine.Posture()
	report := model.NewReport(p)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			fmt.Fprintln(e.stderr, "backdeck:", err)
		}
	} else {
		fmt.Fprint(e.stdout, report.Text(model.TextOptions{ASCII: cf.ascii || w.cfg.UI.ASCII, IDs: *ids || e.columns() >= 120}))
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
			req.Snapshot = "backdeck-" + e.now().Format("20060102-1504")
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

	if !strings.Contains(req.Target, "/") {
		// A name or a VMID: find the one target it means.
		w.engine.RefreshNow(ctx)
		id, err := resolveTarget(w.engine.Posture(), req.Target, req.Method)
		if err != nil {
			fmt.Fprintln(e.stderr, "backdeck run:", err)
			return exitUsage
		}
		req.Target = id
	}
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

// resolveTarget finds the target a name or VMID means among the posture's
// targets that can run method: "k3sagent01" is a VM for vzdump and an
// UrBackup client for incr-file.
func resolveTarget(p *model.Posture, arg string, method model.Method) (string, error) {
	vmid, numErr := strconv.Atoi(arg)
	seen := map[string]bool{}
	var found []string
	for _, c := range p.Concerns {
		for _, t := range c.Targets {
			if seen[t.Target.ID] || !slices.Contains(t.Target.Methods, method) {
				continue
			}
			if t.Target.Name == arg || numErr == nil && t.Target.Source == model.SourceProxmox && t.Target.VMID == vmid {
				seen[t.Target.ID] = true
				found = append(found, t.Target.ID)
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("no target named %q takes --method %s: give its id (backdeck status --ids lists them), e.g. pve/qemu/421 or urbackup/k3sagent01", arg, method)
	}
	sort.Strings(found)
	return "", fmt.Errorf("%q names %d targets (%s): give the id of the one you mean", arg, len(found), strings.Join(found, ", "))
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
	nodes := fs.String("nodes", "pve", "the cluster's node names, comma-separated (e.g. alpha,beta): the guests are dealt out over them")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	h, err := lab.StartHomelab(lab.HomelabOptions{
		PVE:      labpve.Options{BackupDuration: *duration, AuthFailDelay: 3 * time.Second, Now: e.now, Nodes: strings.Split(*nodes, ",")},
		URBackup: laburbackup.Options{BackupDuration: *duration},
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
	// cz is the Clonezilla source when [clonezilla] is configured.
	cz          *clonezilla.Source
	historyPath string
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
	// The history lives in the state directory, in a place of the config's
	// own; the demo keeps its own, seeded with the lab's invented past, and
	// throws it away at the end.
	var historyPath string
	var seed []lab.UsageRecord
	if cf.demo {
		h, err := lab.StartHomelab(lab.HomelabOptions{
			PVE:      labpve.Options{BackupDuration: 20 * time.Second, Now: e.now},
			URBackup: laburbackup.Options{BackupDuration: 20 * time.Second},
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
			cfg, err = model.LoadConfig(ctx, path)
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
		cfg, err = model.LoadConfig(ctx, path)
		if err != nil {
			return nil, err
		}
		for _, w := range cfg.Warnings {
			fmt.Fprintln(e.stderr, "backdeck: warning:", w)
		}
		historyPath = historyPathFor(e.getenv, path)
	}
	var bs []backends.Observer
	var pve *proxmox.Client
	if cfg.Proxmox != nil {
		sec, err := secret.Read("the PVE token secret", cfg.Proxmox.TokenSecretFile, cfg.Proxmox.TokenSecretEnv, e.getenv)
		if err != nil {
			closeAll()
			return nil, err
		}
		c, err := proxmox.New(proxmox.Options{Config: *cfg.Proxmox, Secret: sec, Now: e.now})
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
		bs = append(bs, smart.NewSource(smart.SourceOptions{Mode: "laptop", Drives: cfg.Drives, PVE: pve, Now: e.now}))
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
		c, err := urbackup.New(urbackup.Options{Config: *cfg.URBackup, Password: pw, Now: e.now})
		if err != nil {
			closeAll()
			return nil, err
		}
		bs = append(bs, c)
	}
	var cz *clonezilla.Source
	if cfg.Clonezilla != nil {
		var run toolrun.Func
		switch {
		case cf.demo:
			run = lab.SmartctlRunner()
		case mode == "host":
			run = toolrun.Exec("LVM_SUPPRESS_FD_WARNINGS=1")
		}
		// The last inventory lives beside the history, for while the image
		// drive is away.
		cz = clonezilla.NewSource(clonezilla.SourceOptions{Config: *cfg.Clonezilla, Run: run, VzdumpDrive: vzdumpDrive(cfg), Now: e.now,
			CachePath: filepath.Join(filepath.Dir(historyPath), "clonezilla-images.json")})
		bs = append(bs, cz)
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
			r, err := smart.ParseSmartctl(data, 0, e.now().Add(-3*time.Hour))
			if err != nil {
				return nil, err
			}
			if _, err := db.RecordSMART(ctx, serial, r, 0); err != nil {
				return nil, err
			}
		}
		return db, nil
	}
	eng := backends.NewEngine(backends.EngineOptions{Concerns: cfg.ConcernSpecs(), Backends: bs, Now: e.now,
		Interval: cfg.Refresh.Duration, SourceTimeout: sourceTimeout, OpenHistory: openHistory})
	return &wired{cfg: cfg, engine: eng, title: title, close: closeAll, cz: cz, historyPath: historyPath}, nil
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
	defaultConfig, _ := model.FindConfigPath("", func(k string) string {
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

// vzdumpDrive is the serial of the [[drive]] that holds the vzdump storage
// (the configured one, else any proxmox store that is not the image drive).
func vzdumpDrive(cfg *model.Config) string {
	storage := ""
	if cfg.Proxmox != nil {
		storage = cfg.Proxmox.Vzdump.Storage
	}
	imageDrive := ""
	if cfg.Clonezilla != nil {
		imageDrive = cfg.Clonezilla.DriveSerial
	}
	fallback := ""
	for _, d := range cfg.Drives {
		for _, h := range d.Holds {
			if storage != "" && strings.HasSuffix(h, "/"+storage) {
				return d.Serial
			}
			if fallback == "" && !strings.EqualFold(d.Serial, imageDrive) {
				fallback = d.Serial
			}
		}
	}
	return fallback
}

func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return exitUsage
}

const clonezillaUsage = `Usage: backdeck clonezilla COMMAND [flags]

The Clonezilla images of the Proxmox host's own disks ([clonezilla] in the config).

  list [--json]                       the images, newest first, with their newest verification
  verify IMAGE|--all [--level N]      prove images whole: 1 checksum files, 2 every stream decoded,
         [--json]                     3 (default) partclone's CRCs checked too. IMAGE is a path or
                                      an image name. Exit 0 whole, 1 problems found (one per line),
                                      2 could not check (with --all: the worst of the images).
  prepare [--out PATH] [--yes]        the preflight for the next imaging run, and the unattended run
          [--force] [--json]          (ocs-sr commands, GRUB entries) written to PATH after you confirm
  prune [--remove]                    what keep_last/keep_monthly would remove; --remove asks you to
                                      type each image's name before removing it
`

func cmdClonezilla(ctx context.Context, e env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(e.stderr, clonezillaUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return 0
	}
	switch args[0] {
	case "list":
		return cmdClonezillaList(ctx, e, args[1:])
	case "verify":
		return cmdClonezillaVerify(ctx, e, args[1:])
	case "prepare":
		return cmdClonezillaPrepare(ctx, e, args[1:])
	case "prune":
		return cmdClonezillaPrune(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "backdeck clonezilla: unknown command %q\n\n%s", args[0], clonezillaUsage)
	return exitUsage
}

// wireClonezilla wires the sources and checks [clonezilla] is configured.
func wireClonezilla(ctx context.Context, e env, cf commonFlags, name string) (*wired, bool) {
	w, err := wire(ctx, e, cf, 20*time.Second)
	if err != nil {
		fmt.Fprintf(e.stderr, "backdeck clonezilla %s: %v\n", name, err)
		return nil, false
	}
	if w.cz == nil {
		w.close()
		fmt.Fprintf(e.stderr, "backdeck clonezilla %s: the config has no [clonezilla] section: add image_dirs and the [[clonezilla.disk]] list (see config.toml.example)\n", name)
		return nil, false
	}
	return w, true
}

// verifications reads the newest verification of each image from the
// history; without a history every image is "not verified" and a warning
// says why.
func verifications(ctx context.Context, e env, path string, images []clonezilla.Image) map[string]model.Verification {
	db, err := history.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck: no verification history:", err)
		return nil
	}
	defer db.Close()
	var ids []string
	for _, img := range images {
		ids = append(ids, img.Path)
	}
	found, err := db.Verifications(ctx, ids)
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck: reading the verification history:", err)
	}
	return found
}

// imageJSON is one image in `clonezilla list --json`.
type imageJSON struct {
	Name        string                    `json:"name"`
	Path        string                    `json:"path"`
	Mode        string                    `json:"mode"`
	Saved       time.Time                 `json:"saved"`
	SavedFrom   string                    `json:"saved_from"`
	Disks       []imageDiskJSON           `json:"disks"`
	Partitions  []string                  `json:"partitions"`
	LVs         []string                  `json:"lvs"`
	SizeBytes   int64                     `json:"size_bytes"`
	Compression string                    `json:"compression"`
	Checksums   []string                  `json:"checksums"`
	SMARTAtSave string                    `json:"smart_at_save"`
	Verified    *model.ReportVerification `json:"verified"`
}

type imageDiskJSON struct {
	Name   string `json:"name"`
	Serial string `json:"serial"`
	Model  string `json:"model"`
	Size   int64  `json:"size_bytes"`
	SMART  string `json:"smart"`
}

func cmdClonezillaList(ctx context.Context, e env, args []string) int {
	var cf commonFlags
	fs := newFlagSet(e, "clonezilla list", "Usage: backdeck clonezilla list [--json] [--demo] [--config PATH]\n\nThe images in [clonezilla] image_dirs, newest first.\n", &cf)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	w, ok := wireClonezilla(ctx, e, cf, "list")
	if !ok {
		return exitSetup
	}
	defer w.close()
	images, errs := clonezilla.Scan(w.cfg.Clonezilla.ImageDirs)
	for _, err := range errs {
		fmt.Fprintln(e.stderr, "backdeck clonezilla list:", err)
	}
	verified := verifications(ctx, e, w.historyPath, images)
	if *asJSON {
		out := []imageJSON{}
		for _, img := range images {
			j := imageJSON{Name: img.Name, Path: img.Path, Mode: string(img.Mode), Saved: img.Saved.UTC(), SavedFrom: img.SavedFrom,
				Disks: []imageDiskJSON{}, Partitions: []string{}, LVs: []string{}, SizeBytes: img.SizeBytes,
				Compression: img.Compression, Checksums: append([]string{}, img.Checksums...), SMARTAtSave: img.SMARTAtSave}
			for _, d := range img.Disks {
				j.Disks = append(j.Disks, imageDiskJSON{Name: d.Name, Serial: d.Serial, Model: d.Model, Size: d.Size, SMART: d.SMART})
			}
			for _, p := range img.Parts {
				j.Partitions = append(j.Partitions, p.Name)
			}
			for _, lv := range img.LVs {
				j.LVs = append(j.LVs, lv.Name)
			}
			if v, ok := verified[img.Path]; ok {
				j.Verified = model.NewReportVerification(&v)
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(e.stderr, "backdeck:", err)
		}
	} else {
		if len(images) == 0 {
			fmt.Fprintf(e.stdout, "no Clonezilla image in %s\n", strings.Join(w.cfg.Clonezilla.ImageDirs, ", "))
		}
		now := e.now()
		for _, img := range images {
			fmt.Fprintf(e.stdout, "%s  saved %s (%s ago)  %s\n", img.Name, img.Saved.Local().Format("2006-01-02 15:04"), model.HumanAge(now.Sub(img.Saved)), model.HumanBytes(img.SizeBytes))
			for _, d := range img.Disks {
				fmt.Fprintf(e.stdout, "    disk %s %s serial %s %s, SMART at save: %s\n", d.Name, d.Model, orDash(d.Serial), model.HumanBytes(d.Size), orDash(d.SMART))
			}
			fmt.Fprintf(e.stdout, "    %s\n", img.Summary())
			fmt.Fprintf(e.stdout, "    %s\n", verifiedText(verified, img.Path, now, cf.ascii || w.cfg.UI.ASCII, cf.demo))
			fmt.Fprintf(e.stdout, "    %s\n", img.Path)
		}
	}
	if len(errs) > 0 && len(images) == 0 {
		return 2
	}
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// verifiedText is an image's newest verification in words.
func verifiedText(found map[string]model.Verification, path string, now time.Time, ascii, demo bool) string {
	v, ok := found[path]
	switch {
	case !ok && demo:
		return "not verified: backdeck clonezilla verify " + filepath.Base(path) + " --demo"
	case !ok:
		return "not verified: backdeck clonezilla verify " + filepath.Base(path)
	case v.OK:
		return fmt.Sprintf("%s verified whole at level %d, %s ago", model.StatusOK.Glyph(ascii), v.Level, model.HumanAge(now.Sub(v.At)))
	}
	return fmt.Sprintf("%s DAMAGED: %d problems found at level %d, %s ago (first: %s)", model.StatusCritical.Glyph(ascii), len(v.Problems), v.Level, model.HumanAge(now.Sub(v.At)), v.Problems[0])
}

// verifyResultJSON is the last line of `clonezilla verify --json` per image.
type verifyResultJSON struct {
	Image    string               `json:"image"`
	Path     string               `json:"path"`
	Level    int                  `json:"level"`
	OK       bool                 `json:"ok"`
	Checked  bool                 `json:"checked"` // false: could not check; error says why
	Error    string               `json:"error,omitempty"`
	Problems []clonezilla.Problem `json:"problems"`
	Notices  []clonezilla.Notice  `json:"notices"`
	Bytes    int64                `json:"bytes"`
	Seconds  float64              `json:"seconds"`
}

func cmdClonezillaVerify(ctx context.Context, e env, args []string) int {
	var cf commonFlags
	fs := newFlagSet(e, "clonezilla verify", "Usage: backdeck clonezilla verify IMAGE|--all [--level 1|2|3] [--json] [--demo] [--config PATH]\n\nProves images whole and prints every problem by file name, one per line.\nExit 0 whole, 1 problems found, 2 could not check.\n", &cf)
	all := fs.Bool("all", false, "verify every image in [clonezilla] image_dirs, newest first")
	level := fs.Int("level", clonezilla.LevelPartclone, "1 checksum files, 2 streams decoded, 3 partclone CRCs too")
	asJSON := fs.Bool("json", false, "one JSON object per line: progress lines, then one result per image")
	pos, err := parse(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if *all == (len(pos) == 1) || len(pos) > 1 {
		fmt.Fprintln(e.stderr, "backdeck clonezilla verify: give one IMAGE (a path or an image name) or --all")
		return exitUsage
	}
	if *level < 1 || *level > 3 {
		fmt.Fprintln(e.stderr, "backdeck clonezilla verify: --level is 1, 2 or 3")
		return exitUsage
	}
	// An image given by its path needs no config: an operator may check one
	// on any machine the drive is plugged into.
	var dirs []string
	historyPath := history.DefaultPath(e.getenv)
	if st, err := os.Stat(pos0(pos)); err != nil || !st.IsDir() || cf.demo || cf.config != "" {
		w, err := wire(ctx, e, cf, 20*time.Second)
		if err != nil {
			fmt.Fprintln(e.stderr, "backdeck clonezilla verify:", err)
			return 2
		}
		defer w.close()
		historyPath = w.historyPath
		if w.cfg.Clonezilla != nil {
			dirs = w.cfg.Clonezilla.ImageDirs
		}
	}
	var images []clonezilla.Image
	if *all {
		if len(dirs) == 0 {
			fmt.Fprintln(e.stderr, "backdeck clonezilla verify: --all needs [clonezilla] image_dirs in the config")
			return 2
		}
		var errs []error
		images, errs = clonezilla.Scan(dirs)
		for _, err := range errs {
			fmt.Fprintln(e.stderr, "backdeck clonezilla verify:", err)
		}
		if len(images) == 0 {
			fmt.Fprintf(e.stderr, "backdeck clonezilla verify: no image found in %s\n", strings.Join(dirs, ", "))
			return 2
		}
	} else {
		img, err := findImage(pos[0], dirs)
		if err != nil {
			fmt.Fprintln(e.stderr, "backdeck clonezilla verify:", err)
			return 2
		}
		images = []clonezilla.Image{img}
	}
	db, err := history.Open(ctx, historyPath)
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck clonezilla verify: the result will not be kept:", err)
		db = nil
	} else {
		defer db.Close()
	}
	code := 0
	for _, img := range images {
		c := verifyOne(ctx, e, img, *level, *asJSON, db)
		if c == 130 {
			return c
		}
		code = max(code, c)
	}
	return code
}

// pos0 is the first positional argument, or "".
func pos0(pos []string) string {
	if len(pos) == 0 {
		return ""
	}
	return pos[0]
}

// findImage is an image given by path, or by name in the image directories.
func findImage(arg string, dirs []string) (clonezilla.Image, error) {
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		return clonezilla.ReadImage(arg)
	}
	if strings.ContainsRune(arg, filepath.Separator) {
		return clonezilla.Image{}, fmt.Errorf("%s: no such directory", arg)
	}
	images, _ := clonezilla.Scan(dirs)
	for _, img := range images {
		if img.Name == arg {
			return img, nil
		}
	}
	if len(dirs) == 0 {
		return clonezilla.Image{}, fmt.Errorf("%s: no such directory, and no [clonezilla] image_dirs to look for it by name", arg)
	}
	return clonezilla.Image{}, fmt.Errorf("no image named %s in %s (backdeck clonezilla list shows them)", arg, strings.Join(dirs, ", "))
}

// verifyOne verifies one image with progress lines, prints its problems,
// keeps the result in the history and returns the exit code.
func verifyOne(ctx context.Context, e env, img clonezilla.Image, level int, asJSON bool, db *history.DB) int {
	job := model.Job{ID: img.Path, Name: img.Name, Method: model.MethodVerify, Source: model.SourceClonezilla,
		State: model.JobRunning, Progress: model.UnknownProgress()}
	if !asJSON {
		fmt.Fprintf(e.stdout, "verifying %s (level %d)\n", img.Path, level)
	}
	printer := jobPrinter{out: e.stdout, json: asJSON}
	var mu sync.Mutex
	var last time.Time
	rep, err := clonezilla.Verify(ctx, img, level, func(p clonezilla.Progress) {
		// Once a second is enough for a log; the console shows it live.
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		j := job
		j.Progress = p.Model()
		printer.print(j)
	})
	if ctx.Err() != nil {
		fmt.Fprintf(e.stderr, "backdeck clonezilla verify: interrupted; %s was not fully checked\n", img.Name)
		return 130
	}
	res := verifyResultJSON{Image: img.Name, Path: img.Path, Level: level, Problems: []clonezilla.Problem{}, Notices: []clonezilla.Notice{}}
	if err != nil {
		res.Error = err.Error()
		if asJSON {
			printJSONLine(e, res)
		} else {
			fmt.Fprintf(e.stdout, "%s: could not check: %v\n", img.Name, err)
		}
		return 2
	}
	res.Checked, res.OK, res.Bytes, res.Seconds = true, rep.OK, rep.Bytes, rep.Duration.Seconds()
	res.Problems = append(res.Problems, rep.Problems...)
	res.Notices = append(res.Notices, rep.Notices...)
	if db != nil {
		if err := db.RecordVerification(ctx, img.Path, *clonezilla.Verification(rep)); err != nil {
			fmt.Fprintln(e.stderr, "backdeck clonezilla verify: the result was not kept:", err)
		}
	}
	if asJSON {
		printJSONLine(e, res)
	} else {
		for _, n := range rep.Notices {
			fmt.Fprintf(e.stdout, "note: %s\n", n)
		}
		if rep.OK {
			fmt.Fprintf(e.stdout, "%s: whole (level %d, %s read in %s)\n", img.Name, rep.Level, model.HumanBytes(rep.Bytes), rep.Duration.Round(10*time.Millisecond))
		} else {
			fmt.Fprintf(e.stdout, "%s: %s\n", img.Name, rep.Summary())
			for _, p := range rep.Problems {
				fmt.Fprintln(e.stdout, p)
			}
		}
	}
	if !rep.OK {
		return 1
	}
	return 0
}

func printJSONLine(e env, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck:", err)
		return
	}
	fmt.Fprintln(e.stdout, string(b))
}

func cmdClonezillaPrune(ctx context.Context, e env, args []string) int {
	var cf commonFlags
	fs := newFlagSet(e, "clonezilla prune", "Usage: backdeck clonezilla prune [--remove] [--demo] [--config PATH]\n\nShows which images [clonezilla] keep_last and keep_monthly keep, and which they would remove.\nWith --remove, asks you to type each image's name before removing it.\n", &cf)
	remove := fs.Bool("remove", false, "remove the images the rules drop, each after you type its name")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	w, ok := wireClonezilla(ctx, e, cf, "prune")
	if !ok {
		return exitSetup
	}
	defer w.close()
	cfg := w.cfg.Clonezilla
	state, err := w.cz.Observe(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "backdeck clonezilla prune:", err)
		return 2
	}
	images := w.cz.Images()
	verified := verifications(ctx, e, w.historyPath, images)
	// An image may cover several disks: it goes only when no disk keeps it.
	kept := map[string]bool{}
	var marks []model.RetentionMark
	for _, t := range state.Targets {
		for i := range t.RestorePoints {
			if v, ok := verified[t.RestorePoints[i].ID]; ok {
				t.RestorePoints[i].Verified = &v
			}
		}
		fmt.Fprintf(e.stdout, "%s (keep_last = %d, keep_monthly = %d)\n", t.Name, cfg.KeepLast, cfg.KeepMonthly)
		for _, m := range model.ImageRetention(t.RestorePoints, cfg.KeepLast, cfg.KeepMonthly) {
			if m.Keep {
				kept[m.Point.ID] = true
				fmt.Fprintf(e.stdout, "  keep    %s  (%s)\n", filepath.Base(m.Point.ID), strings.Join(m.Reasons, "; "))
			} else {
				fmt.Fprintf(e.stdout, "  remove  %s  (%s, %s)\n", filepath.Base(m.Point.ID), m.Point.Time.Local().Format("2006-01-02"), model.HumanBytes(m.Point.Size))
			}
			marks = append(marks, m)
		}
	}
	var drop []model.RestorePoint
	seen := map[string]bool{}
	var total int64
	for _, m := range marks {
		if !kept[m.Point.ID] && !seen[m.Point.ID] {
			seen[m.Point.ID] = true
			drop = append(drop, m.Point)
			total += m.Point.Size
		}
	}
	if len(drop) == 0 {
		fmt.Fprintln(e.stdout, "nothing to remove")
		return 0
	}
	fmt.Fprintf(e.stdout, "%d images would be removed, %s freed\n", len(drop), model.HumanBytes(total))
	if !*remove {
		fmt.Fprintln(e.stdout, "nothing was removed: run with --remove to remove them, typing each name")
		return 0
	}
	in := bufio.NewScanner(e.stdin)
	removed := 0
	for _, p := range drop {
		name := filepath.Base(p.ID)
		fmt.Fprintf(e.stdout, "type %s to remove it (Enter skips): ", name)
		if !in.Scan() {
			fmt.Fprintln(e.stdout)
			break
		}
		if strings.TrimSpace(in.Text()) != name {
			fmt.Fprintln(e.stdout, "  skipped")
			continue
		}
		if err := removeImage(w.cz, p.ID); err != nil {
			fmt.Fprintln(e.stderr, "backdeck clonezilla prune:", err)
			return 2
		}
		removed++
		fmt.Fprintf(e.stdout, "  removed %s\n", p.ID)
	}
	fmt.Fprintf(e.stdout, "%d of %d removed\n", removed, len(drop))
	return 0
}

// removeImage removes an image directory, only when it is a Clonezilla
// image directly inside a configured image directory.
func removeImage(cz *clonezilla.Source, path string) error {
	if cz.ImageDirOf(path) == "" {
		return fmt.Errorf("%s is not inside the configured image_dirs: not removed", path)
	}
	if _, err := clonezilla.ReadImage(path); err != nil {
		return fmt.Errorf("%s is no longer a Clonezilla image (%v): not removed", path, err)
	}
	return os.RemoveAll(path)
}

// prepareJSON is `clonezilla prepare --json`.
type prepareJSON struct {
	Ready         bool          `json:"ready"`
	Checks        []checkJSON   `json:"checks"`
	ExpectedBytes int64         `json:"expected_bytes"`
	UsedBytes     int64         `json:"used_bytes"`
	Ratio         float64       `json:"ratio"`
	RatioFrom     string        `json:"ratio_from"`
	Runs          []planRunJSON `json:"runs"`
	Written       string        `json:"written,omitempty"`
}

type checkJSON struct {
	Name   string           `json:"name"`
	State  model.CheckState `json:"state"`
	Reason string           `json:"reason"`
}

type planRunJSON struct {
	Disk      string `json:"disk"`
	Serial    string `json:"serial"`
	Dev       string `json:"dev"`
	Image     string `json:"image"`
	Command   string `json:"command"`
	MenuEntry string `json:"menu_entry"`
}

func cmdClonezillaPrepare(ctx context.Context, e env, args []string) int {
	var cf commonFlags
	fs := newFlagSet(e, "clonezilla prepare", "Usage: backdeck clonezilla prepare [--out PATH] [--yes] [--force] [--json] [--demo] [--config PATH]\n\nChecks the host for the next Clonezilla imaging run and shows the unattended run: the ocs-sr\ncommand of each disk and a GRUB entry for the Clonezilla Live USB. With --out, writes them to\nPATH after you confirm (never over an existing file unless you confirm that too).\nExit 0 ready, 1 a check failed, 2 could not check.\n", &cf)
	out := fs.String("out", "", "write the GRUB entries here, e.g. the Live USB's boot/grub/backdeck.cfg")
	yes := fs.Bool("yes", false, "write without asking")
	force := fs.Bool("force", false, "overwrite an existing --out file without asking")
	asJSON := fs.Bool("json", false, "print one JSON object (with --out, needs --yes)")
	if _, err := parse(fs, args); err != nil {
		return flagExit(err)
	}
	if *asJSON && *out != "" && !*yes {
		fmt.Fprintln(e.stderr, "backdeck clonezilla prepare: --json with --out cannot ask: add --yes")
		return exitUsage
	}
	w, ok := wireClonezilla(ctx, e, cf, "prepare")
	if !ok {
		return exitSetup
	}
	defer w.close()
	p := w.engine.RefreshNow(ctx) // the drives' SMART verdicts
	pf, plan, err := w.cz.Prepare(ctx, p.Drives)
	if err != nil && len(pf.Checks) == 0 {
		fmt.Fprintln(e.stderr, "backdeck clonezilla prepare:", err)
		return 2
	}
	ascii := cf.ascii || w.cfg.UI.ASCII
	res := prepareJSON{Ready: pf.OK() && err == nil, Checks: []checkJSON{}, ExpectedBytes: pf.Expected, UsedBytes: pf.Used,
		Ratio: pf.Ratio, RatioFrom: pf.RatioFrom, Runs: []planRunJSON{}}
	for _, c := range pf.Checks {
		res.Checks = append(res.Checks, checkJSON{Name: c.Name, State: c.State, Reason: c.Reason})
	}
	for _, r := range plan.Runs {
		res.Runs = append(res.Runs, planRunJSON{Disk: r.Disk.Name, Serial: r.Disk.Serial, Dev: r.Disk.Dev, Image: r.ImageName, Command: r.Command, MenuEntry: r.MenuEntry})
	}
	if !*asJSON {
		fmt.Fprintln(e.stdout, "Preflight for the next Clonezilla imaging run of the host:")
		for _, c := range pf.Checks {
			fmt.Fprintf(e.stdout, "  %s %-7s %s: %s\n", c.State.Status().Glyph(ascii), c.State, c.Name, c.Reason)
		}
		if pf.Expected > 0 {
			fmt.Fprintf(e.stdout, "Expected size of the new images: about %s (%s in use × %.2f, %s)\n", model.HumanBytes(pf.Expected), model.HumanBytes(pf.Used), pf.Ratio, pf.RatioFrom)
		}
		if err != nil {
			fmt.Fprintln(e.stdout, "The unattended run cannot be made:", err)
		}
		for _, r := range plan.Runs {
			fmt.Fprintf(e.stdout, "\n%s (%s, serial %s):\n  %s\n", r.Disk.Name, orDash(r.Disk.Dev), r.Disk.Serial, r.Command)
		}
	}
	code := 0
	if !res.Ready {
		code = 1
	}
	switch {
	case *out == "":
		if !*asJSON && res.Ready {
			fmt.Fprintln(e.stdout, "\nTo write the GRUB entries for the Live USB: backdeck clonezilla prepare --out PATH")
		}
	case err != nil:
		fmt.Fprintf(e.stderr, "backdeck clonezilla prepare: nothing written to %s: %v\n", *out, err)
	case !res.Ready && *yes:
		fmt.Fprintf(e.stderr, "backdeck clonezilla prepare: nothing written to %s: fix the failed lines and run again (or leave out --yes to decide yourself)\n", *out)
	default:
		q := fmt.Sprintf("Write %d GRUB entries to %s?", len(plan.Runs), *out)
		if !res.Ready {
			q = fmt.Sprintf("The preflight failed (see ✗ above). Write the %d GRUB entries to %s anyway?", len(plan.Runs), *out)
		}
		if written := writePlan(e, *out, plan, q, *yes, *force); written {
			res.Written = *out
		} else {
			code = max(code, 1)
		}
	}
	if *asJSON {
		printJSONLine(e, res)
	}
	return code
}

// writePlan writes the run after the operator's confirmation; an existing
// file is overwritten only after a second one (or --force).
func writePlan(e env, path string, plan clonezilla.Plan, question string, yes, force bool) bool {
	in := bufio.NewScanner(e.stdin)
	ask := func(q string) bool {
		fmt.Fprintf(e.stdout, "%s [y/N] ", q)
		if !in.Scan() {
			fmt.Fprintln(e.stdout)
			return false
		}
		a := strings.ToLower(strings.TrimSpace(in.Text()))
		return a == "y" || a == "yes"
	}
	if !yes && !ask(question) {
		fmt.Fprintln(e.stdout, "nothing written")
		return false
	}
	overwrite := force
	if _, err := os.Stat(path); err == nil && !force {
		if yes {
			fmt.Fprintf(e.stderr, "backdeck clonezilla prepare: %s exists: nothing written (add --force to overwrite it)\n", path)
			return false
		}
		if !ask(fmt.Sprintf("%s exists. Overwrite it?", path)) {
			fmt.Fprintln(e.stdout, "nothing written")
			return false
		}
		overwrite = true
	}
	if err := clonezilla.WritePlan(path, plan, overwrite); err != nil {
		fmt.Fprintln(e.stderr, "backdeck clonezilla prepare:", err)
		return false
	}
	fmt.Fprintf(e.stdout, "wrote %s: add it to the Live USB's boot/grub/grub.cfg (or source it from there), boot the host from the USB and pick the entry\n", path)
	return true
}
